// Operator controls through the real gateway: pausing an agent, its daily token budget and the
// per-sender rate limit. Refused messages are recorded, counted and answered with a clear line.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { until } from '../helpers/wait.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('agent controls', () => {
  it('a paused agent records messages without answering, shows as paused, and answers again once resumed', async () => {
    gw = await startTestGateway();
    expect(await gw.client.request('agents.pause', { agentId: 'main' })).toEqual({ agentId: 'main', paused: true });
    expect((await gw.client.request('agents.list', {})).agents[0]!.state).toBe('paused');
    const first = await gw.client.request('webchat.send', { agentId: 'main', text: 'are you there?' });
    const refused = await gw.waitFor('message.outbound', (d) => d.messageId === first.messageId);
    expect(refused).toMatchObject({ failure: 'agent_paused', text: expect.stringContaining('paused') });
    expect(gw.peer.requests).toHaveLength(0);
    const history = await gw.client.request('sessions.history', { agentId: 'main', sessionKey: 'agent:main:main' });
    expect(history.records.some((r) => r.type === 'message' && r.text === 'are you there?')).toBe(true);
    await gw.client.request('agents.resume', { agentId: 'main' });
    const second = await gw.client.request('webchat.send', { agentId: 'main', text: 'now?' });
    // What arrived while paused is part of the conversation the agent now answers.
    const answered = await gw.waitFor('message.outbound', (d) => d.messageId === second.messageId);
    expect(answered.failure).toBeUndefined();
    expect(String(answered.text)).toMatch(/^echo: .*are you there\?[\s\S]*now\?$/);
  });

  it('pausing survives a restart of the gateway', async () => {
    gw = await startTestGateway();
    await gw.client.request('agents.pause', { agentId: 'main' });
    await gw.client.request('gateway.stop', {});
    await gw.headless.gateway.init();
    await gw.client.request('gateway.start', {});
    expect((await gw.client.request('agents.list', {})).agents[0]!.state).toBe('paused');
  });

  it('an agent over its daily token budget says so instead of answering', async () => {
    gw = await startTestGateway({
      config: (url) => ({ models: { anthropic: { baseUrl: url } }, agents: { list: [{ id: 'main', limits: { dailyTokens: 1 } }] } }),
    });
    const first = await gw.client.request('webchat.send', { agentId: 'main', text: 'one' });
    expect(await gw.waitFor('message.outbound', (d) => d.messageId === first.messageId)).toMatchObject({ text: 'echo: one' });
    const second = await gw.client.request('webchat.send', { agentId: 'main', text: 'two' });
    expect(await gw.waitFor('message.outbound', (d) => d.messageId === second.messageId)).toMatchObject({
      failure: 'daily_budget',
      text: expect.stringContaining('daily budget'),
    });
    expect(gw.peer.requests).toHaveLength(1);
  });

  it('a sender over the per-minute limit gets one clear reply per refused message, and other senders are unaffected', async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: { list: [{ id: 'main', limits: { perSenderPerMinute: 2 } }] },
        session: { dmScope: 'per-peer' },
        channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'] } },
      }),
      adapters: channels.factory,
    });
    const tg = channels.get('telegram');
    for (const text of ['a', 'b', 'c']) tg.dm('111', text);
    tg.dm('222', 'other sender');
    await until(() => tg.sent.length === 4, 'four replies');
    const to111 = tg.sent.filter((m) => m.peer.id === '111').map((m) => m.text);
    expect(to111.filter((t) => t.startsWith('echo: '))).toHaveLength(2);
    expect(to111.filter((t) => t.includes('at most 2 a minute'))).toHaveLength(1);
    expect(tg.sent.find((m) => m.peer.id === '222')!.text).toBe('echo: other sender');
    expect((await gw.client.request('status', {})).dropped).toEqual({ rate_limited: 1 });
  });
});
