// JSON5 parser (https://spec.json5.org) that builds the plain value and, when asked, a tree of
// source spans alongside it. The spans are what lets the config loader point at line:column and
// the config writer splice edits into a hand-written file without reformatting it.

import { ID_PART, ID_START, describeChar, isAsciiIdStart, isDigit, isHexDigit, isLineTerminator, isWhitespace } from './chars.ts';
import { Json5SyntaxError, LineMap, formatPath } from './position.ts';
import type { JsonPath } from './position.ts';

export interface ScalarNode {
  type: 'scalar';
  start: number;
  end: number;
  value: string | number | boolean | null;
}

export interface ContainerNode {
  type: 'object' | 'array';
  /** Offset of `{`/`[`; `end` is just past the closing bracket. */
  start: number;
  end: number;
  items: Item[];
  value: unknown;
}

export type Node = ScalarNode | ContainerNode;

/** An object member or an array element. */
export interface Item {
  /** Start of the key for members, of the value for elements. */
  start: number;
  key: string | undefined;
  /** -1 for array elements. */
  keyEnd: number;
  value: Node;
  /** Offset of the comma that follows, or -1. */
  comma: number;
}

export interface Comment {
  start: number;
  end: number;
}

export interface ParseTree {
  root: Node;
  duplicates: { path: JsonPath; offset: number }[];
  /** Every comment, in source order; the editor needs them to tell whose comment is whose. */
  comments: Comment[];
  lines: LineMap;
}

// Deep enough for any real config; shallow enough that recursion never overflows the stack,
// which would otherwise surface as a RangeError instead of a positioned syntax error.
const MAX_DEPTH = 1000;

class Parser {
  private pos = 0;
  private depth = 0;
  private readonly path: JsonPath = [];
  /** The node of the value parsed last; only maintained when building a tree. */
  private node: Node | undefined;
  readonly duplicates: { path: JsonPath; offset: number }[] = [];
  readonly comments: Comment[] = [];
  readonly lines: LineMap;

  constructor(
    private readonly text: string,
    private readonly tree: boolean,
  ) {
    this.lines = new LineMap(text);
  }

  parseDocument(): unknown {
    this.skipTrivia();
    const value = this.parseValue();
    this.skipTrivia();
    if (this.pos < this.text.length) this.fail(`unexpected character ${describeChar(this.text, this.pos)} after the end of the value`);
    return value;
  }

  rootNode(): Node {
    return this.node!;
  }

  private fail(message: string, offset = this.pos, path?: JsonPath): never {
    const pos = this.lines.pos(offset);
    throw new Json5SyntaxError(`${message} at ${pos.line}:${pos.column}`, pos, path);
  }

  private unexpected(expectation?: string): never {
    const found = this.pos >= this.text.length ? 'end of input' : `character ${describeChar(this.text, this.pos)}`;
    if (expectation) this.fail(`${expectation}, found ${found}`);
    this.fail(`unexpected ${found}`);
  }

