// No keychain reachable (no D-Bus session): every path says "credentials unavailable" with what to
// do, nothing crashes, and nothing falls back to plaintext or to ANTHROPIC_API_KEY.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileApiKeySource } from '../../src-main/secrets/api-keys.ts';
import { keychainResolver } from '../../src-main/secrets/resolver.ts';
import { openSecretStore } from '../../src-main/secrets/store.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

// This file runs in its own process (vitest forks): no session bus, no X display.
delete process.env.DBUS_SESSION_BUS_ADDRESS;
delete process.env.DISPLAY;

const PROFILE_FILE = JSON.stringify({
  version: 1,
  profiles: [
    { profileId: 'default', provider: 'anthropic', kind: 'api_key', scope: 'agent', createdAt: '2025-01-01T00:00:00.000Z', order: 0 },
  ],
});

it('reports the keychain as unavailable with what to install', async () => {
  expect(await openSecretStore().status()).toEqual({
    available: false,
    reason: expect.stringMatching(/no Secret Service \(D-Bus session\).*gnome-keyring/),
  });
});

it('makes a { secret } reference fail with "credentials unavailable"', async () => {
  await expect(keychainResolver(openSecretStore(), {}).resolve({ secret: 'telegram/default' }, 'telegram:default')).rejects.toThrow(
    /^credentials unavailable for telegram:default: keychain unavailable: no Secret Service/,
  );
});

it('refuses an agent with a profile instead of falling back to ANTHROPIC_API_KEY', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-unavail-'));
  await mkdir(path.join(dir, 'a'), { recursive: true });
  await writeFile(path.join(dir, 'a', 'auth-profiles.json'), PROFILE_FILE);
  const keys = new ProfileApiKeySource({
    store: openSecretStore(),
    stateDir: dir,
    agent: () => ({ id: 'a', agentDir: path.join(dir, 'a'), scope: 'agent' }),
    env: { ANTHROPIC_API_KEY: 'sk-env-fallback-1' },
  });
  expect(await keys.apiKeyFor('a')).toEqual({ ok: false, reason: expect.stringMatching(/^credentials unavailable: no Secret Service/) });
  await rm(dir, { recursive: true, force: true });
});

describe('a gateway without a keychain', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('reports the keychain status in status', async () => {
    const status = await gw.client.request('status', {});
    expect(status.keychain).toEqual({ available: false, reason: expect.stringMatching(/no Secret Service/) });
  });

  it('answers secrets.list with the references and an unknown stored state', async () => {
    expect(await gw.client.request('secrets.list', {})).toMatchObject({ keychain: { available: false }, secrets: [] });
  });

  it('marks an agent whose profile key cannot be read as failing with "credentials unavailable"', async () => {
    await mkdir(path.join(gw.dir, 'agents', 'main', 'agent'), { recursive: true });
    await writeFile(path.join(gw.dir, 'agents', 'main', 'agent', 'auth-profiles.json'), PROFILE_FILE);
    await gw.client.request('webchat.send', { agentId: 'main', text: 'hello' });
    await gw.waitFor('message.outbound', (d) => d.failure === 'no_api_key');
    const { agents } = await gw.client.request('agents.list', {});
    expect(agents[0]!.reason).toMatch(/^credentials unavailable: no Secret Service/);
    expect(gw.peer.requestCount).toBe(0);
  });

  it('refuses secrets.set with an unavailable error', async () => {
    await expect(gw.client.request('secrets.set', { name: 'x', value: 'some-secret-value' })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/^credentials unavailable: no Secret Service/),
    });
  });
});
