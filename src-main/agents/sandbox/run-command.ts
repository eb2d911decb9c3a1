// Runs one argv (never a shell) for the exec tool and makes sure nothing it started outlives the
// call: the child leads its own process group, the whole group is killed at the timeout, on cancel
// and when the child exits, and on Linux processes that escaped the group (setsid) are found by
// the call's marker variable or by holding its output pipes, and killed too.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';

export const EXEC_OUTPUT_MAX = 64 * 1024;
/** How long output pipes may stay open after the child exited (a straggler holding them) before we stop reading. */
export const PIPE_GRACE_MS = 300;
/** Set in every exec child's environment; descendants inherit it, so it finds them after a setsid. */
export const EXEC_MARKER_VAR = 'SWITCHBOARD_EXEC_CALL';

const isWindows = process.platform === 'win32';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  spawnError?: string;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal: AbortSignal;
  /** Output cap per stream (default EXEC_OUTPUT_MAX). */
  maxOutput?: number;
}

class Capture {
  private chunks: Buffer[] = [];
  private kept = 0;
  total = 0;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    this.total += b.length;
    if (this.kept >= this.max) return;
    const part = b.subarray(0, this.max - this.kept);
    this.chunks.push(part);
    this.kept += part.length;
  }
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    return this.total > this.kept ? `${s}\n[… truncated: ${this.total} bytes, showing the first ${this.kept}]` : s;
  }
}

/** The inode of a pipe we read from, to recognise the other end in /proc/<pid>/fd. */
function pipeInode(stream: { _handle?: { fd?: number } } | null): number | undefined {
  const fd = stream?._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    return fstatSync(fd).ino;
  } catch {
    return undefined;
  }
}

/**
 * Linux: kills every process of ours that carries the call's marker in its environment or holds
 * one of its output pipes. A process that cleared its environment and closed the pipes is not
 * found; docs/security.md says so (the sandbox's pid namespace has no such gap).
 */
export async function killStragglers(marker: string, pipes: number[]): Promise<number[]> {
  if (process.platform !== 'linux') return [];
  const needle = Buffer.from(`${EXEC_MARKER_VAR}=${marker}\0`);
  const pipeLinks = new Set(pipes.map((ino) => `pipe:[${ino}]`));
  const killed: number[] = [];
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return [];
  }
  await Promise.all(
    pids.map(async (pid) => {
      let hit = false;
      try {
        hit = (await readFile(`/proc/${pid}/environ`)).includes(needle);
      } catch {
        // Another user's process, or gone: not ours to judge.
      }
      if (!hit && pipeLinks.size > 0) {
        try {
          for (const fd of await readdir(`/proc/${pid}/fd`)) {
            if (pipeLinks.has(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))) {
              hit = true;
              break;
            }
          }
        } catch {
          // idem
        }
      }
      if (!hit) return;
      try {
        process.kill(Number(pid), 'SIGKILL');
        killed.push(Number(pid));
      } catch {
        // Already gone.
      }
    }),
  );
  return killed;
}

export async function runArgv(argv: string[], opts: RunOptions): Promise<RunResult> {
  const max = opts.maxOutput ?? EXEC_OUTPUT_MAX;
  const out = new Capture(max);
  const err = new Capture(max);
  let timedOut = false;
  let aborted = false;
  const marker = randomBytes(16).toString('hex');
  // detached: the child leads its own process group, so one kill reaches its descendants too.
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: opts.cwd,
    env: { ...opts.env, [EXEC_MARKER_VAR]: marker },
    shell: false,
    detached: !isWindows,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const pipes = [pipeInode(child.stdout as never), pipeInode(child.stderr as never)].filter((n): n is number => n !== undefined);
  const killGroup = (): void => {
    try {
      if (!isWindows && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, opts.timeoutMs);
  const onAbort = (): void => {
    aborted = true;
    killGroup();
  };
  opts.signal.addEventListener('abort', onAbort, { once: true });
  if (opts.signal.aborted) onAbort();
  let grace: NodeJS.Timeout | undefined;
  let pipesHeld = false;
  try {
    const result = await new Promise<RunResult>((resolve) => {
      let spawnError: string | undefined;
      let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
      let settled = false;
      const finish = (): void => {
        if (settled || !exit) return;
        settled = true;
        resolve({
          code: exit.code,
          signal: exit.sig,
          timedOut,
          aborted,
          ...(spawnError ? { spawnError } : {}),
          stdout: out.text(),
          stderr: err.text(),
        });
      };
      child.once('error', (e: NodeJS.ErrnoException) => {
        spawnError =
          e.code === 'ENOENT' ? `command not found: ${argv[0]}` : e.code === 'EACCES' ? `permission denied: ${argv[0]}` : e.message;
        if (child.pid === undefined) {
          settled = true;
          resolve({ code: null, signal: null, timedOut, aborted, spawnError, stdout: '', stderr: '' });
        }
      });
      child.once('exit', (code, sig) => {
        exit = { code, sig };
        // Background processes the command left in its group would outlive the call: end them.
        if (!isWindows) killGroup();
        // A process outside the group (setsid) may still hold the pipes: stop waiting for them.
        grace = setTimeout(() => {
          pipesHeld = true;
          child.stdout.destroy();
          child.stderr.destroy();
          finish();
        }, PIPE_GRACE_MS);
      });
      child.once('close', (code, sig) => {
        exit ??= { code, sig };
        finish();
      });
    });
    // Whatever escaped the group dies with the call; the (slower) pipe search only when one held them.
    if (child.pid !== undefined) await killStragglers(marker, pipesHeld ? pipes : []);
    return result;
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    opts.signal.removeEventListener('abort', onAbort);
  }
}
