// The WhatsApp adapter through the real gateway (headless, local Anthropic peer), with a fake
// Baileys socket at the seam: real message shapes in, sendMessage calls out, per account.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWhatsAppAdapter } from '../../src-main/channels/whatsapp/adapter.ts';
import { hasWhatsAppAuthState, openWhatsAppAuthState } from '../../src-main/channels/whatsapp/auth-store.ts';
import type { AdapterFactory } from '../../src-main/gateway/channel-set.ts';
import type { ChannelAdapter } from '../../src-main/gateway/envelope.ts';
import { silentLogger } from '../../src-main/log.ts';
import { fakeSockets } from '../fixtures/whatsapp/fake-socket.ts';
import { dmFromLid, dmFromPn, groupMessage, mentionText, text } from '../fixtures/whatsapp/messages.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { until } from '../helpers/wait.ts';

const GROUP = '120363041234567890@g.us';
const SELF = {
  personal: { id: '15550000001:3@s.whatsapp.net', lid: '900000000001:3@lid' },
  biz: { id: '15550000002:3@s.whatsapp.net', lid: '900000000002:3@lid' },
};
const key = randomBytes(32);
const keyProvider = async () => key;

let gw: TestGateway | undefined;
let credDir: string;
beforeEach(async () => {
  credDir = await mkdtemp(path.join(os.tmpdir(), 'sb-wa-int-'));
});
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  await rm(credDir, { recursive: true, force: true });
});

/** Stores linked creds for the accounts, as a finished `channels login` would have. */
async function linkAccounts(...accounts: (keyof typeof SELF)[]): Promise<void> {
  for (const account of accounts) {
    const store = await openWhatsAppAuthState({ stateDir: credDir, accountId: account, keyProvider });
    store.state.creds.me = { id: SELF[account].id, lid: SELF[account].lid };
    await store.saveCreds();
  }
}

function whatsapp(opts: { onQr?: (qr: string) => void } = {}) {
  const sockets = { personal: fakeSockets(), biz: fakeSockets() };
  const adapters = new Map<string, ChannelAdapter>();
  const factory: AdapterFactory = (account, config) => {
    if (account.channel !== 'whatsapp') return undefined;
    const adapter = createWhatsAppAdapter(account, config, {
      stateDir: credDir,
      log: silentLogger,
      keyProvider,
      socketFactory: sockets[account.accountId as keyof typeof SELF].factory,
      backoff: { baseMs: 5, maxMs: 20 },
      ...(opts.onQr ? { onQr: opts.onQr } : {}),
    });
    adapters.set(account.accountId, adapter);
    return adapter;
  };
  /** The account's current socket, opened (connection: 'open') as that account. */
  const connect = async (account: keyof typeof SELF, nth?: number) => {
    const sock = await sockets[account].next(nth);
    sock.open(SELF[account]);
    await until(() => adapters.get(account)?.status().state === 'connected', `${account} connected`);
    return sock;
  };
  return { sockets, adapters, factory, connect };
}

