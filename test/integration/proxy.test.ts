// Outbound traffic through a real local forward proxy (test/peers/proxy.ts): the real headless
// gateway with HTTP_PROXY / NO_PROXY in its env, model calls to the local Anthropic peer, auth.test,
// Telegram long polling against the local Bot API peer and Discord REST against the local Discord
// peer. Every peer is plain http on 127.0.0.1, so this is the HTTP_PROXY path; the CONNECT path to
// TLS targets is covered in test/unit/proxy-transport.test.ts.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../src-main/channels/discord/index.ts';
import { createTelegramAdapter, type TelegramAdapter } from '../../src-main/channels/telegram/index.ts';
import { connectControl, type ControlClient } from '../../src-main/control/ws-client.ts';
import type { AdapterFactory } from '../../src-main/gateway/channel-set.ts';
import { startHeadlessGateway, type HeadlessGateway } from '../../src-main/gateway/headless.ts';
import type { Logger } from '../../src-main/log.ts';
import { secretResolver } from '../../src-main/secrets/resolver.ts';
import type { ControlEvents, ControlMethods } from '../../src-shared/protocol/methods.ts';
import { until } from '../helpers/wait.ts';
import { startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';
import { startDiscordPeer, type DiscordPeer } from '../peers/discord.ts';
import { startProxyPeer, type ProxyPeer } from '../peers/proxy.ts';
import { startTelegramPeer, tg, type TelegramPeer } from '../peers/telegram.ts';

const API_KEY = 'sk-test-proxy-key-123';
const USER = 'gateway';
const PASSWORD = 'proxy-Pa55word-canary-7731';
const WRONG = 'wrong-Pa55word-canary-4410';
const FAST = { pollTimeoutSeconds: 2, perChatIntervalMs: 10, backoff: { baseMs: 20, maxMs: 100 }, stopConfirmMs: 500 };

interface Harness {
  dir: string;
  headless: HeadlessGateway;
  client: ControlClient<ControlMethods, ControlEvents>;
  events: { event: string; data: Record<string, unknown> }[];
  lines: string[];
}

let proxy: ProxyPeer | undefined;
let anthropic: AnthropicPeer | undefined;
let telegram: TelegramPeer | undefined;
let discord: DiscordPeer | undefined;
let gw: Harness | undefined;
const adapters: TelegramAdapter[] = [];
afterEach(async () => {
  if (gw) {
    gw.client.close();
    await gw.headless.close();
    await rm(gw.dir, { recursive: true, force: true });
  }
  await Promise.all(adapters.splice(0).map((a) => a.stop()));
  await telegram?.close();
  await discord?.close();
  await anthropic?.close();
  await proxy?.close();
  gw = proxy = anthropic = telegram = discord = undefined;
});

/** The real headless gateway with `env` and a logger that keeps every line (as JSON). */
async function startGateway(
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  adapterFactory?: (log: Logger) => AdapterFactory,
): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-proxy-'));
  await writeFile(path.join(dir, 'switchboard.json'), JSON.stringify(config, null, 2));
  const lines: string[] = [];
  const log: Logger = { log: (level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields })) };
  const headless = await startHeadlessGateway({
    loc: { stateDir: dir, configPath: path.join(dir, 'switchboard.json') },
    version: 'test',
    log,
    homeDir: dir,
    port: 0,
    env: { ANTHROPIC_API_KEY: API_KEY, ...env },
    stopGraceMs: 2000,
    ...(adapterFactory ? { adapters: adapterFactory(log) } : {}),
  });
  const client = await connectControl<ControlMethods, ControlEvents>(headless.url, headless.token, { timeoutMs: 5000 });
  const events: Harness['events'] = [];
  for (const name of ['message.inbound', 'message.outbound', 'agent.delta', 'message.dropped'] as const) {
    client.on(name, (data: unknown) => events.push({ event: name, data: data as Record<string, unknown> }));
  }
  gw = { dir, headless, client, events, lines };
  return gw;
}

const outbound = (h: Harness) => h.events.filter((e) => e.event === 'message.outbound').map((e) => e.data);

