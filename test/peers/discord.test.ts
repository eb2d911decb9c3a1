// Proves the local Discord peer (test/peers/discord.ts) against the real discord.js: login through
// GET /gateway/bot, READY + GUILD_CREATE caches, MESSAGE_CREATE of every kind, REST sends with a
// 429 retry, RESUME after a dropped socket, and the unrecoverable close codes.
import { ChannelType, Client, Events, GatewayIntentBits, Partials, type Message } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTENTS, startDiscordPeer, type DiscordPeer } from './discord.ts';
import { until } from '../helpers/wait.ts';

const BOT = { token: 'tok-alpha', id: '1001', username: 'alpha' };
const OTHER = { token: 'tok-beta', id: '1002', username: 'beta', privilegedIntents: 0 };
const GUILD = {
  id: '2001',
  channels: [{ id: '3001' }],
  threads: [{ id: '3101', parentId: '3001' }],
  roles: [{ id: '4001', name: 'staff' }],
  members: [{ userId: '5001', roles: ['4001'] }],
};

let peer: DiscordPeer;
const clients: Client[] = [];
beforeEach(async () => {
  peer = await startDiscordPeer({
    bots: [BOT, OTHER],
    users: [
      { id: '5001', username: 'ann' },
      { id: '5002', username: 'bob' },
    ],
    guilds: [GUILD],
    groupDms: [{ id: '3201', recipients: ['5001', '5002', BOT.id] }],
  });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await peer.close();
});

function client(
  intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages, GatewayIntentBits.MessageContent],
): Client {
  const c = new Client({ intents, partials: [Partials.Channel], rest: { api: peer.apiRoot } });
  clients.push(c);
  return c;
}

function nextMessages(c: Client, n: number): Promise<Message[]> {
  const got: Message[] = [];
  return new Promise((resolve) =>
    c.on(Events.MessageCreate, (m) => {
      got.push(m);
      if (got.length === n) resolve(got);
    }),
  );
}

describe('discord peer with the real discord.js', () => {
  it('logs in via GET /gateway/bot and caches the guild, its channels, thread, roles and members', async () => {
    const c = client();
    await c.login(BOT.token);
    expect(c.user?.id).toBe(BOT.id);
    expect(peer.requests.some((r) => r.path === '/gateway/bot')).toBe(true);
    const guild = c.guilds.cache.get(GUILD.id)!;
    expect(guild.roles.cache.get('4001')?.name).toBe('staff');
    expect(guild.members.cache.get('5001')?.roles.cache.has('4001')).toBe(true);
    expect(guild.members.me?.id).toBe(BOT.id);
    const thread = c.channels.cache.get('3101');
    expect(thread?.isThread() && thread.parentId).toBe('3001');
  });

  it('delivers guild, thread, DM and group DM messages with their channel kinds, member roles and mentions', async () => {
    const c = client();
    await c.login(BOT.token);
    const got = nextMessages(c, 4);
    peer.post({ channelId: '3001', from: '5001', text: 'in channel', mentions: [BOT.id] });
    peer.post({ channelId: '3101', from: '5001', text: 'in thread' });
    peer.dm(BOT.id, '5002', 'in dm');
    peer.post({ channelId: '3201', from: '5002', text: 'in group dm' });
    const [channel, thread, dm, group] = await got;
    expect(channel!.content).toBe('in channel');
    expect(channel!.member?.roles.cache.has('4001')).toBe(true);
    expect(channel!.mentions.users.has(BOT.id)).toBe(true);
    expect(thread!.channel.isThread() && thread!.channel.parentId).toBe('3001');
    expect(dm!.channel.type).toBe(ChannelType.DM);
    expect(dm!.author.id).toBe('5002');
    expect(group!.channel.type).toBe(ChannelType.GroupDM);
  });

  it('records REST sends with their reply reference and echoes them to the author as its own message', async () => {
    const c = client();
    await c.login(BOT.token);
    const own = nextMessages(c, 1);
    const channel = await c.channels.fetch('3001');
    if (!channel?.isSendable()) throw new Error('not sendable');
    await channel.send({ content: 'hello', reply: { messageReference: '123', failIfNotExists: false } });
    expect(peer.sent).toMatchObject([{ botId: BOT.id, channelId: '3001', content: 'hello', replyTo: '123' }]);
    expect((await own)[0]!.author.id).toBe(BOT.id);
  });

  it('answers 429 with retry-after once, and discord.js retries so the message still arrives', async () => {
    const c = client();
    await c.login(BOT.token);
    peer.rateLimitMessages(1, 0.1);
    const channel = await c.channels.fetch('3001');
    if (!channel?.isSendable()) throw new Error('not sendable');
    await channel.send('after the limit');
    expect(peer.requests.filter((r) => r.method === 'POST' && r.path === '/channels/3001/messages')).toHaveLength(2);
    expect(peer.sent.map((m) => m.content)).toEqual(['after the limit']);
  });

  it('resumes after the socket drops and replays exactly the dispatches missed meanwhile', async () => {
    const c = client();
    await c.login(BOT.token);
    const got = nextMessages(c, 3);
    peer.post({ channelId: '3001', from: '5001', text: 'before' });
    await until(() => c.channels.cache.get('3001')?.isTextBased() === true && peer.isConnected(BOT.id), 'connected');
    peer.dropConnections(BOT.id);
    peer.post({ channelId: '3001', from: '5001', text: 'while down 1' });
    peer.post({ channelId: '3001', from: '5001', text: 'while down 2' });
    expect((await got).map((m) => m.content)).toEqual(['before', 'while down 1', 'while down 2']);
    expect(peer.gatewayLog.filter((r) => r.op === 'resume' && r.ok)).toHaveLength(1);
    expect(peer.readyCount(BOT.id)).toBe(1);
  });

  it('rejects an unknown token with 401 on REST before any IDENTIFY', async () => {
    await expect(client().login('nope')).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(peer.gatewayLog).toEqual([]);
  });

  it('closes 4004 on IDENTIFY for a token revoked at the gateway; discord.js does not reconnect', async () => {
    peer.rejectAtGateway(BOT.token);
    const c = client();
    const codes: number[] = [];
    c.on(Events.ShardDisconnect, (ev) => codes.push(ev.code));
    await expect(c.login(BOT.token)).rejects.toThrow(/Authentication failed/);
    expect(codes).toEqual([4004]);
    expect(peer.gatewayLog.filter((r) => r.op === 'identify')).toHaveLength(1);
  });

  it('closes 4014 when a bot asks for a privileged intent it has not enabled', async () => {
    const c = client();
    const codes: number[] = [];
    c.on(Events.ShardDisconnect, (ev) => codes.push(ev.code));
    await expect(c.login(OTHER.token)).rejects.toThrow(/disallowed intents/i);
    expect(codes).toEqual([4014]);
    expect(peer.gatewayLog[0]).toMatchObject({ botId: OTHER.id, ok: false });
    expect(peer.gatewayLog[0]!.intents! & INTENTS.MessageContent).toBeTruthy();
  });

  it('serves several bots at once, each only seeing its own DMs', async () => {
    const a = client();
    const b = client([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages]);
    await Promise.all([a.login(BOT.token), b.login(OTHER.token)]);
    const gotB = nextMessages(b, 1);
    peer.dm(OTHER.id, '5001', 'for beta');
    expect((await gotB)[0]!.content).toBe('for beta');
    expect(peer.readyCount(BOT.id)).toBe(1);
    expect(peer.readyCount(OTHER.id)).toBe(1);
  });
});
