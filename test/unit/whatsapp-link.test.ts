// Linking a WhatsApp account against a fake socket: rotating QR codes reach the caller, the
// post-scan restart (515) is followed, the link state is saved; logout, expiry and cancel reject.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasWhatsAppAuthState, openWhatsAppAuthState } from '../../src-main/channels/whatsapp/auth-store.ts';
import { linkWhatsAppAccount, renderQrForTerminal } from '../../src-main/channels/whatsapp/link.ts';
import { fakeSockets } from '../fixtures/whatsapp/fake-socket.ts';

let stateDir: string;
const key = randomBytes(32);
const keyProvider = async () => key;
beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'sb-wa-link-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

function link(extra: { signal?: AbortSignal } = {}) {
  const fake = fakeSockets();
  const qrs: string[] = [];
  const result = linkWhatsAppAccount({
    account: 'personal',
    stateDir,
    keyProvider,
    socketFactory: fake.factory,
    onQr: (qr) => qrs.push(qr),
    ...extra,
  });
  result.catch(() => undefined);
  return { fake, qrs, result };
}

describe('linkWhatsAppAccount', () => {
  it('passes rotating QR codes on, follows the restart after the scan, and resolves once open with the link saved', async () => {
    const { fake, qrs, result } = link();
    const first = await fake.next(1);
    first.qr('2@first-ref');
    first.qr('2@second-ref');
    first.creds({ me: { id: '15551234567:9@s.whatsapp.net', lid: '900000000009:9@lid' } });
    first.close(515, 'Stream Errored (restart required)');
    const second = await fake.next(2);
    second.open({ id: '15551234567:9@s.whatsapp.net' });
    await expect(result).resolves.toEqual({ accountId: 'personal', phone: '+15551234567', alreadyLinked: false });
    expect(qrs).toEqual(['2@first-ref', '2@second-ref']);
    expect(fake.liveAtCreate).toEqual([0, 0]);
    expect(second.ended).toBe(true);
    const stored = await openWhatsAppAuthState({ stateDir, accountId: 'personal', keyProvider });
    expect(stored.state.creds.me?.id).toBe('15551234567:9@s.whatsapp.net');
  });

  it('rejects with a clear reason and clears the state when WhatsApp logs the device out', async () => {
    const { fake, result } = link();
    (await fake.next(1)).close(401, 'Connection Failure');
    await expect(result).rejects.toMatchObject({ reason: 'logged_out', message: expect.stringMatching(/logged out/) });
    expect(await hasWhatsAppAuthState(stateDir, 'personal')).toBe(false);
  });

  it('rejects when the QR codes run out without a scan', async () => {
    const { fake, result } = link();
    const sock = await fake.next(1);
    sock.qr('2@only-ref');
    sock.close(408, 'QR refs attempts ended');
    await expect(result).rejects.toMatchObject({ reason: 'qr_expired', message: expect.stringMatching(/QR code expired/) });
  });

  it('stops and ends the socket when cancelled', async () => {
    const controller = new AbortController();
    const { fake, result } = link({ signal: controller.signal });
    const sock = await fake.next(1);
    controller.abort();
    await expect(result).rejects.toMatchObject({ reason: 'cancelled' });
    expect(sock.ended).toBe(true);
  });
});

describe('renderQrForTerminal', () => {
  it('renders a QR string as block characters for a terminal', async () => {
    const text = await renderQrForTerminal('2@abc,def,ghi');
    expect(text.split('\n').length).toBeGreaterThan(10);
    expect(text).toMatch(/[█▀▄]/);
  });
});
