// The headless gateway with a real gnome-keyring: auth-profile rotation on a 401 from the local
// Anthropic peer, the credential control methods, and canary secrets forced through error paths
// (Anthropic 401, a Telegram 401 URL, a failing file download URL) that must never come out.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ControlEvents, ControlMethods } from '../../src-shared/protocol/methods.ts';
import { connectControl, type ControlClient } from '../../src-main/control/ws-client.ts';
import type { ChannelAdapter } from '../../src-main/gateway/envelope.ts';
import { startHeadlessGateway, type HeadlessGateway } from '../../src-main/gateway/headless.ts';
import { streamLogger } from '../../src-main/log.ts';
import { AuthProfiles } from '../../src-main/secrets/auth-profiles.ts';
import { channelTokenRef, keychainResolver } from '../../src-main/secrets/resolver.ts';
import { secretAccount, type SecretStore } from '../../src-main/secrets/store.ts';
import { startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';
import { describeWithKeyring, keyringWithStore, type Keyring } from '../helpers/keyring.ts';

const TG_CANARY = '123456:CANARYtgTOKENabcdefghijklmnop';
const KEY_CANARY = 'canary-anthropic-key-7f3e9a1b';
const GOOD_KEY = 'sk-good-second-key-000';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

describeWithKeyring('gateway credentials on a real keychain', () => {
  let keyring: Keyring;
  let store: SecretStore;
  let peer: AnthropicPeer;
  let dir: string;
  let gw: HeadlessGateway;
  let client: ControlClient<ControlMethods, ControlEvents>;
  const logs: string[] = [];
  const events: string[] = [];
  const agentRef = (id: string) => ({ id, agentDir: path.join(dir, 'agents', id, 'agent'), scope: 'agent' as const });

  beforeAll(async () => {
    ({ keyring, store } = await keyringWithStore());
    peer = await startAnthropicPeer({ keys: [GOOD_KEY] });
    dir = await mkdtemp(path.join(os.tmpdir(), 'sb-cred-'));
    await store.set(secretAccount('telegram/default'), TG_CANARY);
    await writeFile(
      path.join(dir, 'switchboard.json'),
      JSON.stringify({
        models: { anthropic: { baseUrl: peer.url } },
        agents: { list: [{ id: 'rota', default: true }, { id: 'canary' }] },
        channels: { telegram: { botToken: { secret: 'telegram/default' } } },
      }),
    );
    const resolver = keychainResolver(store, {});
    // A Telegram-like adapter that fails the way grammY does: the token ends up in URLs in errors.
    const adapters = (account: { channel: string; accountId: string; secrets: Record<string, unknown> }): ChannelAdapter => {
      let token = '';
      return {
        channel: 'telegram',
        accountId: account.accountId,
        async start() {
          token = await resolver.resolve(channelTokenRef(account as never)!, 'telegram:default');
          throw new Error(`Call to 'getMe' failed! (401: Unauthorized) GET https://api.telegram.org/bot${token}/getMe`);
        },
        async stop() {},
        async send() {},
        status: () => ({
          channel: 'telegram',
          accountId: account.accountId,
          state: 'error',
          lastError: `file download failed: https://api.telegram.org/file/bot${token}/voice/file_7.oga: 404`,
        }),
      } as unknown as ChannelAdapter;
    };
    gw = await startHeadlessGateway({
      loc: { stateDir: dir, configPath: path.join(dir, 'switchboard.json') },
      version: 'test',
      homeDir: dir,
      port: 0,
      env: {},
      log: streamLogger((line) => logs.push(line), 'debug'),
      secrets: store,
      adapters: adapters as never,
      stopGraceMs: 2000,
    });
    client = await connectControl<ControlMethods, ControlEvents>(gw.url, gw.token, { timeoutMs: 5000 });
    for (const name of ['message.outbound', 'agent.state', 'message.inbound', 'agent.delta', 'message.dropped'])
      client.on(name as keyof ControlEvents, (d: unknown) => events.push(JSON.stringify(d)));
  });
  afterAll(async () => {
    client?.close();
    await gw?.close();
    await peer?.close();
    await keyring?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const outbound = (agentId: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const off = client.on('message.outbound', (d) => {
        if (d.agentId === agentId) {
          off();
          resolve(d as Record<string, unknown>);
        }
      });
    });

  it('reports the keychain as available in status', async () => {
    expect((await client.request('status', {})).keychain).toEqual({ available: true, reason: null });
  });

  it('rotates to the second profile when the peer rejects the first, and marks the first', async () => {
    const profiles = new AuthProfiles(store, dir);
    await profiles.add(agentRef('rota'), { profileId: 'first', apiKey: 'sk-bad-first-key-111' });
    await profiles.add(agentRef('rota'), { profileId: 'second', apiKey: GOOD_KEY });
    const done = outbound('rota');
    await client.request('webchat.send', { agentId: 'rota', text: 'hi' });
    expect(await done).toMatchObject({ text: 'echo: hi' });
    expect(peer.requests.map((r) => r.apiKey)).toEqual(['sk-bad-first-key-111', GOOD_KEY]);
    const file = JSON.parse(await readFile(path.join(dir, 'agents', 'rota', 'agent', 'auth-profiles.json'), 'utf8')) as {
      profiles: { profileId: string; lastError?: unknown }[];
    };
    expect(file.profiles.find((p) => p.profileId === 'first')!.lastError).toMatchObject({ kind: 'auth' });
  });

  it('lists profiles over the control plane without their keys', async () => {
    const listed = await client.request('auth.list', { agentId: 'rota' });
    expect(listed.agents[0]!.profiles.map((p) => [p.profileId, p.keyStored])).toEqual([
      ['first', true],
      ['second', true],
    ]);
    expect(JSON.stringify(listed)).not.toContain(GOOD_KEY);
    expect(listed.envKey).toBe(false); // this gateway runs without ANTHROPIC_API_KEY
  });

  it('tests an agent key with a real call to the configured base URL', async () => {
    const result = await client.request('auth.test', { agentId: 'rota', profileId: 'second' });
    expect(result.results).toEqual([expect.objectContaining({ profileId: 'second', ok: true })]);
  });

  it('adds a profile through auth.add and uses it on the next turn', async () => {
    await client.request('auth.add', { agentId: 'canary', profileId: 'p1', apiKey: GOOD_KEY });
    const done = outbound('canary');
    await client.request('webchat.send', { agentId: 'canary', text: 'added' });
    expect(await done).toMatchObject({ text: 'echo: added' });
    await client.request('auth.remove', { agentId: 'canary', profileId: 'p1' });
  });

  it('sets, lists and deletes named secrets through the control plane, never showing values', async () => {
    await client.request('secrets.set', { name: 'discord/work', value: 'discord-secret-value-1' });
    const listed = await client.request('secrets.list', {});
    expect(listed.secrets).toEqual(
      expect.arrayContaining([
        { name: 'telegram/default', stored: true, usedAt: ['channels.telegram.botToken'] },
        { name: 'discord/work', stored: true, usedAt: [] },
      ]),
    );
    expect(JSON.stringify(listed)).not.toMatch(/discord-secret-value-1|CANARY/);
    expect(await client.request('secrets.delete', { name: 'discord/work' })).toEqual({ name: 'discord/work', deleted: true });
  });

  it('never lets canary secrets out through logs, transcripts or control-plane output', async () => {
    const profiles = new AuthProfiles(store, dir);
    await profiles.add(agentRef('canary'), { profileId: 'bad', apiKey: KEY_CANARY });
    // First the peer itself rejects the canary key, then an accepted key gets a 401 whose message echoes secrets.
    let done = outbound('canary');
    await client.request('webchat.send', { agentId: 'canary', text: 'trigger' });
    expect(await done).toMatchObject({ failure: 'auth' });
    await profiles.add(agentRef('canary'), { profileId: 'echoed', apiKey: GOOD_KEY });
    peer.enqueue({
      kind: 'error',
      status: 401,
      message: `invalid x-api-key ${KEY_CANARY}; upstream https://api.telegram.org/bot${TG_CANARY}/getMe`,
    });
    done = outbound('canary');
    await client.request('webchat.send', { agentId: 'canary', text: 'trigger again' });
    expect(await done).toMatchObject({ failure: 'auth' });
    const outputs = [
      ...logs,
      ...events,
      JSON.stringify(await client.request('status', {})),
      JSON.stringify(await client.request('agents.list', {})),
      JSON.stringify(await client.request('auth.test', { agentId: 'canary' })),
      JSON.stringify(await client.request('sessions.history', { agentId: 'canary', sessionKey: 'agent:canary:main' })),
    ];
    for (const file of await filesUnder(path.join(dir, 'agents'))) outputs.push(await readFile(file, 'utf8'));
    expect(logs.join('')).toMatch(/upstream https:\/\/api\.telegram\.org\/bot[^/]*\[redacted\]\/getMe/);
    const leaks = outputs.filter((o) => o.includes('CANARY') || o.includes(KEY_CANARY));
    expect(leaks).toEqual([]);
  });
});
