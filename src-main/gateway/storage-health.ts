// Whether the state dir can store messages right now. A full disk or a read-only / unwritable
// state folder turns into a reason a user can act on ("disk full at …"), reported to the control
// client (`unavailable`), in `status.storage` and as one short reply on channels; the health clears
// on the next successful write, or by a probe while nothing is being written.
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ControlError } from '../../src-shared/protocol/errors.ts';

export interface StorageStatus {
  ok: boolean;
  /** Why messages cannot be stored, naming the folder (absent when ok). */
  reason?: string;
  /** When the problem was first seen (ISO-8601; absent when ok). */
  since?: string;
}

/** What a channel sender is told when their message could not be stored. */
export const CANNOT_STORE_REPLY = "Sorry — I can't store messages right now, so I didn't get that one. Please send it again later.";

/** What a sender of `/new` is told when no new session could be written. */
export const CANNOT_RESET_REPLY = "Sorry — I can't store anything right now, so no new session was started. Please send /new again later.";

/**
 * A message that could not be stored because of the disk (`unavailable`). Its message names the
 * state folder on purpose: the control client is the local operator, who has to go and fix it.
 */
export class StorageUnavailableError extends ControlError {
  constructor(readonly reason: string) {
    super('unavailable', `the message was not stored: ${reason}`);
  }
}

const STORAGE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EPERM', 'EACCES']);

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** Whether `err` is a full or read-only disk, or a state folder this user may not write. */
export function isStorageError(err: unknown): boolean {
  const code = errCode(err);
  return code !== undefined && STORAGE_CODES.has(code);
}

/** The user-facing reason for a storage error under `stateDir`, or null when `err` is not one. */
export function storageProblem(err: unknown, stateDir: string): string | null {
  const code = errCode(err);
  if (!code || !STORAGE_CODES.has(code)) return null;
  const file = typeof (err as { path?: unknown }).path === 'string' ? (err as { path: string }).path : undefined;
  const where = file && file.startsWith(stateDir) ? file : stateDir;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `disk full at ${stateDir}: free some space there; messages are accepted again as soon as they can be stored`;
    case 'EROFS':
      return `state folder is read-only: ${stateDir} (remount it read-write; nothing can be stored until then)`;
    default:
      return `state folder is not writable: ${where} (${code}; give the user running Switchboard write access to ${stateDir})`;
  }
}

/** The folder a failed write was in (its `path`'s folder, when under the state dir), else the state dir. */
function failedFolder(err: unknown, stateDir: string): string {
  const file = typeof (err as { path?: unknown }).path === 'string' ? (err as { path: string }).path : undefined;
  return file && isInside(file, stateDir) && file !== stateDir ? path.dirname(file) : stateDir;
}

function isInside(file: string, dir: string): boolean {
  return file === dir || file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

export class StorageHealth {
  private problem: { reason: string; since: string; folder: string } | null = null;
  private probe: NodeJS.Timeout | null = null;

  constructor(
    private readonly stateDir: string,
    private readonly onChange: (status: StorageStatus) => void = () => undefined,
    private readonly probeMs = 5000,
  ) {}

  get status(): StorageStatus {
    return this.problem ? { ok: false, reason: this.problem.reason, since: this.problem.since } : { ok: true };
  }

  /**
   * Records a failed write. A storage error becomes a ControlError (`unavailable`, with the
   * reason); anything else is returned unchanged.
   */
  failed(err: unknown): unknown {
    const reason = storageProblem(err, this.stateDir);
    if (!reason) return err;
    const folder = failedFolder(err, this.stateDir);
    if (this.problem?.reason !== reason) {
      this.problem = { reason, since: this.problem?.since ?? new Date().toISOString(), folder };
      this.onChange(this.status);
    } else this.problem.folder = folder;
    this.startProbe();
    return new StorageUnavailableError(reason);
  }

  /**
   * A write went through: storage works (again). With `where` (the file or folder written), only
   * a problem seen in that folder clears: a reply stored in a transcript says nothing about the
   * journal's folder, which may still be refusing inbound messages.
   */
  succeeded(where?: string): void {
    if (!this.problem) return;
    if (where !== undefined && !isInside(where, this.problem.folder) && !isInside(this.problem.folder, where)) return;
    this.problem = null;
    this.stopProbe();
    this.onChange(this.status);
  }

  close(): void {
    this.stopProbe();
  }

  // While nothing is written the health would stay "failed" forever: a small write in the state
  // dir tells when the disk works again, so the banner goes without waiting for a message.
  private startProbe(): void {
    if (this.probe) return;
    this.probe = setInterval(() => void this.check(), this.probeMs);
    this.probe.unref();
  }

  private stopProbe(): void {
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
  }

  /** Writes, syncs and removes a probe file; clears the problem when that works. */
  async check(): Promise<boolean> {
    const file = path.join(this.stateDir, `.storage-probe-${process.pid}`);
    try {
      const fh = await fs.open(file, 'w', 0o600);
      try {
        await fh.writeFile(Buffer.alloc(4096));
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await fs.unlink(file);
    } catch {
      await fs.unlink(file).catch(() => undefined);
      return false;
    }
    this.succeeded();
    return true;
  }
}

/**
 * Before anything writes to the state folder (the gateway, the desktop app's single-instance lock
 * and prefs): why it cannot take a write, in one line naming the cause and the folder, or null.
 * Synchronous, so the desktop app can ask before Electron's lock, which fails silently.
 */
export function stateDirWriteProblem(stateDir: string): string | null {
  const file = path.join(stateDir, `.storage-probe-${process.pid}`);
  try {
    fsSync.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    fsSync.writeFileSync(file, 'x', { mode: 0o600 });
    fsSync.unlinkSync(file);
    return null;
  } catch (err) {
    try {
      fsSync.unlinkSync(file);
    } catch {
      // never created
    }
    return storageProblem(err, stateDir) ?? `cannot write to the state folder ${stateDir}: ${(err as Error).message}`;
  }
}

/**
 * Before the gateway starts: the state folder must take a write. On a read-only, unwritable or
 * full state folder this throws one line naming the cause and the folder (instead of whatever the
 * first writer would have failed with, e.g. the log folder's mkdir).
 */
export async function assertStateDirWritable(stateDir: string): Promise<void> {
  const reason = stateDirWriteProblem(stateDir);
  if (reason) throw new ControlError('unavailable', `cannot start: ${reason}`);
}

/** The last `max` keys seen: `first(key)` is true only the first time a key comes (within that window). */
export class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly max: number) {}

  first(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value!);
    return true;
  }
}
