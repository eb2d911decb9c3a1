// AgentSessionStore: the per-agent facade over sessions.json and the transcripts. It maps session
// keys to random session ids (keys never become file names), keeps the index counters in step
// with appends, and confines every file it touches to `<stateDir>/agents/<agentId>/sessions/`.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { defaultFdPool, type FdPool } from './fd-pool.ts';
import { errCode } from './fs-util.ts';
import { readTailRecords } from './jsonl-read.ts';
import { agentSessionsDir, corruptPathFor, transcriptPath } from './paths.ts';
import { emptyStats, type RecordInput, type SessionRoute, type TranscriptRecord } from './records.ts';
import { archiveKey, SessionIndex, type IndexNotice, type SessionEntry } from './session-index.ts';
import { TranscriptFile, type AppendOptions, type RecoveryInfo } from './transcript.ts';

export interface SessionHandle {
  readonly sessionKey: string;
  readonly sessionId: string;
  readonly transcript: TranscriptFile;
}

export type StoreNotice = IndexNotice | ({ kind: 'transcript-recovered' } & RecoveryInfo);

export interface StoreOptions {
  /** Descriptor pool (default: one shared by the whole process, 256 fds). */
  pool?: FdPool;
  /** Recoveries, index rebuilds and failed saves, for the gateway log. */
  onNotice?: (notice: StoreNotice) => void;
  indexDebounceMs?: number;
}

/** A row of list(): `key` addresses it in history/export/delete (archived: `<sessionKey>#<id>`). */
export interface SessionListItem extends SessionEntry {
  key: string;
}

export interface HistoryPage {
  key: string;
  sessionId: string | null;
  /** Oldest first; pass `records[0].seq` as `before` for the previous page. */
  records: TranscriptRecord[];
  hasMore: boolean;
}

export interface SessionExport {
  metadata: SessionListItem & { format: 'switchboard.session'; version: 1; agentId: string; exportedAt: string };
  /** The transcript exactly as stored: one record per line. */
  jsonl: string;
}

export class SessionNotFoundError extends Error {
  override name = 'SessionNotFoundError';
}

const MAX_KEY_LENGTH = 1024;
const MAX_PAGE = 1000;
// Two stores on one folder would hand out clashing seqs; refuse that within the process
// (across processes the gateway lock guards the state dir).
const openDirs = new Set<string>();

function assertSessionKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH || key.includes('\0')) {
    throw new TypeError(`invalid session key ${JSON.stringify(key)}`);
  }
}

async function unlinkIfExists(file: string): Promise<void> {
  await fs.unlink(file).catch((err: unknown) => {
    if (errCode(err) !== 'ENOENT') throw err;
  });
}

export class AgentSessionStore {
  readonly agentId: string;
  /** The only folder this store reads or writes. */
  readonly dir: string;
  private readonly index: SessionIndex;
  private readonly pool: FdPool;
  private readonly onNotice: ((n: StoreNotice) => void) | undefined;
  private readonly live = new Map<string, SessionHandle>(); // sessionKey → open live session
  private readonly keyById = new Map<string, string>(); // sessionId → index key, for counters
  private readonly locks = new Map<string, Promise<void>>();
  private closed = false;

  private constructor(agentId: string, dir: string, index: SessionIndex, opts: StoreOptions) {
    this.agentId = agentId;
    this.dir = dir;
    this.index = index;
    this.pool = opts.pool ?? defaultFdPool;
    this.onNotice = opts.onNotice;
  }

