// The channel issue's acceptance, through the production wiring (no test adapters): two agents,
// two Telegram bots and one Discord bot against the local protocol peers; every message reaches
// the agent its binding names, replies land where they should, and channels status shows it all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordPeer, type DiscordPeer } from '../peers/discord.ts';
import { startTelegramPeer, tg, type PeerBot, type TelegramPeer } from '../peers/telegram.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { until as waitUntil } from '../helpers/wait.ts';

let telegram: TelegramPeer;
let discord: DiscordPeer;
let gw: TestGateway;
let homeBot: PeerBot;
let alertsBot: PeerBot;
const DISCORD_BOT = { token: 'MTAw.discord-bot.token-for-tests-only', id: '100000000000000001', username: 'workbot' };
const GUILD = '200000000000000001';
const CHANNEL = '300000000000000001';
const ALICE = '400000000000000001';

beforeAll(async () => {
  telegram = await startTelegramPeer();
  discord = await startDiscordPeer({
    bots: [DISCORD_BOT],
    users: [{ id: ALICE, username: 'alice' }],
    guilds: [{ id: GUILD, channels: [{ id: CHANNEL }], members: [{ userId: ALICE }] }],
  });
  const home = (homeBot = telegram.addBot('home_bot'));
  const alerts = (alertsBot = telegram.addBot('alerts_bot'));
  gw = await startTestGateway({
    env: { ANTHROPIC_API_KEY: 'sk-test', TG_HOME: home.token, TG_ALERTS: alerts.token, DC_WORK: DISCORD_BOT.token },
    config: (url) => ({
      models: { anthropic: { baseUrl: url } },
      agents: { list: [{ id: 'home', default: true }, { id: 'work' }] },
      bindings: [
        { agentId: 'work', match: { channel: 'telegram', accountId: 'alerts' } },
        { agentId: 'work', match: { channel: 'discord', guildId: GUILD } },
      ],
      channels: {
        telegram: {
          apiRoot: telegram.url,
          dmPolicy: 'open',
          allowFrom: ['*'],
          accounts: { default: { botToken: { env: 'TG_HOME' } }, alerts: { botToken: { env: 'TG_ALERTS' } } },
        },
        discord: {
          apiRoot: discord.apiRoot,
          token: { env: 'DC_WORK' },
          groupPolicy: 'open',
          guilds: { [GUILD]: { channels: { [CHANNEL]: { allow: true, requireMention: false } } } },
        },
      },
    }),
  });
});

afterAll(async () => {
  await gw?.close();
  await telegram?.close();
  await discord?.close();
});

const until = (check: () => boolean, what: string, ms = 15_000) => waitUntil(check, what, ms);

describe('two agents, two Telegram bots and one Discord bot through the production adapters', () => {
  it('every account connects and channels.status shows it', async () => {
    await until(() => gw.headless.gateway.channelStatuses().every((s) => s.state === 'connected'), 'all connected');
    const { channels } = await gw.client.request('channels.status', {});
    expect(channels.map((c) => `${c.channel}:${c.accountId}:${c.state}`).sort()).toEqual([
      'discord:default:connected',
      'telegram:alerts:connected',
      'telegram:default:connected',
    ]);
  });

  it('a DM to each Telegram bot reaches the agent its binding names and the reply comes from that bot', async () => {
    const user = tg.user(5001, 'Ann');
    homeBot.message(tg.text(tg.privateChat(user), user, 'hi home'));
    alertsBot.message(tg.text(tg.privateChat(user), user, 'hi alerts'));
    await until(() => homeBot.sent.length === 1 && alertsBot.sent.length === 1, 'two replies');
    expect(homeBot.sent[0]).toMatchObject({ chatId: '5001', text: 'echo: hi home' });
    expect(alertsBot.sent[0]).toMatchObject({ chatId: '5001', text: 'echo: hi alerts' });
    const inbound = gw.events.filter((e) => e.event === 'message.inbound').map((e) => [e.data.channel, e.data.accountId, e.data.agentId]);
    expect(inbound).toEqual(
      expect.arrayContaining([
        ['telegram', 'default', 'home'],
        ['telegram', 'alerts', 'work'],
      ]),
    );
  });

  it('a Discord guild message reaches the agent bound to the guild and the reply lands in that channel', async () => {
    discord.post({ channelId: CHANNEL, from: ALICE, text: 'status report please' });
    await until(() => discord.sent.some((m) => m.content === 'echo: status report please'), 'discord reply');
    expect(discord.sent.find((m) => m.content === 'echo: status report please')).toMatchObject({
      channelId: CHANNEL,
      botId: DISCORD_BOT.id,
    });
    expect(gw.events.some((e) => e.event === 'message.inbound' && e.data.channel === 'discord' && e.data.agentId === 'work')).toBe(true);
  });

  it('channels.probe checks each account with its platform', async () => {
    expect(await gw.client.request('channels.probe', { channel: 'telegram', accountId: 'alerts' })).toMatchObject({
      ok: true,
      identity: '@alerts_bot',
    });
    expect(await gw.client.request('channels.probe', { channel: 'discord' })).toMatchObject({ ok: true });
  });

  it('an edited Telegram message is recorded in the session but not answered', async () => {
    const user = tg.user(5002, 'Ben');
    const original = homeBot.message(tg.text(tg.privateChat(user), user, 'first version'));
    await until(() => homeBot.sent.some((m) => m.text === 'echo: first version'), 'reply to the original');
    const repliesBefore = homeBot.sent.length;
    homeBot.edit(original, 'second version');
    let records: Record<string, unknown>[] = [];
    const end = Date.now() + 15_000;
    while (!records.some((r) => r.type === 'edit' && r.text === 'second version') && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      // Ben is not an owner: his DM (and its edit) live in a session of his own.
      records = (
        await gw.client.request('sessions.history', { agentId: 'home', sessionKey: 'agent:home:telegram:direct:5002', limit: 1000 })
      ).records;
    }
    expect(records.filter((r) => r.type === 'edit').map((r) => r.text)).toEqual(['second version']);
    expect(homeBot.sent.length).toBe(repliesBefore);
  });
});
