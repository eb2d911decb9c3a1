// One append-only JSONL transcript. Appends are serialised per file, one `write` per record, so a
// crash can only tear the last line; durable appends share fdatasyncs (group commit); a record
// committed elsewhere (the inbound journal) stays "in doubt" until that commit settles and is cut
// off again if it fails; a torn tail is cut off on open and kept in `<file>.corrupt`. The
// descriptor is lent by an LRU FdPool.
import fs from 'node:fs/promises';
import path from 'node:path';
import { tmpNameFor } from '../state/atomic-write.ts';
import { defaultFdPool, type FdPool, type PooledFile } from './fd-pool.ts';
import { fdAppendSync, fdClose, fdDatasync, fdOpen, fdSize, fdTruncate, fsyncDirCoalesced, noteDirEntry, readAt } from './fs-util.ts';
import { Coalescer, Semaphore } from './group-commit.ts';
import { readRecords, readTailRecords } from './jsonl-read.ts';
import { buildRecord, parseRecordLine, type RecordInput, type TranscriptRecord } from './records.ts';
import { repairTornTail, type RecoveryInfo } from './torn-tail.ts';

export type { RecoveryInfo } from './torn-tail.ts';

export interface TranscriptOptions {
  pool?: FdPool;
  /** Called once when open() had to cut a torn tail (the gateway logs it). */
  onRecovered?: (info: RecoveryInfo) => void;
  /** Called after each record reached the file (before any fsync); feeds the index counters. */
  onAppended?: (rec: TranscriptRecord, bytes: number) => void;
  /**
   * Tests only: records for which this returns true are never written (the append still
   * resolves), which is what a power loss does to page-cache writes. The journal crash test uses
   * it to leave acknowledged records that exist only in the journal.
   */
  skipWriteForTests?: (rec: TranscriptRecord) => boolean;
}

export interface AppendOptions {
  /**
   * Resolve only after the record is durable. On a TranscriptFile: fsync'ed (with, for a new
   * file, its directory entry). Through an AgentSessionStore opened with an InboundJournal: the
   * record is written here without an fsync and resolves once its journal entry is fsync'ed.
   */
  durable?: boolean;
  /**
   * Makes the written record durable somewhere else (the inbound journal). The record is written
   * at once but stays in doubt (unseen by readers, the tail cache and `onAppended`) until the
   * promise settles; if it rejects, the record and every record written after it are cut off the
   * file again and their seqs reused, so a refused record leaves no trace. Records without a
   * commit are only written once nothing is in doubt, so a cut never takes them along.
   */
  commit?: (rec: TranscriptRecord) => Promise<void>;
}

/** A record written to the file whose commit has not settled yet. */
interface InDoubt {
  rec: TranscriptRecord;
  /** File offset where it starts, and its length. */
  start: number;
  bytes: number;
  state: 'pending' | 'ok' | 'failed';
  error?: unknown;
  /** Settles (never rejects) once `state` is known. */
  settled: Promise<void>;
  resolve: (rec: TranscriptRecord) => void;
  reject: (err: unknown) => void;
}

// fdatasyncs run on libuv's thread pool (UV_THREADPOOL_SIZE, 4 by default); leaving one thread
// free keeps opens and the inbound journal's fdatasync moving while these wait on the disk
// (appends themselves are synchronous page-cache writes: fdAppendSync). Each file coalesces its own
// waiters, so whatever queues up meanwhile rides that file's next sync.
const syncSlots = new Semaphore(Math.max(1, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 1));

export class TranscriptClosedError extends Error {
  override name = 'TranscriptClosedError';
}

const TAIL_MAX_RECORDS = 100;
const TAIL_MAX_BYTES = 32 * 1024;

