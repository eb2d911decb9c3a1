// Slack end to end: the real gateway with the real Slack adapter (@slack/socket-mode + @slack/web-api)
// against the local Slack Web API + Socket Mode peer, and the local Anthropic peer answering `echo: <text>`.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../src-main/channels/slack/index.ts';
import { quarantinePath } from '../../src-main/channels/quarantine.ts';
import type { AdapterFactory } from '../../src-main/gateway/channel-set.ts';
import type { ChannelStatus } from '../../src-main/gateway/envelope.ts';
import { silentLogger } from '../../src-main/log.ts';
import { secretResolver } from '../../src-main/secrets/resolver.ts';
import type { ChannelAccount } from '../../src-shared/config/index.ts';
import { startTestGateway, TEST_API_KEY, type TestGateway } from '../helpers/gateway.ts';
import { startSlackPeer, type PeerApp, type SlackPeer } from '../peers/slack.ts';
import { until } from '../helpers/wait.ts';

const ALPHA: PeerApp = {
  appToken: 'xapp-1-A1-alpha',
  botToken: 'xoxb-alpha',
  appId: 'A0001',
  botUserId: 'UALPHA',
  botId: 'BALPHA',
  teamId: 'T0HOME',
  name: 'alpha',
};
const BETA: PeerApp = {
  appToken: 'xapp-1-A2-beta',
  botToken: 'xoxb-beta',
  appId: 'A0002',
  botUserId: 'UBETA',
  botId: 'BBETA',
  teamId: 'T0WORK',
  name: 'beta',
};
const ANN = 'U0ANN';
const BOB = 'U0BOB';
const GATED = 'C0GATED'; // requireMention: true (the default)
const OPEN = 'C0OPEN'; // requireMention: false

let peer: SlackPeer;
let gw: TestGateway | undefined;
beforeEach(async () => {
  peer = await startSlackPeer({ apps: [ALPHA, BETA] });
});
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  await peer.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

const ENV = { SLACK_APP_TOKEN: ALPHA.appToken, SLACK_BOT_TOKEN: ALPHA.botToken, BETA_APP: BETA.appToken, BETA_BOT: BETA.botToken };
const slackOnly =
  (stateDir: string): AdapterFactory =>
  (account: ChannelAccount, config) =>
    account.channel === 'slack'
      ? createSlackAdapter(account, config, {
          secrets: secretResolver({ env: ENV }),
          log: silentLogger,
          stateDir,
          backoff: { baseMs: 50, maxMs: 200 },
        })
      : undefined;

/** Where the adapters keep quarantined events (the gateway's own state dir is made inside startTestGateway). */
let stateDir = '';
async function start(slack: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<TestGateway> {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'sb-slack-'));
  gw = await startTestGateway({
    config: (url) => ({
      models: { anthropic: { baseUrl: url } },
      channels: {
        slack: {
          apiRoot: peer.apiRoot,
          groups: { [GATED]: { allow: true }, [OPEN]: { allow: true, requireMention: false } },
          ...slack,
        },
      },
      ...extra,
    }),
    adapters: slackOnly(stateDir),
    env: { ANTHROPIC_API_KEY: TEST_API_KEY },
  });
  return gw;
}

const statusOf = async (g: TestGateway, accountId = 'default') =>
  ((await g.client.request('status', {})).channels as ChannelStatus[]).find((s) => s.channel === 'slack' && s.accountId === accountId);
const waitState = (g: TestGateway, state: ChannelStatus['state'], accountId = 'default') =>
  until(async () => (await statusOf(g, accountId))?.state === state, `slack:${accountId} ${state}`);
const outbound = (g: TestGateway) => g.events.filter((e) => e.event === 'message.outbound');
const inbound = (g: TestGateway) => g.events.filter((e) => e.event === 'message.inbound').map((e) => e.data);
const dropped = (g: TestGateway, reason: string) =>
  g.events.filter((e) => e.event === 'message.dropped' && e.data.reason === reason).length;
const postedBy = (app: PeerApp) => peer.posted.filter((m) => m.appId === app.appId);
const mention = (app: PeerApp, text: string) => `<@${app.botUserId}> ${text}`;

