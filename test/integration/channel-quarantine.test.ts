// Poison input through the real adapters and the real gateway: an update/message the mapping
// cannot read is quarantined and skipped, and the good one behind it is answered. Telegram against
// the local Bot API peer (the getUpdates offset moves past the poison), Discord against the local
// Discord gateway peer (discord.js itself sees the malformed dispatch too), WhatsApp through the
// fake Baileys socket at the adapter's seam.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../src-main/channels/discord/index.ts';
import { quarantinePath } from '../../src-main/channels/quarantine.ts';
import { createTelegramAdapter, type TelegramAdapter } from '../../src-main/channels/telegram/index.ts';
import { createWhatsAppAdapter } from '../../src-main/channels/whatsapp/adapter.ts';
import { openWhatsAppAuthState } from '../../src-main/channels/whatsapp/auth-store.ts';
import type { ChannelStatus } from '../../src-main/gateway/envelope.ts';
import { silentLogger } from '../../src-main/log.ts';
import { secretResolver } from '../../src-main/secrets/resolver.ts';
import { fakeSockets } from '../fixtures/whatsapp/fake-socket.ts';
import { dmFromPn, text } from '../fixtures/whatsapp/messages.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { until } from '../helpers/wait.ts';
import { snowflake, startDiscordPeer, type DiscordPeer } from '../peers/discord.ts';
import { startTelegramPeer, tg, type TelegramPeer } from '../peers/telegram.ts';

let gw: TestGateway | undefined;
let tgPeer: TelegramPeer | undefined;
let dcPeer: DiscordPeer | undefined;
const adapters: TelegramAdapter[] = [];
afterEach(async () => {
  await gw?.close();
  await Promise.all(adapters.splice(0).map((a) => a.stop()));
  await tgPeer?.close();
  await dcPeer?.close();
  gw = undefined;
  tgPeer = undefined;
  dcPeer = undefined;
});

const channelStatus = async (g: TestGateway, channel: string) =>
  ((await g.client.request('channels.status', {})).channels as ChannelStatus[]).find(
    (c) => c.channel === channel && c.accountId === 'default',
  );

const quarantined = async (stateDir: string, channel: 'telegram' | 'discord' | 'whatsapp', accountId = 'default') =>
  (await readFile(quarantinePath(stateDir, channel, accountId), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { reason: string; payload: Record<string, unknown> });

const alice = tg.user(111, 'Alice', 'alice');

async function telegramGateway(stateDir: string) {
  tgPeer = await startTelegramPeer();
  const peer = tgPeer;
  const bot = peer.addBot('home_bot');
  gw = await startTestGateway({
    config: (url) => ({
      models: { anthropic: { baseUrl: url } },
      channels: { telegram: { apiRoot: peer.url, dmPolicy: 'open', allowFrom: ['*'], accounts: { default: {} } } },
    }),
    adapters: (account, config) => {
      if (account.channel !== 'telegram') return undefined;
      const adapter = createTelegramAdapter(account, config, {
        secrets: secretResolver({ env: { TELEGRAM_BOT_TOKEN: bot.token } }),
        log: silentLogger,
        stateDir,
        timing: { pollTimeoutSeconds: 2, perChatIntervalMs: 10, backoff: { baseMs: 20, maxMs: 100 }, stopConfirmMs: 500 },
      });
      adapters.push(adapter);
      return adapter;
    },
  });
  await bot.waitForPoll();
  return { bot, gw };
}

describe('Telegram poison updates', () => {
  it('a text_mention without user is quarantined; the good update after it is answered and the offset moves past both', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'sb-poison-'));
    const { bot, gw } = await telegramGateway(stateDir);
    const chat = tg.privateChat(alice);
    const poisonId = bot.pushRaw({
      message: {
        message_id: 1,
        date: 1_700_000_000,
        chat,
        from: alice,
        text: 'Bot hi',
        entities: [{ type: 'text_mention', offset: 0, length: 3 }],
      },
    });
    const good = bot.message(tg.text(chat, alice, 'after the poison'));
    await until(() => bot.sent.length === 1, 'the good update answered');
    expect(bot.sent[0]).toMatchObject({ chatId: '111', text: 'echo: after the poison', replyTo: good.message_id });
    // The next long poll confirms everything up to the good update: Telegram forgets the poison.
    await until(() => !bot.pending.some((u) => u.update_id <= poisonId + 1), 'offset past both updates');
    const offsets = tgPeer!.callsOf(bot.token, 'getUpdates').map((c) => Number(c.params.offset));
    expect(Math.max(...offsets.filter(Number.isFinite))).toBeGreaterThan(poisonId + 1);
    await until(async () => (await channelStatus(gw, 'telegram'))?.unreadable === 1, 'unreadable: 1 in the status');
    const entries = await quarantined(stateDir, 'telegram');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.payload).toMatchObject({ update_id: poisonId, message: { text: 'Bot hi' } });
    expect(entries[0]!.reason).toContain('message.entities.0.user');
  });

  it('a photo that is not a list and a message without chat are both skipped and kept', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'sb-poison-'));
    const { bot, gw } = await telegramGateway(stateDir);
    const photoId = bot.pushRaw({
      message: { message_id: 2, date: 1_700_000_000, chat: tg.privateChat(alice), from: alice, photo: { file_id: 'x' } },
    });
    const noChatId = bot.pushRaw({ message: { message_id: 3, date: 1_700_000_000, from: alice, text: 'where am I' } });
    bot.message(tg.text(tg.privateChat(alice), alice, 'still here'));
    await until(() => bot.sent.length === 1, 'the good update answered');
    expect(bot.sent[0]!.text).toBe('echo: still here');
    await until(async () => (await channelStatus(gw, 'telegram'))?.unreadable === 2, 'unreadable: 2');
    const entries = await quarantined(stateDir, 'telegram');
    expect(entries.map((e) => e.payload.update_id)).toEqual([photoId, noChatId]);
    expect(entries.map((e) => e.reason)).toEqual([expect.stringContaining('message.photo'), expect.stringContaining('message.chat')]);
  });
});

