// Inbound images end to end: the real gateway, grammy against the local Bot API peer (getFile +
// file download), discord.js against the local Discord peer (attachment URL), the local Anthropic
// peer recording what the model was sent, and the images on disk under each agent's media folder.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../src-main/channels/discord/index.ts';
import { createTelegramAdapter, type TelegramAdapter, type TelegramTiming } from '../../src-main/channels/telegram/index.ts';
import { createWhatsAppAdapter } from '../../src-main/channels/whatsapp/adapter.ts';
import { openWhatsAppAuthState } from '../../src-main/channels/whatsapp/auth-store.ts';
import { MediaTooLargeError } from '../../src-main/channels/whatsapp/socket.ts';
import type { AdapterFactory } from '../../src-main/gateway/channel-set.ts';
import type { ChannelAdapter } from '../../src-main/gateway/envelope.ts';
import { silentLogger } from '../../src-main/log.ts';
import { secretResolver } from '../../src-main/secrets/resolver.ts';
import { fakeSockets } from '../fixtures/whatsapp/fake-socket.ts';
import { dmFromPn } from '../fixtures/whatsapp/messages.ts';
import { startTestGateway, TEST_API_KEY, type TestGateway } from '../helpers/gateway.ts';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { until } from '../helpers/wait.ts';
import type { MessagesBody } from '../peers/anthropic.ts';
import { startDiscordPeer, type DiscordPeer } from '../peers/discord.ts';
import { startTelegramPeer, tg, type PeerBot, type TelegramPeer } from '../peers/telegram.ts';

const FAST: TelegramTiming = {
  pollTimeoutSeconds: 2,
  perChatIntervalMs: 10,
  groupWindowMs: 500,
  retryAfterUnitMs: 30,
  backoff: { baseMs: 20, maxMs: 100 },
  stopConfirmMs: 500,
};

/** JPEG magic, then bytes that make each picture distinct. */
const jpeg = (seed: string, size = 3000): Buffer => {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (seed.charCodeAt(i % seed.length) + i) & 0xff;
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), body]);
};
const png = (seed: string): Buffer =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(seed.repeat(200))]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

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

const alice = tg.user(111, 'Alice', 'alice');
const dm = tg.privateChat(alice);

async function telegramSetup(
  extra: Record<string, unknown> = {},
  telegram: Record<string, unknown> = {},
): Promise<{ bot: PeerBot; gw: TestGateway }> {
  tgPeer = await startTelegramPeer();
  const peer = tgPeer;
  const bot = peer.addBot('home_bot');
  const factory: AdapterFactory = (account, config) => {
    if (account.channel !== 'telegram') return undefined;
    const adapter = createTelegramAdapter(account, config, {
      secrets: secretResolver({ env: { TELEGRAM_BOT_TOKEN: bot.token } }),
      log: silentLogger,
      timing: FAST,
    });
    adapters.push(adapter);
    return adapter;
  };
  gw = await startTestGateway({
    config: (url) => ({
      models: { anthropic: { baseUrl: url } },
      agents: { list: [{ id: 'home', default: true }, { id: 'work' }] },
      channels: { telegram: { apiRoot: peer.url, dmPolicy: 'open', allowFrom: ['*'], ...telegram } },
      ...extra,
    }),
    adapters: factory,
  });
  await bot.waitForPoll();
  return { bot, gw };
}

type Block = Record<string, unknown>;
const blocks = (body: MessagesBody | undefined, index: number): Block[] => {
  const m = body?.messages?.[index];
  return typeof m?.content === 'string' ? [{ type: 'text', text: m.content }] : (m?.content ?? []);
};
const imageData = (bs: Block[]) => bs.filter((b) => b.type === 'image').map((b) => b.source as { data: string; media_type: string });
const textOf = (bs: Block[]) =>
  bs
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('\n');
const mediaFiles = (g: TestGateway, agentId: string) => readdir(path.join(g.dir, 'agents', agentId, 'media')).catch(() => [] as string[]);

