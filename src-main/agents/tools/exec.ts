// The exec tool: runs one program from an argv array (never a shell) in the agent's workspace,
// with a scrubbed environment, a timeout that kills the whole process group, and capped output.
// It is not a sandbox, so it refuses to run for agents whose config asks for one (fail closed).
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { capText, optInt, ToolInputError, type ToolContext, type ToolDef } from './types.ts';

export const EXEC_DEFAULT_TIMEOUT_MS = 30_000;
export const EXEC_MAX_TIMEOUT_MS = 10 * 60_000;
export const EXEC_OUTPUT_MAX = 64 * 1024;
const MAX_ARGS = 1024;
const isWindows = process.platform === 'win32';

/** Reads a variable whatever its case on Windows (`Path`). */
function getEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (env[name] !== undefined) return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

/**
 * Minimal allowlist: nothing from the gateway's environment leaks unless named here, so API keys
 * and tokens (ANTHROPIC_API_KEY, *_TOKEN, *_KEY…) never reach the child.
 */
export function execEnv(env: NodeJS.ProcessEnv, workspace: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    PATH: getEnv(env, 'PATH') ?? (isWindows ? '' : '/usr/local/bin:/usr/bin:/bin'),
    HOME: workspace,
    LANG: getEnv(env, 'LANG') ?? 'C.UTF-8',
  };
  const tz = getEnv(env, 'TZ');
  if (tz !== undefined) out.TZ = tz;
  if (isWindows) {
    // Programs on Windows cannot start without these; none of them carries a secret.
    for (const name of ['SYSTEMROOT', 'WINDIR', 'PATHEXT', 'COMSPEC']) {
      const v = getEnv(env, name);
      if (v !== undefined) out[name] = v;
    }
    out.USERPROFILE = workspace;
  }
  return out;
}

export function sandboxRefusal(ctx: Pick<ToolContext, 'agent'>): string | null {
  const mode = ctx.agent.sandbox.mode;
  if (mode === 'off') return null;
  return `exec is refused: this agent's sandbox.mode is "${mode}", and Switchboard cannot provide a sandbox on this machine, so commands are not run at all (fail closed).`;
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

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  spawnError?: string;
  stdout: string;
  stderr: string;
}

export async function runArgv(
  argv: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; signal: AbortSignal },
): Promise<RunResult> {
  const out = new Capture(EXEC_OUTPUT_MAX);
  const err = new Capture(EXEC_OUTPUT_MAX);
  let timedOut = false;
  let aborted = false;
  // detached: the child leads its own process group, so a timeout kills its descendants too.
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: opts.cwd,
    env: opts.env,
    shell: false,
    detached: !isWindows,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
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
  try {
    return await new Promise<RunResult>((resolve) => {
      let spawnError: string | undefined;
      child.once('error', (e: NodeJS.ErrnoException) => {
        spawnError =
          e.code === 'ENOENT' ? `command not found: ${argv[0]}` : e.code === 'EACCES' ? `permission denied: ${argv[0]}` : e.message;
        if (child.pid === undefined) resolve({ code: null, signal: null, timedOut, aborted, spawnError, stdout: '', stderr: '' });
      });
      // Background processes the command left behind would outlive the tool call: end them.
      child.once('exit', () => {
        if (!isWindows) killGroup();
      });
      child.once('close', (code, sig) =>
        resolve({ code, signal: sig, timedOut, aborted, ...(spawnError ? { spawnError } : {}), stdout: out.text(), stderr: err.text() }),
      );
    });
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', onAbort);
  }
}

export const execTool: ToolDef = {
  name: 'exec',
  description:
    'Run one program in your workspace folder and get its exit code and output. "command" is an argv array (program first); no shell is involved, so pipes, globs, $VARS and ; are passed literally. Default timeout 30 s.',
  inputSchema: {
    type: 'object',
    properties: {
      command: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Program and arguments, e.g. ["ls", "-la"].' },
      timeoutMs: { type: 'integer', minimum: 100, maximum: EXEC_MAX_TIMEOUT_MS, description: 'Timeout in milliseconds (default 30000).' },
    },
    required: ['command'],
    additionalProperties: false,
  },
  unavailableReason: sandboxRefusal,
  async run(input, ctx) {
    const refusal = sandboxRefusal(ctx);
    if (refusal) return { output: refusal, isError: true };
    const argv = input.command;
    if (
      !Array.isArray(argv) ||
      argv.length === 0 ||
      argv.length > MAX_ARGS ||
      !argv.every((a): a is string => typeof a === 'string' && !a.includes('\0'))
    ) {
      throw new ToolInputError(`"command" must be a non-empty array of at most ${MAX_ARGS} strings (program first)`);
    }
    if (argv[0] === '') throw new ToolInputError('"command[0]" (the program) must not be empty');
    const timeoutMs = optInt(input, 'timeoutMs', 100, EXEC_MAX_TIMEOUT_MS) ?? EXEC_DEFAULT_TIMEOUT_MS;
    const cwd = await fs.realpath(ctx.paths.workspace);
    const r = await runArgv(argv, { cwd, env: execEnv(ctx.env, cwd), timeoutMs, signal: ctx.signal });
    if (r.spawnError) return { output: r.spawnError, isError: true, summary: r.spawnError };
    const status = r.timedOut
      ? `killed after the ${timeoutMs} ms timeout`
      : r.aborted
        ? 'killed: the turn was cancelled'
        : r.code !== null
          ? `exit code: ${r.code}`
          : `killed by signal ${r.signal ?? 'unknown'}`;
    const output = capText(`${status}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`, 2 * EXEC_OUTPUT_MAX + 1024);
    return { output, isError: r.code !== 0, summary: `${argv[0]}: ${status}` };
  },
};
