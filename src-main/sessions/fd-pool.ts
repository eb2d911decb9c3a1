// LRU cap on open transcript descriptors: 1,000+ sessions share at most `maxOpen` fds. Files
// report use via touch(); the pool closes the least recently used idle ones (and any idle for
// longer than `idleMs`). A file in the middle of a write or fsync is never evicted.

export interface PooledFile {
  /** True when no operation currently holds the descriptor. */
  evictable(): boolean;
  /** Give up the descriptor (the file reopens it on next use). */
  evict(): void;
}

export interface FdPoolOptions {
  maxOpen?: number;
  idleMs?: number;
}

// Node raises the soft RLIMIT_NOFILE to the hard limit at startup on POSIX, so 1,024 transcript
// fds leave ample room there and keep a 1,000-session working set open (a smaller cap makes a
// round-robin load reopen a file on every append; docs/testing.md#figures-the-code-relies-on).
// Windows' C runtime allows 512 descriptors by default, hence 256 there.
const DEFAULT_MAX_OPEN = process.platform === 'win32' ? 256 : 1024;

export class FdPool {
  readonly maxOpen: number;
  readonly idleMs: number;
  // Map iteration order is insertion order: delete + set moves a file to the MRU end.
  private readonly lru = new Map<PooledFile, number>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(opts: FdPoolOptions = {}) {
    this.maxOpen = Math.max(1, opts.maxOpen ?? DEFAULT_MAX_OPEN);
    this.idleMs = Math.max(1000, opts.idleMs ?? 120_000);
  }

  get openCount(): number {
    return this.lru.size;
  }

  touch(file: PooledFile): void {
    this.lru.delete(file);
    this.lru.set(file, Date.now());
    if (this.lru.size > this.maxOpen) this.trim();
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), Math.ceil(this.idleMs / 2));
      this.sweeper.unref(); // never keep the process alive just to close descriptors
    }
  }

  remove(file: PooledFile): void {
    this.lru.delete(file);
    if (this.lru.size === 0) this.stopSweeper();
  }

  /** Evict LRU idle files until within the cap (busy ones stay; the cap is then briefly exceeded). */
  trim(): void {
    if (this.lru.size <= this.maxOpen) return;
    for (const file of this.lru.keys()) {
      if (this.lru.size <= this.maxOpen) break;
      if (file.evictable()) this.evictOne(file);
    }
  }

  /** Close every idle descriptor, e.g. before the process exits. */
  closeIdle(olderThanMs = 0): void {
    const cutoff = Date.now() - olderThanMs;
    for (const [file, last] of this.lru) {
      if (last > cutoff) break; // the rest are newer
      if (file.evictable()) this.evictOne(file);
    }
  }

  private sweep(): void {
    this.closeIdle(this.idleMs);
    if (this.lru.size === 0) this.stopSweeper();
  }

  private evictOne(file: PooledFile): void {
    this.lru.delete(file);
    file.evict();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}

/** Shared by every store in the process, so the cap is global rather than per agent. */
export const defaultFdPool = new FdPool();
