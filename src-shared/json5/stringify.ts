// Formats values as readable JSON5, both for new files and for the fragments the editor splices
// into existing ones. The `Style` knobs let an edit match the file it lands in (indent unit,
// quoting, trailing commas, line endings), so a strict-JSON file stays strict JSON.

import { IDENTIFIER } from './chars.ts';

export interface Style {
  indent: string;
  quoteKeys: boolean;
  quote: '"' | "'";
  trailingCommas: boolean;
  eol: string;
}

export const DEFAULT_STYLE: Style = { indent: '  ', quoteKeys: false, quote: '"', trailingCommas: true, eol: '\n' };

/** Lines holding an array of primitives on one line may be this long. */
const MAX_LINE = 100;

/**
 * Reduces a value to plain data, the way JSON.stringify sees it: toJSON is honoured, undefined,
 * functions and symbols are absent members (null in arrays), boxed primitives are unwrapped.
 * Non-finite numbers survive because JSON5 can write them.
 */
export function normalize(value: unknown, seen: Set<object> = new Set()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') throw new TypeError('cannot write a BigInt as JSON5; convert it to a string or number');
  if (typeof value !== 'object') return undefined;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return normalize(toJSON.call(value), seen);
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return value.valueOf();
  if (seen.has(value)) throw new TypeError('cannot write a circular structure as JSON5');
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((v) => normalize(v, seen) ?? null);
  } else {
    const obj: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = normalize((value as Record<string, unknown>)[key], seen);
      if (v === undefined) continue;
      if (key === '__proto__') Object.defineProperty(obj, key, { value: v, writable: true, enumerable: true, configurable: true });
      else obj[key] = v;
    }
    out = obj;
  }
  seen.delete(value);
  return out;
}

export function formatString(s: string, quote: '"' | "'"): string {
  let out = quote;
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 0x7f) {
      switch (c) {
        case 8:
          esc = '\\b';
          break;
        case 9:
          esc = '\\t';
          break;
        case 10:
          esc = '\\n';
          break;
        case 12:
          esc = '\\f';
          break;
        case 13:
          esc = '\\r';
          break;
        case 11:
          esc = '\\v';
          break;
        default:
          esc = `\\x${c.toString(16).padStart(2, '0')}`;
      }
    } else if (c === 92) {
      esc = '\\\\';
    } else if (c === quote.charCodeAt(0)) {
      esc = `\\${quote}`;
    } else if (c === 0x2028 || c === 0x2029) {
      esc = `\\u${c.toString(16)}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate cannot be written as UTF-8; a proper pair is left alone.
      const pair = c <= 0xdbff && isLow(s.charCodeAt(i + 1));
      if (pair) {
        i++;
        continue;
      }
      esc = `\\u${c.toString(16)}`;
    }
    if (esc !== undefined) {
      out += s.slice(run, i) + esc;
      run = i + 1;
    }
  }
  return out + s.slice(run) + quote;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

export function formatKey(key: string, style: Style): string {
  return !style.quoteKeys && IDENTIFIER.test(key) ? key : formatString(key, style.quote);
}

export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Object.is(n, -0)) return '-0';
  // An integer past 2^53 written out in full would be rejected by our own parser as unsafe.
  if (Number.isInteger(n) && Math.abs(n) > Number.MAX_SAFE_INTEGER) {
    const s = String(n);
    return s.includes('e') ? s : n.toExponential();
  }
  return String(n);
}

function isContainer(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function formatPrimitive(v: unknown, style: Style): string {
  if (typeof v === 'string') return formatString(v, style.quote);
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

/** One-line rendering, for fragments that land inside a one-line object or array. */
export function formatInline(v: unknown, style: Style): string {
  if (Array.isArray(v)) return `[${v.map((x) => formatInline(x, style)).join(', ')}]`;
  if (isContainer(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, x]) => `${formatKey(k, style)}: ${formatInline(x, style)}`).join(', ')} }`;
  }
  return formatPrimitive(v, style);
}

/**
 * Multi-line rendering of normalized `v` whose first line continues a line already `column`
 * characters long and whose nested lines are indented relative to `indent`. No trailing newline.
 */
export function formatValue(v: unknown, style: Style, indent: string, column: number): string {
  if (!isContainer(v)) return formatPrimitive(v, style);
  const inner = indent + style.indent;
  const close = style.trailingCommas ? ',' : '';
  const eol = style.eol;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (!v.some(isContainer)) {
      const one = formatInline(v, style);
      if (column + one.length + 1 <= MAX_LINE) return one;
    }
    const lines = v.map((x) => inner + formatValue(x, style, inner, inner.length));
    return `[${eol}${lines.join(`,${eol}`)}${close}${eol}${indent}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([k, x]) => {
    const key = formatKey(k, style);
    return `${inner}${key}: ${formatValue(x, style, inner, inner.length + key.length + 2)}`;
  });
  return `{${eol}${lines.join(`,${eol}`)}${close}${eol}${indent}}`;
}

/**
 * Readable JSON5 for a new file: `indent`-space indentation, unquoted identifier keys,
 * double-quoted strings, trailing commas, short primitive arrays on one line, final newline.
 */
export function stringifyJson5(value: unknown, indent = 2): string {
  const v = normalize(value) ?? null;
  if (indent <= 0) return `${formatInline(v, DEFAULT_STYLE)}\n`;
  const style: Style = { ...DEFAULT_STYLE, indent: ' '.repeat(Math.min(Math.floor(indent), 10)) };
  return `${formatValue(v, style, '', 0)}\n`;
}
