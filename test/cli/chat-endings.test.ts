// How `switchboard chat` ends when no reply comes: the gateway dies mid-reply, or refuses the
// message. Real processes: a headless gateway against the local Anthropic peer, and the CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGate, startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let peer: AnthropicPeer;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  peer = await startAnthropicPeer({ chunkSize: 4 });
});
afterAll(async () => {
  await peer.close();
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
  peer.reset();
});

function env(stateDir: string): NodeJS.ProcessEnv {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, DISPLAY: _display, ...rest } = process.env;
  return { ...rest, ANTHROPIC_API_KEY: 'sk-test-chat', HOME: stateDir, SWITCHBOARD_LOG_LEVEL: 'warn', CI: 'true' };
}

function startGateway(stateDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/switchboard.mjs', 'gateway', '--port', '0', '--state-dir', stateDir], {
    cwd: ROOT,
    env: env(stateDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^control: ws:\/\//m.test(out)) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
  });
}

interface ChatRun {
  child: ChildProcess;
  stdout: () => string;
  ended: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function chat(stateDir: string, text: string): ChatRun {
  const child = spawn(process.execPath, ['bin/switchboard.mjs', 'chat', text, '--state-dir', stateDir], {
    cwd: ROOT,
    env: env(stateDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    child,
    stdout: () => stdout,
    ended: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr }))),
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('switchboard chat without a finished reply', { timeout: 60_000 }, () => {
  it('says the gateway went away when it dies mid-reply, after printing what arrived', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sb-chat-'));
    await writeFile(path.join(dir, 'switchboard.json'), JSON.stringify({ models: { anthropic: { baseUrl: peer.url } } }));
    const gateway = await startGateway(dir);
    const gate = createGate();
    peer.setDefault(() => ({ kind: 'hold', release: gate.promise, text: 'half a reply that never completes' }));
    const run = chat(dir, 'hello?');
    await until(() => run.stdout().length > 0, 'the first streamed words');
    gateway.kill('SIGKILL');
    const ended = await run.ended;
    gate.open();
    expect(ended.code).toBe(1);
    expect(ended.stdout.length).toBeGreaterThan(0);
    expect('half a reply that never completes').toContain(ended.stdout.trim());
    expect(ended.stderr).toContain('error: the gateway went away before the reply was finished');
  });

  it('says the message was not accepted when the queue is full, instead of waiting forever', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sb-chat-'));
    // A limit of one queued message per session with one lane: the third message overflows.
    await writeFile(
      path.join(dir, 'switchboard.json'),
      JSON.stringify({ models: { anthropic: { baseUrl: peer.url } }, gateway: { maxConcurrentSessions: 1, queueLimit: 1 } }),
    );
    await startGateway(dir);
    const gate = createGate();
    peer.setDefault(() => ({ kind: 'hold', release: gate.promise, text: 'busy' }));
    const first = chat(dir, 'one');
    await peer.waitForRequest(1);
    // One of the next two waits in the queue, the other finds it full (whichever connects last).
    const second = chat(dir, 'two');
    const third = chat(dir, 'three');
    const overflowed = await Promise.race([second.ended, third.ended]);
    gate.open();
    await Promise.all([first.ended, second.ended, third.ended]);
    expect(overflowed.code).toBe(1);
    expect(overflowed.stderr).toContain('error: the message was not accepted: too many messages are waiting');
  });
});
