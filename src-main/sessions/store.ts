// AgentSessionStore: the per-agent facade over sessions.json and the transcripts. It maps session
// keys to random session ids (keys never become file names), keeps the index counters in step
// with appends, and confines every file it touches to `<stateDir>/agents/<agentId>/sessions/`.
// Opened with an InboundJournal, its durable appends are made durable by the journal.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { defaultFdPool, type FdPool } from './fd-pool.ts';
import { errCode, unlinkIfExists, type StorageReport } from './fs-util.ts';
import type { InboundJournal } from './journal.ts';
import { readTailRecords } from './jsonl-read.ts';
import { agentSessionsDir, corruptPathFor, transcriptPath } from './paths.ts';
import { emptyStats, type RecordInput, type SessionParent, type SessionRoute, type TranscriptRecord } from './records.ts';
import { archiveKey, SessionIndex, type IndexNotice, type SessionEntry } from './session-index.ts';
import { TranscriptFile, type AppendOptions, type RecoveryInfo, type TranscriptOptions } from './transcript.ts';

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
  /**
   * The state dir's inbound journal (see SessionStores). With it, `append(…, { durable: true })`
   * writes the record to the transcript without an fsync and resolves once the journal entry is
   * fsync'ed; the journal's checkpoints sync the transcript later. Without it, the transcript
   * itself is fsync'ed (group commit per file).
   */
  journal?: InboundJournal;
  /** Told whether appends, resets and index saves worked (a full or read-only disk; status.storage). */
  storage?: StorageReport;
  /** Tests only: see TranscriptOptions.skipWriteForTests. */
  skipWriteForTests?: TranscriptOptions['skipWriteForTests'];
}

