// Discord end to end: the real gateway with the real Discord adapter (discord.js) against the local
// Discord REST + gateway peer, and the local Anthropic peer answering `echo: <text>`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../src-main/channels/discord/index.ts';
import type { AdapterFactory } from '../../src-main/gateway/channel-set.ts';
import type { ChannelStatus } from '../../src-main/gateway/envelope.ts';
import { silentLogger } from '../../src-main/log.ts';
import { secretResolver } from '../../src-main/secrets/resolver.ts';
import type { ChannelAccount } from '../../src-shared/config/index.ts';
import { startTestGateway, TEST_API_KEY, type TestGateway } from '../helpers/gateway.ts';
import { startDiscordPeer, type DiscordPeer } from '../peers/discord.ts';
import { until } from '../helpers/wait.ts';

const ALPHA = { token: 'tok-alpha', id: '1001', username: 'alpha' };
const BETA = { token: 'tok-beta', id: '1002', username: 'beta' };
const NO_CONTENT = { token: 'tok-gamma', id: '1003', username: 'gamma', privilegedIntents: 0 };
const ANN = '5001'; // has the staff role
const BOB = '5002';
const GUILD = '2001';
const GATED = '3001'; // requireMention: true (the default)
const OPEN = '3002'; // requireMention: false
const THREAD = '3101'; // a thread under GATED

let peer: DiscordPeer;
let gw: TestGateway | undefined;
beforeEach(async () => {
  peer = await startDiscordPeer({
    bots: [ALPHA, BETA, NO_CONTENT],
    users: [
      { id: ANN, username: 'ann' },
      { id: BOB, username: 'bob' },
    ],
    guilds: [
      {
        id: GUILD,
        channels: [{ id: GATED }, { id: OPEN }],
        threads: [{ id: THREAD, parentId: GATED }],
        roles: [{ id: '4001', name: 'staff' }],
        members: [{ userId: ANN, roles: ['4001'] }, { userId: BOB }],
      },
    ],
  });
});
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  await peer.close();
});

const discordOnly =
  (env: NodeJS.ProcessEnv): AdapterFactory =>
  (account: ChannelAccount, config) =>
    account.channel === 'discord'
      ? createDiscordAdapter(account, config, { secrets: secretResolver({ env }), log: silentLogger })
      : undefined;