const config =
  (channel: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  (url: string) => ({
    models: { anthropic: { baseUrl: url } },
    channels: { whatsapp: channel },
    ...extra,
  });
const openPolicy = { dmPolicy: 'open', allowFrom: ['*'], groupPolicy: 'open', groups: { '*': { requireMention: false } } };

describe('WhatsApp through the gateway', () => {
  it('routes DMs and groups of two accounts to two agents and replies through the right socket', async () => {
    await linkAccounts('personal', 'biz');
    const wa = whatsapp();
    gw = await startTestGateway({
      config: config(
        { ...openPolicy, accounts: { personal: {}, biz: {} } },
        {
          agents: { list: [{ id: 'home', default: true }, { id: 'work' }] },
          bindings: [{ agentId: 'work', match: { channel: 'whatsapp', accountId: 'biz' } }],
        },
      ),
      adapters: wa.factory,
    });
    const personal = await wa.connect('personal');
    const biz = await wa.connect('biz');
    const dm = dmFromPn('15551234567', text('hello home'));
    personal.upsert([dm]);
    biz.upsert([groupMessage(GROUP, '123456789012345@lid', text('hello work'), { participantAlt: '15557654321@s.whatsapp.net' })]);
    await until(() => personal.sent.length === 1 && biz.sent.length === 1, 'both replies');
    expect(personal.sent).toEqual([{ jid: '15551234567@s.whatsapp.net', text: 'echo: hello home', quotedId: dm.key.id }]);
    expect(biz.sent[0]).toMatchObject({ jid: GROUP, text: 'echo: hello work' });
    const inbound = gw.events
      .filter((e) => e.event === 'message.inbound')
      .map((e) => [e.data.agentId, e.data.sessionKey])
      .sort();
    // The DM's sender is not an owner: a session of its own, not home's main session.
    expect(inbound).toEqual([
      ['home', 'agent:home:whatsapp:direct:+15551234567'],
      ['work', `agent:work:whatsapp:group:${GROUP}`],
    ]);
    expect(personal.presence).toContainEqual({ type: 'composing', jid: '15551234567@s.whatsapp.net' });
  });

  it('a broadcast group reaches both agents, each answering in its own session', async () => {
    await linkAccounts('personal');
    const wa = whatsapp();
    gw = await startTestGateway({
      config: config(
        { ...openPolicy, accounts: { personal: {} } },
        { agents: { list: [{ id: 'a' }, { id: 'b' }] }, broadcast: { strategy: 'parallel', [GROUP]: ['a', 'b'] } },
      ),
      adapters: wa.factory,
    });
    const sock = await wa.connect('personal');
    sock.upsert([groupMessage(GROUP, '15557654321@s.whatsapp.net', text('hello all'))]);
    await until(() => sock.sent.length === 2, 'two replies');
    expect(sock.sent.map((s) => s.jid)).toEqual([GROUP, GROUP]);
    const keys = gw.events
      .filter((e) => e.event === 'message.inbound')
      .map((e) => e.data.sessionKey)
      .sort();
    expect(keys).toEqual([`agent:a:whatsapp:group:${GROUP}`, `agent:b:whatsapp:group:${GROUP}`]);
  });

  it('dmPolicy allowlist answers the listed number, also when it writes from its LID', async () => {
    await linkAccounts('personal');
    const wa = whatsapp();
    gw = await startTestGateway({
      config: config({ dmPolicy: 'allowlist', allowFrom: ['+15551110001'], accounts: { personal: {} } }),
      adapters: wa.factory,
    });
    const sock = await wa.connect('personal');
    sock.lidToPn.set('111222333444555@lid', '15551110001@s.whatsapp.net');
    sock.upsert([dmFromPn('15559990000', text('stranger'))]);
    sock.upsert([dmFromLid('111222333444555', text('friend via lid'))]);
    await until(() => sock.sent.length === 1, 'one reply');
    expect(sock.sent[0]).toMatchObject({ jid: '111222333444555@lid', text: 'echo: friend via lid' });
    expect((await gw.client.request('status', {})).dropped).toEqual({ not_allowlisted: 1 });
  });

  it('dmPolicy pairing sends the stranger a pairing code through sendMessage', async () => {
    await linkAccounts('personal');
    const wa = whatsapp();
    gw = await startTestGateway({ config: config({ accounts: { personal: {} } }), adapters: wa.factory });
    const sock = await wa.connect('personal');
    sock.upsert([dmFromPn('15553334444', text('let me in'))]);
    await until(() => sock.sent.length === 1, 'pairing reply');
    const { pending } = await gw.client.request('pairing.list', { channel: 'whatsapp' });
    expect(pending).toHaveLength(1);
    expect(sock.sent[0]!.jid).toBe('15553334444@s.whatsapp.net');
    expect(sock.sent[0]!.text).toContain(pending[0]!.code);
    expect(sock.sent[0]!.text).toContain('+15553334444');
  });

  it('in a group the agent answers only when mentioned by JID or by its mention pattern', async () => {
    await linkAccounts('personal');
    const wa = whatsapp();
    gw = await startTestGateway({
      config: config(
        { groupPolicy: 'open', accounts: { personal: {} } },
        { agents: { list: [{ id: 'main', groupChat: { mentionPatterns: ['@home'] } }] } },
      ),
      adapters: wa.factory,
    });
    const sock = await wa.connect('personal');
    const from = '15557654321@s.whatsapp.net';
    sock.upsert([
      groupMessage(GROUP, from, text('just chatting')),
      groupMessage(GROUP, from, mentionText('@bot native', ['900000000001@lid'])),
      groupMessage(GROUP, from, text('hey @home, pattern')),
    ]);
    await until(() => sock.sent.length === 2, 'two replies');
    expect(sock.sent.map((s) => s.text).sort()).toEqual(['echo: @bot native', 'echo: hey @home, pattern']);
    expect((await gw.client.request('status', {})).dropped).toEqual({ no_mention: 1 });
  });

  it('a long reply is sent as ordered chunks of at most 4000 characters, the first one quoting', async () => {
    await linkAccounts('personal');
    const wa = whatsapp();
    gw = await startTestGateway({ config: config({ ...openPolicy, accounts: { personal: {} } }), adapters: wa.factory });
    const sock = await wa.connect('personal');
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i}. ${'word '.repeat(60).trim()}`);
    const dm = dmFromPn('15551234567', text(paragraphs.join('\n\n')));
    sock.upsert([dm]);
    const outbound = await gw.waitFor('message.outbound');
    const joined = () => sock.sent.map((s) => s.text).join('\n\n');
    await until(() => joined().length >= String(outbound.text).length, 'all chunks');
    expect(sock.sent.length).toBeGreaterThan(1);
    expect(joined()).toBe(outbound.text);
    expect(sock.sent.every((s) => s.text.length <= 4000)).toBe(true);
    expect(sock.sent.map((s) => s.quotedId)).toEqual([dm.key.id, ...sock.sent.slice(1).map(() => undefined)]);
    expect(String(outbound.text)).toMatch(/^echo: Paragraph 0\./);
  });

  it('reconnects after a close with a new socket, created only after the old one ended', async () => {
    await linkAccounts('personal');
    const wa = whatsapp();
    gw = await startTestGateway({ config: config({ ...openPolicy, accounts: { personal: {} } }), adapters: wa.factory });
    const first = await wa.connect('personal');
    first.close(428, 'Connection Closed');
    const second = await wa.connect('personal', 2);
    second.close(515, 'Stream Errored (restart required)');
    const third = await wa.connect('personal', 3);
    expect(wa.sockets.personal.liveAtCreate).toEqual([0, 0, 0]);
    expect(first.listeners('messages.upsert')).toBe(0);
    third.upsert([dmFromPn('15551234567', text('still there?'))]);
    await until(() => third.sent.length === 1, 'reply on the new socket');
    expect(wa.adapters.get('personal')!.status()).toMatchObject({
      state: 'connected',
      lastError: 'Stream Errored (restart required) (515)',
    });
  });

  it('logged out (401): the account stops with a re-link reason, its link state is deleted, no reconnect', async () => {
    await linkAccounts('personal');
    const wa = whatsapp();
    gw = await startTestGateway({ config: config({ ...openPolicy, accounts: { personal: {} } }), adapters: wa.factory });
    const sock = await wa.connect('personal');
    sock.close(401, 'Connection Failure');
    await until(() => wa.adapters.get('personal')!.status().state === 'stopped', 'stopped');
    expect(wa.adapters.get('personal')!.status().reason).toBe(
      'logged out — re-link with switchboard channels login --channel whatsapp --account personal',
    );
    expect(await hasWhatsAppAuthState(credDir, 'personal')).toBe(false);
    expect(wa.sockets.personal.sockets).toHaveLength(1);
  });

  it('replaced (440): the account stops and says another session took over', async () => {
    await linkAccounts('personal');
    const wa = whatsapp();
    gw = await startTestGateway({ config: config({ ...openPolicy, accounts: { personal: {} } }), adapters: wa.factory });
    const sock = await wa.connect('personal');
    sock.close(440, 'Connection Replaced');
    await until(() => wa.adapters.get('personal')!.status().state === 'stopped', 'stopped');
    expect(wa.adapters.get('personal')!.status().reason).toBe('another WhatsApp Web session replaced this one');
    expect(await hasWhatsAppAuthState(credDir, 'personal')).toBe(true);
    expect(wa.sockets.personal.sockets).toHaveLength(1);
  });

  it('own messages and self-chat echoes never start a turn', async () => {
    await linkAccounts('personal');
    const wa = whatsapp();
    gw = await startTestGateway({ config: config({ ...openPolicy, accounts: { personal: {} } }), adapters: wa.factory });
    const sock = await wa.connect('personal');
    sock.upsert([
      dmFromPn('15550000001', text('note to self'), { fromMe: true }),
      dmFromPn('15551234567', text('sent from my phone'), { fromMe: true }),
    ]);
    sock.upsert([dmFromPn('15551234567', text('our reply, echoed'), { fromMe: true })], 'append');
    sock.upsert([dmFromPn('15551234567', text('a real message'))]);
    await until(() => sock.sent.length === 1, 'one reply');
    expect(sock.sent[0]!.text).toBe('echo: a real message');
    expect((await gw.client.request('status', {})).dropped).toEqual({ self: 2 });
  });

  it('an unlinked account does not connect and says how to link it', async () => {
    const wa = whatsapp();
    gw = await startTestGateway({ config: config({ accounts: { personal: {} } }), adapters: wa.factory });
    expect(wa.adapters.get('personal')!.status()).toMatchObject({
      state: 'stopped',
      reason: 'not linked — link it with switchboard channels login --channel whatsapp --account personal',
    });
    expect(wa.sockets.personal.sockets).toHaveLength(0);
  });

  it('an unlinked account with a QR handler reports linking while a QR is pending, then connects', async () => {
    const qrs: string[] = [];
    const wa = whatsapp({ onQr: (qr) => qrs.push(qr) });
    gw = await startTestGateway({ config: config({ ...openPolicy, accounts: { personal: {} } }), adapters: wa.factory });
    const sock = await wa.sockets.personal.next(1);
    sock.qr('2@ref-one');
    expect(wa.adapters.get('personal')!.status().state).toBe('linking');
    expect(qrs).toEqual(['2@ref-one']);
    sock.creds({ me: { id: SELF.personal.id } });
    sock.close(515, 'restart required');
    await wa.connect('personal', 2);
    // Stopping waits for pending link-state writes, so the saved creds are on disk afterwards.
    await gw.close();
    gw = undefined;
    const stored = await openWhatsAppAuthState({ stateDir: credDir, accountId: 'personal', keyProvider });
    expect(stored.state.creds.me?.id).toBe(SELF.personal.id);
  });
});
