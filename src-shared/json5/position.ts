// Shared vocabulary of the JSON5 module: paths, source positions and the syntax error type.
// Positions are computed lazily from offsets so that parsing a large file never pays for
// line bookkeeping unless somebody asks where something is.

import { IDENTIFIER } from './chars.ts';

export type JsonPath = (string | number)[];

/** `line` and `column` are 1-based; `column` counts UTF-16 code units, like editors do. */
export interface SourcePos {
  line: number;
  column: number;
  offset: number;
}

export class Json5SyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly path?: JsonPath;

  constructor(message: string, pos: SourcePos, path?: JsonPath) {
    super(message);
    this.name = 'Json5SyntaxError';
    this.line = pos.line;
    this.column = pos.column;
    this.offset = pos.offset;
    if (path !== undefined) this.path = path;
  }
}

/** `agents.list[0].id`; keys that are not identifiers become `["…"]`. */
export function formatPath(path: JsonPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Maps offsets to line/column. Line terminators follow the JSON5 spec: LF, CR, CRLF, U+2028, U+2029. */
export class LineMap {
  private starts: number[] | undefined;

  constructor(private readonly text: string) {}

  private lineStarts(): number[] {
    if (this.starts) return this.starts;
    const starts = [0];
    const text = this.text;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 0x2028 || c === 0x2029) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
    return starts;
  }

  pos(offset: number): SourcePos {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1, offset };
  }

  line(offset: number): number {
    return this.pos(offset).line;
  }
}
