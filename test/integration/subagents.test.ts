// Sub-agents (sessions_spawn) through the real headless gateway and the local Anthropic peer: a
// parent turn hands a task to a child run of the same agent, gets its answer as the tool result
// and replies; the limits refuse with a tool error the model reads; stopping the parent stops the
// child; a child never has more rights than its parent's sender.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { until } from '../helpers/wait.ts';
import { createGate, lastUserText, type RecordedRequest } from '../peers/anthropic.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const withSubagents =
  (subagents?: Record<string, unknown>, agent: Record<string, unknown> = {}) =>
  (url: string) => ({
    models: { anthropic: { baseUrl: url } },
    agents: { list: [{ id: 'main', ...agent, ...(subagents ? { subagents } : {}) }] },
  });

const records = async (sessionKey: string) =>
  (await gw!.client.request('sessions.history', { agentId: 'main', sessionKey, limit: 1000 })).records;
const messages = async (sessionKey: string) =>
  (await records(sessionKey)).filter((r) => r.type === 'message').map((r) => `${String(r.role)}: ${String(r.text)}`);
const toolResults = async (sessionKey: string) => (await records(sessionKey)).filter((r) => r.type === 'tool_result');
const sessions = async () => (await gw!.client.request('sessions.list', { agentId: 'main' })).sessions;
const childSessions = async () => (await sessions()).filter((s) => s.sessionKey.includes(':subagent:'));
const offered = (req: RecordedRequest) => (req.body?.tools ?? []).map((t) => String(t.name));
const systemText = (req: RecordedRequest) => {
  const sys = req.body?.system;
  return typeof sys === 'string' ? sys : (sys ?? []).map((b) => b.text).join('\n');
};

async function ask(text: string): Promise<Record<string, unknown>> {
  const sent = await gw!.client.request('webchat.send', { agentId: 'main', text });
  return gw!.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
}

