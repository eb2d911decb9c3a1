// One append-only JSONL transcript. Appends are serialised per file, one `write` per record, so a
// crash can only tear the last line; durable appends share fdatasyncs (group commit); a torn tail
// is cut off on open and kept in `<file>.corrupt`. The descriptor is lent by an LRU FdPool.
import path from 'node:path';
import { defaultFdPool, type FdPool, type PooledFile } from './fd-pool.ts';
import { fdAppendSync, fdClose, fdDatasync, fdOpen, fdTruncate, fsyncDirCoalesced, noteDirEntry } from './fs-util.ts';
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
  private committed: number; // bytes of complete records written (page cache at least)
  private nextSeq: number;
  private writeChain: Promise<void> = Promise.resolve();
  private pendingWrites = 0;
  private writesDone = 0; // the group-commit ticket: a sync launched now covers this many writes
  private dirty = false; // written since the last successful fdatasync
  private needsDirSync: boolean; // the file was created: its directory entry is not durable yet
  private dirTicket: number; // the folder fsync that makes the entry durable must cover this
  private failed: Error | null = null;
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
    this.nextSeq = lastSeq + 1;
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
    return this.nextSeq - 1;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  append(input: RecordInput, opts: AppendOptions = {}): Promise<TranscriptRecord> {
    if (this.closed) return Promise.reject(new TranscriptClosedError(`transcript closed: ${this.path}`));
    if (this.failed) return Promise.reject(this.failed);
    // seq is taken synchronously so it follows call order, which is also write order.
    const rec = buildRecord(input, this.nextSeq++);
    const buf = Buffer.from(JSON.stringify(rec) + '\n');
    this.remember(rec, buf.length);
    this.pendingWrites++;
    const written = this.writeChain.then(() => this.writeRecord(rec, buf));
    this.writeChain = written.then(
      () => undefined,
      () => undefined,
    );
    if (!opts.durable) return written.then(() => rec);
    return written.then(async (ticket) => {
      // Records already queued behind this one join the same fdatasync instead of each paying
      // for their own (bounded: only the writes queued right now are awaited).
      if (this.pendingWrites > 0) await this.writeChain;
      await this.syncer.run(ticket);
      return rec;
    });
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
      if (this.failed && (this.dirty || this.needsDirSync)) throw this.failed; // close could not sync
      return;
    }
    await this.writeChain;
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
    const end = Math.min(beforeSeq ?? this.nextSeq, this.nextSeq);
    const start = Math.max(1, end - limit);
    if (end > this.tailFrom && start >= this.tailFrom) return this.tail.slice(start - this.tailFrom, end - this.tailFrom);
    if (end > this.tailFrom) {
      const older = await readTailRecords(this.path, this.tailFrom - start, this.tailFrom, this.committed);
      return [...older, ...this.tail.slice(0, end - this.tailFrom)];
    }
    const expectedNext = this.nextSeq;
    const records = await readTailRecords(this.path, limit, beforeSeq, this.committed);
    // A first read from the end of a file opened earlier seeds the cache, if nothing moved meanwhile.
    if (
      beforeSeq === undefined &&
      this.tail.length === 0 &&
      this.nextSeq === expectedNext &&
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
      await this.syncer.idle();
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
        this.failed ??= err as Error;
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

  /** Writes one record; resolves with its group-commit ticket. */
  private async writeRecord(rec: TranscriptRecord, buf: Buffer): Promise<number> {
    let fd: number | null = null;
    try {
      if (this.failed) throw this.failed;
      if (this.skipWrite?.(rec)) return this.writesDone;
      fd = await this.acquire();
      fdAppendSync(fd, buf);
    } catch (err) {
      if (fd === null) throw err;
      // Never leave a partial line for the next record to be glued onto (e.g. ENOSPC mid-write).
      await fdTruncate(fd, this.committed).catch(() => {
        this.failed ??= new Error(`transcript ${this.path} unusable: could not undo a failed write`);
      });
      throw err;
    } finally {
      this.pendingWrites--;
      if (fd !== null) this.release();
    }
    this.committed += buf.length;
    this.dirty = true;
    this.onAppended?.(rec, buf.length);
    return ++this.writesDone;
  }

  private async syncNow(): Promise<void> {
    if (this.failed) throw this.failed;
    const fd = await this.acquire();
    try {
      this.dirty = false; // writes finishing during the sync set it again
      await fdDatasync(fd);
    } catch (err) {
      // After a failed fsync the kernel may have dropped the dirty pages: a later "successful"
      // fsync would lie, so the file refuses further appends rather than acknowledge them.
      this.failed ??= err as Error;
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