  static async open(stateDir: string, agentId: string, opts: StoreOptions = {}): Promise<AgentSessionStore> {
    const dir = agentSessionsDir(stateDir, agentId); // validates the agent id
    if (openDirs.has(dir)) throw new Error(`sessions of agent "${agentId}" are already open in this process`);
    openDirs.add(dir);
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const index = await SessionIndex.load(dir, {
        ...(opts.indexDebounceMs !== undefined ? { debounceMs: opts.indexDebounceMs } : {}),
        ...(opts.onNotice ? { onNotice: opts.onNotice } : {}),
      });
      return new AgentSessionStore(agentId, dir, index, opts);
    } catch (err) {
      openDirs.delete(dir);
      throw err;
    }
  }

  /** The live session of `sessionKey`, created (with a new random id) on first use. */
  getOrCreate(sessionKey: string): Promise<SessionHandle> {
    this.assertOpen();
    assertSessionKey(sessionKey);
    const h = this.live.get(sessionKey);
    if (h) return Promise.resolve(h);
    return this.withLock(sessionKey, async () => {
      const again = this.live.get(sessionKey);
      if (again) return again;
      const e = this.index.get(sessionKey);
      if (e && !e.archived) return this.openHandle(sessionKey, e.sessionId);
      return this.createSession(sessionKey);
    });
  }

  /** Appends to the live session of `sessionKey` (creating it if needed). */
  async append(sessionKey: string, input: RecordInput, opts?: AppendOptions): Promise<TranscriptRecord> {
    const h = this.live.get(sessionKey) ?? (await this.getOrCreate(sessionKey));
    return h.transcript.append(input, opts);
  }

  /** Sets the title / last route; stored as a `meta` record so rebuild() restores it. */
  async update(sessionKey: string, patch: { title?: string; route?: SessionRoute }): Promise<void> {
    await this.append(sessionKey, { type: 'meta', ...patch });
  }

  /** All sessions, live and archived, most recently updated first. */
  list(): SessionListItem[] {
    return this.index
      .entries()
      .map(([key, e]) => ({ key, ...e }))
      .sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : 0));
  }

  get(key: string): SessionListItem | undefined {
    const e = this.index.get(key);
    return e ? { key, ...e } : undefined;
  }

  /** A page of records (default the last 50) of a live or archived session. */
  async history(key: string, opts: { before?: number; limit?: number } = {}): Promise<HistoryPage> {
    this.assertOpen();
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(opts.limit ?? 50)));
    const e = this.index.get(key);
    if (!e) return { key, sessionId: null, records: [], hasMore: false };
    const h = this.live.get(key);
    // One extra record tells whether an older page exists.
    const recs =
      h && h.sessionId === e.sessionId
        ? await h.transcript.readTail(limit + 1, opts.before)
        : await readTailRecords(transcriptPath(this.dir, e.sessionId), limit + 1, opts.before).catch((err: unknown) => {
            if (errCode(err) === 'ENOENT') return [];
            throw err;
          });
    const hasMore = recs.length > limit;
    return { key, sessionId: e.sessionId, records: hasMore ? recs.slice(1) : recs, hasMore };
  }

  /** Archives the live session of `sessionKey` (transcript kept, listed) and starts a new one. */
  reset(sessionKey: string): Promise<SessionHandle> {
    this.assertOpen();
    assertSessionKey(sessionKey);
    return this.withLock(sessionKey, async () => {
      const e = this.index.get(sessionKey);
      if (e && !e.archived) {
        await this.closeLive(sessionKey);
        this.index.delete(sessionKey);
        this.index.set(archiveKey(sessionKey, e.sessionId), { ...e, archived: true });
      }
      const h = await this.createSession(sessionKey);
      await this.index.flush(); // structural change: do not leave it to the debounce
      return h;
    });
  }

  /** Deletes the session listed under `key` (transcript included); with includeArchived, every session of its key. */
  async delete(key: string, opts: { includeArchived?: boolean } = {}): Promise<boolean> {
    this.assertOpen();
    const first = this.index.get(key);
    if (!first) return false;
    return this.withLock(first.sessionKey, async () => {
      const e = this.index.get(key);
      if (!e) return false;
      const victims = opts.includeArchived
        ? this.index.entries().filter(([, x]) => x.sessionKey === e.sessionKey)
        : [[key, e] as [string, SessionEntry]];
      for (const [k, v] of victims) {
        const h = this.live.get(v.sessionKey);
        if (h && h.sessionId === v.sessionId) await this.closeLive(v.sessionKey);
        const file = transcriptPath(this.dir, v.sessionId);
        // Files first, index second: a crash in between leaves an entry that load() drops,
        // never a transcript that reconcile would bring back.
        await unlinkIfExists(file);
        await unlinkIfExists(corruptPathFor(file));
        this.index.delete(k);
      }
      await this.index.flush();
      return true;
    });
  }

  /** Metadata plus the transcript's JSONL, consistent with every append that has resolved. */
  async export(key: string): Promise<SessionExport> {
    this.assertOpen();
    const e = this.index.get(key);
    if (!e) throw new SessionNotFoundError(`no session ${JSON.stringify(key)} for agent ${this.agentId}`);
    const h = this.live.get(key);
    const liveT = h && h.sessionId === e.sessionId ? h.transcript : null;
    if (liveT) await liveT.drain();
    const end = liveT?.size; // snapshot before reading: those bytes are complete lines
    let buf = await fs.readFile(transcriptPath(this.dir, e.sessionId));
    if (end !== undefined) buf = buf.subarray(0, end);
    else buf = buf.subarray(0, buf.lastIndexOf(0x0a) + 1); // drop a torn tail nobody repaired yet
    return {
      metadata: { format: 'switchboard.session', version: 1, agentId: this.agentId, exportedAt: new Date().toISOString(), key, ...e },
      jsonl: buf.toString('utf8'),
    };
  }

  /** Makes every append durable and writes the index now. */
  async flush(): Promise<void> {
    await Promise.all([...this.live.values()].map((h) => h.transcript.sync()));
    await this.index.flush();
  }

  /** Recomputes sessions.json from the transcripts (live sessions are closed first). */
  async rebuildIndex(): Promise<void> {
    this.assertOpen();
    await Promise.all([...this.live.keys()].map((k) => this.closeLive(k)));
    await this.index.rebuild('requested');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await Promise.all([...this.live.keys()].map((k) => this.closeLive(k)));
      await this.index.close();
    } finally {
      openDirs.delete(this.dir);
    }
  }

  private async openHandle(sessionKey: string, sessionId: string): Promise<SessionHandle> {
    const transcript = await TranscriptFile.open(transcriptPath(this.dir, sessionId), {
      pool: this.pool,
      onRecovered: (info) => this.onNotice?.({ kind: 'transcript-recovered', ...info }),
      onAppended: (rec, bytes) => {
        const key = this.keyById.get(sessionId);
        if (key !== undefined) this.index.noteRecord(key, rec, bytes);
      },
    });
    const e = this.index.get(sessionKey);
    if (transcript.recovery && e) {
      e.bytes = transcript.size; // the counters never included the bytes just cut off
      this.index.markDirty();
    }
    const h: SessionHandle = { sessionKey, sessionId, transcript };
    this.live.set(sessionKey, h);
    this.keyById.set(sessionId, sessionKey);
    return h;
  }

  private async createSession(sessionKey: string): Promise<SessionHandle> {
    const sessionId = randomUUID();
    const ts = new Date().toISOString();
    const h = await this.openHandle(sessionKey, sessionId);
    this.index.set(sessionKey, { sessionKey, sessionId, ...emptyStats(ts), bytes: 0 });
    // The header names the key so the index can be rebuilt from transcripts alone. Not durable
    // by itself: the session's first durable append syncs it along.
    await h.transcript.append({ type: 'session', ts, sessionId, sessionKey, agentId: this.agentId });
    return h;
  }

  private async closeLive(sessionKey: string): Promise<void> {
    const h = this.live.get(sessionKey);
    if (!h) return;
    this.live.delete(sessionKey);
    this.keyById.delete(h.sessionId);
    await h.transcript.close();
  }

  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`session store of agent "${this.agentId}" is closed`);
  }
}
