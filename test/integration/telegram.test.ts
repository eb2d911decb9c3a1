// The Telegram adapter end to end: the real gateway, grammy against the local Bot API peer, the
// local Anthropic peer. Two bots (accounts) of one channel, routing, access, mention gating,
// topics, chunking, 429, reconnects and the stop-not-loop states.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramAdapter, type TelegramAdapter, type TelegramTiming } from '../../src-main/channels/telegram/index.ts';
import type { AdapterFactory } from '../../src-main/gateway/channel-set.ts';
import type { InboundEnvelope } from '../../src-main/gateway/envelope.ts';
import type { Logger } from '../../src-main/log.ts';
import { secretResolver } from '../../src-main/secrets/resolver.ts';
import { silentLogger } from '../../src-main/log.ts';
import type { ChannelAccount, SwitchboardConfig } from '../../src-shared/config/index.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { createGate } from '../peers/anthropic.ts';
import { startTelegramPeer, tg, type PeerBot, type TelegramPeer } from '../peers/telegram.ts';
import { until } from '../helpers/wait.ts';

/** Short intervals so tests do not wait out Telegram's real pacing. */
const FAST: TelegramTiming = {
  pollTimeoutSeconds: 2,
  perChatIntervalMs: 10,
  groupWindowMs: 500,
  retryAfterUnitMs: 30,
  backoff: { baseMs: 20, maxMs: 100 },
  stopConfirmMs: 500,
};

let gw: TestGateway | undefined;
let tgPeer: TelegramPeer | undefined;
const adapters: TelegramAdapter[] = [];
afterEach(async () => {
  await gw?.close();
  await Promise.all(adapters.splice(0).map((a) => a.stop()));
  await tgPeer?.close();
  gw = undefined;
  tgPeer = undefined;
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `n` paragraphs of 100 characters each (with their separators). */
const paragraphs = (n: number) =>
  Array.from({ length: n }, (_, i) => `Paragraph ${String(i).padStart(3, '0')} ${'x'.repeat(83)}.`).join('\n\n');

const alice = tg.user(111, 'Alice', 'alice');
const bob = tg.user(222, 'Bob', 'bob');
const group = tg.group(-4242, 'Friends');
const forum = tg.supergroup(-1001234, 'Forum', true);

function collectingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields })) };
}

function factory(env: NodeJS.ProcessEnv, log: Logger = silentLogger): AdapterFactory {
  return (account, config) => {
    if (account.channel !== 'telegram') return undefined;
    const adapter = createTelegramAdapter(account, config, { secrets: secretResolver({ env }), log, timing: FAST });
    adapters.push(adapter);
    return adapter;
  };
}

interface Setup {
  home: PeerBot;
  biz: PeerBot;
  gw: TestGateway;
}

/** Two bots: `default` (token from TELEGRAM_BOT_TOKEN) and `biz` (plaintext token in the config). */
async function setup(
  telegram: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  opts: { log?: Logger; bizToken?: string } = {},
): Promise<Setup> {
  tgPeer = await startTelegramPeer();
  const peer = tgPeer;
  const home = peer.addBot('home_bot');
  const biz = peer.addBot('biz_bot');
  gw = await startTestGateway({
    config: (url) => ({
      models: { anthropic: { baseUrl: url } },
      agents: { list: [{ id: 'home', default: true }, { id: 'work' }] },
      channels: { telegram: { apiRoot: peer.url, ...telegram, accounts: { default: {}, biz: { botToken: opts.bizToken ?? biz.token } } } },
      ...extra,
    }),
    adapters: factory({ TELEGRAM_BOT_TOKEN: home.token }, opts.log),
  });
  await home.waitForPoll();
  if (!opts.bizToken) await biz.waitForPoll();
  return { home, biz, gw };
}

const OPEN = { dmPolicy: 'open', allowFrom: ['*'] };
const inbound = (g: TestGateway) => g.events.filter((e) => e.event === 'message.inbound').map((e) => e.data);

