// One memory pool on disk: notes appended to <dir>/notes.jsonl (one write per note, never
// rewritten) and a lazily built in-memory search index that follows the file — notes appended by
// another process are picked up on the next search, a truncated file is re-read from scratch.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PoolRef } from './pools.ts';
import { SearchIndex } from './search-index.ts';

export const NOTES_FILE = 'notes.jsonl';
export const NOTE_TEXT_MAX = 8 * 1024;
export const NOTE_TAGS_MAX = 16;
export const NOTE_TAG_MAX = 48;

export interface MemoryNote {
  id: string;
  text: string;
  tags: string[];
  createdAt: string;
  /** Id of the agent that saved it. */
  author: string;
}

export class MemoryInputError extends Error {
  override name = 'MemoryInputError';
}

/** Tags trimmed, lower-cased, de-duplicated; empty ones dropped. */
export function cleanTags(tags: readonly string[]): string[] {
  const out = [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
  if (out.length > NOTE_TAGS_MAX) throw new MemoryInputError(`at most ${NOTE_TAGS_MAX} tags`);
  const long = out.find((t) => t.length > NOTE_TAG_MAX);
  if (long) throw new MemoryInputError(`tag "${long.slice(0, 20)}…" is longer than ${NOTE_TAG_MAX} characters`);
  return out;
}

function parseNote(line: string): MemoryNote | null {
  try {
    const v = JSON.parse(line) as Partial<MemoryNote>;
    if (typeof v.id !== 'string' || typeof v.text !== 'string' || typeof v.createdAt !== 'string' || typeof v.author !== 'string')
      return null;
    return {
      id: v.id,
      text: v.text,
      tags: Array.isArray(v.tags) ? v.tags.filter((t): t is string => typeof t === 'string') : [],
      createdAt: v.createdAt,
      author: v.author,
    };
  } catch {
    return null; // a damaged line (torn write) is skipped, never fatal
  }
}

const searchText = (n: MemoryNote): string => (n.tags.length ? `${n.text}\n${n.tags.join(' ')} ${n.tags.join(' ')}` : n.text);

export class MemoryPool {
  readonly file: string;
  private index = new SearchIndex<MemoryNote>();
  /** Bytes of the file already indexed (always at a line end). */
  private indexed = 0;
  /** Bytes of a partial last line (a torn write) after `indexed`: the next append ends it first. */
  private tornBytes = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly ref: PoolRef,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(ref.dir, NOTES_FILE);
  }

  get size(): number {
    return this.index.size;
  }

  /** Appends one note (one write) and indexes it. */
  save(input: { text: string; tags?: readonly string[]; author: string }): Promise<MemoryNote> {
    const text = input.text.trim();
    if (!text) return Promise.reject(new MemoryInputError('the note is empty'));
    if (Buffer.byteLength(text) > NOTE_TEXT_MAX)
      return Promise.reject(new MemoryInputError(`the note is longer than ${NOTE_TEXT_MAX} bytes; save a shorter summary`));
    let tags: string[];
    try {
      tags = cleanTags(input.tags ?? []);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.serial(async () => {
      await this.sync();
      const note: MemoryNote = {
        id: `m${this.now().getTime().toString(36)}${randomBytes(3).toString('hex')}`,
        text,
        tags,
        createdAt: this.now().toISOString(),
        author: input.author,
      };
      const line = `${this.tornBytes ? '\n' : ''}${JSON.stringify(note)}\n`;
      await fs.mkdir(this.ref.dir, { recursive: true });
      await fs.appendFile(this.file, line, { mode: 0o600 });
      this.indexed += this.tornBytes + Buffer.byteLength(line);
      this.tornBytes = 0;
      this.index.add(note, searchText(note));
      return note;
    });
  }

  /** The best notes for `query`, best first. */
  search(query: string, limit = 10): Promise<{ note: MemoryNote; score: number }[]> {
    return this.serial(async () => {
      await this.sync();
      return this.index.search(query, limit).map((h) => ({ note: h.doc, score: h.score }));
    });
  }

  /** Brings the index up to the file: reads what was appended since, or everything after a truncation. */
  private async sync(): Promise<void> {
    let size: number;
    try {
      size = (await fs.stat(this.file)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      size = 0;
    }
    if (size < this.indexed) this.reset();
    if (size === this.indexed) return;
    const fh = await fs.open(this.file, 'r');
    try {
      const buf = Buffer.alloc(size - this.indexed);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.indexed);
      const chunk = buf.subarray(0, bytesRead);
      const end = chunk.lastIndexOf(0x0a);
      this.tornBytes = chunk.length - end - 1;
      if (end < 0) return;
      for (const line of chunk.subarray(0, end).toString('utf8').split('\n')) {
        const note = line.trim() ? parseNote(line) : null;
        if (note) this.index.add(note, searchText(note));
      }
      this.indexed += end + 1;
    } finally {
      await fh.close();
    }
  }

  private reset(): void {
    this.index = new SearchIndex<MemoryNote>();
    this.indexed = 0;
    this.tornBytes = 0;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** The pools of a process, one object per folder, so every caller shares one index per pool. */
export class MemoryPools {
  private readonly pools = new Map<string, MemoryPool>();

  constructor(private readonly now?: () => Date) {}

  get(ref: PoolRef): MemoryPool {
    let p = this.pools.get(ref.dir);
    if (!p) this.pools.set(ref.dir, (p = new MemoryPool(ref, this.now)));
    return p;
  }
}

/** The process-wide pools the built-in memory tools use. */
export const defaultMemoryPools = new MemoryPools();