/** A transcript handed to journal recovery; `release()` closes it unless it is a live session's. */
export interface RecoveryTarget {
  transcript: TranscriptFile;
  release(): Promise<void>;
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

/** An export refused before reading: the transcript is bigger than the caller can take in one piece. */
export class SessionTooLargeError extends Error {
  override name = 'SessionTooLargeError';
  constructor(
    readonly file: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`the transcript ${file} has ${bytes} bytes (more than ${maxBytes})`);
  }
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

export class AgentSessionStore {
  readonly agentId: string;
  /** The only folder this store reads or writes. */
  readonly dir: string;
  private readonly index: SessionIndex;
  private readonly pool: FdPool;
  private readonly onNotice: ((n: StoreNotice) => void) | undefined;
  private readonly journal: InboundJournal | undefined;
  private readonly skipWrite: StoreOptions['skipWriteForTests'];
  private readonly storage: StorageReport | undefined;
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
    this.journal = opts.journal;
    this.skipWrite = opts.skipWriteForTests;
    this.storage = opts.storage;
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
        ...(opts.storage ? { storage: opts.storage } : {}),
      });
      return new AgentSessionStore(agentId, dir, index, opts);
    } catch (err) {
      openDirs.delete(dir);
      throw err;
    }
  }

  /**
   * The live session of `sessionKey`, created (with a new random id) on first use. `parent` is
   * written into the header of a session created here (a sub-agent's), never into an existing one.
   */
  getOrCreate(sessionKey: string, opts: { parent?: SessionParent } = {}): Promise<SessionHandle> {
    this.assertOpen();
    assertSessionKey(sessionKey);
    const h = this.current(sessionKey);
    if (h) return Promise.resolve(h);
    return this.withLock(sessionKey, async () => {
      const again = this.live.get(sessionKey);
      if (again) return again;
      const e = this.index.get(sessionKey);
      if (e && !e.archived) return this.openHandle(sessionKey, e.sessionId);
      return this.createSession(sessionKey, randomUUID(), new Date().toISOString(), opts.parent);
    });
  }

  /**
   * Appends to the live session of `sessionKey` (creating it if needed). `durable` goes through
   * the journal when the store has one (see StoreOptions.journal).
   */
  async append(sessionKey: string, input: RecordInput, opts?: AppendOptions): Promise<TranscriptRecord> {
    try {
      const rec = await this.appendNow(sessionKey, input, opts);
      this.storage?.succeeded(this.dir);
      return rec;
    } catch (err) {
      // Replies, meta records and inbound ones alike: a full or read-only disk shows in status.storage.
      this.storage?.failed(err);
      throw err;
    }
  }

  private async appendNow(sessionKey: string, input: RecordInput, opts?: AppendOptions): Promise<TranscriptRecord> {
    const h = this.current(sessionKey) ?? (await this.getOrCreate(sessionKey));
    const journal = this.journal;
    if (!opts?.durable || !journal) return h.transcript.append(input, opts);
    // Written to the transcript first (order kept, no fsync), then journaled: a record whose write
    // failed never reaches the journal, and one whose journal entry is refused is cut off the
    // transcript again (AppendOptions.commit), so a refused record leaves no trace and its seq is reused.
    try {
      return await h.transcript.append(input, {
        commit: (record) =>
          journal.append({ agentId: this.agentId, sessionId: h.sessionId, sessionKey, seq: record.seq, record }, h.transcript),
      });
    } catch (err) {
      await this.dropIfUnborn(h).catch(() => undefined);
      throw err;
    }
  }

  /**
   * A session exists once a record of its own is durable: one created for a record that was then
   * refused (its file holds only the header) is removed again, file and index entry.
   */
  private dropIfUnborn(h: SessionHandle): Promise<void> {
    return this.withLock(h.sessionKey, async () => {
      if (this.live.get(h.sessionKey) !== h || h.transcript.lastSeq !== 1) return;
      await h.transcript.drain();
      if (h.transcript.lastSeq !== 1 || h.transcript.busy) return;
      await unlinkIfExists(transcriptPath(this.dir, h.sessionId)); // fails on a read-only disk: then it stays
      await this.closeLive(h.sessionKey);
      this.index.delete(h.sessionKey);
    });
  }

  /**
   * The open live session of `sessionKey`, unless a reset or delete of that key is under way: then
   * undefined, so the caller waits for it (through the key's lock) and writes to the session that
   * follows, never into a transcript that is being archived or unlinked.
   */
  private current(sessionKey: string): SessionHandle | undefined {
    return this.locks.has(sessionKey) ? undefined : this.live.get(sessionKey);
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
      const live = e && !e.archived ? e : undefined;
      if (live) {
        await this.closeLive(sessionKey);
        this.index.delete(sessionKey);
        this.index.set(archiveKey(sessionKey, live.sessionId), { ...live, archived: true });
      }
      let h: SessionHandle;
      try {
        h = await this.createSession(sessionKey);
      } catch (err) {
        // No new session could be written (a full or read-only disk): the old one stays live, so
        // "no new session was started" is what the sender is told and what happened.
        if (live) {
          this.index.delete(archiveKey(sessionKey, live.sessionId));
          this.index.set(sessionKey, live);
        }
        this.storage?.failed(err);
        throw err;
      }
      // Structural change: saved now, not left to the debounce. The new transcript is what counts
      // (the index is a cache of the transcripts), so a failed save is retried, not the reset undone.
      await this.index.flush().then(
        () => this.storage?.succeeded(this.dir),
        () => this.index.markDirty(),
      );
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
        // Recovery must not bring back what the journal still holds of a deleted session.
        await this.journal?.appendTombstone(this.agentId, v.sessionId);
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

  /** The transcript file of the session listed under `key` (for people told to copy it), or undefined. */
  fileOf(key: string): string | undefined {
    const e = this.index.get(key);
    return e ? transcriptPath(this.dir, e.sessionId) : undefined;
  }

  /**
   * Metadata plus the transcript's JSONL, consistent with every append that has resolved. With
   * `maxBytes`, a bigger transcript is refused (SessionTooLargeError) before it is read.
   */
  async export(key: string, opts: { maxBytes?: number } = {}): Promise<SessionExport> {
    this.assertOpen();
    const e = this.index.get(key);
    if (!e) throw new SessionNotFoundError(`no session ${JSON.stringify(key)} for agent ${this.agentId}`);
    const h = this.live.get(key);
    const liveT = h && h.sessionId === e.sessionId ? h.transcript : null;
    if (liveT) await liveT.drain();
    const end = liveT?.size; // snapshot before reading: those bytes are complete lines
    const file = transcriptPath(this.dir, e.sessionId);
    if (opts.maxBytes !== undefined) {
      const size = end ?? (await fs.stat(file)).size;
      if (size > opts.maxBytes) throw new SessionTooLargeError(file, size, opts.maxBytes);
    }
    let buf = await fs.readFile(file);
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

  /**
   * Journal recovery only: the transcript of `sessionId`, live or archived, known to the index.
   * A transcript lost with the page cache (or created empty) is recreated with its header, as
   * the live session of its key unless that key has a newer one.
   */
  recoveryTarget(sessionKey: string, sessionId: string, created: string): Promise<RecoveryTarget> {
    this.assertOpen();
    assertSessionKey(sessionKey);
    transcriptPath(this.dir, sessionId); // validates the id
    const keep = async (): Promise<void> => undefined;
    return this.withLock(sessionKey, async () => {
      const live = this.live.get(sessionKey);
      if (live?.sessionId === sessionId) return { transcript: live.transcript, release: keep };
      let found = this.index.entries().find(([, e]) => e.sessionId === sessionId);
      if (found && found[1].bytes === 0 && found[1].sessionKey === `orphan:${sessionId}`) {
        this.index.delete(found[0]); // an empty file: it gets its header (and key) back below
        found = undefined;
      }
      if (found && !found[1].archived) return { transcript: (await this.openHandle(found[0], sessionId)).transcript, release: keep };
      if (found) {
        const t = await this.openDetached(found[0], sessionId);
        return { transcript: t, release: () => t.close() };
      }
      const cur = this.index.get(sessionKey);
      if (!cur || cur.created <= created) {
        if (cur) {
          await this.closeLive(sessionKey);
          this.index.delete(sessionKey);
          this.index.set(archiveKey(sessionKey, cur.sessionId), { ...cur, archived: true });
        }
        return { transcript: (await this.createSession(sessionKey, sessionId, created)).transcript, release: keep };
      }
      const key = archiveKey(sessionKey, sessionId);
      this.index.set(key, { sessionKey, sessionId, ...emptyStats(created), bytes: 0, archived: true });
      const t = await this.openDetached(key, sessionId);
      if (t.lastSeq === 0) await t.append({ type: 'session', ts: created, sessionId, sessionKey, agentId: this.agentId });
      return { transcript: t, release: () => t.close() };
    });
  }

  private transcriptOptions(onAppended: TranscriptOptions['onAppended']): TranscriptOptions {
    return {
      pool: this.pool,
      onRecovered: (info) => this.onNotice?.({ kind: 'transcript-recovered', ...info }),
      onAppended,
      ...(this.skipWrite ? { skipWriteForTests: this.skipWrite } : {}),
    };
  }

  /** A transcript outside the live set (archived), its counters kept under index key `key`. */
  private openDetached(key: string, sessionId: string): Promise<TranscriptFile> {
    return TranscriptFile.open(
      transcriptPath(this.dir, sessionId),
      this.transcriptOptions((rec, bytes) => this.index.noteRecord(key, rec, bytes)),
    );
  }

  private openLiveTranscript(sessionId: string): Promise<TranscriptFile> {
    return TranscriptFile.open(
      transcriptPath(this.dir, sessionId),
      this.transcriptOptions((rec, bytes) => {
        const key = this.keyById.get(sessionId);
        if (key !== undefined) this.index.noteRecord(key, rec, bytes);
      }),
    );
  }

  private register(sessionKey: string, sessionId: string, transcript: TranscriptFile): SessionHandle {
    const h: SessionHandle = { sessionKey, sessionId, transcript };
    this.live.set(sessionKey, h);
    this.keyById.set(sessionId, sessionKey);
    return h;
  }

  private async openHandle(sessionKey: string, sessionId: string): Promise<SessionHandle> {
    const transcript = await this.openLiveTranscript(sessionId);
    const e = this.index.get(sessionKey);
    if (transcript.recovery && e) {
      e.bytes = transcript.size; // the counters never included the bytes just cut off
      this.index.markDirty();
    }
    return this.register(sessionKey, sessionId, transcript);
  }

  /**
   * A new session: listed only once its header is written. The header names the key so the index
   * can be rebuilt from transcripts alone; it is made durable with the session's first durable
   * record (journal recovery recreates it from that record's entry), and a session whose first
   * durable record is refused is removed again (dropIfUnborn).
   */
  private async createSession(
    sessionKey: string,
    sessionId: string = randomUUID(),
    ts = new Date().toISOString(),
    parent?: SessionParent,
  ): Promise<SessionHandle> {
    const transcript = await this.openLiveTranscript(sessionId);
    try {
      await transcript.append({ type: 'session', ts, sessionId, sessionKey, agentId: this.agentId, ...(parent ? { parent } : {}) });
    } catch (err) {
      await transcript.close().catch(() => undefined);
      await unlinkIfExists(transcript.path).catch(() => undefined);
      throw err;
    }
    const h = this.register(sessionKey, sessionId, transcript);
    this.index.set(sessionKey, { sessionKey, sessionId, ...emptyStats(ts), ...(parent ? { parent } : {}), bytes: transcript.size });
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
