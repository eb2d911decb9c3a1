// `auth.copy` on the headless gateway with a real gnome-keyring: one agent's key is copied to
// another inside the keychain, the target's next turn reaches the local Anthropic peer with it, no
// result or error carries the key, and bad input (unknown agents, nothing to copy, no keychain)
// gets an error a user can act on.
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlEvents, ControlMethods } from '../../src-shared/protocol/methods.ts';
import { connectControl, type ControlClient } from '../../src-main/control/ws-client.ts';
import { startHeadlessGateway, type HeadlessGateway } from '../../src-main/gateway/headless.ts';
import { streamLogger } from '../../src-main/log.ts';
import { AuthProfiles } from '../../src-main/secrets/auth-profiles.ts';
import { UnavailableSecretStore, type SecretStore } from '../../src-main/secrets/store.ts';
import { startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';
import { describeWithKeyring, keyringWithStore, type Keyring } from '../helpers/keyring.ts';

const ALPHA_KEY = 'sk-alpha-copied-key-5d1e';
const ALPHA_SPARE = 'sk-alpha-spare-key-93c0';

type Client = ControlClient<ControlMethods, ControlEvents>;

async function gatewayIn(
  dir: string,
  config: Record<string, unknown>,
  secrets: SecretStore,
): Promise<{ gw: HeadlessGateway; client: Client }> {
  await writeFile(path.join(dir, 'switchboard.json'), JSON.stringify(config));
  const gw = await startHeadlessGateway({
    loc: { stateDir: dir, configPath: path.join(dir, 'switchboard.json') },
    version: 'test',
    homeDir: dir,
    port: 0,
    env: {},
    log: streamLogger(() => {}, 'warn'),
    secrets,
    stopGraceMs: 2000,
  });
  return { gw, client: await connectControl<ControlMethods, ControlEvents>(gw.url, gw.token, { timeoutMs: 5000 }) };
}

/** The error a request was refused with, as the client sees it. */
async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call;
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error('the request was not refused');
}

