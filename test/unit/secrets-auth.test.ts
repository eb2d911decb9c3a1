// Auth profiles on a real gnome-keyring: metadata on disk without keys, per-agent isolation, the
// opt-in shared pool, explicit copies, and rotation to the next profile after a failure.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ProfileApiKeySource } from '../../src-main/secrets/api-keys.ts';
import { AuthProfiles, type AgentAuthRef } from '../../src-main/secrets/auth-profiles.ts';
import type { SecretStore } from '../../src-main/secrets/store.ts';
import { describeWithKeyring, keyringWithStore, type Keyring } from '../helpers/keyring.ts';

describeWithKeyring('auth profiles', () => {
  let keyring: Keyring;
  let store: SecretStore;
  let dir: string;
  let profiles: AuthProfiles;
  const agents: Record<string, AgentAuthRef> = {};
  const source = (env: NodeJS.ProcessEnv = {}) => new ProfileApiKeySource({ store, stateDir: dir, agent: (id) => agents[id], env });

  beforeAll(async () => {
    ({ keyring, store } = await keyringWithStore());
  });
  afterAll(async () => {
    await keyring?.stop();
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sb-auth-'));
    profiles = new AuthProfiles(store, dir);
    for (const id of ['alpha', 'beta', 'gamma'])
      agents[id] = { id, agentDir: path.join(dir, 'agents', id, 'agent'), scope: id === 'gamma' ? 'shared' : 'agent' };
    return async () => {
      for (const account of await store.list()) await store.delete(account);
      await rm(dir, { recursive: true, force: true });
    };
  });

  it('writes metadata only (0600) and keeps the key in the keychain', async () => {
    await profiles.add(agents.alpha!, { profileId: 'work', apiKey: 'sk-alpha-secret-111', label: 'Work' });
    const file = path.join(agents.alpha!.agentDir, 'auth-profiles.json');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('sk-alpha-secret-111');
    expect(JSON.parse(text)).toMatchObject({
      version: 1,
      profiles: [{ profileId: 'work', provider: 'anthropic', kind: 'api_key', label: 'Work', scope: 'agent', order: 0 }],
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await store.get('agent:alpha:auth:work')).toBe('sk-alpha-secret-111');
  });

  it("never hands agent B agent A's key", async () => {
    await profiles.add(agents.alpha!, { apiKey: 'sk-alpha-secret-111' });
    await profiles.add(agents.beta!, { apiKey: 'sk-beta-secret-222' });
    expect(await source().apiKeyFor('beta')).toMatchObject({ ok: true, apiKey: 'sk-beta-secret-222' });
  });

  it('gives an agent without profiles the ANTHROPIC_API_KEY fall-back, not another agent key', async () => {
    await profiles.add(agents.alpha!, { apiKey: 'sk-alpha-secret-111' });
    expect(await source({ ANTHROPIC_API_KEY: 'sk-env-key-999' }).apiKeyFor('beta')).toEqual({ ok: true, apiKey: 'sk-env-key-999' });
  });

  it('does not use ANTHROPIC_API_KEY once the agent has a profile', async () => {
    await profiles.add(agents.alpha!, { apiKey: 'sk-alpha-secret-111' });
    expect(await source({ ANTHROPIC_API_KEY: 'sk-env-key-999' }).apiKeyFor('alpha')).toMatchObject({ apiKey: 'sk-alpha-secret-111' });
  });

  it('shares a shared-pool key only with agents that opted in', async () => {
    await profiles.add(agents.alpha!, { profileId: 'team', shared: true, apiKey: 'sk-shared-secret-333' });
    expect(await source().apiKeyFor('gamma')).toMatchObject({ ok: true, apiKey: 'sk-shared-secret-333', profileId: 'shared:team' });
    expect(await source().apiKeyFor('beta')).toMatchObject({ ok: false });
  });

  it('copies a profile to another agent only when asked', async () => {
    await profiles.add(agents.alpha!, { profileId: 'work', apiKey: 'sk-alpha-secret-111' });
    expect(await profiles.copy(agents.alpha!, agents.beta!)).toEqual(['work']);
    expect(await source().apiKeyFor('beta')).toMatchObject({ ok: true, apiKey: 'sk-alpha-secret-111' });
    expect(await store.get('agent:beta:auth:work')).toBe('sk-alpha-secret-111');
  });

  it('rotates to the next profile after a reported failure and marks the failed one', async () => {
    await profiles.add(agents.alpha!, { profileId: 'first', apiKey: 'sk-first-secret-1' });
    await profiles.add(agents.alpha!, { profileId: 'second', apiKey: 'sk-second-secret-2' });
    const keys = source();
    expect(await keys.apiKeyFor('alpha')).toMatchObject({ profileId: 'first' });
    await keys.reportFailure('alpha', 'first', 'auth');
    expect(await keys.apiKeyFor('alpha')).toMatchObject({ ok: true, apiKey: 'sk-second-secret-2', profileId: 'second' });
    const [first] = await profiles.listFor(agents.alpha!);
    expect(first!.lastError).toMatchObject({ kind: 'auth' });
  });

  it('reports when every profile failed recently', async () => {
    await profiles.add(agents.alpha!, { profileId: 'only', apiKey: 'sk-only-secret-1' });
    const keys = source();
    await keys.reportFailure('alpha', 'only', 'spend_limit');
    expect(await keys.apiKeyFor('alpha')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/every auth profile of agent "alpha" failed/),
    });
  });

  it('says credentials unavailable when a profile has lost its keychain entry', async () => {
    await profiles.add(agents.alpha!, { profileId: 'gone', apiKey: 'sk-gone-secret-1' });
    await store.delete('agent:alpha:auth:gone');
    expect(await source().apiKeyFor('alpha')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^credentials unavailable: .*gone/),
    });
  });

  it('removes the metadata and the key', async () => {
    await profiles.add(agents.alpha!, { profileId: 'work', apiKey: 'sk-alpha-secret-111' });
    expect(await profiles.remove(agents.alpha!, 'work')).toBe(true);
    expect(await store.get('agent:alpha:auth:work')).toBeNull();
    expect(await profiles.listFor(agents.alpha!)).toEqual([]);
  });
});