async function start(
  discord: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<TestGateway> {
  gw = await startTestGateway({
    config: (url) => ({
      models: { anthropic: { baseUrl: url } },
      channels: {
        discord: {
          apiRoot: peer.apiRoot,
          guilds: { [GUILD]: { channels: { [GATED]: { allow: true }, [OPEN]: { allow: true, requireMention: false } } } },
          ...discord,
        },
      },
      ...extra,
    }),
    adapters: discordOnly({ DISCORD_BOT_TOKEN: ALPHA.token, ...env }),
    env: { ANTHROPIC_API_KEY: TEST_API_KEY },
  });
  return gw;
}

const statuses = async (g: TestGateway) => (await g.client.request('status', {})).channels as ChannelStatus[];
const statusOf = async (g: TestGateway, accountId = 'default') =>
  (await statuses(g)).find((s) => s.channel === 'discord' && s.accountId === accountId);
const waitState = (g: TestGateway, state: ChannelStatus['state'], accountId = 'default') =>
  until(async () => (await statusOf(g, accountId))?.state === state, `discord:${accountId} ${state}`);
const outbound = (g: TestGateway) => g.events.filter((e) => e.event === 'message.outbound');
const inbound = (g: TestGateway) => g.events.filter((e) => e.event === 'message.inbound').map((e) => e.data);
const dropped = (g: TestGateway, reason: string) =>
  g.events.filter((e) => e.event === 'message.dropped' && e.data.reason === reason).length;
const sentBy = (botId: string) => peer.sent.filter((m) => m.botId === botId);

describe('discord through the gateway', () => {
  it('routes guild messages by guild+roles and by account, each bot replying in the channel', async () => {
    await start(
      { dmPolicy: 'disabled', accounts: { default: {}, biz: { token: BETA.token } } },
      {
        agents: { list: [{ id: 'home', default: true }, { id: 'staff' }, { id: 'work' }] },
        bindings: [
          { agentId: 'staff', match: { channel: 'discord', guildId: GUILD, roles: ['4001'] } },
          { agentId: 'work', match: { channel: 'discord', accountId: 'biz' } },
        ],
      },
    );
    await waitState(gw!, 'connected');
    await waitState(gw!, 'connected', 'biz');
    const fromAnn = peer.post({ channelId: OPEN, from: ANN, text: 'from ann' });
    const fromBob = peer.post({ channelId: OPEN, from: BOB, text: 'from bob' });
    await until(() => outbound(gw!).length === 4, 'four replies');
    const routed = inbound(gw!)
      .map((d) => `${d.accountId}/${d.agentId}/${d.text}`)
      .sort();
    expect(routed).toEqual(['biz/work/from ann', 'biz/work/from bob', 'default/home/from bob', 'default/staff/from ann']);
    expect(
      sentBy(ALPHA.id)
        .map((m) => [m.channelId, m.content, m.replyTo])
        .sort(),
    ).toEqual([
      [OPEN, 'echo: from ann', fromAnn],
      [OPEN, 'echo: from bob', fromBob],
    ]);
    expect(
      sentBy(BETA.id)
        .map((m) => m.content)
        .sort(),
    ).toEqual(['echo: from ann', 'echo: from bob']);
    expect(peer.typing.some((t) => t.botId === ALPHA.id && t.channelId === OPEN)).toBe(true);
  });

  it('a thread inherits its parent channel binding and gets its own session', async () => {
    await start(
      { dmPolicy: 'disabled' },
      {
        agents: { list: [{ id: 'home', default: true }, { id: 'work' }] },
        bindings: [{ agentId: 'work', match: { channel: 'discord', peer: { kind: 'channel', id: GATED } } }],
      },
    );
    await waitState(gw!, 'connected');
    peer.post({ channelId: GATED, from: BOB, text: 'in parent', mentions: [ALPHA.id] });
    peer.post({ channelId: THREAD, from: BOB, text: 'in thread', mentions: [ALPHA.id] });
    await until(() => outbound(gw!).length === 2, 'two replies');
    const byText = Object.fromEntries(inbound(gw!).map((d) => [d.text, d]));
    expect(byText['in parent']).toMatchObject({
      agentId: 'work',
      sessionKey: `agent:work:discord:channel:${GATED}`,
      route: { matchedBy: 'binding.peer' },
    });
    expect(byText['in thread']).toMatchObject({
      agentId: 'work',
      sessionKey: `agent:work:discord:channel:${THREAD}`,
      route: { matchedBy: 'binding.peer.parent' },
    });
    expect(
      sentBy(ALPHA.id)
        .map((m) => [m.channelId, m.content])
        .sort(),
    ).toEqual([
      [GATED, 'echo: in parent'],
      [THREAD, 'echo: in thread'],
    ]);
  });

  it.each([
    ['open', { dmPolicy: 'open', allowFrom: ['*'] }, ['echo: hi from ann', 'echo: hi from bob'], 0],
    ['allowlist', { dmPolicy: 'allowlist', allowFrom: [ANN] }, ['echo: hi from ann'], 1],
    ['disabled', { dmPolicy: 'disabled' }, [], 2],
  ])('DMs with dmPolicy %s', async (_name, policy, replies, drops) => {
    await start(policy);
    await waitState(gw!, 'connected');
    peer.dm(ALPHA.id, ANN, 'hi from ann');
    peer.dm(ALPHA.id, BOB, 'hi from bob');
    await until(
      () => outbound(gw!).length + dropped(gw!, policy.dmPolicy === 'disabled' ? 'dm_disabled' : 'not_allowlisted') === 2,
      'both DMs handled',
    );
    expect(
      sentBy(ALPHA.id)
        .map((m) => m.content)
        .sort(),
    ).toEqual(replies);
    for (const m of sentBy(ALPHA.id)) expect(m.channelId).toBe(peer.dmChannel(ALPHA.id, m.content.endsWith('ann') ? ANN : BOB));
    expect(outbound(gw!).length).toBe(2 - drops);
  });

  it('dmPolicy pairing: a stranger gets a code in the DM, and is answered once the owner approves it', async () => {
    await start({});
    await waitState(gw!, 'connected');
    peer.dm(ALPHA.id, BOB, 'let me in');
    await until(() => sentBy(ALPHA.id).length === 1, 'pairing reply');
    const { pending } = await gw!.client.request('pairing.list', { channel: 'discord' });
    expect(pending).toHaveLength(1);
    expect(sentBy(ALPHA.id)[0]).toMatchObject({ channelId: peer.dmChannel(ALPHA.id, BOB) });
    expect(sentBy(ALPHA.id)[0]!.content).toContain(pending[0]!.code);
    await gw!.client.request('pairing.approve', { channel: 'discord', code: pending[0]!.code });
    peer.dm(ALPHA.id, BOB, 'now?');
    await until(() => sentBy(ALPHA.id).length === 2, 'answer after approval');
    expect(sentBy(ALPHA.id)[1]!.content).toBe('echo: now?');
  });

  it('in a guild channel the bot answers only when mentioned, unless the channel sets requireMention: false', async () => {
    await start({ dmPolicy: 'disabled' });
    await waitState(gw!, 'connected');
    peer.post({ channelId: GATED, from: BOB, text: 'no mention' });
    peer.post({ channelId: GATED, from: BOB, text: 'mentioning beta', mentions: [BETA.id] });
    peer.post({ channelId: GATED, from: BOB, text: 'mentioning alpha', mentions: [ALPHA.id] });
    peer.post({ channelId: OPEN, from: BOB, text: 'open channel' });
    await until(() => outbound(gw!).length === 2, 'two replies');
    await until(() => dropped(gw!, 'no_mention') === 2, 'two mention drops');
    expect(
      sentBy(ALPHA.id)
        .map((m) => m.content)
        .sort(),
    ).toEqual(['echo: mentioning alpha', 'echo: open channel']);
  });

  it("the bot's own messages (including the echo of its replies) never start a turn", async () => {
    await start({ dmPolicy: 'disabled' });
    await waitState(gw!, 'connected');
    peer.post({ channelId: OPEN, from: ALPHA.id, text: 'said by the bot itself' });
    peer.post({ channelId: OPEN, from: BOB, text: 'hello' });
    await until(() => dropped(gw!, 'self') === 2, 'own message and own reply dropped as self');
    expect(inbound(gw!).map((d) => d.text)).toEqual(['hello']);
    expect(sentBy(ALPHA.id).map((m) => m.content)).toEqual(['echo: hello']);
  });

  it('a 5,000-character reply goes out as ordered chunks of at most 2,000, the first replying to the message', async () => {
    await start({ dmPolicy: 'open', allowFrom: ['*'] });
    await waitState(gw!, 'connected');
    const paragraphs = Array.from({ length: 11 }, (_, i) => `${String(i).padStart(5, 'p')} ${'word '.repeat(97).trim()}`);
    const long = paragraphs.join('\n\n');
    expect(long.length).toBeGreaterThan(5000);
    gw!.peer.enqueue({ kind: 'text', text: long });
    const id = peer.dm(ALPHA.id, ANN, 'write a lot');
    await until(() => outbound(gw!).length === 1, 'reply');
    const chunks = sentBy(ALPHA.id);
    expect(chunks.length).toBe(3);
    expect(chunks.every((c) => c.content.length <= 2000)).toBe(true);
    expect(chunks.map((c) => c.content).join('\n\n')).toBe(long);
    expect(chunks.map((c) => c.replyTo)).toEqual([id, undefined, undefined]);
  });

  it('a 429 on POST messages is waited out and every chunk still arrives, in order', async () => {
    await start({ dmPolicy: 'open', allowFrom: ['*'] });
    await waitState(gw!, 'connected');
    const long = Array.from({ length: 3 }, (_, i) => `part ${i} ${'x'.repeat(1800)}`).join('\n\n');
    gw!.peer.enqueue({ kind: 'text', text: long });
    peer.rateLimitMessages(1, 0.2);
    peer.dm(ALPHA.id, ANN, 'go');
    await until(() => outbound(gw!).length === 1, 'reply');
    expect(sentBy(ALPHA.id).map((m) => m.content.slice(0, 6))).toEqual(['part 0', 'part 1', 'part 2']);
    expect(peer.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'))).toHaveLength(4);
  });

  it('after the peer drops the gateway socket the adapter resumes: nothing lost, nothing duplicated', async () => {
    await start({ dmPolicy: 'open', allowFrom: ['*'] });
    await waitState(gw!, 'connected');
    peer.dm(ALPHA.id, ANN, 'one');
    await until(() => outbound(gw!).length === 1, 'first reply');
    peer.dropConnections(ALPHA.id);
    peer.dm(ALPHA.id, ANN, 'two');
    peer.dm(ALPHA.id, ANN, 'three');
    await until(() => outbound(gw!).length === 3, 'replies after the resume');
    await until(() => peer.isConnected(ALPHA.id), 'socket back');
    expect(inbound(gw!).map((d) => d.text)).toEqual(['one', 'two', 'three']);
    expect(sentBy(ALPHA.id).map((m) => m.content)).toEqual(['echo: one', 'echo: two', 'echo: three']);
    expect(peer.gatewayLog.filter((r) => r.op === 'resume' && r.ok)).toHaveLength(1);
    expect(peer.readyCount(ALPHA.id)).toBe(1);
    expect((await statusOf(gw!))?.state).toBe('connected');
  });

  it('a token rejected at the gateway (4004) stops that account with a clear reason, without reconnecting; the other account keeps working', async () => {
    peer.rejectAtGateway(ALPHA.token);
    await start(
      { dmPolicy: 'open', allowFrom: ['*'], accounts: { default: {}, biz: { token: { env: 'BIZ_TOKEN' } } } },
      {},
      { BIZ_TOKEN: BETA.token },
    );
    await waitState(gw!, 'error');
    const status = await statusOf(gw!);
    expect(status?.reason).toMatch(/rejected the bot token.*4004/);
    expect(JSON.stringify(await statuses(gw!))).not.toContain(ALPHA.token);
    await waitState(gw!, 'connected', 'biz');
    peer.dm(BETA.id, ANN, 'still here?');
    await until(() => sentBy(BETA.id).length === 1, 'biz answers');
    // Long enough for discord.js (500 ms) or our backoff (>= 500 ms) to have tried again if they would.
    await new Promise((r) => setTimeout(r, 1500));
    expect(peer.gatewayLog.filter((r) => r.token === ALPHA.token && r.op === 'identify')).toHaveLength(1);
    expect((await statusOf(gw!))?.state).toBe('error');
  });

  it('an unknown token (401 on REST) stops the account before any IDENTIFY', async () => {
    await start({}, {}, { DISCORD_BOT_TOKEN: 'tok-unknown' });
    await waitState(gw!, 'error');
    expect((await statusOf(gw!))?.reason).toMatch(/rejected the bot token.*401/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(peer.requests.filter((r) => r.path === '/gateway/bot')).toHaveLength(1);
    expect(peer.gatewayLog).toEqual([]);
  });

  it('a missing Message Content intent (4014) says which switch to turn on in the developer portal', async () => {
    await start({}, {}, { DISCORD_BOT_TOKEN: NO_CONTENT.token });
    await waitState(gw!, 'error');
    expect((await statusOf(gw!))?.reason).toMatch(/4014.*Message Content Intent.*Developer Portal/);
    expect(peer.gatewayLog.filter((r) => r.op === 'identify')).toHaveLength(1);
  });
});

describe('discord adapter probe', () => {
  const account = (token: string): ChannelAccount => ({
    channel: 'discord',
    accountId: 'default',
    enabled: true,
    dmPolicy: 'pairing',
    allowFrom: [],
    groupPolicy: 'allowlist',
    groupAllowFrom: [],
    groups: {},
    settings: { apiRoot: peer.apiRoot },
    secrets: { token },
  });
  const deps = { secrets: secretResolver({ env: {} }), log: silentLogger };

  it('reports the bot identity for a good token', async () => {
    const result = await createDiscordAdapter(account(ALPHA.token), {} as never, deps).probe();
    expect(result).toEqual({ ok: true, identity: 'alpha (1001)', bot: { id: '1001', name: 'alpha', username: 'alpha' } });
  });

  it('refuses a bot whose application lacks the Message Content intent, saying where to switch it on', async () => {
    const result = await createDiscordAdapter(account(NO_CONTENT.token), {} as never, deps).probe();
    expect(result).toMatchObject({ ok: false, problem: 'missing_intent', bot: { username: 'gamma' } });
    expect(result.error).toMatch(/Message Content Intent.*Developer Portal/);
  });

  it('reports a rejected token in words a user can act on', async () => {
    const result = await createDiscordAdapter(account('tok-wrong'), {} as never, deps).probe();
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/rejected the bot token/);
  });
});
