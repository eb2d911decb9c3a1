// The gateway's recent log in memory, for the dashboard's Logs view and the diagnostics bundle: a
// Logger sink placed after the redaction point (host.ts), a ring of the last LOG_TAIL_KEEP entries,
// and a publisher that hands new entries out in bounded batches so a log storm cannot flood a client.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import {
  LOG_BATCH_BYTES,
  LOG_BATCH_MAX,
  LOG_BATCH_MS,
  LOG_FIELDS_MAX,
  LOG_MSG_MAX,
  LOG_TAIL_KEEP,
  type logEntrySchema,
} from '../src-shared/protocol/log-methods.ts';
import type { z } from 'zod';
import type { Logger, LogLevel } from './log.ts';
import { redactValue } from './secrets/redact.ts';

export type TailEntry = z.output<typeof logEntrySchema>;
export interface TailFilter {
  level?: LogLevel | undefined;
  agentId?: string | undefined;
  channel?: string | undefined;
}
export interface TailBatch {
  entries: TailEntry[];
  skipped: number;
}

const ORDER: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
/** How much of an existing log file is read to seed the ring at start (the newest lines). */
const SEED_BYTES = 512 * 1024;

export interface LogTailOptions {
  /** The level the gateway logs at, asked per entry (a config reload may change it). */
  level?: () => LogLevel | 'silent';
  keep?: number;
  clock?: () => Date;
  /** Runs `flush` later; default an unref'd setTimeout, tests pass one they trigger. */
  schedule?: (flush: () => void, ms: number) => void;
}

export class LogTail implements Logger {
  private readonly ring: TailEntry[] = [];
  private readonly keep: number;
  private readonly level: () => LogLevel | 'silent';
  private readonly clock: () => Date;
  private readonly schedule: (flush: () => void, ms: number) => void;
  private readonly listeners = new Set<(batch: TailBatch) => void>();
  private pending: TailEntry[] = [];
  private skipped = 0;
  private scheduled = false;
  private seq = 0;

  constructor(opts: LogTailOptions = {}) {
    this.keep = opts.keep ?? LOG_TAIL_KEEP;
    this.level = opts.level ?? (() => 'info');
    this.clock = opts.clock ?? (() => new Date());
    this.schedule = opts.schedule ?? ((flush, ms) => setTimeout(flush, ms).unref());
  }

  get lastSeq(): number {
    return this.seq;
  }

  get currentLevel(): LogLevel | 'silent' {
    return this.level();
  }

  /** Fields arrive redacted (the sink sits after redactingLogger); they are redacted again only when read from a file. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.level()]) return;
    this.add(toEntry(++this.seq, this.clock().toISOString(), level, message, fields ?? {}));
  }

  /**
   * Puts the newest entries of an existing JSON log file (this app's own, already redacted when
   * written, redacted again here) in front of the ring, so the view and the bundle show what
   * happened before this start. Unreadable files and lines are skipped.
   */
  seedFromFile(file: string): void {
    const lines = readTail(file, SEED_BYTES);
    const seeded: TailEntry[] = [];
    for (const line of lines) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof parsed !== 'object' || parsed === null) continue;
      const { time, level, msg, ...fields } = redactValue(parsed) as Record<string, unknown>;
      if (typeof level !== 'string' || !(level in ORDER) || level === 'silent' || typeof msg !== 'string') continue;
      seeded.push(toEntry(0, typeof time === 'string' ? time : '', level as LogLevel, msg, fields));
    }
    const room = Math.max(0, this.keep - this.ring.length);
    const kept = seeded.slice(-room);
    // Seeded entries come first with seq ≤ 0, so the entries this run logs keep their numbers.
    kept.forEach((e, i) => (e.seq = i - kept.length + 1));
    this.ring.unshift(...kept);
  }

  /** The last `limit` entries passing `filter`, oldest first. */
  tail(limit: number, filter: TailFilter = {}): TailEntry[] {
    const out: TailEntry[] = [];
    for (let i = this.ring.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.ring[i]!;
      if (matches(e, filter)) out.push(e);
    }
    return out.reverse();
  }

  /** New entries in batches of at most LOG_BATCH_MAX entries / LOG_BATCH_BYTES, at most one per LOG_BATCH_MS. */
  subscribe(listener: (batch: TailBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends what is pending now (the timer calls it; tests too). */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 && this.skipped === 0) return;
    const entries: TailEntry[] = [];
    let bytes = 0;
    let skipped = this.skipped;
    for (const e of this.pending) {
      const size = JSON.stringify(e).length;
      if (bytes + size > LOG_BATCH_BYTES) skipped++;
      else {
        entries.push(e);
        bytes += size;
      }
    }
    this.pending = [];
    this.skipped = 0;
    for (const listener of this.listeners) {
      try {
        listener({ entries, skipped });
      } catch {
        // A listener failing must not stop the log; it is the listener's to report.
      }
    }
  }

  private add(entry: TailEntry): void {
    this.ring.push(entry);
    if (this.ring.length > this.keep) this.ring.shift();
    if (this.listeners.size === 0) return;
    // Past a batch's worth the storm is only counted: memory stays bounded whatever the rate.
    if (this.pending.length < LOG_BATCH_MAX) this.pending.push(entry);
    else this.skipped++;
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush(), LOG_BATCH_MS);
    }
  }
}

function toEntry(seq: number, time: string, level: LogLevel, message: string, fields: Record<string, unknown>): TailEntry {
  const { module, agentId, channel, ...rest } = fields;
  const entry: TailEntry = { seq, time, level, msg: cut(message, LOG_MSG_MAX) };
  if (typeof module === 'string') entry.module = module;
  if (typeof agentId === 'string') entry.agentId = agentId;
  if (typeof channel === 'string') entry.channel = channel;
  const defined = Object.entries(rest).filter(([, v]) => v !== undefined);
  if (defined.length > 0) entry.fields = cut(json(Object.fromEntries(defined)), LOG_FIELDS_MAX);
  return entry;
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '"[fields not serialisable]"';
  }
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function matches(e: TailEntry, f: TailFilter): boolean {
  if (f.level && ORDER[e.level] < ORDER[f.level]) return false;
  if (f.agentId && e.agentId?.toLowerCase() !== f.agentId.toLowerCase()) return false;
  if (f.channel && e.channel?.toLowerCase() !== f.channel.toLowerCase()) return false;
  return true;
}

/** The complete lines in the last `maxBytes` of a file; [] when it cannot be read. */
function readTail(file: string, maxBytes: number): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = statSync(file).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    if (start > 0) lines.shift(); // the first one is cut
    return lines.filter((l) => l.trim() !== '');
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
