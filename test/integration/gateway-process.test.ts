// `switchboard gateway` as a real process: its control line, a clean SIGTERM, one gateway per state
// dir, and crash safety — kill -9 mid-turn, restart, and every acknowledged message is on disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ControlEvents, ControlMethods } from '../../src-shared/protocol/methods.ts';
import { connectControl } from '../../src-main/control/ws-client.ts';
import { createGate, startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let peer: AnthropicPeer;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  peer = await startAnthropicPeer();
});
afterAll(async () => {
  await peer.close();
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
  peer.reset();
});

async function freshStateDir(): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-proc-'));
  await writeFile(path.join(dir, 'switchboard.json'), JSON.stringify({ models: { anthropic: { baseUrl: peer.url } } }));
  return dir;
}

/** Starts `switchboard gateway` and resolves with the child and the control URL it printed. */
function startGateway(stateDir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['bin/switchboard.mjs', 'gateway', '--port', '0', '--state-dir', stateDir], {
    cwd: ROOT,
    env: { ...withoutDbus(), ANTHROPIC_API_KEY: 'sk-test-proc', HOME: stateDir, SWITCHBOARD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^control: (ws:\/\/127\.0\.0\.1:\d+\/control)$/m.exec(out);
      if (m) resolve({ child, url: m[1]!, output: () => out + err });
    });
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}: ${out}${err}`)));
  });
}

/** The environment without a D-Bus session: no keychain, whatever the developer's desktop has. */
function withoutDbus(): NodeJS.ProcessEnv {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, DISPLAY: _display, ...rest } = process.env;
  return rest;
}

async function client(stateDir: string, url: string) {
  const token = (await readFile(path.join(stateDir, 'control-token'), 'utf8')).trim();
  return connectControl<ControlMethods, ControlEvents>(url, token, { timeoutMs: 5000 });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));

describe('switchboard gateway (process)', () => {
  it('prints its control line, answers over it, and stops cleanly on SIGTERM', async () => {
    const stateDir = await freshStateDir();
    const { child, url } = await startGateway(stateDir);
    const c = await client(stateDir, url);
    const replies: string[] = [];
    c.on('message.outbound', (d) => replies.push(d.text));
    await c.request('webchat.send', { agentId: 'main', text: 'ping' });
    for (let i = 0; i < 200 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(replies).toEqual(['echo: ping']);
    c.close();
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(existsSync(path.join(stateDir, 'gateway.lock'))).toBe(false);
  });

  it('writes its log to <stateDir>/logs/switchboard.log as well as stderr', async () => {
    const stateDir = await freshStateDir();
    const { child, output } = await startGateway(stateDir);
    child.kill('SIGTERM');
    await exited(child);
    const logged = await readFile(path.join(stateDir, 'logs', 'switchboard.log'), 'utf8');
    // SWITCHBOARD_LOG_LEVEL=warn and no D-Bus session here: the keychain warning, on both sinks.
    expect(logged).toContain('keychain unavailable');
    expect(output()).toContain(logged.split('\n')[0]!);
  });

  it('runs with no config file at all: one agent "main", webchat only', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sb-proc-'));
    const { url } = await startGateway(dir);
    const c = await client(dir, url);
    expect((await c.request('agents.list', {})).agents.map((a) => a.id)).toEqual(['main']);
    c.close();
  });

  it('refuses to start a second gateway for the same state dir', async () => {
    const stateDir = await freshStateDir();
    await startGateway(stateDir);
    const second = spawn(process.execPath, ['bin/switchboard.mjs', 'gateway', '--port', '0', '--state-dir', stateDir], {
      cwd: ROOT,
      env: { ...process.env, HOME: stateDir },
    });
    children.push(second);
    let err = '';
    second.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exited(second)).not.toBe(0);
    expect(err).toMatch(/already running/);
  });

  it('after kill -9 mid-turn, every acknowledged message is in a transcript and no line is broken', async () => {
    const stateDir = await freshStateDir();
    const gate = createGate();
    peer.setDefault(() => ({ kind: 'hold', release: gate.promise, text: 'a reply that never completes' }));
    const { child, url } = await startGateway(stateDir);
    const c = await client(stateDir, url);
    const acknowledged: string[] = [];
    const sends = Array.from({ length: 40 }, (_, i) =>
      c.request('webchat.send', { agentId: 'main', text: `msg-${i}`, sessionKey: `agent:main:webchat:s${i % 5}` }).then(
        () => acknowledged.push(`msg-${i}`),
        () => undefined,
      ),
    );
    await peer.waitForRequest(1);
    await Promise.race([Promise.all(sends), new Promise((r) => setTimeout(r, 2000))]);
    child.kill('SIGKILL');
    await exited(child);
    c.close();
    gate.open();
    expect(acknowledged.length).toBeGreaterThan(0);

    peer.setDefault(null);
    const restarted = await startGateway(stateDir);
    const c2 = await client(stateDir, restarted.url);
    const texts = new Set<string>();
    for (let s = 0; s < 5; s++) {
      const h = await c2
        .request('sessions.history', { agentId: 'main', sessionKey: `agent:main:webchat:s${s}`, limit: 1000 })
        .catch(() => ({ records: [] }));
      for (const r of h.records) if (r.type === 'message' && r.role === 'user') texts.add(String(r.text));
    }
    c2.close();
    for (const text of acknowledged) expect(texts, text).toContain(text);
    const sessionsDir = path.join(stateDir, 'agents', 'main', 'sessions');
    for (const file of (await readdir(sessionsDir)).filter((f) => f.endsWith('.jsonl'))) {
      const lines = (await readFile(path.join(sessionsDir, file), 'utf8')).split('\n').filter(Boolean);
      for (const line of lines) expect(() => JSON.parse(line), `${file}: ${line}`).not.toThrow();
    }
  });
});

/** util-linux `script` gives the gateway a terminal (a pty) for stdout and stderr. */
const hasScript = process.platform === 'linux' && ['/usr/bin/script', '/bin/script'].some((p) => existsSync(p));

/** `switchboard gateway` on a terminal; resolves with everything it printed up to its control line. */
function startGatewayOnTerminal(stateDir: string, extra: string[] = []): Promise<{ child: ChildProcess; printed: string }> {
  const cmd = [process.execPath, 'bin/switchboard.mjs', 'gateway', '--port', '0', '--state-dir', stateDir, ...extra]
    .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
    .join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    cwd: ROOT,
    env: { ...withoutDbus(), ANTHROPIC_API_KEY: 'sk-test-proc', HOME: stateDir, SWITCHBOARD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^control: ws:\/\//m.test(out)) resolve({ child, printed: out.replaceAll('\r\n', '\n') });
    });
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
  });
}

/** Stops the gateway itself (its pid is in gateway.json) and waits for the terminal to close. */
async function stopOnTerminal(stateDir: string, child: ChildProcess): Promise<void> {
  const { pid } = JSON.parse(await readFile(path.join(stateDir, 'gateway.json'), 'utf8')) as { pid: number };
  process.kill(pid, 'SIGTERM');
  await exited(child);
}

describe.skipIf(!hasScript)('switchboard gateway log lines on a terminal (process)', () => {
  it('are human lines on the terminal while the log file keeps JSON lines', async () => {
    const stateDir = await freshStateDir();
    const { child, printed } = await startGatewayOnTerminal(stateDir);
    await stopOnTerminal(stateDir, child);
    expect(printed).toMatch(/^\d\d:\d\d:\d\d WARN {2}gateway {2}keychain unavailable: /m);
    expect(printed).not.toContain('"level"');
    const logged = (await readFile(path.join(stateDir, 'logs', 'switchboard.log'), 'utf8')).split('\n').filter(Boolean);
    expect(logged.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ level: 'warn', module: 'gateway', msg: expect.stringMatching(/^keychain unavailable: /) }),
    );
  });

  it('stay JSON lines on the terminal with --json-logs', async () => {
    const stateDir = await freshStateDir();
    const { child, printed } = await startGatewayOnTerminal(stateDir, ['--json-logs']);
    await stopOnTerminal(stateDir, child);
    const warning = printed.split('\n').find((l) => l.includes('keychain unavailable'));
    expect(JSON.parse(warning!)).toMatchObject({ level: 'warn', module: 'gateway', msg: expect.stringMatching(/^keychain unavailable: /) });
  });
});

describe('switchboard channels status (process)', () => {
  it('lists configured accounts as stopped when no gateway runs, and live states through a running one', async () => {
    const stateDir = await freshStateDir();
    const config = { models: { anthropic: { baseUrl: peer.url } }, channels: { whatsapp: { accounts: { biz: {} } } } };
    await writeFile(path.join(stateDir, 'switchboard.json'), JSON.stringify(config));
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, ['bin/switchboard.mjs', ...args, '--state-dir', stateDir, '--json'], {
          cwd: ROOT,
          env: { ...process.env, HOME: stateDir },
        });
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.on('exit', (code) => resolve({ code, stdout }));
      });
    const offline = await run(['channels', 'status']);
    expect(JSON.parse(offline.stdout)).toEqual({
      channels: [{ channel: 'whatsapp', accountId: 'biz', state: 'stopped', reason: 'no gateway is running' }],
    });
    // The gateway's environment has no D-Bus session, so no keychain: the account, whose link state
    // is encrypted with a keychain key, must say so rather than crash or fall back to plaintext.
    await startGateway(stateDir);
    const live = JSON.parse((await run(['channels', 'status'])).stdout) as {
      channels: { channel: string; accountId: string; state: string; reason?: string }[];
    };
    expect(live.channels).toEqual([
      expect.objectContaining({
        channel: 'whatsapp',
        accountId: 'biz',
        state: 'error',
        reason: expect.stringMatching(/^credentials unavailable for WhatsApp account biz: keychain unavailable/),
      }),
    ]);
  });
});