describe('Discord poison messages', () => {
  it('a MESSAGE_CREATE without author is quarantined; the good DM after it is answered', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'sb-poison-'));
    const BOT = { token: 'tok-alpha', id: '1001', username: 'alpha' };
    const ANN = '5001';
    dcPeer = await startDiscordPeer({ bots: [BOT], users: [{ id: ANN, username: 'ann' }], guilds: [] });
    const peer = dcPeer;
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        channels: { discord: { apiRoot: peer.apiRoot, dmPolicy: 'open', allowFrom: ['*'] } },
      }),
      adapters: (account, config) =>
        account.channel === 'discord'
          ? createDiscordAdapter(account, config, {
              secrets: secretResolver({ env: { DISCORD_BOT_TOKEN: BOT.token } }),
              log: silentLogger,
              stateDir,
            })
          : undefined,
    });
    const g = gw;
    await until(async () => (await channelStatus(g, 'discord'))?.state === 'connected', 'discord connected');
    const poisonId = snowflake();
    peer.dispatchRaw(BOT.id, 'MESSAGE_CREATE', {
      id: poisonId,
      channel_id: peer.dmChannel(BOT.id, ANN),
      content: 'who wrote this?',
      type: 0,
    });
    peer.dm(BOT.id, ANN, 'hello after');
    await until(() => peer.sent.length === 1, 'the good DM answered');
    expect(peer.sent[0]).toMatchObject({ content: 'echo: hello after' });
    await until(async () => (await channelStatus(g, 'discord'))?.unreadable === 1, 'unreadable: 1');
    const entries = await quarantined(stateDir, 'discord');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.payload).toMatchObject({ id: poisonId, content: 'who wrote this?' });
    expect(entries[0]!.reason).toContain('author');
  });
});

describe('WhatsApp poison messages', () => {
  it('a message without a key is quarantined; the good one in the same batch is answered', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'sb-poison-'));
    const key = Buffer.alloc(32, 7);
    const keyProvider = async () => key;
    const creds = await openWhatsAppAuthState({ stateDir, accountId: 'personal', keyProvider });
    creds.state.creds.me = { id: '15550000001:3@s.whatsapp.net', lid: '900000000001:3@lid' };
    await creds.saveCreds();
    const sockets = fakeSockets();
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        channels: { whatsapp: { dmPolicy: 'open', allowFrom: ['*'], accounts: { personal: {} } } },
      }),
      adapters: (account, config) =>
        account.channel === 'whatsapp'
          ? createWhatsAppAdapter(account, config, { stateDir, log: silentLogger, keyProvider, socketFactory: sockets.factory })
          : undefined,
    });
    const g = gw;
    const sock = await sockets.next();
    sock.open({ id: '15550000001:3@s.whatsapp.net', lid: '900000000001:3@lid' });
    const whatsappStatus = async () =>
      ((await g.client.request('channels.status', {})).channels as ChannelStatus[]).find((c) => c.channel === 'whatsapp');
    await until(async () => (await whatsappStatus())?.state === 'connected', 'whatsapp connected');
    const poison = { key: 'not a key', message: { conversation: 'lost?' } };
    sock.upsert([poison as never, dmFromPn('15551234567', text('after the poison'))]);
    await until(() => sock.sent.length === 1, 'the good message answered');
    expect(sock.sent[0]).toMatchObject({ text: 'echo: after the poison' });
    await until(async () => (await whatsappStatus())?.unreadable === 1, 'unreadable: 1');
    const entries = await quarantined(stateDir, 'whatsapp', 'personal');
    expect(entries).toEqual([expect.objectContaining({ payload: poison, reason: expect.stringContaining('key') })]);
  });
});
