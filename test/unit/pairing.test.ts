// PairingStore against real files in a temp state dir with an injected clock: code format, reuse,
// expiry, the pending limit, approval/revocation per channel account, persistence and concurrency.
import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAIRING_TTL_MS, PairingStore } from '../../src-main/gateway/pairing.ts';

const CODE_SHAPE = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

let stateDir: string;
let now: number;
const clock = (): number => now;
const newStore = (): PairingStore => new PairingStore({ stateDir, clock });

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'sb-pairing-'));
  now = T0;
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe('PairingStore', () => {
  it('issues 8-character codes from the unambiguous alphabet (no 0, O, 1, I, L)', async () => {
    const store = newStore();
    const codes: string[] = [];
    for (let acc = 0; acc < 20; acc++) {
      for (let s = 0; s < 3; s++) codes.push((await store.requestCode('telegram', `acc${acc}`, { id: `${acc}${s}` })).code ?? '');
    }
    for (const code of codes) expect(code).toMatch(CODE_SHAPE);
    expect(new Set(codes).size).toBeGreaterThan(55);
  });

  it.skipIf(process.platform === 'win32')('writes the pairing file with mode 0600', async () => {
    const store = newStore();
    await store.requestCode('telegram', 'default', { id: '42' });
    const info = await stat(path.join(stateDir, 'pairing', 'telegram-default.json'));
    expect(info.mode & 0o777).toBe(0o600);
  });

  it('stores pending codes in the documented file format', async () => {
    const store = newStore();
    const { code } = await store.requestCode('discord', 'work', { id: '111', name: 'Ann' });
    const data = JSON.parse(await readFile(path.join(stateDir, 'pairing', 'discord-work.json'), 'utf8')) as unknown;
    expect(data).toEqual({
      version: 1,
      pending: [{ code, senderId: '111', senderName: 'Ann', createdAt: T0, expiresAt: T0 + PAIRING_TTL_MS, replied: true }],
      approved: [],
    });
  });

  it('reuses the pending code of a sender and asks for a reply only the first time', async () => {
    const store = newStore();
    const first = await store.requestCode('telegram', 'default', { id: '42' });
    const second = await store.requestCode('telegram', 'default', { id: '42' });
    expect(first).toMatchObject({ isNew: true, limited: false, notify: true });
    expect(second).toEqual({ code: first.code, isNew: false, limited: false, notify: false });
  });

  it('expires a code after one hour and prunes it from the file', async () => {
    const store = newStore();
    const first = await store.requestCode('telegram', 'default', { id: '42' });
    now = T0 + PAIRING_TTL_MS;
    expect(await store.list()).toEqual([]);
    const data = JSON.parse(await readFile(store.filePath('telegram', 'default'), 'utf8')) as { pending: unknown[] };
    expect(data.pending).toEqual([]);
    const second = await store.requestCode('telegram', 'default', { id: '42' });
    expect(second.isNew).toBe(true);
    expect(second.code).not.toBe(first.code);
  });

  it('keeps at most 3 pending codes per account and tells a refused sender once', async () => {
    const store = newStore();
    for (const id of ['1', '2', '3']) expect((await store.requestCode('telegram', 'default', { id })).limited).toBe(false);
    const fourth = await store.requestCode('telegram', 'default', { id: '4' });
    const again = await store.requestCode('telegram', 'default', { id: '4' });
    expect(fourth).toEqual({ code: undefined, isNew: false, limited: true, notify: true });
    expect(again.notify).toBe(false);
    expect(await store.list('telegram', 'default')).toHaveLength(3);
    expect((await store.requestCode('telegram', 'other', { id: '4' })).limited).toBe(false);
  });

  it('approves a code case-insensitively and removes it from the pending list', async () => {
    const store = newStore();
    const { code } = await store.requestCode('telegram', 'default', { id: '42', name: 'Bo' });
    const approved = await store.approve('telegram', ` ${(code ?? '').toLowerCase()} `, 'default');
    expect(approved).toEqual({ senderId: '42', approvedAt: T0, code, channel: 'telegram', account: 'default', senderName: 'Bo' });
    expect(await store.isApproved('telegram', 'default', '42')).toBe(true);
    expect(await store.list()).toEqual([]);
  });

  it('approval on one account leaves the same sender unknown on another account', async () => {
    const store = newStore();
    const { code } = await store.requestCode('telegram', 'a', { id: '42' });
    await store.approve('telegram', code ?? '', 'a');
    expect(await store.isApproved('telegram', 'a', '42')).toBe(true);
    expect(await store.isApproved('telegram', 'b', '42')).toBe(false);
    expect(await store.isApproved('discord', 'a', '42')).toBe(false);
  });

  it('finds the account of a code when approve is called without one', async () => {
    const store = newStore();
    await store.requestCode('telegram', 'a', { id: '1' });
    const { code } = await store.requestCode('telegram', 'b', { id: '2' });
    const approved = await store.approve('telegram', code ?? '');
    expect(approved).toMatchObject({ account: 'b', senderId: '2' });
    expect(await store.isApproved('telegram', 'b', '2')).toBe(true);
  });

  it('refuses an unknown code with not_found', async () => {
    const store = newStore();
    await store.requestCode('telegram', 'default', { id: '42' });
    await expect(store.approve('telegram', 'ZZZZZZZZ')).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.approve('telegram', 'ZZZZZZZZ', 'default')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses an expired code with not_found', async () => {
    const store = newStore();
    const { code } = await store.requestCode('telegram', 'default', { id: '42' });
    now = T0 + PAIRING_TTL_MS + 1;
    await expect(store.approve('telegram', code ?? '', 'default')).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.isApproved('telegram', 'default', '42')).toBe(false);
  });

  it('asks for the account when the same code is pending on two accounts', async () => {
    const dir = path.join(stateDir, 'pairing');
    await mkdir(dir, { recursive: true });
    for (const [acc, sender] of [
      ['a', '1'],
      ['b', '2'],
    ] as const) {
      const file = {
        version: 1,
        pending: [{ code: 'ABCDEFGH', senderId: sender, createdAt: T0, expiresAt: T0 + PAIRING_TTL_MS, replied: true }],
        approved: [],
      };
      await writeFile(path.join(dir, `telegram-${acc}.json`), JSON.stringify(file));
    }
    const store = newStore();
    await expect(store.approve('telegram', 'abcdefgh')).rejects.toMatchObject({ code: 'conflict' });
    await expect(store.approve('telegram', 'abcdefgh', 'b')).resolves.toMatchObject({ senderId: '2' });
  });

  it('keeps approvals across store instances (persisted to disk)', async () => {
    const { code } = await newStore().requestCode('whatsapp', 'default', { id: '+15551234567' });
    await newStore().approve('whatsapp', code ?? '', 'default');
    expect(await newStore().isApproved('whatsapp', 'default', '+15551234567')).toBe(true);
  });

  it('revokes an approval', async () => {
    const store = newStore();
    const { code } = await store.requestCode('telegram', 'default', { id: '42' });
    await store.approve('telegram', code ?? '', 'default');
    expect(await store.revoke('telegram', 'default', '42')).toBe(true);
    expect(await store.isApproved('telegram', 'default', '42')).toBe(false);
    expect(await store.revoke('telegram', 'default', '42')).toBe(false);
  });

  it('lists pending codes with their channel and account, filtered', async () => {
    const store = newStore();
    await store.requestCode('telegram', 'a', { id: '1' });
    now += 1;
    await store.requestCode('discord', 'b', { id: '2' });
    expect((await store.list()).map((p) => [p.channel, p.account, p.senderId])).toEqual([
      ['telegram', 'a', '1'],
      ['discord', 'b', '2'],
    ]);
    expect((await store.list('discord')).map((p) => p.senderId)).toEqual(['2']);
    expect(await newStore().list('telegram', 'b')).toEqual([]);
  });

  it('does not lose pending codes when requests for one account race', async () => {
    const store = newStore();
    const results = await Promise.all(['1', '2', '3', '4', '1'].map((id) => store.requestCode('telegram', 'default', { id })));
    expect(results.filter((r) => r.isNew)).toHaveLength(3);
    expect(results.filter((r) => r.notify && !r.limited)).toHaveLength(3);
    const onDisk = await newStore().list('telegram', 'default');
    expect(onDisk.map((p) => p.senderId).sort()).toEqual(['1', '2', '3']);
  });

  it('rejects account ids that are not plain ids (no paths)', async () => {
    const store = newStore();
    await expect(store.requestCode('telegram', '../evil', { id: '1' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(store.approve('telegram', 'ABCDEFGH', '../../x')).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('moves an unreadable pairing file aside and starts empty', async () => {
    const dir = path.join(stateDir, 'pairing');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'telegram-default.json'), '{ not json');
    const store = newStore();
    expect(await store.isApproved('telegram', 'default', '42')).toBe(false);
    expect((await readdir(dir)).some((n) => n.startsWith('telegram-default.json.corrupt-'))).toBe(true);
  });
});
