// The encrypted Baileys link-state store against real files: round trips, no plaintext on disk,
// tamper and wrong-key detection, concurrent writes, clear(), and the keychain key helper.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { proto } from '@whiskeysockets/baileys';
import {
  WhatsAppLinkStateError,
  hasWhatsAppAuthState,
  openWhatsAppAuthState,
  whatsAppAuthDir,
  whatsAppAuthKeyProvider,
} from '../../src-main/channels/whatsapp/auth-store.ts';

let stateDir: string;
const key = randomBytes(32);
const keyProvider = async () => key;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'sb-wa-auth-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const open = (accountId = 'personal', provider = keyProvider) => openWhatsAppAuthState({ stateDir, accountId, keyProvider: provider });

async function filesOf(accountId = 'personal'): Promise<Buffer[]> {
  const dir = whatsAppAuthDir(stateDir, accountId);
  return Promise.all((await readdir(dir)).map((f) => readFile(path.join(dir, f))));
}

describe('WhatsApp auth store', () => {
  it('round-trips creds, including Buffers, through a fresh open', async () => {
    const first = await open();
    first.state.creds.me = { id: '15551234567:4@s.whatsapp.net', name: 'Ada' };
    await first.saveCreds();
    const again = await open();
    expect(again.state.creds.me).toEqual({ id: '15551234567:4@s.whatsapp.net', name: 'Ada' });
    expect(Buffer.isBuffer(again.state.creds.noiseKey.private)).toBe(true);
    expect(Buffer.compare(Buffer.from(again.state.creds.noiseKey.private), Buffer.from(first.state.creds.noiseKey.private))).toBe(0);
  });

  it('round-trips signal keys, deletes a key set to null, and rebuilds app-state-sync keys as proto objects', async () => {
    const store = await open();
    const session = randomBytes(64);
    await store.state.keys.set({
      session: { '15551234567.0': session },
      'pre-key': { '1': { public: randomBytes(32), private: randomBytes(32) }, '2': { public: randomBytes(32), private: randomBytes(32) } },
      'app-state-sync-key': { AAAA: { keyData: randomBytes(32), timestamp: 1 } },
    });
    await store.state.keys.set({ 'pre-key': { '2': null } });
    const again = await open();
    const sessions = await again.state.keys.get('session', ['15551234567.0', 'missing']);
    expect(Buffer.from(sessions['15551234567.0']!).equals(session)).toBe(true);
    expect(sessions.missing).toBeNull();
    const preKeys = await again.state.keys.get('pre-key', ['1', '2']);
    expect(preKeys['1']).toBeTruthy();
    expect(preKeys['2']).toBeNull();
    const sync = await again.state.keys.get('app-state-sync-key', ['AAAA']);
    expect(sync.AAAA).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
  });

  it('writes no plaintext: neither values nor key ids appear in file contents or names', async () => {
    const store = await open();
    store.state.creds.me = { id: '15557654321@s.whatsapp.net', name: 'CanaryName' };
    await store.saveCreds();
    await store.state.keys.set({ 'lid-mapping': { '15557654321': '88877766655' } });
    const dir = whatsAppAuthDir(stateDir, 'personal');
    const names = (await readdir(dir)).join('\n');
    const bytes = Buffer.concat(await filesOf());
    for (const canary of ['15557654321', 'CanaryName', '88877766655', 'noiseKey', 'lid-mapping']) {
      expect(bytes.includes(Buffer.from(canary))).toBe(false);
      expect(names).not.toContain(canary);
    }
  });

  it('detects a tampered creds file with an error that says how to re-link', async () => {
    const store = await open();
    await store.saveCreds();
    const file = path.join(whatsAppAuthDir(stateDir, 'personal'), 'creds.enc');
    const data = await readFile(file);
    data[data.length - 1]! ^= 0x01;
    await writeFile(file, data);
    const err = await open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WhatsAppLinkStateError);
    expect((err as Error).message).toMatch(
      /WhatsApp link state for account personal cannot be decrypted.*re-link with switchboard channels login --channel whatsapp --account personal/,
    );
  });

  it('detects a key file swapped for another one (the file name is authenticated)', async () => {
    const store = await open();
    await store.state.keys.set({ session: { a: randomBytes(8), b: randomBytes(8) } });
    const dir = whatsAppAuthDir(stateDir, 'personal');
    const keyFiles = (await readdir(dir)).filter((f) => f !== 'creds.enc');
    expect(keyFiles).toHaveLength(2);
    await writeFile(path.join(dir, keyFiles[0]!), await readFile(path.join(dir, keyFiles[1]!)));
    const results = await Promise.allSettled([store.state.keys.get('session', ['a']), store.state.keys.get('session', ['b'])]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  });

  it('refuses to open with a wrong key instead of starting over', async () => {
    const store = await open();
    store.state.creds.me = { id: '15551234567@s.whatsapp.net' };
    await store.saveCreds();
    await expect(open('personal', async () => randomBytes(32))).rejects.toThrow(WhatsAppLinkStateError);
    // The stored link is untouched and still opens with the right key.
    expect((await open()).state.creds.me?.id).toBe('15551234567@s.whatsapp.net');
  });

  it('concurrent writes to the same and different files leave every file complete and decryptable', async () => {
    const store = await open();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      store.state.creds.nextPreKeyId = i;
      writes.push(store.saveCreds());
      writes.push(Promise.resolve(store.state.keys.set({ session: { [`s${i % 5}`]: Buffer.from(`value-${i}`) } })));
    }
    await Promise.all(writes);
    const again = await open();
    expect(again.state.creds.nextPreKeyId).toBe(49);
    const ids = ['s0', 's1', 's2', 's3', 's4'];
    const sessions = await again.state.keys.get('session', ids);
    expect(ids.map((id) => Buffer.from(sessions[id]!).toString())).toEqual(['value-45', 'value-46', 'value-47', 'value-48', 'value-49']);
    expect((await readdir(whatsAppAuthDir(stateDir, 'personal'))).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('clear() removes the link state and ignores writes that come after it', async () => {
    const store = await open();
    await store.saveCreds();
    expect(await hasWhatsAppAuthState(stateDir, 'personal')).toBe(true);
    await store.clear();
    await store.saveCreds();
    expect(await hasWhatsAppAuthState(stateDir, 'personal')).toBe(false);
  });

  it('keeps accounts apart and refuses an account id that is not an id', async () => {
    const a = await open('personal');
    a.state.creds.me = { id: '1@s.whatsapp.net' };
    await a.saveCreds();
    expect((await open('biz')).state.creds.me).toBeUndefined();
    await expect(open('../escape')).rejects.toThrow(/not a valid WhatsApp account id/);
  });
});

describe('WhatsApp auth key provider', () => {
  it('creates one random key on first use, stores it under app:wa-auth:whatsapp:<account>, and returns it afterwards', async () => {
    const stored = new Map<string, string>();
    const secrets = { get: async (n: string) => stored.get(n) ?? null, set: async (n: string, v: string) => void stored.set(n, v) };
    const provider = whatsAppAuthKeyProvider('biz', secrets);
    const [k1, k2] = await Promise.all([provider(), provider()]);
    expect(k1!.length).toBe(32);
    expect(k1!.equals(k2!)).toBe(true);
    expect([...stored.keys()]).toEqual(['app:wa-auth:whatsapp:biz']);
    expect((await whatsAppAuthKeyProvider('biz', secrets)()).equals(k1!)).toBe(true);
  });

  it('rejects a stored value that is not a 32-byte key', async () => {
    const provider = whatsAppAuthKeyProvider('biz', { get: async () => 'c2hvcnQ=', set: async () => {} });
    await expect(provider()).rejects.toThrow(/not a 32-byte key/);
  });
});