describe('Telegram photos reach the model', () => {
  it('never downloads a photo from a sender the access policy keeps out', async () => {
    const { bot, gw } = await telegramSetup({}, { dmPolicy: 'pairing', allowFrom: [] });
    bot.addFile('p-big', jpeg('stranger picture'));
    bot.message(tg.photoSizes(dm, alice, [{ fileId: 'p-big', width: 1280, height: 960, size: 3004 }], 'let me in'));
    await gw.waitFor('message.dropped');
    await until(() => bot.sent.length === 1, 'the pairing reply');
    expect(bot.downloads).toEqual([]);
    expect(await mediaFiles(gw, 'home')).toEqual([]);
  });

  it('a photo DM becomes an image block with the exact bytes, followed by the caption', async () => {
    const { bot, gw } = await telegramSetup();
    const big = jpeg('big picture');
    bot.addFile('p-small', jpeg('thumb', 100));
    bot.addFile('p-big', big);
    bot.message(
      tg.photoSizes(
        dm,
        alice,
        [
          { fileId: 'p-small', width: 90, height: 90, size: 104 },
          { fileId: 'p-big', width: 1280, height: 960, size: big.length },
        ],
        'what is in this picture?',
      ),
    );
    await until(() => bot.sent.length === 1, 'the reply');
    const user = blocks(gw.peer.requests[0]!.body, 0);
    expect(user[0]).toMatchObject({ type: 'image' });
    expect(imageData(user)).toEqual([{ type: 'base64', media_type: 'image/jpeg', data: big.toString('base64') }]);
    expect(textOf(user)).toBe('[photo]\nwhat is in this picture?');
    // The largest size under the cap was fetched, once.
    expect(bot.downloads).toEqual([bot.files.get('p-big')!.path]);
  });

  it("the image is stored under the routed agent's media folder only, 0600, named by its sha256", async () => {
    const { bot, gw } = await telegramSetup();
    const big = jpeg('stored');
    bot.addFile('p1', big);
    bot.message(tg.photoSizes(dm, alice, [{ fileId: 'p1', width: 800, height: 600, size: big.length }], 'keep this'));
    await until(() => bot.sent.length === 1, 'the reply');
    expect(await mediaFiles(gw, 'home')).toEqual([`${sha(big)}.jpg`]);
    expect(await mediaFiles(gw, 'work')).toEqual([]);
    if (process.platform !== 'win32')
      expect((await stat(path.join(gw.dir, 'agents', 'home', 'media', `${sha(big)}.jpg`))).mode & 0o777).toBe(0o600);
    // The transcript keeps a reference, not the bytes.
    // Alice is not an owner: her DM has a session of its own.
    const history = await gw.client.request('sessions.history', { agentId: 'home', sessionKey: 'agent:home:telegram:direct:111' });
    const inbound = history.records.find((r) => r.type === 'message' && r.role === 'user')!;
    expect(inbound.media).toEqual([{ kind: 'image', sha256: sha(big), mimeType: 'image/jpeg', bytes: big.length }]);
    expect(JSON.stringify(history.records)).not.toContain(big.toString('base64').slice(0, 40));
  });

  it('a broadcast group stores one copy per agent, and each agent sees the image', async () => {
    const group = tg.group(-4242, 'Friends');
    const { bot, gw } = await telegramSetup(
      { broadcast: { strategy: 'parallel', '-4242': ['home', 'work'] } },
      { groupPolicy: 'open', groups: { '*': { requireMention: false } } },
    );
    const pic = jpeg('shared');
    bot.addFile('g1', pic);
    bot.message(tg.photoSizes(group, alice, [{ fileId: 'g1', width: 640, height: 480, size: pic.length }], 'for both'));
    await until(() => bot.sent.length === 2, 'two replies');
    expect(await mediaFiles(gw, 'home')).toEqual([`${sha(pic)}.jpg`]);
    expect(await mediaFiles(gw, 'work')).toEqual([`${sha(pic)}.jpg`]);
    for (const req of gw.peer.requests) expect(imageData(blocks(req.body, 0)).map((s) => s.data)).toEqual([pic.toString('base64')]);
  });

  it('a photo over the size cap stays a placeholder that says why, and is not downloaded', async () => {
    const { bot, gw } = await telegramSetup();
    const mb = 1024 * 1024;
    bot.message(
      tg.photoSizes(
        dm,
        alice,
        [
          { fileId: 'h1', width: 4000, height: 3000, size: 12 * mb },
          { fileId: 'h2', width: 8000, height: 6000, size: 30 * mb },
        ],
        'huge one',
      ),
    );
    await until(() => bot.sent.length === 1, 'the reply');
    const user = blocks(gw.peer.requests[0]!.body, 0);
    expect(imageData(user)).toEqual([]);
    expect(textOf(user)).toBe('[photo too large: 12 MB]\nhuge one');
    expect(bot.downloads).toEqual([]);
    expect(await mediaFiles(gw, 'home')).toEqual([]);
  });

  it('a stored image whose file is gone later becomes a placeholder line in history, and the turn still runs', async () => {
    const { bot, gw } = await telegramSetup();
    const pic = jpeg('ephemeral');
    bot.addFile('e1', pic);
    bot.message(tg.photoSizes(dm, alice, [{ fileId: 'e1', width: 640, height: 480, size: pic.length }], 'remember this'));
    await until(() => bot.sent.length === 1, 'the first reply');
    await rm(path.join(gw.dir, 'agents', 'home', 'media', `${sha(pic)}.jpg`));
    bot.message(tg.text(dm, alice, 'what did I send?'));
    await until(() => bot.sent.length === 2, 'the second reply');
    const body = gw.peer.requests[1]!.body;
    expect(body?.messages?.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const first = blocks(body, 0);
    expect(imageData(first)).toEqual([]);
    expect(textOf(first)).toBe('[photo]\nremember this\n[image no longer available]');
    expect(bot.sent[1]!.text).toBe('echo: what did I send?');
  });

  it('an earlier photo is sent again with later turns while its file exists', async () => {
    const { bot, gw } = await telegramSetup();
    const pic = jpeg('again');
    bot.addFile('a1', pic);
    bot.message(tg.photoSizes(dm, alice, [{ fileId: 'a1', width: 640, height: 480, size: pic.length }], 'first'));
    await until(() => bot.sent.length === 1, 'the first reply');
    bot.message(tg.text(dm, alice, 'and now?'));
    await until(() => bot.sent.length === 2, 'the second reply');
    const body = gw.peer.requests[1]!.body;
    expect(imageData(blocks(body, 0)).map((s) => s.data)).toEqual([pic.toString('base64')]);
    expect(textOf(blocks(body, 2))).toBe('and now?');
  });
});

describe('Discord image attachments reach the model', () => {
  const BOT = { token: 'tok-alpha', id: '1001', username: 'alpha' };
  const ANN = '5001';

  async function discordSetup(): Promise<TestGateway> {
    dcPeer = await startDiscordPeer({ bots: [BOT], users: [{ id: ANN, username: 'ann' }] });
    const peer = dcPeer;
    const factory: AdapterFactory = (account, config) =>
      account.channel === 'discord'
        ? createDiscordAdapter(account, config, { secrets: secretResolver({ env: { DISCORD_BOT_TOKEN: BOT.token } }), log: silentLogger })
        : undefined;
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: { list: [{ id: 'home', default: true }, { id: 'work' }] },
        channels: { discord: { apiRoot: peer.apiRoot, dmPolicy: 'open', allowFrom: ['*'] } },
      }),
      adapters: factory,
      env: { ANTHROPIC_API_KEY: TEST_API_KEY },
    });
    await until(() => peer.isConnected(BOT.id), 'discord connected');
    return gw;
  }

  it('an image attachment becomes an image block with the exact bytes, stored for the routed agent', async () => {
    const g = await discordSetup();
    const pic = png('discord picture');
    dcPeer!.dm(BOT.id, ANN, 'look', { attachments: [{ filename: 'cat.png', contentType: 'image/png', data: pic }] });
    await until(() => dcPeer!.sent.length === 1, 'the reply');
    const user = blocks(g.peer.requests[0]!.body, 0);
    expect(imageData(user)).toEqual([{ type: 'base64', media_type: 'image/png', data: pic.toString('base64') }]);
    expect(textOf(user)).toBe('look');
    expect(await mediaFiles(g, 'home')).toEqual([`${sha(pic)}.png`]);
    expect(await mediaFiles(g, 'work')).toEqual([]);
  });

  it('an attachment over the cap is not downloaded and the message says why', async () => {
    const g = await discordSetup();
    dcPeer!.dm(BOT.id, ANN, 'too big?', {
      attachments: [{ filename: 'huge.jpg', contentType: 'image/jpeg', data: jpeg('x'), size: 12 * 1024 * 1024 }],
    });
    await until(() => dcPeer!.sent.length === 1, 'the reply');
    const user = blocks(g.peer.requests[0]!.body, 0);
    expect(imageData(user)).toEqual([]);
    expect(textOf(user)).toBe('too big?\n[image huge.jpg too large: 12 MB]');
    expect(dcPeer!.fileDownloads).toEqual([]);
  });
});

