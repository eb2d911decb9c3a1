// Proves the local Slack peer (test/peers/slack.ts) against the real @slack/bolt in Socket Mode:
// auth.test and apps.connections.open on start, hello, events_api envelopes for messages and app
// mentions (each acked by envelope_id), say() into a thread, a 429 waited out, rejected tokens.
import { App, LogLevel } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlackPeer, type PeerApp, type SlackPeer } from './slack.ts';
import { until } from '../helpers/wait.ts';

const APP: PeerApp = {
  appToken: 'xapp-1-A1-peer',
  botToken: 'xoxb-peer-1',
  appId: 'A0001',
  botUserId: 'UBOT1',
  botId: 'BBOT1',
  teamId: 'T0001',
  name: 'alpha',
};
const ANN = 'U0ANN';

let peer: SlackPeer;
const apps: App[] = [];
beforeEach(async () => {
  peer = await startSlackPeer({ apps: [APP] });
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
  await peer.close();
});

function boltApp(opts: { deferInitialization?: boolean } = {}): App {
  const app = new App({
    token: APP.botToken,
    ...opts,
    appToken: APP.appToken,
    socketMode: true,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: peer.apiRoot },
    installerOptions: { clientOptions: { slackApiUrl: peer.apiRoot } },
  });
  apps.push(app);
  return app;
}

describe('slack peer with the real @slack/bolt (Socket Mode)', () => {
  it('starts through auth.test (bot token) and apps.connections.open (app token), then the socket says hello', async () => {
    await boltApp().start();
    expect(peer.requests.map((r) => [r.method, r.token])).toEqual([
      ['auth.test', APP.botToken],
      ['apps.connections.open', APP.appToken],
    ]);
    expect(peer.isConnected(APP.appId)).toBe(true);
  });

  it('delivers a channel message and its app_mention as events_api envelopes, each acked by its envelope_id', async () => {
    const app = boltApp();
    const messages: { text?: string; channel: string; team?: string }[] = [];
    const mentions: string[] = [];
    app.message(async ({ message }) => {
      messages.push(message as never);
    });
    app.event('app_mention', async ({ event }) => {
      mentions.push(event.text);
    });
    await app.start();
    peer.message(APP.appId, { channel: 'C0001', user: ANN, text: `<@${APP.botUserId}> hello` });
    await until(() => messages.length === 1 && mentions.length === 1, 'message and mention');
    expect(messages[0]).toMatchObject({ channel: 'C0001', text: `<@${APP.botUserId}> hello`, team: APP.teamId });
    const ids = peer.pushed.map((p) => p.envelope.envelope_id);
    await until(() => ids.every((id) => peer.acks.includes(id)), 'both acked');
    expect(peer.pushed.map((p) => (p.envelope.payload as { event: { type: string } }).event.type)).toEqual(['message', 'app_mention']);
  });

  it('say() with thread_ts posts into the thread through chat.postMessage; the post echoes back with bot_id', async () => {
    const app = boltApp();
    const seen: { bot_id?: string; thread_ts?: string }[] = [];
    app.message(async ({ message, say }) => {
      const m = message as { ts: string; thread_ts?: string; bot_id?: string };
      seen.push(m);
      if (!m.bot_id) await say({ text: 'in thread', thread_ts: m.thread_ts ?? m.ts });
    });
    await app.start();
    const root = peer.message(APP.appId, { channel: 'C0001', user: ANN, text: 'start a thread' });
    await until(() => peer.posted.length === 1, 'posted');
    expect(peer.posted[0]).toMatchObject({ channel: 'C0001', text: 'in thread', threadTs: root });
    // Bolt's ignoreSelf drops its own echo, which the peer did send with the bot's ids.
    const echoed = peer.pushed.at(-1)!.envelope.payload as { event: { bot_id: string; user: string } };
    expect(echoed.event).toMatchObject({ bot_id: APP.botId, user: APP.botUserId });
  });

  it('answers chat.postMessage with 429 and Retry-After once; the Web API client waits and retries', async () => {
    const app = boltApp();
    await app.start();
    peer.rateLimitPosts(1, 1);
    await app.client.chat.postMessage({ channel: 'C0001', text: 'after the limit' });
    expect(peer.requests.filter((r) => r.method === 'chat.postMessage').map((r) => r.status)).toEqual([429, 200]);
    expect(peer.posted.map((p) => p.text)).toEqual(['after the limit']);
  });

  it('opens a DM channel with conversations.open and delivers DMs with channel_type im', async () => {
    const app = boltApp();
    const got: { channel_type?: string; channel: string }[] = [];
    app.message(async ({ message }) => {
      got.push(message as never);
    });
    await app.start();
    const opened = await app.client.conversations.open({ users: ANN });
    peer.dm(APP.appId, ANN, 'hi');
    await until(() => got.length === 1, 'dm');
    expect(got[0]).toMatchObject({ channel_type: 'im', channel: opened.channel!.id });
  });

  it('a revoked bot token fails auth.test with invalid_auth, so the app does not start', async () => {
    peer.revoke(APP.botToken);
    const app = boltApp({ deferInitialization: true });
    apps.pop(); // never started, nothing to stop
    await expect(app.init()).rejects.toThrow(/invalid_auth/);
    expect(peer.requests.map((r) => r.method)).toEqual(['auth.test']);
    expect(peer.isConnected(APP.appId)).toBe(false);
  });
});
