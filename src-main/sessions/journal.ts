// InboundJournal: one append-only write-ahead log of inbound records per state dir
// (`<stateDir>/journal/inbound-<segment>.jsonl`). Appends from every session share one write and
// one fdatasync per batch (group commit); transcripts are written without an fsync and made durable
// by periodic checkpoints, after which the segments that covered them are deleted.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fdAppendSync, fdClose, fdDatasync, fdOpen, fdSize, fdTruncate, fsyncDirCoalesced, unlinkIfExists } from './fs-util.ts';
import { isTranscriptRecord, type TranscriptRecord } from './records.ts';
import { repairTornTail, type RecoveryInfo } from './torn-tail.ts';

export interface JournalEntry {
  agentId: string;
  sessionId: string;
  sessionKey: string;
  /** The record's seq in its transcript. */
  seq: number;
  /** The record exactly as it was appended to the transcript. */
  record: TranscriptRecord;
}

/** Written when a session is deleted, so that recovery never brings its records back. */
export interface JournalTombstone {
  deleted: true;
  agentId: string;
  sessionId: string;
}

export type JournalLine = JournalEntry | JournalTombstone;

/** What a checkpoint makes durable before deleting the segments that point at it (a transcript). */
export interface Checkpointable {
  sync(): Promise<void>;
  /**
   * Told synchronously, before the rejections are delivered, that entries it appended were
   * refused: it must write (and append) nothing more until it has cut the refused records off.
   */
  refused?(err: unknown): void;
}

export interface RecoveredSession {
  agentId: string;
  sessionKey: string;
  sessionId: string;
  /** Records appended to the transcript because only the journal had them. */
  appended: number;
}

export type JournalNotice =
  | ({ kind: 'journal-torn-tail' } & RecoveryInfo)
  | { kind: 'journal-bad-line'; path: string; line: number }
  | { kind: 'journal-checkpoint-failed'; error: string }
  | { kind: 'journal-recovered'; segments: number; entries: number; appended: number; sessions: RecoveredSession[] }
  | { kind: 'journal-replay-failed'; error: string; segments: number };

export interface JournalOptions {
  /** How often a checkpoint runs while there are appends (default 2 s). */
  checkpointMs?: number;
  /** A segment growing past this many bytes triggers a checkpoint early (default 4 MiB). */
  segmentBytes?: number;
  /** Transcript fsyncs a checkpoint runs at once (default 2): it is background work. */
  checkpointConcurrency?: number;
  onNotice?: (notice: JournalNotice) => void;
}

export class JournalClosedError extends Error {
  override name = 'JournalClosedError';
}

interface Segment {
  n: number;
  path: string;
  fd: number | null;
  bytes: number;
  entries: number;
  /** Transcripts holding records this segment covers: synced before the segment is deleted. */
  targets: Set<Checkpointable>;
  /** The batch being written into it, if any. */
  writing: Promise<void> | null;
}