describe('WhatsApp image messages reach the model', () => {
  const SELF = { id: '15550000001:3@s.whatsapp.net', lid: '900000000001:3@lid' };
  const key = randomBytes(32);
  let credDir = '';
  afterEach(async () => {
    if (credDir) await rm(credDir, { recursive: true, force: true });
    credDir = '';
  });

  /** A linked account whose fake socket serves `files` (by message id) through the downloadMedia seam. */
  async function whatsAppSetup(
    files: Map<string, Buffer>,
  ): Promise<{ gw: TestGateway; upsert: (msg: ReturnType<typeof dmFromPn>) => void; sent: () => number }> {
    credDir = await mkdtemp(path.join(os.tmpdir(), 'sb-wa-media-'));
    const store = await openWhatsAppAuthState({ stateDir: credDir, accountId: 'default', keyProvider: async () => key });
    store.state.creds.me = SELF;
    await store.saveCreds();
    const sockets = fakeSockets((sock) =>
      Object.assign(sock, {
        downloadMedia: async (msg: { key: { id?: string | null } }, opts: { maxBytes: number }) => {
          const data = files.get(msg.key.id ?? '');
          if (!data) throw new Error('media gone');
          if (data.length > opts.maxBytes) throw new MediaTooLargeError(opts.maxBytes + 1);
          return data;
        },
      }),
    );
    let adapter: ChannelAdapter | undefined;
    const factory: AdapterFactory = (account, config) => {
      if (account.channel !== 'whatsapp') return undefined;
      adapter = createWhatsAppAdapter(account, config, {
        stateDir: credDir,
        log: silentLogger,
        keyProvider: async () => key,
        socketFactory: sockets.factory,
        backoff: { baseMs: 5, maxMs: 20 },
        media: { maxBytes: 10_000 },
      });
      return adapter;
    };
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: { list: [{ id: 'home', default: true }, { id: 'work' }] },
        channels: { whatsapp: { dmPolicy: 'open', allowFrom: ['*'] } },
      }),
      adapters: factory,
    });
    const sock = await sockets.next();
    sock.open(SELF);
    await until(() => adapter?.status().state === 'connected', 'whatsapp connected');
    return { gw, upsert: (msg) => sock.upsert([msg]), sent: () => sock.sent.length };
  }

  it('an image message becomes an image block with the decrypted bytes, stored for the routed agent', async () => {
    const pic = jpeg('whatsapp picture');
    const msg = dmFromPn('15551234567', { imageMessage: { caption: 'look', mimetype: 'image/jpeg', fileLength: pic.length } });
    const wa = await whatsAppSetup(new Map([[msg.key.id!, pic]]));
    wa.upsert(msg);
    await until(() => wa.sent() === 1, 'the reply');
    const user = blocks(wa.gw.peer.requests[0]!.body, 0);
    expect(imageData(user)).toEqual([{ type: 'base64', media_type: 'image/jpeg', data: pic.toString('base64') }]);
    expect(textOf(user)).toBe('[photo]\nlook');
    expect(await mediaFiles(wa.gw, 'home')).toEqual([`${sha(pic)}.jpg`]);
    expect(await mediaFiles(wa.gw, 'work')).toEqual([]);
  });

  it('an image over the cap stays a placeholder that says why', async () => {
    const pic = jpeg('big', 20_000);
    const msg = dmFromPn('15551234567', { imageMessage: { caption: 'big one', mimetype: 'image/jpeg' } });
    const wa = await whatsAppSetup(new Map([[msg.key.id!, pic]]));
    wa.upsert(msg);
    await until(() => wa.sent() === 1, 'the reply');
    const user = blocks(wa.gw.peer.requests[0]!.body, 0);
    expect(imageData(user)).toEqual([]);
    expect(textOf(user)).toBe('[photo too large: over 10 KB]\nbig one');
  });
});

describe('image bytes in memory', () => {
  it("are let go once every agent's copy is on disk; the turn still sends the image, read from there", async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'], botToken: { env: 'T' } } },
      }),
      adapters: channels.factory,
    });
    const picture = jpeg('kept on disk');
    const media = [{ kind: 'image' as const, mimeType: 'image/jpeg', data: picture }];
    channels.get('telegram').dm('111', '[photo]', { media });
    await gw.waitFor('message.outbound');
    // The envelope the adapter handed over no longer holds the bytes…
    expect(media[0]!.data).toBeUndefined();
    // …they are in the agent's media folder, and the model got them from there.
    expect(await mediaFiles(gw, 'main')).toEqual([`${sha(picture)}.jpg`]);
    expect(imageData(blocks(gw.peer.requests[0]!.body, 0))).toEqual([
      { type: 'base64', media_type: 'image/jpeg', data: picture.toString('base64') },
    ]);
  });
});