/** Everything a user or operator could see: log lines, control-plane events, transcripts on disk. */
async function everythingShown(h: Harness): Promise<string> {
  const transcripts: string[] = [];
  const sessions = path.join(h.dir, 'agents', 'main', 'sessions');
  for (const f of await readdir(sessions).catch(() => [] as string[]))
    if (f.endsWith('.jsonl')) transcripts.push(await readFile(path.join(sessions, f), 'utf8'));
  return [...h.lines, JSON.stringify(h.events), ...transcripts].join('\n');
}

/** The `error` records of the main agent's transcripts. */
async function transcriptErrors(h: Harness): Promise<Record<string, unknown>[]> {
  const sessions = path.join(h.dir, 'agents', 'main', 'sessions');
  const records: Record<string, unknown>[] = [];
  for (const f of await readdir(sessions)) {
    if (!f.endsWith('.jsonl')) continue;
    for (const line of (await readFile(path.join(sessions, f), 'utf8')).split('\n'))
      if (line.trim()) records.push(JSON.parse(line) as Record<string, unknown>);
  }
  return records.filter((r) => r.type === 'error');
}

const expectNoCredentials = (text: string, ...secrets: string[]): void => {
  for (const s of secrets) {
    expect(text).not.toContain(s);
    expect(text).not.toContain(Buffer.from(`${USER}:${s}`).toString('base64'));
  }
};

