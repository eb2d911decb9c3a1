// SecretStore against a real gnome-keyring in a private D-Bus session, plus the queue's timeout
// (a keychain that never answers) with a stand-in keytar.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  KeytarSecretStore,
  SecretStoreUnavailableError,
  secretAccount,
  whatsappLinkKeyAccount,
  type SecretStore,
} from '../../src-main/secrets/store.ts';
import { describeWithKeyring, keyringWithStore, type Keyring } from '../helpers/keyring.ts';

describeWithKeyring('keytar SecretStore on gnome-keyring', () => {
  let keyring: Keyring;
  let store: SecretStore;
  beforeAll(async () => {
    ({ keyring, store } = await keyringWithStore());
  });
  afterAll(async () => {
    await keyring?.stop();
  });

  it('reports the keychain as available', async () => {
    expect(await store.status()).toEqual({ available: true, reason: null });
  });

  it('sets, gets, lists and deletes a secret', async () => {
    await store.set(secretAccount('telegram/default'), 'value-1234567');
    expect(await store.get(secretAccount('telegram/default'))).toBe('value-1234567');
    expect(await store.list('secret:')).toContain('secret:telegram/default');
    expect(await store.delete(secretAccount('telegram/default'))).toBe(true);
    expect(await store.get(secretAccount('telegram/default'))).toBeNull();
  });

  it('overwrites an existing entry', async () => {
    await store.set('agent:a:auth:default', 'first-value-xyz');
    await store.set('agent:a:auth:default', 'second-value-xyz');
    expect(await store.get('agent:a:auth:default')).toBe('second-value-xyz');
  });

  it('lists by prefix without matching a longer id', async () => {
    await store.set('agent:ab:auth:p1', 'key-of-agent-ab');
    await store.set('agent:a:auth:p1', 'key-of-agent-a');
    expect(await store.list('agent:a:auth:')).not.toContain('agent:ab:auth:p1');
  });

  it('stores the app-owned WhatsApp link-state key under app:<purpose>:whatsapp:<account>', async () => {
    expect(whatsappLinkKeyAccount('personal')).toBe('app:link-state-key:whatsapp:personal');
    await store.set(whatsappLinkKeyAccount('personal'), 'link-key-bytes-base64');
    expect(await store.get(whatsappLinkKeyAccount('personal'))).toBe('link-key-bytes-base64');
  });

  it('answers delete of a missing entry with false', async () => {
    expect(await store.delete(secretAccount('never-set'))).toBe(false);
  });
});

const hanging = {
  getPassword: (_s: string, account: string) => (account === 'hang' ? new Promise<null>(() => {}) : Promise.resolve('ok-value')),
  setPassword: () => Promise.resolve(),
  deletePassword: () => Promise.resolve(true),
  findCredentials: () => Promise.resolve([]),
};

it('turns a keychain call that never answers into an unavailable error', async () => {
  const store = new KeytarSecretStore(hanging, { timeoutMs: 50 });
  await expect(store.get('hang')).rejects.toThrow(/did not answer/);
});

it('keeps serving calls queued behind one that timed out', async () => {
  const store = new KeytarSecretStore(hanging, { timeoutMs: 50 });
  const first = store.get('hang').catch((err: unknown) => err);
  expect(await store.get('fine')).toBe('ok-value');
  expect(await first).toBeInstanceOf(SecretStoreUnavailableError);
});