describe('Telegram through the gateway', () => {
  it('DMs to two bots reach the agents their bindings name, and each bot answers its own chat', async () => {
    const { home, biz, gw } = await setup(OPEN, { bindings: [{ agentId: 'work', match: { channel: 'telegram', accountId: 'biz' } }] });
    const toHome = home.message(tg.text(tg.privateChat(alice), alice, 'to home'));
    const toWork = biz.message(tg.text(tg.privateChat(bob), bob, 'to work'));
    await until(() => home.sent.length === 1 && biz.sent.length === 1, 'both replies');
    expect(home.sent).toEqual([expect.objectContaining({ chatId: '111', text: 'echo: to home', replyTo: toHome.message_id })]);
    expect(biz.sent).toEqual([expect.objectContaining({ chatId: '222', text: 'echo: to work', replyTo: toWork.message_id })]);
    // Neither sender is an owner: each DM gets a session of its own, never the agent's main session.
    expect(Object.fromEntries(inbound(gw).map((d) => [d.agentId, d.sessionKey]))).toEqual({
      home: 'agent:home:telegram:direct:111',
      work: 'agent:work:telegram:direct:222',
    });
  });

  it('group messages route by peer binding, and the reply goes to the group', async () => {
    const { home, gw } = await setup(
      { groupPolicy: 'open', groups: { '*': { requireMention: false } } },
      {
        bindings: [{ agentId: 'work', match: { channel: 'telegram', peer: { kind: 'group', id: '-4242' } } }],
      },
    );
    home.message(tg.text(group, alice, 'in the bound group'));
    home.message(tg.text(tg.group(-5555), alice, 'in another group'));
    await until(() => home.sent.length === 2, 'two replies');
    expect(
      inbound(gw)
        .map((d) => [d.agentId, d.sessionKey])
        .sort(),
    ).toEqual([
      ['home', 'agent:home:telegram:group:-5555'],
      ['work', 'agent:work:telegram:group:-4242'],
    ]);
    expect(home.sent.map((m) => [m.chatId, m.text]).sort()).toEqual([
      ['-4242', 'echo: in the bound group'],
      ['-5555', 'echo: in another group'],
    ]);
  });

  it('typing is shown in the chat while the turn runs', async () => {
    const { home } = await setup(OPEN);
    home.message(tg.text(tg.privateChat(alice), alice, 'hi'));
    const typing = () => tgPeer!.callsOf(home.token, 'sendChatAction').map((c) => [String(c.params.chat_id), c.params.action]);
    await until(() => typing().length > 0, 'a chat action');
    expect(typing()[0]).toEqual(['111', 'typing']);
  });

  it('pairing: a stranger gets a code from the bot, the owner approves it, then the stranger is answered', async () => {
    const { home, gw } = await setup({});
    home.message(tg.text(tg.privateChat(bob), bob, 'let me in'));
    await until(() => home.sent.length === 1, 'pairing reply');
    const { pending } = await gw.client.request('pairing.list', { channel: 'telegram' });
    expect(home.sent[0]).toMatchObject({ chatId: '222' });
    expect(home.sent[0]!.text).toContain(pending[0]!.code);
    await gw.client.request('pairing.approve', { channel: 'telegram', code: pending[0]!.code });
    home.message(tg.text(tg.privateChat(bob), bob, 'now?'));
    await until(() => home.sent.length === 2, 'answer after approval');
    expect(home.sent[1]!.text).toBe('echo: now?');
  });

  it('dmPolicy allowlist answers the listed user id only', async () => {
    const { home, gw } = await setup({ dmPolicy: 'allowlist', allowFrom: ['tg:111'] });
    home.message(tg.text(tg.privateChat(bob), bob, 'stranger'));
    home.message(tg.text(tg.privateChat(alice), alice, 'friend'));
    await until(() => home.sent.length === 1, 'one reply');
    expect(home.sent[0]).toMatchObject({ chatId: '111', text: 'echo: friend' });
    expect((await gw.client.request('status', {})).dropped).toEqual({ not_allowlisted: 1 });
  });

  it('dmPolicy disabled never answers a DM', async () => {
    const { home, gw } = await setup({ dmPolicy: 'disabled' });
    home.message(tg.text(tg.privateChat(alice), alice, 'hello?'));
    await gw.waitFor('message.dropped');
    expect(home.sent).toEqual([]);
  });

  it('in a group the bot answers only an @mention or a reply to itself', async () => {
    const { home, gw } = await setup({ groups: { '-4242': {} } });
    home.message(tg.text(group, alice, 'no mention here'));
    home.message(tg.mention(group, alice, 'home_bot', 'what time is it'));
    await until(() => home.sent.length === 1, 'reply to the mention');
    home.message(tg.reply(group, alice, 'and tomorrow?', home.sentMessages[0]!));
    await until(() => home.sent.length === 2, 'reply to the reply');
    expect(home.sent.map((m) => m.text)).toEqual(['echo: @home_bot what time is it', 'echo: and tomorrow?']);
    expect((await gw.client.request('status', {})).dropped).toEqual({ no_mention: 1 });
  });

  it('a forum topic is its own session, inherits the group binding, and is answered in the topic', async () => {
    const { home, gw } = await setup(
      { groups: { '-1001234': { requireMention: false } } },
      {
        bindings: [{ agentId: 'work', match: { channel: 'telegram', peer: { kind: 'group', id: '-1001234' } } }],
      },
    );
    home.message(tg.topic(forum, 77, alice, 'in topic 77'));
    await until(() => home.sent.length === 1, 'reply in the topic');
    expect(inbound(gw)[0]).toMatchObject({
      agentId: 'work',
      sessionKey: 'agent:work:telegram:group:-1001234:topic:77',
      route: { matchedBy: 'binding.peer.parent' },
    });
    expect(home.sent[0]).toMatchObject({ chatId: '-1001234', threadId: 77, text: 'echo: in topic 77' });
  });

  it('an anonymous admin carrying an allowlisted id is not let in', async () => {
    const { home, gw } = await setup({ groups: { '-4242': { requireMention: false } }, groupAllowFrom: ['-4242', '111'] });
    home.message(tg.anonymousAdmin(group, 'I am the admin'));
    home.message(tg.text(group, alice, 'I am alice'));
    await until(() => home.sent.length === 1, 'the verified member answered');
    expect(home.sent[0]!.text).toBe('echo: I am alice');
    expect((await gw.client.request('status', {})).dropped).toEqual({ unverified_sender: 1 });
  });

  it('a long reply arrives as ordered chunks of at most 4096, only the first one replying', async () => {
    const { home, gw } = await setup(OPEN);
    // 8,000 characters: the most the local model answers within the agent's max_tokens.
    const long = paragraphs(80);
    gw.peer.enqueue({ kind: 'text', text: long });
    const sent = home.message(tg.text(tg.privateChat(alice), alice, 'write a lot'));
    await until(() => home.sent.length === 2, 'two chunks');
    expect(home.sent.every((m) => m.text.length <= 4096 && m.chatId === '111')).toBe(true);
    expect(home.sent.map((m) => m.text).join('\n\n')).toBe(long);
    expect(home.sent.map((m) => m.replyTo)).toEqual([sent.message_id, undefined]);
  });

  it('a 429 with retry_after is waited out and the same chunk resent, order kept', async () => {
    const { home, gw } = await setup(OPEN);
    gw.peer.enqueue({ kind: 'text', text: `${'a'.repeat(4000)}\n\n${'b'.repeat(100)}` });
    home.failNext('sendMessage', { kind: 'error', code: 429, retryAfter: 1 });
    home.message(tg.text(tg.privateChat(alice), alice, 'go'));
    await until(() => home.sent.length === 2, 'both chunks');
    expect(home.sent.map((m) => m.text[0])).toEqual(['a', 'b']);
    expect(tgPeer!.callsOf(home.token, 'sendMessage')).toHaveLength(3);
  });
});

