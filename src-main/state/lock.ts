// The one lock file for the state dir (gateway.lock, the config's lock, auth-profile locks): it
// names its holder by pid and process start time, and is taken from nobody who is still running —
// only from a holder that is gone (pid not running, or running with another start time: reused).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { tmpNameFor } from './atomic-write.ts';

export interface LockHolder {
  pid: number;
  /** Start time of the process (Linux: clock ticks since boot, /proc/<pid>/stat field 22); absent elsewhere. */
  start?: string;
}

export class LockBusyError extends Error {
  readonly code = 'conflict';
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(`${file} is held by process ${holder.pid}, which is still running; try again once it has finished`);
  }
}

/** Whether a process with this pid exists (EPERM: it does, it is just not ours to signal). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process's start time on Linux (undefined elsewhere, or when it is not running). */
export async function processStart(pid: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall; fields[0] here is field 3 (state)
  } catch {
    return undefined;
  }
}

let ownStart: Promise<string | undefined> | undefined;
const myStart = () => (ownStart ??= processStart(process.pid));

/** `<pid> <start or -> <nonce>`; older lock files held just a pid (and maybe `:<hex>`). */
export function parseLock(text: string): LockHolder | undefined {
  const m = /^(\d+)(?::\S*)?(?:\s+(\S+))?/.exec(text.trim());
  const pid = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return m![2] && m![2] !== '-' ? { pid, start: m![2] } : { pid };
}

/** True when the holder can no longer be running: its pid is free, or now belongs to a later process. */
export async function holderGone(holder: LockHolder): Promise<boolean> {
  if (!pidAlive(holder.pid)) return true;
  if (holder.start === undefined) return false;
  const now = await processStart(holder.pid);
  return now !== undefined && now !== holder.start;
}

export interface HeldLock {
  readonly file: string;
  /** Removes the lock file, unless (after being judged stale by mistake) it is someone else's now. */
  release(): Promise<void>;
}

/**
 * One attempt: the lock, or the live holder in the way. The file appears with its content
 * (written to a temp file, then hard-linked into place), so a reader never sees it half written.
 */
export async function tryLock(file: string): Promise<HeldLock | LockHolder> {
  const content = `${process.pid} ${(await myStart()) ?? '-'} ${randomBytes(6).toString('hex')}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const tmp = tmpNameFor(file);
    await fs.writeFile(tmp, content, { flag: 'wx', mode: 0o600 });
    try {
      await fs.link(tmp, file);
      return {
        file,
        release: async () => {
          if ((await fs.readFile(file, 'utf8').catch(() => '')) === content) await fs.rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await fs.rm(tmp, { force: true });
    }
    const seen = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (seen === undefined) continue; // released meanwhile
    const holder = parseLock(seen);
    if (holder && !(await holderGone(holder))) return holder;
    // Stale (or unreadable: no holder to wait for). Removed only if it is still the very file
    // judged stale: a fresh lock taken meanwhile carries another nonce and is left alone.
    if ((await fs.readFile(file, 'utf8').catch(() => undefined)) === seen) await fs.rm(file, { force: true });
  }
  throw new Error(`could not take ${file}: it keeps changing hands`);
}

/** Takes the lock, waiting up to `waitMs` for a live holder to let go; then LockBusyError. */
export async function acquireLock(file: string, opts: { waitMs?: number } = {}): Promise<HeldLock> {
  const deadline = Date.now() + (opts.waitMs ?? 0);
  await fs.mkdir(path.dirname(file), { recursive: true });
  for (;;) {
    const got = await tryLock(file);
    if ('release' in got) return got;
    if (Date.now() >= deadline) throw new LockBusyError(file, got);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs `fn` holding the lock. */
export async function withLock<T>(file: string, fn: () => Promise<T>, opts: { waitMs?: number } = {}): Promise<T> {
  const lock = await acquireLock(file, opts);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** The live holder of a lock file, if any (for "is a gateway running?"). */
export async function liveHolder(file: string): Promise<LockHolder | undefined> {
  const holder = parseLock(await fs.readFile(file, 'utf8').catch(() => ''));
  return holder && !(await holderGone(holder)) ? holder : undefined;
}
