// Agent-to-agent messages (allowed, refused, loops stopped) and session resets (/new, /reset, idle
// and daily boundaries) through the real headless gateway, the local Anthropic peer and MemoryChannel.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESET_REPLY } from '../../src-main/gateway/session-commands.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { until } from '../helpers/wait.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await gw?.close();
  gw = undefined;
});

const twoAgents = (a2a: Record<string, unknown>) => (url: string) => ({
  models: { anthropic: { baseUrl: url } },
  agents: {
    list: [
      { id: 'alice', default: true, tools: { allow: ['sessions_send'] } },
      { id: 'bob', tools: { allow: ['sessions_send'] } },
    ],
  },
  tools: { agentToAgent: a2a },
});

async function records(agentId: string, sessionKey: string) {
  return (await gw!.client.request('sessions.history', { agentId, sessionKey, limit: 1000 })).records;
}
const toolResults = async (agentId: string, sessionKey: string) =>
  (await records(agentId, sessionKey)).filter((r) => r.type === 'tool_result');
const messages = async (agentId: string, sessionKey: string) =>
  (await records(agentId, sessionKey)).filter((r) => r.type === 'message').map((r) => `${String(r.role)}: ${String(r.text)}`);

async function askAlice(text: string): Promise<Record<string, unknown>> {
  const sent = await gw!.client.request('webchat.send', { agentId: 'alice', text });
  return gw!.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
}

describe('agent-to-agent', () => {
  it("delivers into the target's a2a session and returns its reply; both transcripts show the exchange", async () => {
    gw = await startTestGateway({ config: twoAgents({ enabled: true, allow: ['alice', 'bob'] }) });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_send', input: { agentId: 'bob', text: 'what is 2+2?' } },
      { kind: 'text', text: 'four' },
      { kind: 'text', text: 'bob says four' },
    );
    expect((await askAlice('ask bob')).text).toBe('bob says four');
    expect(await toolResults('alice', 'agent:alice:main')).toMatchObject([
      { name: 'sessions_send', isError: false, output: 'reply from bob:\nfour' },
    ]);
    expect(await messages('bob', 'agent:bob:a2a:alice')).toEqual(['user: what is 2+2?', 'assistant: four']);
  });

  it('needs no sessions_send in tools.allow: tools.agentToAgent.allow is the opt-in for agents on the default tools', async () => {
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: { list: [{ id: 'alice', default: true }, { id: 'bob' }, { id: 'carol' }] },
        tools: { agentToAgent: { enabled: true, allow: ['alice', 'bob'] } },
      }),
    });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_send', input: { agentId: 'bob', text: 'hi bob' } },
      { kind: 'text', text: 'hello alice' },
      { kind: 'text', text: 'bob said hello' },
    );
    expect((await askAlice('greet bob')).text).toBe('bob said hello');
    const offered = (i: number) => (gw!.peer.requests[i]!.body?.tools ?? []).map((t) => t.name);
    expect(offered(0)).toContain('sessions_send');
    expect(await messages('bob', 'agent:bob:a2a:alice')).toEqual(['user: hi bob', 'assistant: hello alice']);
    // carol is not in the a2a allow list: she is not offered the tool.
    const sent = await gw.client.request('webchat.send', { agentId: 'carol', text: 'hi' });
    await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    expect(offered(gw.peer.requests.length - 1)).not.toContain('sessions_send');
  });

  it('is refused when agent-to-agent messaging is disabled', async () => {
    gw = await startTestGateway({ config: twoAgents({ enabled: false, allow: ['alice', 'bob'] }) });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_send', input: { agentId: 'bob', text: 'hi' } },
      { kind: 'text', text: 'could not' },
    );
    await askAlice('ask bob');
    expect(await toolResults('alice', 'agent:alice:main')).toMatchObject([
      { isError: true, output: expect.stringContaining('turned off') },
    ]);
    expect((await gw.client.request('sessions.list', { agentId: 'bob' })).sessions).toEqual([]);
  });

  it('is refused when the target is not in tools.agentToAgent.allow', async () => {
    gw = await startTestGateway({ config: twoAgents({ enabled: true, allow: ['alice'] }) });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_send', input: { agentId: 'bob', text: 'hi' } },
      { kind: 'text', text: 'could not' },
    );
    await askAlice('ask bob');
    expect(await toolResults('alice', 'agent:alice:main')).toMatchObject([
      { isError: true, output: expect.stringContaining('"bob" is not in tools.agentToAgent.allow') },
    ]);
    expect((await gw.client.request('sessions.list', { agentId: 'bob' })).sessions).toEqual([]);
  });

  it('stops a ping-pong after tools.agentToAgent.maxTurns hops with a tool error', async () => {
    gw = await startTestGateway({ config: twoAgents({ enabled: true, allow: ['alice', 'bob'], maxTurns: 1 }) });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_send', input: { agentId: 'bob', text: 'ping' } }, // alice, main session
      { kind: 'tool_use', name: 'sessions_send', input: { agentId: 'alice', text: 'pong' } }, // bob, hop 1
      { kind: 'text', text: 'bob gives up' },
      { kind: 'text', text: 'alice done' },
    );
    expect((await askAlice('start')).text).toBe('alice done');
    expect(await toolResults('bob', 'agent:bob:a2a:alice')).toMatchObject([
      { isError: true, output: expect.stringContaining('ping-pong limit reached') },
    ]);
    expect((await gw.client.request('sessions.list', { agentId: 'alice' })).sessions.map((s) => s.sessionKey)).toEqual([
      'agent:alice:main',
    ]);
  });

  it('stops two agents messaging each other back and forth instead of deadlocking', async () => {
    gw = await startTestGateway({ config: twoAgents({ enabled: true, allow: ['alice', 'bob'] }) });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_send', input: { agentId: 'bob', text: 'ping 1' } }, // alice, main
      { kind: 'tool_use', name: 'sessions_send', input: { agentId: 'alice', text: 'pong 1' } }, // bob, hop 1
      { kind: 'tool_use', name: 'sessions_send', input: { agentId: 'bob', text: 'ping 2' } }, // alice, hop 2: bob is waiting
      { kind: 'text', text: 'alice answers' },
      { kind: 'text', text: 'bob answers' },
      { kind: 'text', text: 'alice done' },
    );
    expect((await askAlice('start')).text).toBe('alice done');
    expect(await toolResults('alice', 'agent:alice:a2a:bob')).toMatchObject([
      { isError: true, output: expect.stringContaining('waiting for your reply') },
    ]);
    expect(await toolResults('bob', 'agent:bob:a2a:alice')).toMatchObject([{ isError: false, output: 'reply from alice:\nalice answers' }]);
  });
});

