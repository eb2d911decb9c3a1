// sessions.json: the per-agent index of sessions and their counters. It is only a cache of what
// the transcripts say, so it is saved atomically and lazily (debounced), migrated on load,
// reconciled against the folder, and rebuilt from the .jsonl files when missing or corrupt.
import fs from 'node:fs/promises';
import { atomicWrite } from '../state/atomic-write.ts';
import { errCode, type StorageReport } from './fs-util.ts';
import { Coalescer } from './group-commit.ts';
import { readRecords } from './jsonl-read.ts';
import { corruptIndexPath, indexPath, isSessionId, sessionIdFromFileName, transcriptPath } from './paths.ts';
import { applyRecord, emptyStats, parentOf, type SessionStats, type TranscriptRecord } from './records.ts';

export const INDEX_VERSION = 1;

export interface SessionEntry extends SessionStats {
  sessionKey: string;
  sessionId: string;
  /** Transcript bytes the counters account for; a different size on load triggers a rescan. */
  bytes: number;
  archived?: boolean;
}

export interface IndexFile {
  version: typeof INDEX_VERSION;
  /** Live sessions under their session key; archived ones under `<sessionKey>#<sessionId>`. */
  sessions: Record<string, SessionEntry>;
}

export type IndexNotice =
  | { kind: 'index-corrupt'; path: string; movedTo: string; error: string }
  | { kind: 'index-rebuilt'; sessions: number; reason: 'missing' | 'corrupt' | 'requested' }
  | { kind: 'index-migrated'; from: number; to: number }
  | { kind: 'index-reconciled'; added: string[]; dropped: string[]; rescanned: string[] }
  | { kind: 'index-save-failed'; error: string };

export interface IndexOptions {
  debounceMs?: number;
  onNotice?: (notice: IndexNotice) => void;
  /** Told whether each save worked (a full or read-only disk shows in status.storage). */
  storage?: StorageReport;
  /** A save that failed in the background is tried again after this long (default 2 s). */
  retryMs?: number;
}

/** Refuses to touch an index written by a newer Switchboard rather than "repair" it. */
export class IndexVersionError extends Error {
  override name = 'IndexVersionError';
}

type RawIndex = Record<string, unknown>;
/** Upgrade steps keyed by the version they read: MIGRATIONS[n] turns version n into n + 1. */
export const MIGRATIONS: Record<number, (raw: RawIndex) => RawIndex> = {
  // 1: (raw) => ({ ...raw, version: 2, sessions: … }),   (none yet: v1 is the first format)
};