export class TranscriptFile implements PooledFile {
  readonly path: string;
  /** Set when open() repaired a torn tail. */
  readonly recovery: RecoveryInfo | null;
  private readonly pool: FdPool;
  private readonly onAppended: TranscriptOptions['onAppended'];
  private readonly skipWrite: TranscriptOptions['skipWriteForTests'];
  private fd: number | null;
  private opening: Promise<number> | null = null;
  private closing: Promise<void> | null = null;
  private pins = 0; // operations currently using `fd`; a pinned file is never evicted
  private committed: number; // bytes of settled records (what readers see)
  private written: number; // bytes in the file: settled records plus those in doubt
  private nextSeq: number; // the seq the next write takes
  private visibleNext: number; // one past the last settled record's seq
  private readonly doubt: InDoubt[] = [];
  // Set synchronously by the committer (the journal) when it refuses records of this file, so no
  // further record is written (and committed) before the refused ones are cut off.
  private refusal: unknown = null;
  private rollingBack: Promise<void> | null = null;
  // A failed write left bytes the truncate could not remove: retried before the next write.
  private tornAt: number | null = null;
  private writeChain: Promise<void> = Promise.resolve();
  private pendingWrites = 0;
  private writesDone = 0; // the group-commit ticket: a sync launched now covers this many writes
  private dirty = false; // written since the last successful fdatasync
  private needsDirSync: boolean; // the file was created: its directory entry is not durable yet
  private dirTicket: number; // the folder fsync that makes the entry durable must cover this
  private failed: Error | null = null;
  // An fdatasync failed: nothing of the file counts as durable until recover() has rewritten it.
  private syncError: Error | null = null;
  private recovering: Promise<void> | null = null;
  private closed = false;
  private closeDone: Promise<void> | null = null;
  /**
   * The most recent records, kept in memory so that the history of a turn (the last few dozen
   * records) is not re-read and re-parsed from disk for every message. Covers seqs
   * [tailFrom, nextSeq); bounded per file by TAIL_MAX_RECORDS and TAIL_MAX_BYTES.
   */
  private tail: TranscriptRecord[] = [];
  private tailSizes: number[] = [];
  private tailBytes = 0;
  private tailFrom: number;
  private readonly syncer = new Coalescer(
    () => syncSlots.use(() => this.syncNow()),
    () => this.writesDone,
  );

  private constructor(
    file: string,
    fd: number,
    size: number,
    lastSeq: number,
    created: boolean,
    recovery: RecoveryInfo | null,
    opts: TranscriptOptions,
  ) {
    this.path = file;
    this.fd = fd;
    this.committed = size;
    this.written = size;
    this.nextSeq = lastSeq + 1;
    this.visibleNext = this.nextSeq;
    this.tailFrom = this.nextSeq;
    this.needsDirSync = created;
    this.dirTicket = created ? noteDirEntry(path.dirname(file)) : 0;
    this.recovery = recovery;
    this.pool = opts.pool ?? defaultFdPool;
    this.onAppended = opts.onAppended;
    this.skipWrite = opts.skipWriteForTests;
  }

  /** Opens (creating if needed) and repairs a torn tail before anything is appended. */
  static async open(file: string, opts: TranscriptOptions = {}): Promise<TranscriptFile> {
    let fd: number;
    let created = false;
    try {
      fd = await fdOpen(file, 'ax+');
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      fd = await fdOpen(file, 'a+');
    }
    try {
      const { size, last, recovery } = created ? { size: 0, last: null, recovery: null } : await repairTornTail(fd, file, parseRecordLine);
      const lastSeq = last?.seq ?? 0;
      const t = new TranscriptFile(file, fd, size, lastSeq, created, recovery, opts);
      t.pool.touch(t);
      if (recovery) opts.onRecovered?.(recovery);
      return t;
    } catch (err) {
      await fdClose(fd).catch(() => undefined);
      throw err;
    }
  }

  /** Bytes of complete records (what readers may look at). */
  get size(): number {
    return this.committed;
  }

  get lastSeq(): number {
    return this.visibleNext - 1;
  }

