// The credential commands as a user runs them (real `switchboard` processes) against a real
// gnome-keyring: values only from stdin, never printed; import + migrate leave no plaintext in the
// state dir; auth add/list/test/remove against the local Anthropic peer; --purge empties the keychain.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { SecretStore } from '../../src-main/secrets/store.ts';
import { startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';
import { describeWithKeyring, keyringWithStore, type Keyring } from '../helpers/keyring.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TG_PLAIN = '555555:PLAINTEXTtelegramTOKENzzzzzzzzzz';
const DC_PLAIN = 'plaintext-discord-token-value-0123';
const GOOD_KEY = 'sk-cli-good-key-42';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function everyFile(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await everyFile(p)));
    else out.push(p);
  }
  return out;
}

describeWithKeyring('credential commands', () => {
  let keyring: Keyring;
  let peer: AnthropicPeer;
  let root: string;
  let state: string;
  let store: SecretStore;

  function sb(args: string[], opts: { stdin?: string; keychain?: boolean } = {}): Promise<Run> {
    return new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        HOME: root,
        CI: 'true',
        SWITCHBOARD_STATE_DIR: undefined,
        SWITCHBOARD_CONFIG_PATH: undefined,
        DISPLAY: undefined,
        DBUS_SESSION_BUS_ADDRESS: undefined,
      };
      if (opts.keychain !== false) Object.assign(env, keyring.env);
      const child = execFile(
        process.execPath,
        ['bin/switchboard.mjs', ...args, '--state-dir', state],
        { cwd: ROOT, env },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
        },
      );
      child.stdin!.end(opts.stdin ?? '');
    });
  }

  async function writeConfig(text: string): Promise<string> {
    await mkdir(state, { recursive: true });
    await writeFile(path.join(state, 'switchboard.json'), text);
    return path.join(state, 'switchboard.json');
  }

  beforeAll(async () => {
    ({ keyring, store } = await keyringWithStore());
    peer = await startAnthropicPeer({ keys: [GOOD_KEY] });
  });
  afterAll(async () => {
    await peer?.close();
    await keyring?.stop();
  });
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'sb-credcli-'));
    state = path.join(root, 'state');
    return async () => {
      for (const account of await store.list()) await store.delete(account);
      await rm(root, { recursive: true, force: true });
    };
  });

  it('stores a secret from stdin and lists its name without the value', async () => {
    expect((await sb(['secrets', 'set', 'telegram/default'], { stdin: `${TG_PLAIN}\n` })).code).toBe(0);
    const listed = await sb(['secrets', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      keychain: { available: true },
      secrets: [{ name: 'telegram/default', stored: true }],
    });
    expect(listed.stdout).not.toContain(TG_PLAIN);
  });

  it('deletes a secret', async () => {
    await sb(['secrets', 'set', 'gone'], { stdin: 'some-secret-value-1' });
    expect((await sb(['secrets', 'delete', 'gone'])).code).toBe(0);
    expect(JSON.parse((await sb(['secrets', 'list', '--json'])).stdout).secrets).toEqual([]);
  });

  it('never takes the value from the command line', async () => {
    const run = await sb(['secrets', 'set', 'telegram/default', TG_PLAIN]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/never from the command line/);
  });

  it('says what to do when no keychain is reachable', async () => {
    const run = await sb(['secrets', 'set', 'x'], { stdin: 'some-secret-value-1', keychain: false });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/keychain unavailable: no Secret Service \(D-Bus session\)/);
  });

  it('migrates plaintext from the config into the keychain and leaves it nowhere in the state dir', async () => {
    const configPath = await writeConfig(`{
  // comments survive the rewrite
  channels: { telegram: { botToken: "${TG_PLAIN}" }, discord: { token: "${DC_PLAIN}" } },
}`);
    const run = await sb(['secrets', 'migrate', '--json']);
    expect(run.code).toBe(0);
    expect(await readFile(configPath, 'utf8')).toMatch(/comments survive[\s\S]*secret: ['"]telegram\/default['"]/);
    expect(JSON.parse((await sb(['secrets', 'list', '--json'])).stdout).secrets).toEqual([
      { name: 'discord/default', stored: true, usedAt: ['channels.discord.token'] },
      { name: 'telegram/default', stored: true, usedAt: ['channels.telegram.botToken'] },
    ]);
    for (const file of await everyFile(state)) {
      const bytes = await readFile(file, 'utf8');
      expect(bytes.includes(TG_PLAIN) || bytes.includes(DC_PLAIN), file).toBe(false);
    }
  });

  it('goes from a plaintext openclaw.json to keychain-only secrets with import (no keychain) + migrate --from', async () => {
    const foreign = path.join(root, 'openclaw.json');
    await writeFile(foreign, JSON.stringify({ agents: { list: [{ id: 'main' }] }, channels: { telegram: { botToken: TG_PLAIN } } }));
    const imported = await sb(['import', foreign], { keychain: false });
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('switchboard secrets set telegram/default');
    expect((await sb(['secrets', 'migrate', '--from', foreign])).code).toBe(0);
    expect(JSON.parse((await sb(['secrets', 'list', '--json'])).stdout).secrets).toEqual([
      { name: 'telegram/default', stored: true, usedAt: ['channels.telegram.botToken'] },
    ]);
    for (const file of await everyFile(state)) expect((await readFile(file, 'utf8')).includes(TG_PLAIN), file).toBe(false);
  });

  it('stores imported values in the keychain when it is available', async () => {
    const foreign = path.join(root, 'openclaw.json');
    await writeFile(foreign, JSON.stringify({ channels: { discord: { token: DC_PLAIN } } }));
    expect(JSON.parse((await sb(['import', foreign, '--json'])).stdout)).toMatchObject({ keychain: { stored: true }, secretCommands: [] });
    expect(JSON.parse((await sb(['secrets', 'list', '--json'])).stdout).secrets).toEqual([
      { name: 'discord/default', stored: true, usedAt: ['channels.discord.token'] },
    ]);
  });

  it('adds a key from stdin, lists the profile without it, and tests it against the API', async () => {
    await writeConfig(JSON.stringify({ agents: { list: [{ id: 'helper' }] }, models: { anthropic: { baseUrl: peer.url } } }));
    expect((await sb(['auth', 'add', '--agent', 'helper', '--profile', 'work', '--label', 'Work'], { stdin: GOOD_KEY })).code).toBe(0);
    const listed = await sb(['auth', 'list', '--agent', 'helper', '--json']);
    expect(JSON.parse(listed.stdout).agents[0].profiles).toEqual([
      expect.objectContaining({ profileId: 'work', label: 'Work', keyStored: true }),
    ]);
    expect(listed.stdout).not.toContain(GOOD_KEY);
    const tested = await sb(['auth', 'test', '--agent', 'helper', '--json']);
    expect(JSON.parse(tested.stdout).results).toEqual([expect.objectContaining({ profileId: 'work', ok: true })]);
  });

  it('reports a rejected key from auth test and exits 1', async () => {
    await writeConfig(JSON.stringify({ agents: { list: [{ id: 'helper' }] }, models: { anthropic: { baseUrl: peer.url } } }));
    await sb(['auth', 'add', '--agent', 'helper'], { stdin: 'sk-cli-rejected-key-1' });
    const tested = await sb(['auth', 'test', '--agent', 'helper']);
    expect(tested.code).toBe(1);
    expect(tested.stdout).toMatch(/FAIL\s+default: the key was rejected/);
    expect(tested.stdout).not.toContain('sk-cli-rejected-key-1');
  });

  it('copies a profile only when asked', async () => {
    await sb(['agents', 'add', 'alpha']);
    await sb(['agents', 'add', 'beta']);
    await sb(['auth', 'add', '--agent', 'alpha'], { stdin: 'sk-alpha-only-key-1' });
    expect(JSON.parse((await sb(['auth', 'list', '--agent', 'beta', '--json'])).stdout).agents[0].profiles).toEqual([]);
    const copied = await sb(['auth', 'copy', '--from', 'alpha', '--to', 'beta', '--json']);
    expect(JSON.parse(copied.stdout)).toEqual({
      from: 'alpha',
      to: 'beta',
      copied: [{ profileId: 'default', from: 'alpha' }],
      skipped: [],
    });
    expect(copied.stdout).not.toContain('sk-alpha-only-key-1');
    expect(JSON.parse((await sb(['auth', 'list', '--agent', 'beta', '--json'])).stdout).agents[0].profiles).toEqual([
      expect.objectContaining({ profileId: 'default', keyStored: true }),
    ]);
    expect(await store.get('agent:beta:auth:default')).toBe('sk-alpha-only-key-1');
  }, 60_000); // fourteen CLI processes, each with its own start-up

  it('says why there was nothing to copy, through the same copy the control plane uses', async () => {
    await writeConfig(JSON.stringify({ agents: { list: [{ id: 'alpha' }, { id: 'beta' }] } }));
    await sb(['auth', 'add', '--agent', 'alpha'], { stdin: 'sk-alpha-only-key-1' });
    await sb(['auth', 'copy', '--from', 'alpha', '--to', 'beta']);
    const again = await sb(['auth', 'copy', '--from', 'alpha', '--to', 'beta']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('nothing to copy from agent "alpha" to agent "beta": agent "beta" already has this key');
    const none = await sb(['auth', 'copy', '--from', 'beta', '--to', 'alpha', '--profile', 'other']);
    expect(none.stderr).toContain('agent "beta" has no profile "other"');
  });

  it("deletes the agent's keychain entries with agents remove --purge", async () => {
    await sb(['agents', 'add', 'temp']);
    await sb(['auth', 'add', '--agent', 'temp', '--profile', 'a'], { stdin: 'sk-temp-key-aaaa' });
    await sb(['auth', 'add', '--agent', 'temp', '--profile', 'b'], { stdin: 'sk-temp-key-bbbb' });
    const removed = await sb(['agents', 'remove', 'temp', '--purge', '--json']);
    expect(JSON.parse(removed.stdout).keychainDeleted).toEqual(['agent:temp:auth:a', 'agent:temp:auth:b']);
  });
});
