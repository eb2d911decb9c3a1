// Server-Sent Events helpers for the local API peers in test/peers: event framing as the Anthropic
// API sends it (`event:` + one `data:` JSON line + blank line) and delta-sized text chunking.

/** One SSE frame: `event: <type>\ndata: <json>\n\n`. */
export const sseEvent = (type: string, data: unknown): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/** Splits `s` into pieces of at most `size` UTF-16 units (one more to keep a surrogate pair whole); '' → []. */
export function splitText(s: string, size: number): string[] {
  if (s.length <= size) return s ? [s] : [];
  const out: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = Math.min(i + size, s.length);
    const c = s.charCodeAt(j - 1);
    if (j < s.length && c >= 0xd800 && c <= 0xdbff) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}
