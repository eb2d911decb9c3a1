// The exec tool: runs one program from an argv array (never a shell) in the agent's workspace,
// with a scrubbed environment, a timeout that kills the whole process group, and capped output.
// Agents whose config asks for a sandbox run it in the OS sandbox (../sandbox/), or not at all.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXEC_OUTPUT_MAX, runArgv, sandboxApplies, sandboxPolicy, sandboxUnavailableReason, type RunResult } from '../sandbox/index.ts';
import { capText, optInt, ToolInputError, type ToolContext, type ToolDef } from './types.ts';

export { EXEC_OUTPUT_MAX, runArgv };

export const EXEC_DEFAULT_TIMEOUT_MS = 30_000;
export const EXEC_MAX_TIMEOUT_MS = 10 * 60_000;
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

/** Platforms with an OS sandbox (support.ts), where running exec outside it takes an explicit opt-in. */
const SANDBOX_PLATFORMS: readonly NodeJS.Platform[] = ['linux', 'darwin'];

/**
 * Null when exec may run in this turn. An agent whose config asks for a sandbox gets one or no
 * exec at all (fail closed): the gateway hands the turn a confinement only where the OS sandbox works.
 * An agent with `sandbox.mode: "off"` on Linux or macOS must say `tools.exec.unsandboxed: true`:
 * outside the sandbox a program reads the config, the control token and every agent's folders, and
 * no check on argv can stop a program from computing those paths (docs/security.md).
 */
export function sandboxRefusal(
  ctx: Pick<ToolContext, 'agent' | 'sessionKey' | 'config' | 'confinement'>,
  platform: NodeJS.Platform = process.platform,
): string | null {
  if (!sandboxApplies(ctx.agent, ctx.sessionKey, ctx.config)) {
    if (ctx.agent.sandbox.mode !== 'off' || ctx.agent.tools.exec.unsandboxed || !SANDBOX_PLATFORMS.includes(platform)) return null;
    return 'exec is refused: this agent has no sandbox (sandbox.mode "off"), and a program run without one can read the config file, the control token and every other agent\'s folders. Set sandbox.mode to "all" (or "non-main") in the agent\'s config, or set tools.exec.unsandboxed to true to accept that risk.';
  }
  const support = ctx.confinement?.sandbox.support();
  if (support?.available) return null;
  const why = support ? sandboxUnavailableReason(support) : 'no sandbox was provided for this turn';
  return `exec is refused: this agent's sandbox.mode is "${ctx.agent.sandbox.mode}" and ${why}, so commands are not run at all (fail closed).`;
}

/** Runs argv in the agent's sandbox, or directly when its config asks for none. */
async function runForAgent(argv: string[], timeoutMs: number, ctx: ToolContext): Promise<RunResult> {
  const confinement = sandboxApplies(ctx.agent, ctx.sessionKey, ctx.config) ? ctx.confinement : undefined;
  if (!confinement) {
    const cwd = await fs.realpath(ctx.paths.workspace);
    return runArgv(argv, { cwd, env: execEnv(ctx.env, cwd), timeoutMs, signal: ctx.signal });
  }
  const scratch =
    ctx.agent.sandbox.workspaceAccess === 'none' ? await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-exec-'))) : undefined;
  try {
    const policy = sandboxPolicy({ ...confinement.input, ...(scratch ? { scratch } : {}) });
    policy.cwd = await fs.realpath(policy.cwd);
    const wrapped = await confinement.sandbox.wrap(argv, policy, ctx.signal);
    try {
      return await runArgv(wrapped.argv, { cwd: policy.cwd, env: execEnv(ctx.env, policy.cwd), timeoutMs, signal: ctx.signal });
    } finally {
      wrapped.release();
    }
  } finally {
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
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
    const r = await runForAgent(argv, timeoutMs, ctx);
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