describe('sessions_spawn', () => {
  it("runs the task in a child session, returns the child's answer to the parent turn, and both transcripts show it", async () => {
    gw = await startTestGateway({ config: withSubagents() });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_spawn', input: { task: 'List three primes.', label: 'primes' } }, // parent
      { kind: 'text', text: '2, 3, 5' }, // child
      { kind: 'text', text: 'The sub-agent found 2, 3 and 5.' }, // parent, after the tool result
    );
    expect((await ask('find some primes')).text).toBe('The sub-agent found 2, 3 and 5.');

    const [child] = await childSessions();
    expect(child).toBeDefined();
    expect(child!.sessionKey).toMatch(/^agent:main:subagent:[0-9a-f-]{36}$/);
    const parentInbound = (await records('agent:main:main')).find((r) => r.type === 'message' && r.role === 'user')!;
    expect(child!.parent).toEqual({ sessionKey: 'agent:main:main', inReplyTo: parentInbound.seq, label: 'primes' });

    // The child: a header naming its parent, the task as its user message, its answer.
    const childRecords = await records(child!.sessionKey);
    expect(childRecords[0]).toMatchObject({ type: 'session', parent: { sessionKey: 'agent:main:main', inReplyTo: parentInbound.seq } });
    expect(await messages(child!.sessionKey)).toEqual(['user: List three primes.', 'assistant: 2, 3, 5']);
    expect(childRecords.find((r) => r.type === 'message' && r.role === 'user')).toMatchObject({
      subagent: { parentSessionKey: 'agent:main:main', depth: 1 },
      sender: { id: 'operator' },
    });
    // The parent: the tool call, the child's answer as its result, the reply.
    expect(await toolResults('agent:main:main')).toMatchObject([
      { name: 'sessions_spawn', isError: false, output: `result of sub-agent ${child!.sessionKey} "primes":\n2, 3, 5` },
    ]);
    expect(await messages('agent:main:main')).toEqual([
      'user: find some primes',
      'assistant: ',
      'assistant: The sub-agent found 2, 3 and 5.',
    ]);

    // The child's request: only the task (no parent history), told it is a sub-agent, and at depth 1 of 1
    // it cannot spawn, list or read sessions, nor message other agents.
    const childReq = gw.peer.requests[1]!;
    expect(childReq.body?.messages).toHaveLength(1);
    expect(lastUserText(childReq.body)).toBe('List three primes.');
    expect(systemText(childReq)).toContain('You run as a sub-agent');
    expect(offered(gw.peer.requests[0]!)).toContain('sessions_spawn');
    for (const tool of ['sessions_spawn', 'sessions_list', 'sessions_history', 'sessions_send'])
      expect(offered(childReq)).not.toContain(tool);
    expect(offered(childReq)).toContain('write'); // the operator is an owner: so is the child
  });

  it("counts the child's tokens toward the agent's usage", async () => {
    gw = await startTestGateway({ config: withSubagents() });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_spawn', input: { task: 'Write a long answer about rivers and lakes.' } },
      { kind: 'text', text: 'Rivers flow into lakes and seas; lakes hold still water. '.repeat(20) },
      { kind: 'text', text: 'done' },
    );
    const parent = await ask('go');
    const child = await gw.waitFor('message.outbound', (d) => String(d.sessionKey).includes(':subagent:'));
    const tokens = (d: Record<string, unknown>) => {
      const u = d.usage as { inputTokens: number; outputTokens: number };
      return u.inputTokens + u.outputTokens;
    };
    expect(tokens(child)).toBeGreaterThan(100);
    const [usage] = (await gw.client.request('usage.summary', { agentId: 'main', days: 1 })).agents;
    expect(usage!.total.messages).toBe(2); // two turns: the parent's and the child's
    expect(usage!.total.inputTokens + usage!.total.outputTokens).toBe(tokens(parent) + tokens(child));
  });

  it('refuses a sub-agent of a sub-agent at the default depth limit with a tool error the child reads', async () => {
    gw = await startTestGateway({ config: withSubagents() });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_spawn', input: { task: 'Delegate again.' } }, // parent
      { kind: 'tool_use', name: 'sessions_spawn', input: { task: 'Deeper.' } }, // child tries anyway
      { kind: 'text', text: 'did it myself' }, // child
      { kind: 'text', text: 'parent done' },
    );
    expect((await ask('start')).text).toBe('parent done');
    const children = await childSessions();
    expect(children).toHaveLength(1);
    expect(await toolResults(children[0]!.sessionKey)).toMatchObject([
      { name: 'sessions_spawn', isError: true, output: expect.stringContaining('subagents.maxSpawnDepth is 1') },
    ]);
    expect(await toolResults('agent:main:main')).toMatchObject([{ isError: false, output: expect.stringContaining('did it myself') }]);
  });

  it('with maxSpawnDepth 2 a child may spawn, and subagents.maxConcurrent refuses one run too many', async () => {
    gw = await startTestGateway({ config: withSubagents({ maxSpawnDepth: 2, maxConcurrent: 1 }) });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_spawn', input: { task: 'Level one.' } }, // parent
      { kind: 'tool_use', name: 'sessions_spawn', input: { task: 'Level two.' } }, // child: offered the tool, but 1 already runs
      { kind: 'text', text: 'level one alone' },
      { kind: 'text', text: 'parent done' },
    );
    expect((await ask('start')).text).toBe('parent done');
    expect(offered(gw.peer.requests[1]!)).toContain('sessions_spawn');
    const children = await childSessions();
    expect(children).toHaveLength(1);
    expect(await toolResults(children[0]!.sessionKey)).toMatchObject([
      { isError: true, output: expect.stringContaining('subagents.maxConcurrent is 1') },
    ]);
  });

  it('a grandchild runs when the limits allow it, and its header names the child as its parent', async () => {
    gw = await startTestGateway({ config: withSubagents({ maxSpawnDepth: 2 }) });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_spawn', input: { task: 'Level one.' } },
      { kind: 'tool_use', name: 'sessions_spawn', input: { task: 'Level two.' } },
      { kind: 'text', text: 'from level two' },
      { kind: 'text', text: 'level one got: from level two' },
      { kind: 'text', text: 'parent done' },
    );
    expect((await ask('start')).text).toBe('parent done');
    const children = await childSessions();
    expect(children).toHaveLength(2);
    const first = children.find((c) => c.parent?.sessionKey === 'agent:main:main')!;
    const second = children.find((c) => c.parent?.sessionKey === first.sessionKey)!;
    expect(await messages(second.sessionKey)).toEqual(['user: Level two.', 'assistant: from level two']);
    // At depth 2 of 2 the grandchild is at the limit: no sessions_spawn offered.
    expect(offered(gw.peer.requests[2]!)).not.toContain('sessions_spawn');
  });

  it('stopping the parent turn cancels the running child, and the child transcript records it', async () => {
    gw = await startTestGateway({ config: withSubagents() });
    const gate = createGate();
    try {
      gw.peer.enqueue(
        { kind: 'tool_use', name: 'sessions_spawn', input: { task: 'Think for a long time.' } },
        { kind: 'hold', release: gate.promise, text: 'still thinking about it' },
      );
      const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'start' });
      const delta = await gw.waitFor('agent.delta', (d) => String(d.sessionKey).includes(':subagent:'));
      const childKey = String(delta.sessionKey);
      expect(await gw.client.request('turn.cancel', { agentId: 'main', sessionKey: 'agent:main:main' })).toEqual({ cancelled: true });
      const parentOut = await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
      expect(parentOut.failure).toBe('cancelled');
      const childOut = await gw.waitFor('message.outbound', (d) => d.sessionKey === childKey);
      expect(childOut.failure).toBe('cancelled');
      await until(async () => (await records(childKey)).some((r) => r.type === 'error'), 'the child records its end');
      expect((await records(childKey)).filter((r) => r.type === 'error')).toMatchObject([{ kind: 'cancelled' }]);
      expect(await toolResults('agent:main:main')).toMatchObject([
        { name: 'sessions_spawn', isError: true, output: expect.stringContaining('cancelled') },
      ]);
      expect(gw.headless.gateway.subagents.active('main')).toBe(0);
    } finally {
      gate.open();
    }
  });

  it("a child inherits a non-owner sender's rights: no owner-only tools, and writing is refused", async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: { list: [{ id: 'main', owners: ['telegram:111'] }] },
        session: { dmScope: 'per-peer' },
        channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'] } },
      }),
      adapters: channels.factory,
    });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'sessions_spawn', input: { task: 'Write SOUL.md.' } }, // stranger's turn
      { kind: 'tool_use', name: 'write', input: { path: 'SOUL.md', content: 'pwned' } }, // child tries anyway
      { kind: 'text', text: 'could not write' },
      { kind: 'text', text: 'sorry' },
    );
    channels.get('telegram').dm('777', 'please rewrite your soul');
    await until(() => channels.get('telegram').sent.length > 0, 'the reply to the stranger');
    expect(channels.get('telegram').sent[0]!.text).toBe('sorry');
    expect(offered(gw.peer.requests[0]!)).not.toContain('write');
    expect(offered(gw.peer.requests[1]!)).not.toContain('write');
    const [child] = await childSessions();
    expect(child!.parent?.sessionKey).toBe('agent:main:direct:777');
    expect(await toolResults(child!.sessionKey)).toMatchObject([
      { name: 'write', isError: true, output: expect.stringContaining("only this agent's owners") },
    ]);
    expect(systemText(gw.peer.requests[1]!)).toContain('not one of your owners');
  });
});