describeWithKeyring('auth.copy on a real keychain', () => {
  let keyring: Keyring;
  let store: SecretStore;
  let peer: AnthropicPeer;
  let dir: string;
  let gw: HeadlessGateway;
  let client: Client;
  const ref = (id: string) => ({ id, agentDir: path.join(dir, 'agents', id, 'agent'), scope: 'agent' as const });
  const outputs: string[] = [];

  beforeAll(async () => {
    ({ keyring, store } = await keyringWithStore());
    // Only alpha's keys open the peer, and the gateway has no ANTHROPIC_API_KEY: a turn of beta
    // that gets an answer used a key copied from alpha.
    peer = await startAnthropicPeer({ keys: [ALPHA_KEY, ALPHA_SPARE] });
    dir = await mkdtemp(path.join(os.tmpdir(), 'sb-authcopy-'));
    ({ gw, client } = await gatewayIn(
      dir,
      {
        models: { anthropic: { baseUrl: peer.url } },
        agents: { list: [{ id: 'alpha', default: true }, { id: 'beta' }, { id: 'gamma' }, { id: 'empty' }] },
      },
      store,
    ));
    await new AuthProfiles(store, dir).add(ref('alpha'), { profileId: 'work', label: 'Work key', apiKey: ALPHA_KEY });
  });
  afterAll(async () => {
    client?.close();
    await gw?.close();
    await peer?.close();
    for (const account of (await store?.list().catch(() => [])) ?? []) await store.delete(account);
    await keyring?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const copy = async (params: Parameters<Client['request']>[1]) => {
    const result = await client.request('auth.copy', params as never);
    outputs.push(JSON.stringify(result));
    return result;
  };
  const refused = async (params: unknown) => {
    const error = await refusal(client.request('auth.copy', params as never));
    outputs.push(JSON.stringify(error));
    return error;
  };

  it("copies alpha's profile into beta's own profiles, and beta's next turn uses the copied key", async () => {
    const result = await copy({ fromAgentId: 'alpha', toAgentId: 'beta' });
    expect(result).toEqual({ toAgentId: 'beta', copied: [{ profileId: 'work', from: 'alpha' }], skipped: [] });
    expect(await store.get('agent:beta:auth:work')).toBe(ALPHA_KEY);
    const listed = await client.request('auth.list', { agentId: 'beta' });
    outputs.push(JSON.stringify(listed));
    expect(listed.agents[0]!.profiles).toEqual([
      expect.objectContaining({ profileId: 'work', label: 'Work key', scope: 'agent', keyStored: true }),
    ]);

    const asked = peer.requests.length;
    const done = new Promise<Record<string, unknown>>((resolve) => {
      const off = client.on('message.outbound', (d) => {
        if (d.agentId === 'beta') {
          off();
          resolve(d as Record<string, unknown>);
        }
      });
    });
    await client.request('webchat.send', { agentId: 'beta', text: 'hello from beta' });
    expect(await done).toMatchObject({ text: 'echo: hello from beta' });
    expect(peer.requests.slice(asked).map((r) => r.apiKey)).toEqual([ALPHA_KEY]);
  });

  it('copies only the profiles named, and skips one the target already has, saying why', async () => {
    await new AuthProfiles(store, dir).add(ref('alpha'), { profileId: 'spare', apiKey: ALPHA_SPARE });
    expect(await copy({ fromAgentId: 'alpha', toAgentId: 'gamma', profileIds: ['spare'] })).toEqual({
      toAgentId: 'gamma',
      copied: [{ profileId: 'spare', from: 'alpha' }],
      skipped: [],
    });
    expect(await store.get('agent:gamma:auth:work')).toBeNull();
    expect(await copy({ fromAgentId: 'ALPHA', toAgentId: 'beta' })).toEqual({
      toAgentId: 'beta',
      copied: [{ profileId: 'spare', from: 'alpha' }],
      skipped: [{ profileId: 'work', reason: 'agent "beta" already has this key' }],
    });
  });

  it('never overwrites a key the target already has under the same profile id', async () => {
    await new AuthProfiles(store, dir).add(ref('gamma'), { profileId: 'work', apiKey: 'sk-gamma-own-key-77aa' });
    const error = await refused({ fromAgentId: 'alpha', toAgentId: 'gamma', profileIds: ['work'] });
    expect(error).toEqual({
      code: 'bad_request',
      message:
        'nothing to copy from agent "alpha" to agent "gamma": agent "gamma" already has a profile "work" with another key; remove that profile first to replace it',
    });
    expect(await store.get('agent:gamma:auth:work')).toBe('sk-gamma-own-key-77aa');
  });

  it('refuses with bad_request when the source agent has no keys of its own', async () => {
    expect(await refused({ fromAgentId: 'empty', toAgentId: 'alpha' })).toEqual({
      code: 'bad_request',
      message: 'nothing to copy from agent "empty" to agent "alpha": agent "empty" has no keys of its own',
    });
  });

  it('refuses with bad_request when a named profile does not exist', async () => {
    expect(await refused({ fromAgentId: 'alpha', toAgentId: 'gamma', profileIds: ['nope'] })).toEqual({
      code: 'bad_request',
      message: 'nothing to copy from agent "alpha" to agent "gamma": agent "alpha" has no profile "nope"',
    });
  });

  it('refuses a copy from an agent to itself', async () => {
    expect(await refused({ fromAgentId: 'alpha', toAgentId: 'alpha' })).toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('cannot copy keys from agent "alpha" to itself'),
    });
  });

  it('answers not_found for an unknown agent on either side, listing the agents', async () => {
    expect(await refused({ fromAgentId: 'ghost', toAgentId: 'beta' })).toEqual({
      code: 'not_found',
      message: 'agent "ghost" does not exist (agents: alpha, beta, gamma, empty)',
    });
    expect(await refused({ fromAgentId: 'alpha', toAgentId: 'ghost' })).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('agent "ghost" does not exist'),
    });
  });

  it('refuses malformed params before touching anything', async () => {
    expect(await refused({ fromAgentId: 'alpha', toAgentId: 'beta', profileIds: [] })).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/^invalid params: .*profileIds/),
    });
    expect(await refused({ fromAgentId: 'alpha' })).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/^invalid params: .*toAgentId/),
    });
  });

  it('put no key in any result or error', () => {
    expect(outputs.length).toBeGreaterThan(8);
    expect(outputs.filter((o) => o.includes(ALPHA_KEY) || o.includes(ALPHA_SPARE) || o.includes('sk-gamma-own-key'))).toEqual([]);
  });

  describe('without a keychain', () => {
    let lockedDir: string;
    let locked: { gw: HeadlessGateway; client: Client } | undefined;

    beforeAll(async () => {
      lockedDir = await mkdtemp(path.join(os.tmpdir(), 'sb-authcopy-locked-'));
      // alpha has a profile on disk (metadata only), so the copy has to ask the keychain for its key.
      const agentDir = path.join(lockedDir, 'agents', 'alpha', 'agent');
      await mkdir(agentDir, { recursive: true });
      await writeFile(
        path.join(agentDir, 'auth-profiles.json'),
        JSON.stringify({
          version: 1,
          profiles: [
            { profileId: 'work', provider: 'anthropic', kind: 'api_key', scope: 'agent', createdAt: new Date().toISOString(), order: 0 },
          ],
        }),
      );
      locked = await gatewayIn(
        lockedDir,
        { agents: { list: [{ id: 'alpha', default: true }, { id: 'beta' }] } },
        new UnavailableSecretStore('the keychain is locked — unlock it and try again'),
      );
    });
    afterAll(async () => {
      locked?.client.close();
      await locked?.gw.close();
      if (lockedDir) await rm(lockedDir, { recursive: true, force: true });
    });

    it('answers unavailable with the reason, and copies nothing', async () => {
      expect(await refusal(locked!.client.request('auth.copy', { fromAgentId: 'alpha', toAgentId: 'beta' }))).toEqual({
        code: 'unavailable',
        message: 'credentials unavailable: the keychain is locked — unlock it and try again',
      });
      await expect(access(path.join(lockedDir, 'agents', 'beta', 'agent', 'auth-profiles.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });
});