  private skipTrivia(): void {
    const text = this.text;
    const len = text.length;
    let pos = this.pos;
    while (pos < len) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 10 || isWhitespace(c)) {
        pos++;
      } else if (c === 47) {
        const next = text.charCodeAt(pos + 1);
        if (next === 47) {
          const start = pos;
          pos += 2;
          while (pos < len && !isLineTerminator(text.charCodeAt(pos))) pos++;
          if (this.tree) this.comments.push({ start, end: pos });
        } else if (next === 42) {
          const close = text.indexOf('*/', pos + 2);
          if (close < 0) this.fail('unterminated block comment', pos);
          if (this.tree) this.comments.push({ start: pos, end: close + 2 });
          pos = close + 2;
        } else {
          // Like the json5 package, blame the character that fails to start a comment.
          this.pos = pos + 1;
          this.unexpected();
        }
      } else {
        break;
      }
    }
    this.pos = pos;
  }

  private parseValue(): unknown {
    const c = this.text.charCodeAt(this.pos);
    const start = this.pos;
    let value: string | number | boolean | null;
    switch (c) {
      case 123:
        return this.parseContainer(true);
      case 91:
        return this.parseContainer(false);
      case 34:
      case 39:
        value = this.parseString();
        break;
      case 116:
        this.expectWord('true');
        value = true;
        break;
      case 102:
        this.expectWord('false');
        value = false;
        break;
      case 110:
        this.expectWord('null');
        value = null;
        break;
      default:
        if (isDigit(c) || c === 45 || c === 43 || c === 46 || c === 73 || c === 78) value = this.parseNumber();
        else this.unexpected();
    }
    if (this.tree) this.node = { type: 'scalar', start, end: this.pos, value };
    return value;
  }

  private expectWord(word: string): void {
    for (let i = 0; i < word.length; i++, this.pos++) {
      if (this.text.charCodeAt(this.pos) !== word.charCodeAt(i)) this.unexpected();
    }
  }

  private parseContainer(isObject: boolean): unknown {
    const text = this.text;
    const close = isObject ? 125 : 93;
    const start = this.pos;
    const items: Item[] | undefined = this.tree ? [] : undefined;
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const obj: Record<string, unknown> | undefined = isObject ? {} : undefined;
    const arr: unknown[] | undefined = isObject ? undefined : [];
    this.pos++;
    this.skipTrivia();
    while (text.charCodeAt(this.pos) !== close) {
      const itemStart = this.pos;
      let key: string | undefined;
      let keyEnd = -1;
      if (obj !== undefined) {
        key = this.parseKey();
        keyEnd = this.pos;
        this.skipTrivia();
        if (text.charCodeAt(this.pos) !== 58) this.unexpected("expected ':' after object key");
        this.pos++;
        this.skipTrivia();
        this.path.push(key);
      } else {
        this.path.push(arr!.length);
      }
      const value = this.parseValue();
      this.path.pop();
      if (obj !== undefined && key !== undefined) {
        if (Object.prototype.hasOwnProperty.call(obj, key)) this.duplicates.push({ path: [...this.path, key], offset: itemStart });
        // Plain assignment to __proto__ would replace the prototype instead of adding a member.
        if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
        else obj[key] = value;
      } else {
        arr!.push(value);
      }
      this.skipTrivia();
      const c = text.charCodeAt(this.pos);
      let comma = -1;
      if (c === 44) {
        comma = this.pos;
        this.pos++;
        this.skipTrivia();
      } else if (c !== close) {
        this.unexpected(isObject ? "expected ',' or '}' after object member" : "expected ',' or ']' after array element");
      }
      if (items !== undefined) items.push({ start: itemStart, key, keyEnd, value: this.node!, comma });
    }
    this.pos++;
    this.depth--;
    const value = obj ?? arr;
    if (items !== undefined) this.node = { type: isObject ? 'object' : 'array', start, end: this.pos, items, value };
    return value;
  }

  private parseKey(): string {
    const c = this.text.charCodeAt(this.pos);
    if (c === 34 || c === 39) return this.parseString();
    if (this.pos >= this.text.length) this.unexpected();
    return this.parseIdentifier();
  }

  private parseIdentifier(): string {
    const text = this.text;
    let out = '';
    let run = this.pos;
    let first = true;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (isAsciiIdStart(c) || (!first && isDigit(c))) {
        this.pos++;
      } else if (c === 92) {
        out += text.slice(run, this.pos);
        const escapeAt = this.pos;
        this.pos++;
        if (text.charCodeAt(this.pos) !== 117) this.unexpected("expected 'u' after '\\' in identifier");
        this.pos++;
        const ch = String.fromCharCode(this.readHex(4));
        const cc = ch.charCodeAt(0);
        const ok = isAsciiIdStart(cc) || (first ? ID_START.test(ch) : isDigit(cc) || ID_PART.test(ch));
        if (!ok) this.fail('invalid identifier character', escapeAt);
        out += ch;
        run = this.pos;
      } else if (c >= 0x80) {
        const cp = text.codePointAt(this.pos)!;
        const ch = String.fromCodePoint(cp);
        if (!(first ? ID_START.test(ch) : ID_PART.test(ch))) break;
        this.pos += ch.length;
      } else {
        break;
      }
      first = false;
    }
    if (first) this.unexpected();
    return out + text.slice(run, this.pos);
  }

  private readHex(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const c = this.text.charCodeAt(this.pos);
      if (!isHexDigit(c)) this.unexpected('invalid escape sequence: expected a hexadecimal digit');
      value = value * 16 + parseInt(this.text[this.pos]!, 16);
      this.pos++;
    }
    return value;
  }

  private parseString(): string {
    const text = this.text;
    const len = text.length;
    const start = this.pos;
    const quote = text.charCodeAt(start);
    let out = '';
    let pos = start + 1;
    let run = pos;
    for (;;) {
      if (pos >= len) this.fail('unterminated string', start);
      const c = text.charCodeAt(pos);
      if (c === quote) {
        this.pos = pos + 1;
        return out + text.slice(run, pos);
      }
      if (c === 92) {
        out += text.slice(run, pos);
        this.pos = pos + 1;
        out += this.parseEscape(start);
        pos = run = this.pos;
      } else if (c === 10 || c === 13) {
        this.fail('unterminated string (a line break inside a string must be escaped)', start);
      } else {
        pos++;
      }
    }
  }

  private parseEscape(stringStart: number): string {
    const text = this.text;
    if (this.pos >= text.length) this.fail('unterminated string', stringStart);
    const c = text.charCodeAt(this.pos);
    this.pos++;
    switch (c) {
      case 98:
        return '\b';
      case 102:
        return '\f';
      case 110:
        return '\n';
      case 114:
        return '\r';
      case 116:
        return '\t';
      case 118:
        return '\v';
      case 48:
        if (isDigit(text.charCodeAt(this.pos))) this.unexpected();
        return '\0';
      case 120:
        return String.fromCharCode(this.readHex(2));
      case 117:
        return String.fromCharCode(this.readHex(4));
      case 13:
        if (text.charCodeAt(this.pos) === 10) this.pos++;
        return '';
      case 10:
      case 0x2028:
      case 0x2029:
        return '';
      default:
        if (isDigit(c)) {
          this.pos--;
          this.unexpected();
        }
        // Any other character escapes to itself; slicing keeps a surrogate pair together.
        return text[this.pos - 1]!;
    }
  }

  private parseNumber(): number {
    const text = this.text;
    const start = this.pos;
    let c = text.charCodeAt(this.pos);
    let sign = 1;
    if (c === 43 || c === 45) {
      if (c === 45) sign = -1;
      c = text.charCodeAt(++this.pos);
    }
    if (c === 73) {
      this.expectWord('Infinity');
      return sign * Infinity;
    }
    if (c === 78) {
      this.expectWord('NaN');
      return NaN;
    }
    let exact = true;
    let value: number;
    if (c === 48 && (text.charCodeAt(this.pos + 1) | 32) === 120) {
      this.pos += 2;
      const digits = this.pos;
      if (!isHexDigit(text.charCodeAt(this.pos))) this.unexpected();
      while (isHexDigit(text.charCodeAt(this.pos))) this.pos++;
      value = sign * parseInt(text.slice(digits, this.pos), 16);
    } else {
      let intDigits = 0;
      if (c === 48) {
        this.pos++;
        intDigits = 1;
        // A leading zero may not be followed by more digits (no octal look-alikes).
        if (isDigit(text.charCodeAt(this.pos))) this.unexpected();
      } else {
        while (isDigit(text.charCodeAt(this.pos))) {
          this.pos++;
          intDigits++;
        }
      }
      if (text.charCodeAt(this.pos) === 46) {
        exact = false;
        this.pos++;
        let fracDigits = 0;
        while (isDigit(text.charCodeAt(this.pos))) {
          this.pos++;
          fracDigits++;
        }
        if (intDigits === 0 && fracDigits === 0) this.unexpected();
      } else if (intDigits === 0) {
        this.unexpected();
      }
      if ((text.charCodeAt(this.pos) | 32) === 101) {
        exact = false;
        c = text.charCodeAt(++this.pos);
        if (c === 43 || c === 45) this.pos++;
        if (!isDigit(text.charCodeAt(this.pos))) this.unexpected();
        while (isDigit(text.charCodeAt(this.pos))) this.pos++;
      }
      value = Number(text.slice(start, this.pos));
    }
    if (exact && Math.abs(value) > Number.MAX_SAFE_INTEGER) {
      const literal = text.slice(text.charCodeAt(start) === 43 ? start + 1 : start, this.pos);
      const where = this.path.length === 0 ? 'the top level' : formatPath(this.path);
      const pos = this.lines.pos(start);
      throw new Json5SyntaxError(
        `number ${literal} at ${where} is too large to be represented exactly; write it as a string: "${literal}"`,
        pos,
        [...this.path],
      );
    }
    return value;
  }
}

/** Parses `text` into a value-carrying span tree; throws Json5SyntaxError. */
export function parseTree(text: string): ParseTree {
  const parser = new Parser(text, true);
  parser.parseDocument();
  return { root: parser.rootNode(), duplicates: parser.duplicates, comments: parser.comments, lines: parser.lines };
}

/** The value alone, skipping the tree (half the allocations) for the common case of a valid file. */
export function parseValue(text: string): { value: unknown; duplicates: { path: JsonPath; offset: number }[]; lines: LineMap } {
  const parser = new Parser(text, false);
  const value = parser.parseDocument();
  return { value, duplicates: parser.duplicates, lines: parser.lines };
}
