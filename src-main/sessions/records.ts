// Transcript record shape (one JSON object per line) and the pure bookkeeping that turns records
// into the per-session counters kept in sessions.json, so the index can always be rebuilt from
// the transcripts alone.

export const RECORD_VERSION = 1 as const;

/**
 * Every line of a transcript. `v`, `seq`, `ts`, `type` are always the first four keys (the tail
 * reader's seq search depends on `{"v":1,"seq":N,` being the line prefix).
 */
export interface TranscriptRecord {
  v: typeof RECORD_VERSION;
  /** 1, 2, 3… per transcript file, in file order. */
  seq: number;
  /** ISO-8601 time the record was appended. */
  ts: string;
  type: string;
  [field: string]: unknown;
}

/** What callers pass to `append`; `v`/`seq` are assigned by the file, `ts` defaults to now. */
export interface RecordInput {
  type: string;
  ts?: string;
  [field: string]: unknown;
}

/** Conventional record types (others are stored as-is and ignored by the counters). */
export type KnownRecordType =
  | 'session' // first line: { sessionId, sessionKey, agentId }
  | 'message' // { role: 'user' | 'assistant' | 'system', text?, content?, route?, usage? }
  | 'meta'; // { title?, route? } — index metadata, kept in the transcript so rebuild() restores it

export type SessionRoute = Record<string, unknown>;

export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
}

/**
 * Written in a sub-agent session's header (sessions_spawn): the session whose turn spawned it and
 * that turn's inbound seq, so the inspector can show the child under its parent.
 */
export interface SessionParent {
  sessionKey: string;
  inReplyTo: number;
  label?: string;
}

export interface SessionStats {
  created: string;
  updated: string;
  messages: number;
  inputTokens: number;
  outputTokens: number;
  lastRoute?: SessionRoute;
  title?: string;
  parent?: SessionParent;
}

export function buildRecord(input: RecordInput, seq: number): TranscriptRecord {
  const ts = input.ts ?? new Date().toISOString();
  // Fixed prefix first: the spread keeps those keys where they are (it only overwrites values,
  // and is copied once instead of through a rest object), and v/seq/ts are re-set after it.
  const rec = { v: RECORD_VERSION, seq, ts, type: input.type, ...(input as Record<string, unknown>) } as TranscriptRecord;
  rec.v = RECORD_VERSION;
  rec.seq = seq;
  rec.ts = ts;
  return rec;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function isTranscriptRecord(x: unknown): x is TranscriptRecord {
  return isObject(x) && typeof x.seq === 'number' && typeof x.type === 'string';
}

/** Parses one line (without its newline); null when it is not a transcript record. */
export function parseRecordLine(line: Buffer | string): TranscriptRecord | null {
  try {
    const x: unknown = JSON.parse(typeof line === 'string' ? line : line.toString('utf8'));
    return isTranscriptRecord(x) ? x : null;
  } catch {
    return null;
  }
}

function count(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

export function emptyStats(created: string): SessionStats {
  return { created, updated: created, messages: 0, inputTokens: 0, outputTokens: 0 };
}

/** Folds one record into the counters (mutates `stats`). */
export function applyRecord(stats: SessionStats, rec: TranscriptRecord): void {
  if (typeof rec.ts === 'string' && rec.ts > stats.updated) stats.updated = rec.ts;
  if (rec.type === 'message') stats.messages++;
  if (isObject(rec.usage)) {
    stats.inputTokens += count(rec.usage.inputTokens);
    stats.outputTokens += count(rec.usage.outputTokens);
  }
  if (isObject(rec.route)) stats.lastRoute = rec.route;
  if (rec.type === 'meta' && typeof rec.title === 'string') stats.title = rec.title;
  if (rec.type === 'session') {
    const parent = parentOf(rec.parent);
    if (parent) stats.parent = parent;
  }
}

/** A valid SessionParent from a header or an index entry, or undefined. */
export function parentOf(x: unknown): SessionParent | undefined {
  if (!isObject(x) || typeof x.sessionKey !== 'string' || typeof x.inReplyTo !== 'number') return undefined;
  return { sessionKey: x.sessionKey, inReplyTo: x.inReplyTo, ...(typeof x.label === 'string' ? { label: x.label } : {}) };
}