export function archiveKey(sessionKey: string, sessionId: string): string {
  return `${sessionKey}#${sessionId}`;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function nonNegative(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0;
}

export function migrateIndex(raw: RawIndex): { data: RawIndex; from: number } {
  const from = raw.version;
  if (typeof from !== 'number' || !Number.isInteger(from)) throw new Error('index has no integer "version"');
  if (from > INDEX_VERSION) {
    throw new IndexVersionError(`sessions.json version ${from} is newer than this build understands (${INDEX_VERSION})`);
  }
  let data = raw;
  for (let v = from; v < INDEX_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new Error(`no migration from sessions.json version ${v}`);
    data = step(data);
  }
  return { data, from };
}

/** A validated entry, or null. Session ids become file names, so anything odd is dropped. */
function sanitizeEntry(key: string, x: unknown): SessionEntry | null {
  if (!isObject(x) || !isSessionId(x.sessionId)) return null;
  const id = x.sessionId;
  const archived = x.archived === true;
  const created = typeof x.created === 'string' ? x.created : new Date(0).toISOString();
  let sessionKey = key;
  if (archived) {
    if (typeof x.sessionKey === 'string') sessionKey = x.sessionKey;
    else if (key.endsWith(`#${id}`)) sessionKey = key.slice(0, -(id.length + 1));
  }
  return {
    sessionKey,
    sessionId: id,
    created,
    updated: typeof x.updated === 'string' ? x.updated : created,
    messages: nonNegative(x.messages),
    inputTokens: nonNegative(x.inputTokens),
    outputTokens: nonNegative(x.outputTokens),
    bytes: typeof x.bytes === 'number' ? x.bytes : -1,
    ...(isObject(x.lastRoute) ? { lastRoute: x.lastRoute } : {}),
    ...(typeof x.title === 'string' ? { title: x.title } : {}),
    ...(parentOf(x.parent) ? { parent: parentOf(x.parent)! } : {}),
    ...(archived ? { archived: true } : {}),
  };
}

/** Recomputes an entry from a transcript alone (its first record names the session key). */
export async function scanTranscript(file: string, sessionId: string): Promise<SessionEntry> {
  const st = await fs.stat(file);
  let stats: SessionStats | null = null;
  let sessionKey: string | undefined;
  for await (const rec of readRecords(file, st.size)) {
    if (!stats) {
      stats = emptyStats(rec.ts);
      if (rec.type === 'session' && typeof rec.sessionKey === 'string') sessionKey = rec.sessionKey;
    }
    applyRecord(stats, rec);
  }
  stats ??= emptyStats(st.mtime.toISOString());
  // Without a header the owner is unknown: keep the session visible, but never as a live one.
  return {
    sessionKey: sessionKey ?? `orphan:${sessionId}`,
    sessionId,
    ...stats,
    bytes: st.size,
    ...(sessionKey === undefined ? { archived: true } : {}),
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class SessionIndex {
  readonly dir: string;
  private readonly map = new Map<string, SessionEntry>();
  private readonly debounceMs: number;
  private readonly onNotice: ((n: IndexNotice) => void) | undefined;
  private readonly storage: StorageReport | undefined;
  private readonly retryMs: number;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly saver = new Coalescer(() => this.save());

  private constructor(dir: string, opts: IndexOptions) {
    this.dir = dir;
    this.debounceMs = opts.debounceMs ?? 500;
    this.onNotice = opts.onNotice;
    this.storage = opts.storage;
    this.retryMs = opts.retryMs ?? 2000;
  }

  static async load(dir: string, opts: IndexOptions = {}): Promise<SessionIndex> {
    const idx = new SessionIndex(dir, opts);
    const file = indexPath(dir);
    let text: string | null = null;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw err;
    }
    if (text === null) {
      await idx.rebuild('missing');
      return idx;
    }
    const rejected: string[] = [];
    try {
      const raw: unknown = JSON.parse(text);
      if (!isObject(raw)) throw new Error('index is not a JSON object');
      const { data, from } = migrateIndex(raw);
      if (!isObject(data.sessions)) throw new Error('index has no "sessions" object');
      for (const [key, value] of Object.entries(data.sessions)) {
        const e = sanitizeEntry(key, value);
        if (e) idx.map.set(key, e);
        else rejected.push(key);
      }
      if (from !== INDEX_VERSION) {
        idx.dirty = true;
        idx.onNotice?.({ kind: 'index-migrated', from, to: INDEX_VERSION });
      }
    } catch (err) {
      if (err instanceof IndexVersionError) throw err;
      // Keep the bad file for inspection, then rebuild from the transcripts.
      const movedTo = corruptIndexPath(dir);
      await fs.rename(file, movedTo);
      idx.onNotice?.({ kind: 'index-corrupt', path: file, movedTo, error: (err as Error).message });
      idx.map.clear();
      await idx.rebuild('corrupt');
      return idx;
    }
    await idx.reconcile(rejected);
    return idx;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): SessionEntry | undefined {
    return this.map.get(key);
  }

  entries(): [string, SessionEntry][] {
    return [...this.map];
  }

  set(key: string, entry: SessionEntry): void {
    this.map.set(key, entry);
    this.markDirty();
  }

  delete(key: string): boolean {
    const had = this.map.delete(key);
    if (had) this.markDirty();
    return had;
  }

  /** Counts a record just appended to the session stored under `key`. */
  noteRecord(key: string, rec: TranscriptRecord, bytes: number): void {
    const e = this.map.get(key);
    if (!e) return;
    applyRecord(e, rec);
    e.bytes += bytes;
    this.markDirty();
  }

  /** Schedules a save; bursts of updates (one per message) collapse into one write. */
  markDirty(): void {
    this.dirty = true;
    this.schedule(this.debounceMs);
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((err: unknown) => {
        this.onNotice?.({ kind: 'index-save-failed', error: String(err) });
        // Tried again until it works: a disk that was full saves the counters once it has room,
        // without waiting for the next message to mark the index dirty.
        this.schedule(this.retryMs);
      });
    }, ms);
    this.timer.unref(); // the store's close()/flush() writes pending changes; exit need not wait
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.dirty) await this.saver.run();
    else await this.saver.idle();
  }

  close(): Promise<void> {
    return this.flush();
  }

  /** Discards the index and recomputes it from every transcript in the folder. */
  async rebuild(reason: 'missing' | 'corrupt' | 'requested' = 'requested'): Promise<void> {
    const ids = await this.transcriptIds();
    const scanned = await mapLimit(ids, 8, (id) => scanTranscript(transcriptPath(this.dir, id), id));
    this.map.clear();
    // Oldest first, so for each session key the newest transcript ends up live.
    scanned.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
    for (const e of scanned) this.place(e);
    this.dirty = true;
    await this.flush();
    if (reason !== 'missing' || scanned.length > 0) {
      this.onNotice?.({ kind: 'index-rebuilt', sessions: scanned.length, reason });
    }
  }

  /**
   * Brings a loaded index in line with the folder after a crash: transcripts created after the
   * last save are added, entries whose file is gone are dropped, stale counters are rescanned.
   */
  private async reconcile(dropped: string[]): Promise<void> {
    const ids = new Set(await this.transcriptIds());
    const known = new Set<string>();
    for (const [key, e] of this.map) {
      if (ids.has(e.sessionId) && !known.has(e.sessionId)) known.add(e.sessionId);
      else {
        this.map.delete(key);
        dropped.push(key);
      }
    }
    const rescanned: string[] = [];
    await mapLimit([...this.map], 16, async ([key, e]) => {
      const file = transcriptPath(this.dir, e.sessionId);
      const size = await fs.stat(file).then(
        (st) => st.size,
        () => -1,
      );
      if (size === e.bytes || size < 0) return;
      const fresh = await scanTranscript(file, e.sessionId);
      Object.assign(e, { ...fresh, sessionKey: e.sessionKey, archived: e.archived });
      if (!e.archived) delete e.archived;
      rescanned.push(key);
    });
    const added = [...ids].filter((id) => !known.has(id));
    const fresh = await mapLimit(added, 8, (id) => scanTranscript(transcriptPath(this.dir, id), id));
    for (const e of fresh) this.place(e);
    if (dropped.length + rescanned.length + added.length > 0) {
      this.dirty = true;
      this.onNotice?.({ kind: 'index-reconciled', added, dropped, rescanned });
    }
    if (this.dirty) await this.flush();
  }

  /** Files it as live unless the key already has a newer live session (then archived). */
  private place(e: SessionEntry): void {
    if (e.archived) {
      this.map.set(archiveKey(e.sessionKey, e.sessionId), e);
      return;
    }
    const cur = this.map.get(e.sessionKey);
    if (cur && cur.created > e.created) {
      this.map.set(archiveKey(e.sessionKey, e.sessionId), { ...e, archived: true });
      return;
    }
    if (cur) {
      this.map.delete(e.sessionKey);
      this.map.set(archiveKey(cur.sessionKey, cur.sessionId), { ...cur, archived: true });
    }
    this.map.set(e.sessionKey, e);
  }

  private async transcriptIds(): Promise<string[]> {
    const names = await fs.readdir(this.dir);
    return names.map(sessionIdFromFileName).filter((id): id is string => id !== null);
  }

  private async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const file: IndexFile = { version: INDEX_VERSION, sessions: Object.fromEntries(this.map) };
    try {
      await atomicWrite(indexPath(this.dir), JSON.stringify(file) + '\n');
    } catch (err) {
      this.dirty = true;
      this.storage?.failed(err);
      throw err;
    }
    this.storage?.succeeded(indexPath(this.dir));
  }
}