describe('model calls through the proxy', () => {
  it("a webchat turn's model call goes through HTTP_PROXY with the proxy credentials, and the reply arrives", async () => {
    proxy = await startProxyPeer({ credentials: { user: USER, password: PASSWORD } });
    anthropic = await startAnthropicPeer();
    const h = await startGateway({ models: { anthropic: { baseUrl: anthropic.url } } }, { HTTP_PROXY: proxy.urlWith(USER, PASSWORD) });
    const sent = await h.client.request('webchat.send', { agentId: 'main', text: 'via the proxy' });
    await until(() => outbound(h).some((d) => d.messageId === sent.messageId), 'the reply');
    expect(outbound(h).find((d) => d.messageId === sent.messageId)).toMatchObject({ text: 'echo: via the proxy', incomplete: false });
    expect(proxy.requests).toEqual([expect.objectContaining({ method: 'POST', target: `${anthropic.url}/v1/messages`, authorized: true })]);
    expect(anthropic.requests[0]!.apiKey).toBe(API_KEY);
    expectNoCredentials(await everythingShown(h), PASSWORD);
  });

  it('NO_PROXY listing the model host sends the call directly', async () => {
    proxy = await startProxyPeer();
    anthropic = await startAnthropicPeer();
    const h = await startGateway(
      { models: { anthropic: { baseUrl: anthropic.url } } },
      { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' },
    );
    const sent = await h.client.request('webchat.send', { agentId: 'main', text: 'direct' });
    await until(() => outbound(h).some((d) => d.messageId === sent.messageId), 'the reply');
    expect(outbound(h)[0]).toMatchObject({ text: 'echo: direct' });
    expect(anthropic.requests).toHaveLength(1);
    expect(proxy.requests).toEqual([]);
  });

  it('a proxy refusing the credentials fails the turn as `proxy`, once, with a chat line and a transcript record saying so, and the password appears in no log line, event or transcript', async () => {
    proxy = await startProxyPeer({ credentials: { user: USER, password: PASSWORD } });
    anthropic = await startAnthropicPeer();
    const h = await startGateway({ models: { anthropic: { baseUrl: anthropic.url } } }, { HTTP_PROXY: proxy.urlWith(USER, WRONG) });
    const sent = await h.client.request('webchat.send', { agentId: 'main', text: 'refused' });
    await until(() => outbound(h).some((d) => d.messageId === sent.messageId), 'the failure reply');
    expect(outbound(h)[0]).toMatchObject({
      failure: 'proxy',
      text: expect.stringMatching(/network proxy refused the connection; my owner needs to check the proxy settings/),
    });
    expect(anthropic.requests).toEqual([]);
    // Not retried: the same credentials would be refused again.
    expect(proxy.requests).toEqual([expect.objectContaining({ authorized: false })]);
    expect(await transcriptErrors(h)).toEqual([
      expect.objectContaining({
        kind: 'proxy',
        message: expect.stringContaining(
          'refused the credentials (407 Proxy Authentication Required); check the user and password in HTTP_PROXY',
        ),
      }),
    ]);
    expect(
      h.lines.some((l) =>
        l.includes('refused the credentials (407 Proxy Authentication Required); check the user and password in HTTP_PROXY'),
      ),
    ).toBe(true);
    expectNoCredentials(await everythingShown(h), WRONG);
  });

  it('an unusable HTTP_PROXY fails the turn with a log line naming the variable, never its password', async () => {
    anthropic = await startAnthropicPeer();
    const h = await startGateway(
      { models: { anthropic: { baseUrl: anthropic.url } } },
      { HTTP_PROXY: `socks5://${USER}:${PASSWORD}@127.0.0.1:1080` },
    );
    const sent = await h.client.request('webchat.send', { agentId: 'main', text: 'hello' });
    await until(() => outbound(h).some((d) => d.messageId === sent.messageId), 'the failure reply');
    expect(outbound(h)[0]).toMatchObject({ failure: 'internal' });
    expect(h.lines.some((l) => l.includes('HTTP_PROXY uses socks5://, which is not supported'))).toBe(true);
    expect(anthropic.requests).toEqual([]);
    expectNoCredentials(await everythingShown(h), PASSWORD);
  });

  it("auth.test's real call goes through the proxy too", async () => {
    proxy = await startProxyPeer({ credentials: { user: USER, password: PASSWORD } });
    anthropic = await startAnthropicPeer();
    const h = await startGateway({ models: { anthropic: { baseUrl: anthropic.url } } }, { HTTP_PROXY: proxy.urlWith(USER, PASSWORD) });
    const result = await h.client.request('auth.test', { agentId: 'main' });
    expect(result.results).toEqual([expect.objectContaining({ profileId: 'ANTHROPIC_API_KEY', ok: true })]);
    expect(proxy.requests).toEqual([expect.objectContaining({ method: 'POST', target: `${anthropic.url}/v1/messages`, authorized: true })]);
  });
});

describe('channels through the proxy', () => {
  const telegramFactory =
    (env: NodeJS.ProcessEnv) =>
    (log: Logger): AdapterFactory =>
    (account, config) => {
      if (account.channel !== 'telegram') return undefined;
      const adapter = createTelegramAdapter(account, config, { secrets: secretResolver({ env }), log, timing: FAST, env });
      adapters.push(adapter);
      return adapter;
    };
  const alice = tg.user(111, 'Alice', 'alice');

  it('Telegram long polling and replies go through the proxy', async () => {
    proxy = await startProxyPeer({ credentials: { user: USER, password: PASSWORD } });
    anthropic = await startAnthropicPeer();
    telegram = await startTelegramPeer();
    const bot = telegram.addBot('home_bot');
    const env = { TELEGRAM_BOT_TOKEN: bot.token, HTTP_PROXY: proxy.urlWith(USER, PASSWORD) };
    const h = await startGateway(
      {
        models: { anthropic: { baseUrl: anthropic.url } },
        channels: { telegram: { apiRoot: telegram.url, dmPolicy: 'open', allowFrom: ['*'] } },
      },
      env,
      telegramFactory(env),
    );
    await bot.waitForPoll();
    bot.message(tg.text(tg.privateChat(alice), alice, 'polled through the proxy'));
    await until(() => bot.sent.length === 1, 'the reply in the chat');
    expect(bot.sent[0]).toMatchObject({ chatId: '111', text: 'echo: polled through the proxy' });
    // grammy's node-fetch gets a tunnelling agent: CONNECT to the Bot API host (even for http).
    const tgHost = new URL(telegram.url).host;
    expect(proxy.requests.filter((r) => r.target === tgHost).every((r) => r.method === 'CONNECT' && r.authorized)).toBe(true);
    expect(proxy.targets()).toContain(tgHost);
    expect(proxy.targets()).toContain(`${anthropic.url}/v1/messages`);
    expect(telegram.callsOf(bot.token, 'getUpdates').length).toBeGreaterThan(0);
    expectNoCredentials(await everythingShown(h), PASSWORD);
  });

  it('NO_PROXY listing the Bot API host makes Telegram connect directly', async () => {
    proxy = await startProxyPeer();
    anthropic = await startAnthropicPeer();
    telegram = await startTelegramPeer();
    const bot = telegram.addBot('home_bot');
    const env = { TELEGRAM_BOT_TOKEN: bot.token, HTTP_PROXY: proxy.url, NO_PROXY: new URL(telegram.url).host };
    await startGateway(
      {
        models: { anthropic: { baseUrl: anthropic.url } },
        channels: { telegram: { apiRoot: telegram.url, dmPolicy: 'open', allowFrom: ['*'] } },
      },
      env,
      telegramFactory(env),
    );
    await bot.waitForPoll();
    bot.message(tg.text(tg.privateChat(alice), alice, 'direct'));
    await until(() => bot.sent.length === 1, 'the reply in the chat');
    // Only the model call (127.0.0.1 on another port) used the proxy.
    expect(proxy.targets()).toEqual([`${anthropic.url}/v1/messages`]);
  });

  it('a proxy refusing the Telegram credentials leaves the account unconnected, and no status or log line holds the password', async () => {
    proxy = await startProxyPeer({ credentials: { user: USER, password: PASSWORD } });
    anthropic = await startAnthropicPeer();
    telegram = await startTelegramPeer();
    const bot = telegram.addBot('home_bot');
    const env = { TELEGRAM_BOT_TOKEN: bot.token, HTTP_PROXY: proxy.urlWith(USER, WRONG) };
    const h = await startGateway(
      {
        models: { anthropic: { baseUrl: anthropic.url } },
        channels: { telegram: { apiRoot: telegram.url, dmPolicy: 'open', allowFrom: ['*'] } },
      },
      env,
      telegramFactory(env),
    );
    await until(() => proxy!.requests.length >= 2, 'two refused attempts');
    const status = (await h.client.request('status', {})).channels.find((c) => c.channel === 'telegram');
    expect(status?.state).not.toBe('connected');
    expect(telegram.callsOf(bot.token)).toEqual([]);
    expect(proxy.requests.every((r) => !r.authorized)).toBe(true);
    expectNoCredentials(`${JSON.stringify(status)}\n${await everythingShown(h)}`, WRONG);
  });

  it('Discord REST goes through the proxy; the gateway WebSocket connects directly', async () => {
    proxy = await startProxyPeer({ credentials: { user: USER, password: PASSWORD } });
    anthropic = await startAnthropicPeer();
    const BOT = { token: 'tok-alpha', id: '1001', username: 'alpha' };
    discord = await startDiscordPeer({ bots: [BOT], users: [{ id: '5001', username: 'ann' }] });
    const peer = discord;
    const env = { DISCORD_BOT_TOKEN: BOT.token, HTTP_PROXY: proxy.urlWith(USER, PASSWORD) };
    const h = await startGateway(
      {
        models: { anthropic: { baseUrl: anthropic.url } },
        channels: { discord: { apiRoot: peer.apiRoot, dmPolicy: 'open', allowFrom: ['*'] } },
      },
      env,
      (log) => (account, config) =>
        account.channel === 'discord' ? createDiscordAdapter(account, config, { secrets: secretResolver({ env }), log, env }) : undefined,
    );
    await until(() => peer.isConnected(BOT.id), 'the Discord gateway session');
    peer.dm(BOT.id, '5001', 'hello discord');
    await until(() => peer.sent.length === 1, 'the DM reply');
    expect(peer.sent[0]).toMatchObject({ content: 'echo: hello discord' });
    const restTargets = proxy.requests.filter((r) => r.target.startsWith(peer.apiRoot));
    expect(restTargets.map((r) => `${r.method} ${r.target.slice(peer.apiRoot.length)}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET \/v\d+\/gateway\/bot$/),
        expect.stringMatching(/^POST \/v\d+\/channels\/\d+\/messages$/),
      ]),
    );
    expect(restTargets.every((r) => r.authorized)).toBe(true);
    // No CONNECT and no upgrade request: the WebSocket did not use the proxy.
    expect(proxy.requests.filter((r) => r.method === 'CONNECT')).toEqual([]);
    expect(h.lines.some((l) => l.includes('the gateway WebSocket connects directly'))).toBe(true);
    expectNoCredentials(await everythingShown(h), PASSWORD);
  });
});