describe('slack through the gateway', () => {
  it('routes by team and by account: each app answers in its channel, and every envelope is acked', async () => {
    await start(
      {
        dmPolicy: 'disabled',
        accounts: { default: {}, biz: { appToken: { env: 'BETA_APP' }, botToken: { env: 'BETA_BOT' } } },
      },
      {
        agents: { list: [{ id: 'home', default: true }, { id: 'support' }, { id: 'work' }] },
        bindings: [
          { agentId: 'support', match: { channel: 'slack', teamId: ALPHA.teamId } },
          { agentId: 'work', match: { channel: 'slack', accountId: 'biz' } },
        ],
      },
    );
    await waitState(gw!, 'connected');
    await waitState(gw!, 'connected', 'biz');
    peer.message(ALPHA.appId, { channel: OPEN, user: ANN, text: 'for alpha' });
    peer.message(BETA.appId, { channel: OPEN, user: BOB, text: 'for beta' });
    await until(() => outbound(gw!).length === 2, 'two replies');
    expect(
      inbound(gw!)
        .map((d) => `${d.accountId}/${d.agentId}/${d.text}`)
        .sort(),
    ).toEqual(['biz/work/for beta', 'default/support/for alpha']);
    expect(inbound(gw!).find((d) => d.text === 'for alpha')).toMatchObject({ route: { matchedBy: 'binding.team' } });
    expect(postedBy(ALPHA).map((m) => [m.channel, m.text, m.threadTs])).toEqual([[OPEN, 'echo: for alpha', undefined]]);
    expect(postedBy(BETA).map((m) => [m.channel, m.text])).toEqual([[OPEN, 'echo: for beta']]);
    // The replies' own echoes come back too; everything pushed is acknowledged once handled.
    await until(() => peer.pushed.every((p) => peer.acks.includes(p.envelope.envelope_id)), 'all acked');
    expect(await statusOf(gw!)).toMatchObject({ state: 'connected', lastMessageAt: expect.any(Number) });
  });

  it('a thread reply is answered in the thread, in its own session, on the binding of its channel', async () => {
    await start(
      { dmPolicy: 'disabled' },
      {
        agents: { list: [{ id: 'home', default: true }, { id: 'work' }] },
        bindings: [{ agentId: 'work', match: { channel: 'slack', peer: { kind: 'channel', id: GATED } } }],
      },
    );
    await waitState(gw!, 'connected');
    const root = peer.message(ALPHA.appId, { channel: GATED, user: BOB, text: mention(ALPHA, 'in the channel') });
    await until(() => outbound(gw!).length === 1, 'first reply');
    peer.message(ALPHA.appId, { channel: GATED, user: BOB, text: mention(ALPHA, 'in the thread'), threadTs: root });
    await until(() => outbound(gw!).length === 2, 'thread reply');
    const byText = Object.fromEntries(inbound(gw!).map((d) => [String(d.text).replace(/^<@\w+> /, ''), d]));
    expect(byText['in the channel']).toMatchObject({ agentId: 'work', sessionKey: `agent:work:slack:channel:${GATED.toLowerCase()}` });
    expect(byText['in the thread']).toMatchObject({
      agentId: 'work',
      route: { matchedBy: 'binding.peer.parent' },
    });
    expect(String(byText['in the thread']!.sessionKey)).toContain(':thread:');
    expect(postedBy(ALPHA).map((m) => [m.channel, m.threadTs])).toEqual([
      [GATED, undefined],
      [GATED, root],
    ]);
    // The app_mention twin of each message was acked but not answered a second time.
    expect(inbound(gw!)).toHaveLength(2);
  });

  it.each([
    ['open', { dmPolicy: 'open', allowFrom: ['*'] }, ['echo: hi from ann', 'echo: hi from bob'], 'none'],
    ['allowlist', { dmPolicy: 'allowlist', allowFrom: [ANN] }, ['echo: hi from ann'], 'not_allowlisted'],
    ['disabled', { dmPolicy: 'disabled' }, [], 'dm_disabled'],
  ])('DMs with dmPolicy %s', async (_name, policy, replies, reason) => {
    await start(policy);
    await waitState(gw!, 'connected');
    peer.dm(ALPHA.appId, ANN, 'hi from ann');
    peer.dm(ALPHA.appId, BOB, 'hi from bob');
    await until(() => outbound(gw!).length + dropped(gw!, reason) === 2, 'both DMs handled');
    expect(
      postedBy(ALPHA)
        .map((m) => m.text)
        .sort(),
    ).toEqual(replies);
    for (const m of postedBy(ALPHA)) expect(m.channel).toBe(peer.dmChannel(ALPHA.appId, m.text.endsWith('ann') ? ANN : BOB));
  });

  it('dmPolicy pairing: a stranger gets a code in the DM, and is answered (in the DM thread they used) once approved', async () => {
    await start({});
    await waitState(gw!, 'connected');
    peer.dm(ALPHA.appId, BOB, 'let me in');
    await until(() => postedBy(ALPHA).length === 1, 'pairing reply');
    const { pending } = await gw!.client.request('pairing.list', { channel: 'slack' });
    expect(pending).toHaveLength(1);
    expect(postedBy(ALPHA)[0]!.channel).toBe(peer.dmChannel(ALPHA.appId, BOB));
    expect(postedBy(ALPHA)[0]!.text).toContain(pending[0]!.code);
    await gw!.client.request('pairing.approve', { channel: 'slack', code: pending[0]!.code });
    const root = peer.dm(ALPHA.appId, BOB, 'a thread');
    peer.dm(ALPHA.appId, BOB, 'now?', root);
    await until(() => postedBy(ALPHA).length === 3, 'answers after approval');
    const answer = postedBy(ALPHA).find((m) => m.text === 'echo: now?');
    expect(answer).toMatchObject({ channel: peer.dmChannel(ALPHA.appId, BOB), threadTs: root });
  });

  it('in a channel the app answers only when mentioned, unless the channel sets requireMention: false', async () => {
    await start({ dmPolicy: 'disabled' });
    await waitState(gw!, 'connected');
    peer.message(ALPHA.appId, { channel: GATED, user: BOB, text: 'no mention' });
    peer.message(ALPHA.appId, { channel: GATED, user: BOB, text: `<@${BETA.botUserId}> mentioning beta` });
    peer.message(ALPHA.appId, { channel: GATED, user: BOB, text: mention(ALPHA, 'mentioning alpha') });
    peer.message(ALPHA.appId, { channel: OPEN, user: BOB, text: 'open channel' });
    await until(() => outbound(gw!).length === 2 && dropped(gw!, 'no_mention') === 2, 'two replies, two drops');
    // The mention in the echoed text is escaped: a reply never pings anyone.
    expect(
      postedBy(ALPHA)
        .map((m) => m.text)
        .sort(),
    ).toEqual([`echo: &lt;@${ALPHA.botUserId}&gt; mentioning alpha`, 'echo: open channel'].sort());
  });

  it('a reply answered with 429 is retried after Retry-After and still lands once', async () => {
    await start({ dmPolicy: 'disabled' });
    await waitState(gw!, 'connected');
    peer.rateLimitPosts(1, 1);
    peer.message(ALPHA.appId, { channel: OPEN, user: BOB, text: 'slow down' });
    await until(() => postedBy(ALPHA).length === 1, 'reply after the limit');
    expect(peer.requests.filter((r) => r.method === 'chat.postMessage').map((r) => r.status)).toEqual([429, 200]);
    expect(postedBy(ALPHA)[0]!.text).toBe('echo: slow down');
  });

  it('a long reply is cut into messages of at most 4000 characters, in order, in the thread', async () => {
    await start({ dmPolicy: 'disabled' });
    await waitState(gw!, 'connected');
    const long = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const root = peer.message(ALPHA.appId, { channel: OPEN, user: BOB, text: 'root' });
    peer.message(ALPHA.appId, { channel: OPEN, user: BOB, text: long, threadTs: root });
    await until(() => postedBy(ALPHA).filter((m) => m.threadTs === root).length >= 2, 'chunks');
    await until(() => outbound(gw!).length === 2, 'both turns done');
    const chunks = postedBy(ALPHA).filter((m) => m.threadTs === root);
    expect(chunks.every((c) => c.text.length <= 4000)).toBe(true);
    expect(chunks.map((c) => c.text).join(' ')).toBe(`echo: ${long}`);
  });

  it('an event that does not map is quarantined, counted as unreadable, acked, and the next message still answered', async () => {
    await start({ dmPolicy: 'disabled' });
    await waitState(gw!, 'connected');
    const bad = peer.pushPayload(ALPHA.appId, {
      team_id: ALPHA.teamId,
      event: { type: 'message', channel: OPEN, ts: 'yesterday', user: BOB, text: 'xoxb-secret-123456789 leaked' },
    });
    peer.message(ALPHA.appId, { channel: OPEN, user: BOB, text: 'after the bad one' });
    await until(() => postedBy(ALPHA).length === 1, 'reply');
    await until(async () => (await statusOf(gw!))?.unreadable === 1, 'unreadable: 1');
    expect(peer.acks).toContain(bad);
    const lines = (await readFile(quarantinePath(stateDir, 'slack', 'default'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as { reason: string; payload: unknown };
    expect(entry.reason).toMatch(/event\.ts/);
    expect(JSON.stringify(entry.payload)).not.toContain('xoxb-secret-123456789');
    expect(path.basename(quarantinePath(stateDir, 'slack', 'default'))).toBe('default.jsonl');
  });

  it('reconnects with a fresh Socket Mode URL after Slack sends disconnect', async () => {
    await start({ dmPolicy: 'disabled' });
    await waitState(gw!, 'connected');
    peer.disconnect(ALPHA.appId);
    await until(() => peer.connectionCount(ALPHA.appId) === 2 && peer.isConnected(ALPHA.appId), 'second connection');
    peer.message(ALPHA.appId, { channel: OPEN, user: BOB, text: 'still there?' });
    await until(() => postedBy(ALPHA).length === 1, 'reply after reconnect');
  });

  it('a revoked bot token stops the account with a reason naming the token; the probe says the same', async () => {
    peer.revoke(ALPHA.botToken);
    await start({ dmPolicy: 'disabled' });
    await waitState(gw!, 'error');
    expect((await statusOf(gw!))?.reason).toMatch(/Slack rejected the bot token \(xoxb-….*of account "default" \(auth\.test\)/);
    const probe = await gw!.client.request('channels.probe', { channel: 'slack', accountId: 'default' });
    expect(probe).toMatchObject({ ok: false, error: expect.stringMatching(/rejected the bot token/) });
  });

  it('the ArgentOS example config runs as written: Slack goes to its support agent, and a thread reply lands in the thread', async () => {
    const example = JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/examples/argentos-multi-agent.json'), 'utf8')) as {
      channels: { slack: Record<string, unknown> };
    };
    // Only where Slack lives changes (the local peer); tokens come from SLACK_APP_TOKEN / SLACK_BOT_TOKEN.
    example.channels.slack = { ...example.channels.slack, apiRoot: peer.apiRoot, groups: { [OPEN]: { requireMention: false } } };
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'sb-slack-'));
    gw = await startTestGateway({
      config: (url) => ({ ...example, models: { anthropic: { baseUrl: url } } }),
      adapters: slackOnly(stateDir),
      env: { ANTHROPIC_API_KEY: TEST_API_KEY },
    });
    await waitState(gw, 'connected');
    const root = peer.message(ALPHA.appId, { channel: OPEN, user: ANN, text: 'my printer is on fire' });
    await until(() => outbound(gw!).length === 1, 'first answer');
    peer.message(ALPHA.appId, { channel: OPEN, user: ANN, text: 'still burning', threadTs: root });
    await until(() => outbound(gw!).length === 2, 'thread answer');
    expect(inbound(gw!).map((d) => [d.agentId, d.text])).toEqual([
      ['support', 'my printer is on fire'],
      ['support', 'still burning'],
    ]);
    expect(postedBy(ALPHA).map((m) => [m.channel, m.text, m.threadTs])).toEqual([
      [OPEN, 'echo: my printer is on fire', undefined],
      [OPEN, 'echo: still burning', root],
    ]);
  });

  it('a revoked app-level token stops the account naming the app token (apps.connections.open)', async () => {
    peer.revoke(ALPHA.appToken);
    await start({ dmPolicy: 'disabled' });
    await waitState(gw!, 'error');
    expect((await statusOf(gw!))?.reason).toMatch(/Slack rejected the app-level token \(xapp-….*\(apps\.connections\.open\)/);
  });
});
