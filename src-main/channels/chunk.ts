// Splits a reply into messages a platform accepts (Telegram 4096, Discord 2000, Slack 4000 characters),
// preferring paragraph breaks, then line breaks, then sentence ends, then spaces, and never
// splitting a surrogate pair. The pieces, joined, are the original text (minus the white space
// at the cut points).

// Slack accepts up to 40,000 characters but truncates long messages and advises at most 4,000 per
// message (docs/channels.md#slack).
export const CHUNK_LIMITS = { telegram: 4096, discord: 2000, slack: 4000, whatsapp: 4000, webchat: Infinity } as const;

function cutPoint(text: string, limit: number): number {
  const window = text.slice(0, limit);
  const floor = Math.floor(limit * 0.5);
  for (const re of [/\n\s*\n(?=[^\n]*$)/, /\n(?=[^\n]*$)/, /[.!?…](?=\s[^.!?…]*$)/, /\s(?=\S*$)/]) {
    const m = re.exec(window);
    if (m && m.index >= floor) return m.index + (re.source.startsWith('[') ? 1 : 0);
  }
  // No good boundary in the second half: cut hard, but not inside a surrogate pair.
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

export function chunkText(text: string, limit: number): string[] {
  if (limit <= 0 || !Number.isFinite(limit)) return text === '' ? [] : [text];
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const at = cutPoint(rest, limit);
    const piece = rest.slice(0, at).trimEnd();
    if (piece) chunks.push(piece);
    rest = rest.slice(at).trimStart();
  }
  if (rest) chunks.push(rest);
  return chunks;
}
