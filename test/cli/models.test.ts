// `switchboard models list` and `switchboard agents set` as a user runs them (real processes), and
// a running gateway answering with the model `agents set` chose.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import JSON5 from 'json5';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEPRECATED_MODELS } from '../../src-shared/config/index.ts';
import { startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';

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

function env(): NodeJS.ProcessEnv {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, DISPLAY: _display, ...rest } = process.env;
  return { ...rest, ANTHROPIC_API_KEY: 'sk-test-models', HOME: dir, SWITCHBOARD_LOG_LEVEL: 'warn', CI: 'true' };
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/switchboard.mjs'), ...args, '--state-dir', dir],
      { cwd: ROOT, env: env() },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function fresh(config: unknown): Promise<void> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-models-'));
  await writeFile(path.join(dir, 'switchboard.json'), `// my agents\n${JSON.stringify(config, null, 2)}\n`);
}

describe('models list', { timeout: 60_000 }, () => {
  it('lists current models with the agents using each, deprecated ones only with --all', async () => {
    await fresh({ agents: { list: [{ id: 'home', model: 'claude-opus-5-5' }, { id: 'work' }] } });
    const r = await cli(['models', 'list', '--json']);
    expect(r.code).toBe(0);
    const models = (JSON.parse(r.stdout) as { models: { model: string; agents: string[]; deprecated: string | null }[] }).models;
    expect(models.find((m) => m.model === 'claude-opus-5-5')?.agents).toEqual(['home']);
    expect(models.find((m) => m.model === 'claude-sonnet-5-5')?.agents).toEqual(['work']);
    const deprecated = Object.keys(DEPRECATED_MODELS);
    expect(models.some((m) => deprecated.includes(m.model))).toBe(false);
    const all = JSON.parse((await cli(['models', 'list', '--all', '--json'])).stdout) as { models: { model: string }[] };
    for (const name of deprecated) expect(all.models.map((m) => m.model)).toContain(name);
  });
});

describe('agents set', { timeout: 60_000 }, () => {
  it('changes the model in place and keeps the comments of the file', async () => {
    await fresh({ agents: { list: [{ id: 'home' }, { id: 'work', model: 'claude-haiku-5-5' }] } });
    const r = await cli(['agents', 'set', 'work', '--model', 'claude-opus-5-5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Updated agent "work"');
    const text = await readFile(path.join(dir, 'switchboard.json'), 'utf8');
    expect(text.startsWith('// my agents\n')).toBe(true);
    const written = JSON5.parse(text) as { agents: { list: { id: string; model?: string }[] } };
    expect(written.agents.list).toEqual([{ id: 'home' }, { id: 'work', model: 'claude-opus-5-5' }]);
  });

  it('an unknown agent is an error with the nearest id, and the file is untouched', async () => {
    await fresh({ agents: { list: [{ id: 'work' }] } });
    const before = await readFile(path.join(dir, 'switchboard.json'), 'utf8');
    const r = await cli(['agents', 'set', 'wrok', '--model', 'claude-opus-5-5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('agent "wrok" does not exist (did you mean "work"?)');
    expect(await readFile(path.join(dir, 'switchboard.json'), 'utf8')).toBe(before);
  });

  it('a model outside the SDK list is written with a warning that suggests the nearest', async () => {
    await fresh({ agents: { list: [{ id: 'work' }] } });
    const r = await cli(['agents', 'set', 'work', '--model', 'claude-opus-55']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('did you mean "claude-opus-5-5"?');
  });

  it('nothing to change is a usage error', async () => {
    await fresh({});
    const r = await cli(['agents', 'set', 'main']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing to change');
  });

  it('a running gateway answers with the model agents set chose, the built-in main agent included', { timeout: 60_000 }, async () => {
    await fresh({ models: { anthropic: { baseUrl: peer.url } } });
    const gateway = spawn(process.execPath, ['bin/switchboard.mjs', 'gateway', '--port', '0', '--state-dir', dir], {
      cwd: ROOT,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(gateway);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      gateway.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('control: ws://')) resolve();
      });
      gateway.on('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    });
    const set = await cli(['agents', 'set', 'main', '--model', 'claude-haiku-5-5']);
    expect(set.code, set.stderr).toBe(0);
    // The gateway reloads on the file change; a chat after that uses the new model.
    let model: string | undefined;
    for (let attempt = 0; attempt < 20 && model !== 'claude-haiku-5-5'; attempt++) {
      const chat = await cli(['chat', `ping ${attempt}`]);
      expect(chat.code, chat.stderr).toBe(0);
      model = (peer.requests.at(-1)?.body as { model?: string } | undefined)?.model;
    }
    expect(model).toBe('claude-haiku-5-5');
  });
});
