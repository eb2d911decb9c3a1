// Finding an agent's sessions by what they say (`sessions.search`, docs/architecture.md#sessions-from-the-inspector):
// the title and key from the index, then the message text of each transcript, newest session
// first. Transcripts are scanned on disk in chunks with a case-insensitive search over the raw
// JSON, so only lines that may match are parsed; a byte budget bounds one request.
import fs from 'node:fs/promises';
import { parseRecordLine } from './records.ts';

export interface SearchTarget {
  /** The sessions.list key (archived sessions: `<sessionKey>#<sessionId>`). */
  key: string;
  title?: string;
  /** The transcript file; undefined when the session has none on disk. */
  file: string | undefined;
}

export interface SearchMatch {
  key: string;
  field: 'title' | 'key' | 'text';
  /** For a text match: the message around the first hit, on one line. */
  snippet?: string;
  /** For a text match: the record's seq. */
  seq?: number;
}

export interface SearchOptions {
  /** Stop after this many matching sessions. */
  limit: number;
  /** Transcript bytes one search may read; sessions past it are matched on title and key only. */
  maxBytes: number;
}

export interface SearchResult {
  matches: SearchMatch[];
  /** Some transcripts were not read (budget) or more sessions may match (limit). */
  truncated: boolean;
}

const CHUNK = 1024 * 1024;
const SNIPPET_BEFORE = 40;
const SNIPPET_LENGTH = 140;

export async function searchSessions(targets: readonly SearchTarget[], query: string, opts: SearchOptions): Promise<SearchResult> {
  const needle = query.trim().toLowerCase();
  const matches: SearchMatch[] = [];
  let budget = opts.maxBytes;
  let truncated = false;
  if (needle === '') return { matches, truncated };
  // The query as it appears inside a JSON string (quotes, backslashes and control characters escaped).
  const raw = new RegExp(escapeRegExp(JSON.stringify(needle).slice(1, -1)), 'giu');
  for (const t of targets) {
    if (matches.length >= opts.limit) {
      truncated = true;
      break;
    }
    if (t.title?.toLowerCase().includes(needle)) {
      matches.push({ key: t.key, field: 'title' });
      continue;
    }
    if (t.key.toLowerCase().includes(needle)) {
      matches.push({ key: t.key, field: 'key' });
      continue;
    }
    if (!t.file) continue;
    const size = await fs.stat(t.file).then(
      (s) => s.size,
      () => -1,
    );
    if (size < 0) continue; // gone since the list was read (deleted meanwhile)
    if (size > budget) {
      truncated = true;
      continue;
    }
    budget -= size;
    const hit = await firstTextMatch(t.file, size, needle, raw);
    if (hit) matches.push({ key: t.key, field: 'text', ...hit });
  }
  return { matches, truncated };
}

/** The first `message` record whose text contains `needle`, or undefined. */
async function firstTextMatch(
  file: string,
  size: number,
  needle: string,
  raw: RegExp,
): Promise<{ snippet: string; seq: number } | undefined> {
  const fh = await fs.open(file, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    let pos = 0;
    let carry = Buffer.alloc(0);
    while (pos < size) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - pos));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      // Whole lines only (a cut there never splits a UTF-8 character); the rest waits for the next chunk.
      const lastNl = buf.lastIndexOf(0x0a);
      if (lastNl < 0) {
        carry = buf;
        continue;
      }
      carry = Buffer.from(buf.subarray(lastNl + 1));
      const hit = matchInText(buf.toString('utf8', 0, lastNl), needle, raw);
      if (hit) return hit;
    }
    // A last line without its newline is a torn write: never searched, as it is never read.
    return undefined;
  } finally {
    await fh.close();
  }
}

function matchInText(text: string, needle: string, raw: RegExp): { snippet: string; seq: number } | undefined {
  raw.lastIndex = 0;
  for (let m = raw.exec(text); m; m = raw.exec(text)) {
    const start = text.lastIndexOf('\n', m.index) + 1;
    let end = text.indexOf('\n', m.index);
    if (end < 0) end = text.length;
    const rec = parseRecordLine(text.slice(start, end));
    // The raw hit may be in another field (a sender's name, a tool's output): only message text counts.
    if (rec?.type === 'message' && typeof rec.text === 'string') {
      const at = rec.text.toLowerCase().indexOf(needle);
      if (at >= 0) return { snippet: snippetAround(rec.text, at), seq: rec.seq };
    }
    raw.lastIndex = end + 1;
  }
  return undefined;
}

function snippetAround(text: string, at: number): string {
  const from = Math.max(0, at - SNIPPET_BEFORE);
  const cut = text.slice(from, from + SNIPPET_LENGTH).replace(/\s+/g, ' ');
  return `${from > 0 ? '…' : ''}${cut.trim()}${from + SNIPPET_LENGTH < text.length ? '…' : ''}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