interface Pending {
  buf: Buffer;
  target: Checkpointable | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export const JOURNAL_DIR = 'journal';
const SEGMENT_RE = /^inbound-(\d+)\.jsonl$/;
const segmentName = (n: number): string => `inbound-${String(n).padStart(8, '0')}.jsonl`;
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
// One journal per state dir within the process (across processes the gateway lock guards it).
const openDirs = new Set<string>();

/** Parses one journal line (without its newline); null when it is not one. */
export function parseJournalLine(line: Buffer | string): JournalLine | null {
  let x: Record<string, unknown>;
  try {
    x = JSON.parse(typeof line === 'string' ? line : line.toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof x !== 'object' || x === null || typeof x.agentId !== 'string' || typeof x.sessionId !== 'string') return null;
  if (x.deleted === true) return x as unknown as JournalTombstone;
  if (typeof x.sessionKey !== 'string' || typeof x.seq !== 'number' || !isTranscriptRecord(x.record)) return null;
  return x as unknown as JournalEntry;
}

export function isTombstone(line: JournalLine): line is JournalTombstone {
  return 'deleted' in line;
}

export class InboundJournal {
  /** `<stateDir>/journal`. */
  readonly dir: string;
  /** Counters for tests and diagnostics: appends accepted, batch writes, journal fdatasyncs, checkpoints done. */
  readonly stats = { appends: 0, writes: 0, syncs: 0, checkpoints: 0 };
  private readonly checkpointMs: number;
  private readonly segmentBytes: number;
  private readonly concurrency: number;
  private readonly onNotice: JournalOptions['onNotice'];
  /** Segments left by an earlier run, to be replayed into the transcripts. */
  private replay: string[];
  private current!: Segment;
  /** Rotated out, waiting for their transcripts to be synced. */
  private sealed: Segment[] = [];
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private checkpointChain: Promise<void> = Promise.resolve();
  private checkpointing = false;
  private lastFailure = { error: '', at: 0 };
  private failed: Error | null = null;
  private closed = false;
  private closeDone: Promise<void> | null = null;
  /** The next checkpoint tick; armed only while there is something to checkpoint, so an idle gateway never wakes for it. */
  private timer: NodeJS.Timeout | null = null;

  private constructor(dir: string, replay: string[], opts: JournalOptions) {
    this.dir = dir;
    this.replay = replay;
    this.checkpointMs = Math.max(10, opts.checkpointMs ?? 2000);
    this.segmentBytes = Math.max(1024, opts.segmentBytes ?? 4 * 1024 * 1024);
    this.concurrency = Math.max(1, opts.checkpointConcurrency ?? 2);
    this.onNotice = opts.onNotice;
  }

  /** Schedules the next checkpoint tick unless one is pending (a tick re-arms itself while work remains). */
  private armTimer(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.current.entries === 0 && this.sealed.length === 0) return;
      this.requestCheckpoint();
      // Again while anything is left: appends during this checkpoint, or segments a failed one kept.
      this.armTimer();
    }, this.checkpointMs);
    this.timer.unref(); // close() runs the final checkpoint; exit need not wait for a timer
  }

  /**
   * Opens the journal of `stateDir`: segments found there are repaired (torn last line cut and
   * kept in `.corrupt`) and kept for replay; new appends go to a fresh segment.
   */
  static async open(stateDir: string, opts: JournalOptions = {}): Promise<InboundJournal> {
    const dir = path.join(path.resolve(stateDir), JOURNAL_DIR);
    if (openDirs.has(dir)) throw new Error(`the inbound journal of ${stateDir} is already open in this process`);
    openDirs.add(dir);
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const found = (await fs.readdir(dir))
        .map((name) => SEGMENT_RE.exec(name)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      const replay: string[] = [];
      for (const n of found) {
        const file = path.join(dir, segmentName(n));
        const fd = await fdOpen(file, 'r+');
        try {
          const { recovery } = await repairTornTail(fd, file, parseJournalLine);
          if (recovery) opts.onNotice?.({ kind: 'journal-torn-tail', ...recovery });
        } finally {
          await fdClose(fd);
        }
        replay.push(file);
      }
      const j = new InboundJournal(dir, replay, opts);
      j.current = await j.createSegment((found.at(-1) ?? 0) + 1);
      return j;
    } catch (err) {
      openDirs.delete(dir);
      throw err;
    }
  }

  /** Segment files left by an earlier run that still await replay. */
  get replaySegments(): readonly string[] {
    return this.replay;
  }

  /** Every line of the segments awaiting replay, oldest first (unparseable lines are reported and skipped). */
  async readReplay(): Promise<JournalLine[]> {
    const out: JournalLine[] = [];
    for (const file of this.replay) {
      const lines = (await fs.readFile(file, 'utf8')).split('\n');
      lines.pop(); // after repair the file ends with a newline (or is empty)
      lines.forEach((text, i) => {
        const line = parseJournalLine(text);
        if (line) out.push(line);
        else this.onNotice?.({ kind: 'journal-bad-line', path: file, line: i + 1 });
      });
    }
    return out;
  }

  /** Deletes the replayed segments; call once their records are durable in the transcripts. */
  async completeReplay(): Promise<void> {
    for (const file of this.replay) await unlinkIfExists(file);
    this.replay = [];
  }

  /**
   * Appends one entry; resolves once an fdatasync covers it. Entries arriving while a batch is
   * being written and synced go together into the next batch: one write, one fdatasync.
   * `target` (the transcript holding the record) is synced by the checkpoint that drops the entry.
   */
  append(entry: JournalEntry, target?: Checkpointable): Promise<void> {
    return this.enqueue(entry, target);
  }

  /** Records that a session was deleted (durably, like an entry). */
  appendTombstone(agentId: string, sessionId: string): Promise<void> {
    return this.enqueue({ deleted: true, agentId, sessionId }, undefined);
  }

  /**
   * Rotates to a new segment, syncs every transcript the older segments cover (a few at a time,
   * never on an append's path) and deletes those segments. Runs one at a time.
   */
  checkpoint(): Promise<void> {
    const run = this.checkpointChain.then(() => this.checkpointNow());
    this.checkpointChain = run.catch(() => undefined);
    return run;
  }

  /** Finishes the accepted appends, runs a final checkpoint and releases the file; later appends reject. */
  close(): Promise<void> {
    this.closed = true;
    return (this.closeDone ??= this.closeNow());
  }

  private enqueue(line: JournalLine, target: Checkpointable | undefined): Promise<void> {
    const refusal = this.closed ? new JournalClosedError(`inbound journal closed: ${this.dir}`) : this.failed;
    if (refusal) {
      target?.refused?.(refusal);
      return Promise.reject(refusal);
    }
    const buf = Buffer.from(JSON.stringify(line) + '\n');
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ buf, target, resolve, reject });
      this.stats.appends++;
      this.kick();
      this.armTimer();
    });
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      await null; // appends made in the same job as the first one join its batch
      while (this.pending.length > 0) {
        let take = 0;
        let bytes = 0;
        while (take < this.pending.length && (take === 0 || bytes + this.pending[take]!.buf.length <= MAX_BATCH_BYTES)) {
          bytes += this.pending[take]!.buf.length;
          take++;
        }
        const batch = this.pending.splice(0, take);
        const seg = this.current; // a rotation only affects the batches that start after it
        const writing = this.writeBatch(seg, batch);
        seg.writing = writing;
        await writing;
        if (seg.writing === writing) seg.writing = null;
      }
    })().finally(() => {
      this.flushing = null;
      if (this.pending.length > 0) this.kick(); // arrived after the loop's last check
    });
  }

  /**
   * Writes and syncs one batch, then settles its appends; never throws. A batch that fails is cut
   * off the segment again and refused together with every append queued behind it: their
   * transcripts have written those records already and cut them off in turn (Checkpointable.refused),
   * so nothing refused is left to be replayed. The next batch tries again: the journal works
   * again as soon as the disk does.
   */
  private async writeBatch(seg: Segment, batch: Pending[]): Promise<void> {
    const buf = batch.length === 1 ? batch[0]!.buf : Buffer.concat(batch.map((p) => p.buf));
    const before = seg.bytes;
    try {
      if (this.failed) throw this.failed;
      const fd = seg.fd!;
      try {
        fdAppendSync(fd, buf);
        this.stats.writes++;
        await fdDatasync(fd);
      } catch (err) {
        // Never leave a partial line (ENOSPC mid-write), nor whole lines of refused entries (a
        // failed fdatasync) for a replay to bring back. The fdatasync of the next batch makes the
        // cut durable. Only if the cut fails does the journal refuse everything from then on.
        await fdTruncate(fd, before).catch(async () => {
          const size = await fdSize(fd).catch(() => -1);
          if (size !== before) this.failed ??= new Error(`inbound journal ${seg.path} unusable: could not undo a failed write`);
        });
        throw err;
      }
      seg.bytes += buf.length;
      seg.entries += batch.length;
      for (const p of batch) if (p.target) seg.targets.add(p.target);
      this.stats.syncs++;
    } catch (err) {
      const refused = [...batch, ...this.pending.splice(0)];
      for (const p of refused) p.target?.refused?.(err);
      for (const p of refused) p.reject(err);
      return;
    }
    for (const p of batch) p.resolve();
    if (seg === this.current && seg.bytes >= this.segmentBytes) this.requestCheckpoint();
  }

  private requestCheckpoint(): void {
    if (this.checkpointing || this.closed) return;
    this.checkpoint().catch((err: unknown) => {
      // A broken transcript fails every retry (every checkpointMs): repeat the same error once a minute.
      const error = String(err);
      if (error === this.lastFailure.error && Date.now() - this.lastFailure.at < 60_000) return;
      this.lastFailure = { error, at: Date.now() };
      this.onNotice?.({ kind: 'journal-checkpoint-failed', error });
    });
  }

  private async checkpointNow(): Promise<void> {
    if (this.closed) return;
    this.checkpointing = true;
    try {
      if (this.current.entries > 0) await this.rotate();
      await this.retireSealed();
    } finally {
      this.checkpointing = false;
    }
  }

  /** Starts a new segment; the old one is sealed once the batch being written into it is done. */
  private async rotate(): Promise<void> {
    const next = await this.createSegment(this.current.n + 1); // appends go on meanwhile
    const old = this.current;
    this.current = next;
    this.sealed.push(old);
    while (old.writing) await old.writing;
    await this.closeSegmentFd(old);
  }

  /** Syncs the transcripts the sealed segments cover, then deletes those segments. */
  private async retireSealed(): Promise<void> {
    const segments = [...this.sealed];
    if (segments.length === 0) return;
    const targets = [...new Set(segments.flatMap((s) => [...s.targets]))];
    let failure: unknown = null;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < targets.length) {
        await targets[next++]!.sync().catch((err: unknown) => (failure ??= err));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, targets.length) }, worker));
    // On failure the segments stay: the next checkpoint retries, and a restart replays them.
    if (failure !== null) throw failure instanceof Error ? failure : new Error(String(failure));
    for (const s of segments) await unlinkIfExists(s.path);
    this.sealed = this.sealed.filter((s) => !segments.includes(s));
    this.stats.checkpoints++;
  }

  private async closeNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      while (this.flushing) await this.flushing;
      await this.checkpointChain;
      const last = this.current;
      while (last.writing) await last.writing;
      await this.closeSegmentFd(last);
      if (last.entries > 0) this.sealed.push(last);
      else await unlinkIfExists(last.path);
      await this.retireSealed().catch((err: unknown) => this.onNotice?.({ kind: 'journal-checkpoint-failed', error: String(err) }));
    } finally {
      openDirs.delete(this.dir);
    }
  }

  private async createSegment(n: number): Promise<Segment> {
    const file = path.join(this.dir, segmentName(n));
    const fd = await fdOpen(file, 'ax');
    try {
      // Entries are acknowledged on the file's fdatasync: its directory entry must be durable first.
      await fsyncDirCoalesced(this.dir);
    } catch (err) {
      await fdClose(fd).catch(() => undefined);
      throw err;
    }
    return { n, path: file, fd, bytes: 0, entries: 0, targets: new Set(), writing: null };
  }

  private async closeSegmentFd(seg: Segment): Promise<void> {
    const fd = seg.fd;
    seg.fd = null;
    if (fd !== null) await fdClose(fd).catch(() => undefined);
  }
}
