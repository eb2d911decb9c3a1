// The Logs view's control methods on a real headless gateway (issue 20): entries of a turn arrive
// live as `log.entries` and through `logs.tail` with its filters, only authenticated clients get
// them, and `diagnostics.bundle` carries status, config and log lines with no secret in them.
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { REDACTED_SECRET } from '../../src-shared/config/index.ts';
import type { EventDataOf } from '../../src-shared/protocol/contract.ts';
import type { ControlEvents } from '../../src-shared/protocol/methods.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { until } from '../helpers/wait.ts';

// Real-looking: a Telegram bot token in the config file and an Anthropic key in the environment.
const TG_TOKEN = '7281934650:AAHk3m9Qx2Lp8Zr4Vt6Wy1Bn5Cd7Ef0Gh2Ij';
const API_KEY = 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-dcbaAA';

type Batch = EventDataOf<ControlEvents['log.entries']>;

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function start(): Promise<{ gw: TestGateway; batches: Batch[] }> {
  const channels = memoryChannels();
  const started = await startTestGateway({
    env: { ANTHROPIC_API_KEY: API_KEY },
    config: (url) => ({
      models: { anthropic: { baseUrl: url } },
      channels: { telegram: { botToken: TG_TOKEN, dmPolicy: 'open', allowFrom: ['*'] } },
    }),
    adapters: channels.factory,
  });
  const batches: Batch[] = [];
  started.client.on('log.entries', (b) => void batches.push(b));
  return { gw: started, batches };
}

describe('logs over the control plane', () => {
  it('a turn’s log entries arrive live after the message, then logs.tail has them', async () => {
    const started = await start();
    gw = started.gw;
    const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'hello logs' });
    await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    await until(() => started.batches.some((b) => b.entries.some((e) => e.msg === 'turn done')), 'turn done in a log.entries batch');
    const live = started.batches.flatMap((b) => b.entries).find((e) => e.msg === 'turn done')!;
    expect(live).toMatchObject({ level: 'info', module: 'agent', agentId: 'main' });
    expect(live.fields).toContain('"sessionKey":"agent:main:main"');

    const tail = await gw.client.request('logs.tail', { limit: 50 });
    expect(tail.entries.map((e) => e.msg)).toContain('turn done');
    expect(tail.lastSeq).toBeGreaterThanOrEqual(live.seq);
    expect(tail.level).toBe('info');
  });

  it('logs.tail filters by agent, channel and level', async () => {
    const started = await start();
    gw = started.gw;
    const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'filter me' });
    await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    await until(
      async () => (await gw!.client.request('logs.tail', { agentId: 'main' })).entries.some((e) => e.msg === 'turn done'),
      'turn done',
    );
    // The start-up warning about the plaintext token is a gateway entry with no agent.
    const all = await gw.client.request('logs.tail', {});
    expect(all.entries.some((e) => e.level === 'warn' && /plaintext secrets/.test(e.msg))).toBe(true);

    const byAgent = await gw.client.request('logs.tail', { agentId: 'main' });
    expect(byAgent.entries.length).toBeGreaterThan(0);
    expect(byAgent.entries.every((e) => e.agentId === 'main')).toBe(true);
    expect((await gw.client.request('logs.tail', { agentId: 'nobody' })).entries).toEqual([]);
    expect((await gw.client.request('logs.tail', { channel: 'telegram' })).entries.map((e) => e.msg)).not.toContain('turn done');
    const warnings = await gw.client.request('logs.tail', { level: 'warn' });
    expect(warnings.entries.length).toBeGreaterThan(0);
    expect(warnings.entries.every((e) => e.level === 'warn' || e.level === 'error')).toBe(true);
  });

  it('an unauthenticated connection gets no log entries', async () => {
    const started = await start();
    gw = started.gw;
    const ws = new WebSocket(gw.headless.url);
    const frames: { type: string }[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as { type: string }));
    await new Promise((resolve) => ws.once('open', resolve));
    // Entries are logged and sent to the authenticated client while this socket waits unauthenticated.
    const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'not for strangers' });
    await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    await until(() => started.batches.some((b) => b.entries.some((e) => e.msg === 'turn done')), 'turn done batch');
    // On one connection frames arrive in order: anything sent before auth would come before the auth reply.
    ws.send(JSON.stringify({ type: 'auth', token: gw.headless.token }));
    await until(() => frames.length > 0, 'auth reply');
    expect(frames[0]).toMatchObject({ type: 'auth', ok: true });
    ws.close();
  });

  it('diagnostics.bundle has versions, status, config and the log, and neither the token nor the key', async () => {
    const started = await start();
    gw = started.gw;
    const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'diagnose' });
    await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    expect(gw.peer.requests.at(-1)!.apiKey).toBe(API_KEY); // the key was really used by this gateway
    await until(async () => (await gw!.client.request('logs.tail', {})).entries.some((e) => e.msg === 'turn done'), 'turn done');

    const bundle = await gw.client.request('diagnostics.bundle', {});
    expect(bundle.versions).toMatchObject({ app: 'test', node: process.versions.node });
    expect(bundle.status.state).toBe('running');
    expect(bundle.status.channels.map((c) => c.channel)).toContain('telegram');
    expect((bundle.config.raw as { channels: { telegram: { botToken: string } } }).channels.telegram.botToken).toBe(REDACTED_SECRET);
    expect(bundle.logs.entries.map((e) => e.msg)).toContain('turn done');
    const text = JSON.stringify(bundle);
    for (const secret of [TG_TOKEN, API_KEY, TG_TOKEN.split(':')[1]!, API_KEY.slice(-20)]) expect(text).not.toContain(secret);
  });
});
