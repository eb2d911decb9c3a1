// Character classes of the JSON5 grammar (ECMAScript 5.1 whitespace, line terminators and
// identifier characters), on char codes so the scanners never build one-character strings.

// ES5.1 identifier characters, as the JSON5 spec and the json5 package define them (narrower
// than ES2015's ID_Start: U+212E '℮' for instance is not a letter).
export const ID_START = /[\p{L}\p{Nl}]/u;
export const ID_PART = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}\u200C\u200D]/u;
/** A whole key that may be written without quotes. */
export const IDENTIFIER = /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200C\u200D]*$/u;

export function isAsciiIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 36 || c === 95;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

export function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

export function isWhitespace(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0xfeff ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

export function describeChar(text: string, offset: number): string {
  const cp = text.codePointAt(offset)!;
  const ch = String.fromCodePoint(cp);
  return `'${JSON.stringify(ch).slice(1, -1).replace(/'/g, "\\'")}'`;
}

/** Whitespace that does not end a line. */
export function isInlineSpace(c: number): boolean {
  return isWhitespace(c) && !isLineTerminator(c);
}
