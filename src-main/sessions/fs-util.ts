// Low-level file helpers for the session store: promise wrappers over the callback fd API
// (cheaper than FileHandle on the append hot path) and directory fsync (atomic file replacement
// is state/atomic-write.ts).
import fs from 'node:fs';
import { Coalescer } from './group-commit.ts';

/**
 * Tests only: decides whether a file operation of the session store fails, as a full or
 * read-only disk would make it (an error to throw, or undefined to run it for real). Used where a
 * small tmpfs cannot be mounted; see test/helpers/storage-faults.ts.
 */
export type StorageFault = (op: 'open' | 'write' | 'sync' | 'truncate', file: string) => NodeJS.ErrnoException | undefined;
let storageFault: StorageFault | null = null;
// Paths of the descriptors this module opened, so a fault can be aimed at a folder.
const fdPaths = new Map<number, string>();

export function setStorageFaultForTests(fault: StorageFault | null): void {
  storageFault = fault;
}

/**
 * Told of the outcome of the state dir's writes (transcripts, the session index, resets), so a
 * full or read-only disk shows in `status.storage` and clears again without a restart
 * (docs/architecture.md#storage-errors). `file` names what was written.
 */
export interface StorageReport {
  failed(err: unknown): void;
  succeeded(file: string): void;
}

/** Tests only: the fault the seam injects for `op` on `file` (atomicWrite's files go through it too). */
export function storageFaultFor(op: Parameters<StorageFault>[0], file: string): NodeJS.ErrnoException | undefined {
  return injected(op, file);
}

function injected(op: Parameters<StorageFault>[0], fdOrFile: number | string): NodeJS.ErrnoException | undefined {
  if (!storageFault) return undefined;
  return storageFault(op, typeof fdOrFile === 'string' ? fdOrFile : (fdPaths.get(fdOrFile) ?? ''));
}

export function fdOpen(file: string, flags: string, mode = 0o600): Promise<number> {
  const fault = flags === 'r' ? undefined : injected('open', file);
  if (fault) return Promise.reject(fault);
  return new Promise((resolve, reject) => {
    fs.open(file, flags, mode, (err, fd) => {
      if (err) return reject(err);
      fdPaths.set(fd, file);
      resolve(fd);
    });
  });
}

export function fdClose(fd: number): Promise<void> {
  fdPaths.delete(fd);
  return new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));
}

export function fdDatasync(fd: number): Promise<void> {
  const fault = injected('sync', fd);
  if (fault) return Promise.reject(fault);
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

export function fdTruncate(fd: number, length: number): Promise<void> {
  const fault = injected('truncate', fd);
  if (fault) return Promise.reject(fault);
  return new Promise((resolve, reject) => fs.ftruncate(fd, length, (err) => (err ? reject(err) : resolve())));
}

export function fdSize(fd: number): Promise<number> {
  return new Promise((resolve, reject) => fs.fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size))));
}

/** Writes the whole buffer at the current (append) position; loops on short writes. */
export async function fdWriteAll(fd: number, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    off += await new Promise<number>((resolve, reject) => {
      fs.write(fd, buf, off, buf.length - off, null, (err, n) => (err ? reject(err) : resolve(n)));
    });
  }
}

/**
 * Appends the whole buffer with synchronous `write`s (loops on short writes). For the append hot
 * paths, transcripts and the inbound journal: a write of a record to the page cache is far cheaper
 * done synchronously than handed to libuv's pool, which costs a thread wake-up each way and queues
 * it behind fsyncs for one of the pool's 4 threads, on the path of every message (how much:
 * docs/testing.md#figures-the-code-relies-on). Such a write waits for the disk only when the kernel
 * throttles a process with too many dirty pages; the fsyncs, which always do, stay on the pool.
 */
export function fdAppendSync(fd: number, buf: Buffer): void {
  const fault = injected('write', fd);
  if (fault) throw fault;
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

/** Fills `buf` from `position` (fewer bytes only at end of file); returns the count read. */
export async function readAt(fd: number, buf: Buffer, position: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const n = await new Promise<number>((resolve, reject) => {
      fs.read(fd, buf, got, buf.length - got, position + got, (err, r) => (err ? reject(err) : resolve(r)));
    });
    if (n === 0) break;
    got += n;
  }
  return got;
}

export function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

export async function unlinkIfExists(file: string): Promise<void> {
  await fs.promises.unlink(file).catch((err: unknown) => {
    if (errCode(err) !== 'ENOENT') throw err;
  });
}

/**
 * fsync a directory so a created/renamed entry survives power loss. Windows cannot open
 * directories as files (and NTFS journals metadata itself), so those errors are ignored.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let fd: number;
  try {
    fd = await fdOpen(dir, 'r');
  } catch (err) {
    if (['EISDIR', 'EPERM', 'EACCES', 'ENOTSUP'].includes(errCode(err) ?? '')) return;
    throw err;
  }
  try {
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  } catch (err) {
    if (!['EINVAL', 'EPERM', 'EBADF', 'ENOTSUP'].includes(errCode(err) ?? '')) throw err;
  } finally {
    await fdClose(fd).catch(() => undefined);
  }
}

// One coalescer per directory: 1,000 sessions created at once share a few directory fsyncs. Its
// tickets count the entries created in the folder, so a folder fsync covers every file created
// before it started (a checkpoint syncing 1,000 new transcripts needs one, not one per pair).
const dirSyncers = new Map<string, { syncer: Coalescer; created: number }>();

function dirSyncer(dir: string): { syncer: Coalescer; created: number } {
  let d = dirSyncers.get(dir);
  if (!d) {
    const state = { syncer: null as unknown as Coalescer, created: 0 };
    state.syncer = new Coalescer(
      () => fsyncDir(dir),
      () => state.created,
    );
    dirSyncers.set(dir, state);
    d = state;
  }
  return d;
}

/** Records that an entry was created (or renamed) in `dir`; pass the ticket to fsyncDirCoalesced. */
export function noteDirEntry(dir: string): number {
  return ++dirSyncer(dir).created;
}

/** Makes the entries of `dir` durable: those created up to `ticket`, else every one so far. */
export function fsyncDirCoalesced(dir: string, ticket?: number): Promise<void> {
  return dirSyncer(dir).syncer.run(ticket ?? noteDirEntry(dir));
}
