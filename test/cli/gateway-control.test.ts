// `switchboard gateway start|stop|restart|status` and the CLI's usage rules, as a user runs them:
// real processes (bin/switchboard.mjs), a fresh HOME and state dir, a real background gateway on a
// free loopback port. Every gateway a test starts is ended in afterAll, whatever happened.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'switchboard.mjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string;
let state: string;
const pids = new Set<number>();

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args, '--state-dir', state],
      {
        cwd: ROOT,
        env: { ...process.env, HOME: home, CI: 'true', SWITCHBOARD_STATE_DIR: undefined, SWITCHBOARD_CONFIG_PATH: undefined },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function info(): { pid: number; port: number; host?: string } | undefined {
  const file = path.join(state, 'gateway.json');
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; port: number; host?: string };
  pids.add(parsed.pid);
  return parsed;
}

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'sb-gwctl-home-'));
  state = path.join(home, 'state');
});

afterAll(async () => {
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await fs.rm(home, { recursive: true, force: true });
});

describe('gateway stop / status with no gateway running', { timeout: 60_000 }, () => {
  it('stop says there is nothing to stop and starts nothing', async () => {
    const r = await cli(['gateway', 'stop']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`no gateway is running for ${state}; nothing to stop`);
    expect(info()).toBeUndefined();
  });

  it('status says "not running" with exit code 3', async () => {
    const r = await cli(['gateway', 'status', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({ running: false, stateDir: state });
  });
});

describe('gateway start, restart, stop', { timeout: 90_000 }, () => {
  it('start runs a background gateway that answers status; restart replaces it on the same port; stop ends it', async () => {
    const started = await cli(['gateway', 'start', '--port', '0', '--json']);
    expect(started.code, started.stderr).toBe(0);
    const first = JSON.parse(started.stdout) as { pid: number; port: number };
    pids.add(first.pid);
    expect(alive(first.pid)).toBe(true);
    expect(info()).toMatchObject({ pid: first.pid, port: first.port, host: 'headless' });

    const again = await cli(['gateway', 'start']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`a gateway is already running for ${state} (pid ${first.pid})`);

    const status = await cli(['gateway', 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`gateway: running as pid ${first.pid} (headless)`);
    expect(status.stdout).toContain('gateway running since');

    const restarted = await cli(['gateway', 'restart']);
    expect(restarted.code, restarted.stderr).toBe(0);
    const second = info()!;
    expect(second.pid).not.toBe(first.pid);
    expect(second.port).toBe(first.port);
    expect(alive(first.pid)).toBe(false);
    expect(restarted.stdout).toContain(`gateway restarted (pid ${first.pid} → ${second.pid})`);
    expect(restarted.stdout).toContain(`dashboard: http://127.0.0.1:${first.port}/`);

    const stopped = await cli(['gateway', 'stop']);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain(`gateway stopped (pid ${second.pid})`);
    expect(alive(second.pid)).toBe(false);
    expect(existsSync(path.join(state, 'gateway.json'))).toBe(false);
    expect(existsSync(path.join(state, 'gateway.lock'))).toBe(false);
  });

  it('restart with none running starts one', async () => {
    const r = await cli(['gateway', 'restart', '--port', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('no gateway was running; started one');
    const running = info()!;
    expect(alive(running.pid)).toBe(true);
    expect((await cli(['gateway', 'stop'])).code).toBe(0);
    expect(alive(running.pid)).toBe(false);
  });

  it('a start that fails says why (the port is taken) and leaves nothing running', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await cli(['gateway', 'start', '--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the gateway did not start \(it exited with code \d+\)/);
      expect(r.stderr).toContain(`${port}`);
      expect(info()).toBeUndefined();
    } finally {
      blocker.close();
    }
  });
});

describe('usage errors instead of guesses', { timeout: 60_000 }, () => {
  it('a mistyped sub-command is an error with the nearest command, and starts no gateway', async () => {
    const r = await cli(['gateway', 'restrat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unexpected "restrat" after "gateway" (did you mean "gateway restart"?)');
    expect(info()).toBeUndefined();
  });

  it('an unknown command suggests the nearest one', async () => {
    const r = await cli(['agents', 'lst']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "agents lst" (did you mean "agents list"?)');
  });

  it('an unknown flag suggests the nearest flag of that command', async () => {
    const r = await cli(['agents', 'list', '--bindigs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option "--bindigs" for "agents list" (did you mean "--bindings"?)');
  });

  it('extra words after a command are an error, missing ones too', async () => {
    const extra = await cli(['config', 'path', 'now']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('unexpected "now" after "config path"');
    const missing = await cli(['agents', 'add']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('"agents add" needs more words');
    expect(missing.stderr).toContain('usage: switchboard agents add <id>');
  });

  it('per-command help lists its options, and "help <command>" is the same', async () => {
    const viaFlag = await cli(['bindings', 'add', '--help']);
    const viaHelp = await cli(['help', 'bindings', 'add']);
    expect(viaFlag.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaFlag.stdout).toContain('usage: switchboard bindings add');
    for (const line of ['--agent A', '--channel C', '--peer KIND:ID', '--before N', '--state-dir DIR'])
      expect(viaFlag.stdout).toContain(line);
  });
});