describe('Telegram connection life', () => {
  it('reconnects after the peer drops the long poll, without showing the token in logs', async () => {
    const log = collectingLog();
    const { home } = await setup(OPEN, {}, { log });
    expect(home.dropPolls()).toBe(1);
    await home.waitForPoll();
    home.message(tg.text(tg.privateChat(alice), alice, 'still there?'));
    await until(() => home.sent.length === 1, 'reply after reconnect');
    expect(log.lines.some((l) => l.includes('reconnecting'))).toBe(true);
    expect(log.lines.join('\n')).not.toContain(home.token);
  });

  it('each update is processed exactly once across a reconnect that lost the confirmation', async () => {
    const { home, gw } = await setup(OPEN);
    // The poll that would confirm the first update is cut before Telegram sees its offset.
    home.failNext('getUpdates', { kind: 'drop' });
    home.message(tg.text(tg.privateChat(alice), alice, 'first'));
    await until(() => home.sent.length === 1, 'first reply');
    await home.waitForPoll();
    home.message(tg.text(tg.privateChat(alice), alice, 'second'));
    await until(() => home.sent.length === 2, 'second reply');
    await gw.headless.gateway.idle();
    expect(tgPeer!.callsOf(home.token, 'getMe')).toHaveLength(2);
    expect(inbound(gw).map((d) => d.text)).toEqual(['first', 'second']);
    expect(home.pending).toEqual([]);
  });

  it('a bad token (401) stops that account with a clear reason; the other bot keeps working', async () => {
    const { home, gw } = await setup(OPEN, {}, { bizToken: '999:not-a-real-token' });
    await until(() => adapters.some((a) => a.accountId === 'biz' && a.status().state === 'error'), 'biz in error');
    await pause(300);
    expect(tgPeer!.callsOf('999:not-a-real-token').map((c) => c.method)).toEqual(['getMe']);
    const biz = (await gw.client.request('status', {})).channels.find((c) => c.accountId === 'biz');
    expect(biz).toMatchObject({
      state: 'error',
      reason: expect.stringMatching(/^Telegram rejected the bot token \(401\); check it with @BotFather/),
    });
    home.message(tg.text(tg.privateChat(alice), alice, 'unaffected'));
    await until(() => home.sent.length === 1, 'home still answers');
  });

  it('another poller on the same token (409) stops the account instead of fighting it', async () => {
    const { home } = await setup(OPEN);
    const { Api } = await import('grammy');
    const intruder = new Api(home.token, { apiRoot: tgPeer!.url });
    await intruder.getUpdates({ timeout: 0 });
    const adapter = adapters.find((a) => a.accountId === 'default')!;
    await until(() => adapter.status().state === 'error', 'default in error');
    expect(adapter.status().reason).toMatch(/another program is using this bot token \(409/);
    const polls = tgPeer!.callsOf(home.token, 'getUpdates').length;
    await pause(300);
    expect(tgPeer!.callsOf(home.token, 'getUpdates')).toHaveLength(polls);
  });

  it('probe reports the bot identity, or why the token is refused', async () => {
    const { gw } = await setup(OPEN, {}, { bizToken: '999:not-a-real-token' });
    const [home, biz] = ['default', 'biz'].map((id) => adapters.find((a) => a.accountId === id)!);
    expect(await home!.probe()).toMatchObject({ ok: true, identity: '@home_bot', bot: { name: 'home_bot', username: 'home_bot' } });
    expect(await biz!.probe()).toMatchObject({ ok: false, problem: 'token_rejected', error: expect.stringContaining('401') });
    expect(gw).toBeDefined();
  });
});

describe('Telegram adapter and the gateway sink', () => {
  const account = (token: string, apiRoot: string): ChannelAccount => ({
    channel: 'telegram',
    accountId: 'default',
    enabled: true,
    dmPolicy: 'open',
    allowFrom: ['*'],
    groupPolicy: 'open',
    groupAllowFrom: [],
    groups: {},
    settings: { apiRoot },
    secrets: { botToken: token },
  });

  it('confirms an update only after the sink resolves, and offers it again when the sink fails', async () => {
    tgPeer = await startTelegramPeer();
    const bot = tgPeer.addBot('sink_bot');
    const adapter = createTelegramAdapter(account(bot.token, tgPeer.url), {} as SwitchboardConfig, {
      secrets: secretResolver({ env: {} }),
      log: silentLogger,
      timing: FAST,
    });
    adapters.push(adapter);
    const seen: InboundEnvelope[] = [];
    const gate = createGate();
    await adapter.start(async (envelope) => {
      seen.push(envelope);
      if (seen.length === 1) throw new Error('disk full');
      await gate.promise;
    });
    bot.message(tg.text(tg.privateChat(alice), alice, 'keep me'));
    await until(() => seen.length === 2, 'offered again');
    expect(seen[1]!.messageId).toBe(seen[0]!.messageId);
    // The gateway has not confirmed it yet: Telegram still holds the update.
    expect(bot.pending).toHaveLength(1);
    gate.open();
    await until(() => bot.pending.length === 0, 'confirmed');
    expect(seen).toHaveLength(2);
  });

  it('announces every status change (connected, last message, stopped), so the gateway never polls for them', async () => {
    tgPeer = await startTelegramPeer();
    const bot = tgPeer.addBot('status_bot');
    const adapter = createTelegramAdapter(account(bot.token, tgPeer.url), {} as SwitchboardConfig, {
      secrets: secretResolver({ env: {} }),
      log: silentLogger,
      timing: FAST,
    });
    adapters.push(adapter);
    // What the adapter reports at each announcement: the gateway reads status() only then.
    const announced: ReturnType<TelegramAdapter['status']>[] = [];
    await adapter.start(
      async () => {},
      () => announced.push(adapter.status()),
    );
    await bot.waitForPoll();
    expect(announced.map((s) => s.state)).toEqual(['connecting', 'connected']);
    bot.message(tg.text(tg.privateChat(alice), alice, 'hello'));
    await until(() => announced.some((s) => s.lastMessageAt !== undefined), 'the last message announced');
    await adapter.stop();
    expect(announced.at(-1)).toMatchObject({ state: 'stopped' });
    expect(announced.at(-1)!.lastMessageAt).toEqual(expect.any(Number));
  });

  it('a 9,000-character message goes out as three chunks, in order, to the topic it names', async () => {
    tgPeer = await startTelegramPeer();
    const bot = tgPeer.addBot('long_bot');
    const adapter = createTelegramAdapter(account(bot.token, tgPeer.url), {} as SwitchboardConfig, {
      secrets: secretResolver({ env: {} }),
      log: silentLogger,
      timing: FAST,
    });
    adapters.push(adapter);
    await adapter.start(async () => undefined);
    const text = paragraphs(91);
    expect(text.length).toBeGreaterThanOrEqual(9000);
    await adapter.send({
      channel: 'telegram',
      accountId: 'default',
      peer: { kind: 'group', id: '-1001234:topic:5' },
      text,
      replyToMessageId: '-1001234:77',
    });
    expect(bot.sent.map((m) => [m.chatId, m.threadId, m.replyTo, m.text.length <= 4096])).toEqual([
      ['-1001234', 5, 77, true],
      ['-1001234', 5, undefined, true],
      ['-1001234', 5, undefined, true],
    ]);
    expect(bot.sent.map((m) => m.text).join('\n\n')).toBe(text);
  });

  it('an update taken before a restart is not handed over again by the next start', async () => {
    tgPeer = await startTelegramPeer();
    const bot = tgPeer.addBot('restart_bot');
    const make = () =>
      createTelegramAdapter(account(bot.token, tgPeer!.url), {} as SwitchboardConfig, {
        secrets: secretResolver({ env: {} }),
        log: silentLogger,
        timing: FAST,
      });
    const seen: string[] = [];
    const first = make();
    await first.start(async (e) => {
      seen.push(e.text);
    });
    bot.message(tg.text(tg.privateChat(alice), alice, 'once'));
    await until(() => seen.length === 1, 'first adapter took it');
    await first.stop();
    const second = make();
    adapters.push(second);
    await second.start(async (e) => {
      seen.push(e.text);
    });
    bot.message(tg.text(tg.privateChat(alice), alice, 'after restart'));
    await until(() => seen.length === 2, 'second adapter took the new one');
    expect(seen).toEqual(['once', 'after restart']);
  });

  it('importing the Telegram module does not load grammy (lazy until an account starts)', () => {
    const script = [
      "await import('./src-main/channels/telegram/index.ts');",
      "const { createRequire } = await import('node:module');",
      'const cache = Object.keys(createRequire(import.meta.url).cache);',
      "console.log(JSON.stringify(cache.filter((p) => p.includes('grammy')).length));",
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('0');
  });
});