describe('session reset', () => {
  const sessionsOf = async (agentId: string) => (await gw!.client.request('sessions.list', { agentId })).sessions;

  it('/new in webchat archives the session, starts a new one and confirms without a model turn', async () => {
    gw = await startTestGateway();
    const first = await gw.client.request('webchat.send', { agentId: 'main', text: 'hello' });
    await gw.waitFor('message.outbound', (d) => d.messageId === first.messageId);
    const reset = await gw.client.request('webchat.send', { agentId: 'main', text: '/new' });
    expect(await gw.waitFor('message.outbound', (d) => d.messageId === reset.messageId)).toMatchObject({ text: RESET_REPLY });
    expect(gw.peer.requests).toHaveLength(1);
    const sessions = await sessionsOf('main');
    expect(sessions.map((s) => [s.sessionKey, s.archived === true]).sort()).toEqual([
      ['agent:main:main', false],
      ['agent:main:main', true],
    ]);
    const archived = sessions.find((s) => s.archived)!;
    expect(await messages('main', archived.key)).toEqual(['user: hello', 'assistant: echo: hello']);
    expect(await messages('main', 'agent:main:main')).toEqual([]);
  });

  it('/reset in a Telegram chat resets that conversation and replies with a confirmation', async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'] } },
        session: { dmScope: 'per-peer' },
      }),
      adapters: channels.factory,
    });
    const tg = channels.get('telegram');
    tg.dm('111', 'hi');
    await until(() => tg.sent.length === 1, 'first reply');
    tg.dm('111', '/reset');
    await until(() => tg.sent.length === 2, 'confirmation');
    expect(tg.sent[1]!.text).toBe(RESET_REPLY);
    const sessions = await sessionsOf('main');
    expect(sessions.filter((s) => s.archived)).toHaveLength(1);
    expect(gw.peer.requests).toHaveLength(1);
  });

  it('starts a new session when a message arrives after reset.idleMinutes of silence', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    gw = await startTestGateway({
      config: (url) => ({ models: { anthropic: { baseUrl: url } }, agents: { list: [{ id: 'main', reset: { idleMinutes: 60 } }] } }),
    });
    const first = await gw.client.request('webchat.send', { agentId: 'main', text: 'before' });
    await gw.waitFor('message.outbound', (d) => d.messageId === first.messageId);
    vi.setSystemTime(Date.now() + 61 * 60_000);
    const second = await gw.client.request('webchat.send', { agentId: 'main', text: 'after' });
    await gw.waitFor('message.outbound', (d) => d.messageId === second.messageId);
    expect(await messages('main', 'agent:main:main')).toEqual(['user: after', 'assistant: echo: after']);
    expect((await sessionsOf('main')).filter((s) => s.archived)).toHaveLength(1);
  });

  it('keeps the session when the next message comes before the idle boundary', async () => {
    gw = await startTestGateway({
      config: (url) => ({ models: { anthropic: { baseUrl: url } }, agents: { list: [{ id: 'main', reset: { idleMinutes: 60 } }] } }),
    });
    for (const text of ['one', 'two']) {
      const sent = await gw.client.request('webchat.send', { agentId: 'main', text });
      await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    }
    expect(await sessionsOf('main')).toHaveLength(1);
  });

  it('starts a new session when a message arrives after the daily reset hour', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    gw = await startTestGateway({
      config: (url) => ({ models: { anthropic: { baseUrl: url } }, agents: { list: [{ id: 'main', reset: { dailyHour: 4 } }] } }),
    });
    const first = await gw.client.request('webchat.send', { agentId: 'main', text: 'yesterday' });
    await gw.waitFor('message.outbound', (d) => d.messageId === first.messageId);
    vi.setSystemTime(Date.now() + 25 * 3600_000);
    const second = await gw.client.request('webchat.send', { agentId: 'main', text: 'today' });
    await gw.waitFor('message.outbound', (d) => d.messageId === second.messageId);
    expect(await messages('main', 'agent:main:main')).toEqual(['user: today', 'assistant: echo: today']);
  });
});