  /** Whether a write is queued or a record is in doubt. */
  get busy(): boolean {
    return this.pendingWrites > 0 || this.doubt.length > 0 || this.rollingBack !== null;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  append(input: RecordInput, opts: AppendOptions = {}): Promise<TranscriptRecord> {
    if (this.closed) return Promise.reject(new TranscriptClosedError(`transcript closed: ${this.path}`));
    if (this.failed) return Promise.reject(this.failed);
    // A failed fdatasync: the file is rewritten first (recover()); while the disk still refuses
    // that, the append is refused with its error, and the next one tries again.
    if (this.syncError) return this.recover().then(() => this.append(input, opts));
    // The seq is taken when the record is written, in call order (the chain is FIFO): a write or
    // commit that fails gives its seq back, so seqs stay gapless.
    this.pendingWrites++;
    const { commit } = opts;
    if (commit) {
      const step = this.writeChain.then(() => this.writeInDoubt(input, commit));
      this.writeChain = step.then(
        () => undefined,
        () => undefined,
      );
      return step.then((d) => d.done);
    }
    const written = this.writeChain.then(() => this.writeSettled(input));
    this.writeChain = written.then(
      () => undefined,
      () => undefined,
    );
    if (!opts.durable) return written.then(({ rec }) => rec);
    return written.then(async ({ rec, ticket }) => {
      // Records already queued behind this one join the same fdatasync instead of each paying
      // for their own (bounded: only the writes queued right now are awaited).
      if (this.pendingWrites > 0) await this.writeChain;
      await this.syncer.run(ticket);
      return rec;
    });
  }

  /**
   * Called by the committer, synchronously, when it refuses a record of this file: nothing more
   * is written until the refused records are cut off (see AppendOptions.commit).
   */
  refused(err: unknown): void {
    this.refusal ??= err;
  }

  /**
   * Makes every record appended so far durable (on a closed file: waits for close's sync). With
   * `force`, fsyncs the file and its folder even if this process wrote nothing: journal recovery
   * uses it for records an earlier process wrote but had not synced yet.
   */
  async sync(opts: { force?: boolean } = {}): Promise<void> {
    // A closed file has given its descriptor back; syncing again would reopen it behind the
    // pool's back. close() already synced everything, and rejects if that failed.
    if (this.closeDone) {
      await this.closeDone;
      const failed = this.failed ?? this.syncError;
      if (failed && (this.dirty || this.needsDirSync)) throw failed; // close could not sync
      return;
    }
    await this.writeChain;
    if (this.syncError) await this.recover(); // the journal's next checkpoint retries this way
    if (opts.force) {
      this.needsDirSync = true; // the earlier process may have created it without a folder fsync
      this.dirTicket = noteDirEntry(path.dirname(this.path));
      await syncSlots.use(() => this.syncNow());
    } else if (this.dirty || this.needsDirSync) await this.syncer.run(this.writesDone);
    else await this.syncer.idle();
  }

  /** Waits until every queued append has reached the file. */
  async drain(): Promise<void> {
    await this.writeChain;
  }

  private remember(rec: TranscriptRecord, bytes: number): void {
    if (rec.seq !== this.tailFrom + this.tail.length) return; // only a contiguous run is useful
    this.tail.push(rec);
    this.tailSizes.push(bytes);
    this.tailBytes += bytes;
    while (this.tail.length > 1 && (this.tail.length > TAIL_MAX_RECORDS || this.tailBytes > TAIL_MAX_BYTES)) {
      this.tail.shift();
      this.tailBytes -= this.tailSizes.shift()!;
      this.tailFrom++;
    }
  }

  /**
   * The last `limit` records before `beforeSeq` (oldest first): from the in-memory tail where it
   * reaches, reading backwards from the end of the file for the rest. Records are shared with
   * the cache: callers must not modify them.
   */
  async readTail(limit: number, beforeSeq?: number): Promise<TranscriptRecord[]> {
    const end = Math.min(beforeSeq ?? this.visibleNext, this.visibleNext);
    const start = Math.max(1, end - limit);
    if (end > this.tailFrom && start >= this.tailFrom) return this.tail.slice(start - this.tailFrom, end - this.tailFrom);
    if (end > this.tailFrom) {
      const older = await readTailRecords(this.path, this.tailFrom - start, this.tailFrom, this.committed);
      return [...older, ...this.tail.slice(0, end - this.tailFrom)];
    }
    const expectedNext = this.visibleNext;
    const records = await readTailRecords(this.path, limit, beforeSeq, this.committed);
    // A first read from the end of a file opened earlier seeds the cache, if nothing moved meanwhile.
    if (
      beforeSeq === undefined &&
      this.tail.length === 0 &&
      this.visibleNext === expectedNext &&
      records.length > 0 &&
      records[records.length - 1]!.seq === expectedNext - 1 &&
      records.every((r, i) => i === 0 || r.seq === records[i - 1]!.seq + 1)
    ) {
      this.tailFrom = records[0]!.seq;
      for (const r of records) this.remember(r, JSON.stringify(r).length + 1);
    }
    return records;
  }

  /** Every record written so far (from the first with seq >= fromSeq), streamed in order. */
  readAll(fromSeq?: number): AsyncGenerator<TranscriptRecord> {
    return readRecords(this.path, this.committed, fromSeq);
  }

  /** Flushes, syncs unsynced appends and releases the descriptor; later appends reject. */
  close(): Promise<void> {
    this.closed = true;
    return (this.closeDone ??= this.closeNow());
  }

  private async closeNow(): Promise<void> {
    try {
      await this.writeChain;
      await this.quiesce();
      await this.syncer.idle();
      if (this.syncError && !this.failed) await this.rewriteVerified();
      if ((this.dirty || this.needsDirSync) && !this.failed) await this.syncer.run(this.writesDone);
    } finally {
      await this.closing;
      const fd = this.fd;
      this.fd = null;
      this.pool.remove(this);
      if (fd !== null) await fdClose(fd);
    }
  }

  evictable(): boolean {
    return this.pins === 0 && this.fd !== null && this.opening === null;
  }

  evict(): void {
    const fd = this.fd;
    if (fd === null) return;
    this.fd = null;
    const dirty = this.dirty;
    // Non-durable appends are promised a sync at close; an evicted descriptor counts as closed.
    this.closing = (async () => {
      try {
        if (dirty) {
          await fdDatasync(fd);
          this.dirty = false; // no write can run meanwhile: reopening waits for `closing`
        }
      } catch (err) {
        this.syncError ??= err as Error;
      } finally {
        await fdClose(fd).catch(() => undefined);
        this.closing = null;
      }
    })();
  }

  private async acquire(): Promise<number> {
    this.pins++;
    try {
      if (this.fd === null) {
        this.opening ??= (async () => {
          try {
            if (this.closing) await this.closing;
            this.fd = await fdOpen(this.path, 'a');
            return this.fd;
          } finally {
            this.opening = null;
          }
        })();
        await this.opening;
      }
    } catch (err) {
      this.pins--;
      throw err;
    }
    this.pool.touch(this);
    return this.fd as number;
  }

  private release(): void {
    this.pins--;
    if (this.pins === 0 && this.pool.openCount > this.pool.maxOpen) this.pool.trim();
  }

  /** Writes one record once nothing is in doubt; resolves with it and its group-commit ticket. */
  private async writeSettled(input: RecordInput): Promise<{ rec: TranscriptRecord; ticket: number }> {
    let fd: number | null = null;
    try {
      await this.quiesce();
      fd = await this.writable();
      const rec = buildRecord(input, this.nextSeq);
      let bytes: number;
      try {
        bytes = this.writeBytes(fd, rec);
      } catch (err) {
        await this.cutTorn(fd);
        throw err;
      }
      this.nextSeq++;
      this.written += bytes;
      this.show(rec, bytes);
      return { rec, ticket: ++this.writesDone };
    } finally {
      this.pendingWrites--;
      if (fd !== null) this.release();
    }
  }

  /** Writes one record and hands it to `commit`; `done` settles with the commit (see AppendOptions.commit). */
  private async writeInDoubt(
    input: RecordInput,
    commit: (rec: TranscriptRecord) => Promise<void>,
  ): Promise<{ done: Promise<TranscriptRecord> }> {
    let fd: number | null = null;
    try {
      for (;;) {
        if (this.refusal !== null || this.rollingBack) await this.quiesce();
        fd = await this.writable();
        // Checked again right before the write: a refusal may have come while the file opened.
        if (this.refusal === null && !this.rollingBack) break;
        this.release();
        fd = null;
      }
      const rec = buildRecord(input, this.nextSeq);
      let bytes: number;
      try {
        bytes = this.writeBytes(fd, rec);
      } catch (err) {
        await this.cutTorn(fd);
        throw err;
      }
      this.nextSeq++;
      const d = { rec, start: this.written, bytes, state: 'pending' } as InDoubt;
      this.written += bytes;
      this.writesDone++;
      const done = new Promise<TranscriptRecord>((resolve, reject) => {
        d.resolve = resolve;
        d.reject = reject;
      });
      this.doubt.push(d);
      // Same synchronous block as the write: the committer queues it before any refusal can land.
      d.settled = commit(rec).then(
        () => {
          d.state = 'ok';
          this.settle();
        },
        (err: unknown) => {
          d.state = 'failed';
          d.error = err;
          this.refusal ??= err;
          this.settle();
        },
      );
      return { done };
    } finally {
      this.pendingWrites--;
      if (fd !== null) this.release();
    }
  }

  /** The descriptor, once the file holds only complete records (a torn write cut off). */
  private async writable(): Promise<number> {
    if (this.failed) throw this.failed;
    if (this.syncError) throw this.syncError;
    const fd = await this.acquire();
    if (this.tornAt !== null) {
      try {
        await fdTruncate(fd, this.tornAt);
        this.tornAt = null;
      } catch (err) {
        this.release();
        throw err;
      }
    }
    return fd;
  }

  /**
   * One `write` of the record; returns its length (0 when skipped by skipWriteForTests). On a
   * failed write the caller awaits cutTorn() before any other write (it runs in the write chain).
   */
  private writeBytes(fd: number, rec: TranscriptRecord): number {
    if (this.skipWrite?.(rec)) return 0;
    const buf = Buffer.from(JSON.stringify(rec) + '\n');
    try {
      fdAppendSync(fd, buf);
    } catch (err) {
      this.tornAt = this.written;
      throw err;
    }
    this.dirty = true;
    return buf.length;
  }

  /**
   * Never leave a partial line for the next record to be glued onto (e.g. ENOSPC mid-write). If
   * the cut fails too (the disk went read-only), writable() retries it before the next write.
   */
  private async cutTorn(fd: number): Promise<void> {
    const at = this.tornAt;
    if (at === null) return;
    try {
      if ((await fdSize(fd)) !== at) await fdTruncate(fd, at);
      this.tornAt = null;
    } catch {
      // left for writable()
    }
  }

  /** A settled record becomes part of the transcript: readers, the tail cache, the index counters. */
  private show(rec: TranscriptRecord, bytes: number): void {
    this.committed += bytes;
    this.visibleNext = rec.seq + 1;
    this.remember(rec, bytes);
    this.onAppended?.(rec, bytes);
  }

  /** Shows the records whose commit succeeded, in file order; a refused one starts the cut. */
  private settle(): void {
    while (this.doubt[0]?.state === 'ok') {
      const d = this.doubt.shift()!;
      this.show(d.rec, d.bytes);
      d.resolve(d.rec);
    }
    if (this.doubt[0]?.state === 'failed') void this.rollBack();
  }

  /**
   * Cuts the refused records off the file. The committer refuses every record queued with the
   * first refused one, so once all have settled, everything from that one on goes.
   */
  private rollBack(): Promise<void> {
    return (this.rollingBack ??= (async () => {
      while (this.doubt.some((d) => d.state === 'pending')) await Promise.all(this.doubt.map((d) => d.settled));
      const cut = this.doubt.splice(0);
      if (cut.length === 0) return;
      const first = cut[0]!;
      const error = first.error;
      let fd: number | null = null;
      try {
        fd = await this.acquire();
        await fdTruncate(fd, first.start);
      } catch {
        this.tornAt = first.start; // retried before the next write; readers never look past `committed`
      } finally {
        if (fd !== null) this.release();
      }
      this.written = first.start;
      this.nextSeq = first.rec.seq;
      if (cut.some((d) => d.state === 'ok')) {
        // Cannot happen with the journal (it refuses what was queued with a refused entry), and
        // would mean a committed record was cut: stop rather than let seqs and the journal disagree.
        this.failed ??= new Error(`transcript ${this.path} unusable: a committed record was cut with a refused one`);
      }
      for (const d of cut) d.reject(d.state === 'failed' ? d.error : error);
    })().finally(() => {
      this.rollingBack = null;
      this.refusal = null;
    }));
  }

  /** Waits until no record is in doubt (refused ones cut off). */
  private async quiesce(): Promise<void> {
    while (this.doubt.length > 0 || this.rollingBack) {
      if (this.rollingBack) await this.rollingBack;
      else await Promise.all(this.doubt.map((d) => d.settled));
      if (this.doubt[0]?.state === 'failed') await this.rollBack();
    }
    this.refusal = null; // nothing of this file is in doubt: a stray refusal has nothing left to cut
  }

  /** Runs rewriteVerified() in the write chain, once for everyone waiting (appends, sync, a checkpoint). */
  private recover(): Promise<void> {
    return (this.recovering ??= (async () => {
      const step = this.writeChain.then(() => this.rewriteVerified());
      this.writeChain = step.then(
        () => undefined,
        () => undefined,
      );
      try {
        await step;
      } finally {
        this.recovering = null;
      }
    })());
  }

  /**
   * After a failed fdatasync (docs/architecture.md#failed-append): what the file should hold is
   * read back, checked (complete records, seqs 1…lastSeq without a gap, exactly the bytes written)
   * and written to a new file that is fdatasync'ed and renamed over this one — so durability no
   * longer rests on pages the kernel may have dropped. If the check fails (the pages were dropped
   * and re-read from disk), the file stays refused and the journal's segments, which still hold
   * every record of it, are replayed at the next start, as before.
   */
  private async rewriteVerified(): Promise<void> {
    await this.quiesce();
    await this.syncer.idle();
    if (!this.syncError) return;
    const size = this.committed;
    const buf = Buffer.alloc(size);
    const fd = await this.acquire();
    try {
      if ((await readAt(fd, buf, 0)) !== size) throw this.unrecoverable('it is shorter than what was written');
    } finally {
      this.release();
    }
    this.checkRecords(buf);
    const tmp = tmpNameFor(this.path);
    try {
      const out = await fdOpen(tmp, 'wx');
      try {
        fdAppendSync(out, buf);
        await fdDatasync(out);
      } finally {
        await fdClose(out);
      }
      await fs.rename(tmp, this.path);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err; // the disk still refuses: tried again by the next append or checkpoint
    }
    // The descriptor still points at the replaced file: the next write opens the new one.
    await this.closing;
    const old = this.fd;
    this.fd = null;
    this.pool.remove(this);
    if (old !== null) await fdClose(old).catch(() => undefined);
    const dir = path.dirname(this.path);
    await fsyncDirCoalesced(dir, noteDirEntry(dir));
    this.syncError = null;
    this.dirty = false;
    this.needsDirSync = false;
    this.tornAt = null; // the new file holds exactly the settled records
  }

  private checkRecords(buf: Buffer): void {
    let expected = 1;
    let start = 0;
    while (start < buf.length) {
      const end = buf.indexOf(0x0a, start);
      if (end < 0) throw this.unrecoverable('its last record is incomplete');
      const rec = parseRecordLine(buf.subarray(start, end));
      if (!rec || rec.seq !== expected) throw this.unrecoverable(`record ${expected} is not what was written`);
      expected++;
      start = end + 1;
    }
    if (expected !== this.visibleNext) throw this.unrecoverable('records are missing');
  }

  private unrecoverable(why: string): Error {
    // Not a storage error: only a restart (journal replay) brings back what the kernel dropped.
    this.failed ??= new Error(
      `transcript ${this.path} cannot be trusted after a failed fdatasync (${why}); restart Switchboard: the inbound journal holds its records`,
    );
    return this.failed;
  }

  private async syncNow(): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.syncError) throw this.syncError;
    const fd = await this.acquire();
    try {
      this.dirty = false; // writes finishing during the sync set it again
      await fdDatasync(fd);
    } catch (err) {
      // After a failed fsync the kernel may have dropped the dirty pages: a later "successful"
      // fsync of this file would lie. Until recover() has rewritten it, nothing more is written.
      this.syncError ??= err as Error;
      this.dirty = true; // nothing became durable: a later sync() must report the failure
      throw err;
    } finally {
      this.release();
    }
    if (this.needsDirSync) {
      await fsyncDirCoalesced(path.dirname(this.path), this.dirTicket);
      this.needsDirSync = false;
    }
  }
}
