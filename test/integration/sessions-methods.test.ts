// Sessions and turns as the chat inspector uses them, through a real headless gateway: exporting and
// deleting a session, the transcript id in sessions.history, `/stop` sent as a web chat message,
// what a stopped turn does to the agent's state, a tool's input in its `agent.tool` event, and
// secrets in a tool call's input masked in the stored transcript.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TOOL_INPUT_EVENT_MAX } from '../../src-shared/protocol/methods.ts';
import { createGate } from '../peers/anthropic.ts';
import { startTestGateway, TEST_API_KEY, type TestGateway } from '../helpers/gateway.ts';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { until } from '../helpers/wait.ts';

const MAIN = 'agent:main:main';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

/** Sends from the dashboard and waits for the turn to end. */
async function chat(g: TestGateway, text: string, sessionKey?: string) {
  const sent = await g.client.request('webchat.send', { agentId: 'main', text, ...(sessionKey ? { sessionKey } : {}) });
  await g.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
  return sent;
}

/** Starts a turn the model never finishes (until `gate.open()`), and waits until it streams. */
async function runningTurn(g: TestGateway, text = 'go', sessionKey?: string) {
  const gate = createGate();
  g.peer.enqueue({ kind: 'hold', release: gate.promise, text: 'a long answer that never finishes' });
  const sent = await g.client.request('webchat.send', { agentId: 'main', text, ...(sessionKey ? { sessionKey } : {}) });
  await g.waitFor('agent.delta', (d) => d.messageId === sent.messageId);
  return { sent, gate };
}

const agentStates = (g: TestGateway) =>
  g.events.filter((e) => e.event === 'agent.state' && e.data.agentId === 'main').map((e) => e.data.state);

describe('sessions.export', () => {
  it("returns the transcript as JSONL, one record per line, with the session's index entry", async () => {
    gw = await startTestGateway();
    await chat(gw, 'hello there');
    const listed = (await gw.client.request('sessions.list', { agentId: 'main' })).sessions.find((s) => s.key === MAIN)!;
    const exported = await gw.client.request('sessions.export', { agentId: 'main', sessionKey: MAIN });
    expect(exported).toMatchObject({ agentId: 'main', sessionKey: MAIN, sessionId: listed.sessionId });
    expect(exported.meta).toMatchObject({
      format: 'switchboard.session',
      version: 1,
      agentId: 'main',
      key: MAIN,
      sessionKey: MAIN,
      sessionId: listed.sessionId,
      messages: 2,
      archived: false,
      created: listed.created,
    });
    expect(exported.jsonl.endsWith('\n')).toBe(true);
    const records = exported.jsonl
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ seq: 1, type: 'session', sessionId: listed.sessionId, sessionKey: MAIN });
    expect(records.filter((r) => r.type === 'message').map((r) => [r.role, r.text])).toEqual([
      ['user', 'hello there'],
      ['assistant', 'echo: hello there'],
    ]);
  });

  it('masks secrets in the exported records as everywhere else', async () => {
    gw = await startTestGateway();
    await chat(gw, `my keys: ${TEST_API_KEY} and sk-ant-api03-abcdefghijklmnopqrstuvwxyz`);
    const { jsonl } = await gw.client.request('sessions.export', { agentId: 'main', sessionKey: MAIN });
    expect(jsonl).not.toContain(TEST_API_KEY);
    expect(jsonl).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(jsonl).toContain('sk-ant-[redacted]');
    for (const line of jsonl.trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('exports an archived session by its list key', async () => {
    gw = await startTestGateway();
    await chat(gw, 'before the reset');
    const before = (await gw.client.request('sessions.list', { agentId: 'main' })).sessions[0]!;
    await gw.client.request('webchat.send', { agentId: 'main', text: '/new' });
    const archived = (await gw.client.request('sessions.list', { agentId: 'main' })).sessions.find((s) => s.archived)!;
    expect(archived.sessionId).toBe(before.sessionId);
    const exported = await gw.client.request('sessions.export', { agentId: 'main', sessionKey: archived.key });
    expect(exported).toMatchObject({ sessionKey: archived.key, sessionId: before.sessionId, meta: { archived: true } });
    expect(exported.jsonl).toContain('before the reset');
  });

  it('refuses a transcript too large for one frame and names the file to copy instead', async () => {
    gw = await startTestGateway();
    const store = await gw.headless.gateway.storeFor('main');
    for (let i = 0; i < 9; i++) await store.append(MAIN, { type: 'message', role: 'user', text: 'x'.repeat(1024 * 1024) });
    const file = store.fileOf(MAIN)!;
    await expect(gw.client.request('sessions.export', { agentId: 'main', sessionKey: MAIN })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining(`copy its transcript file instead: ${file}`),
    });
    expect(path.dirname(file)).toBe(path.join(gw.dir, 'agents', 'main', 'sessions'));
  });

  it('says which session does not exist', async () => {
    gw = await startTestGateway();
    await expect(gw.client.request('sessions.export', { agentId: 'main', sessionKey: 'agent:main:webchat:nope' })).rejects.toMatchObject({
      code: 'not_found',
      message: 'agent "main" has no session agent:main:webchat:nope',
    });
    await expect(gw.client.request('sessions.export', { agentId: 'ghost', sessionKey: MAIN })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('sessions.delete', () => {
  it('deletes the session and its transcript file; it is gone from the list and stays gone after a restart', async () => {
    gw = await startTestGateway();
    await chat(gw, 'keep me', 'agent:main:webchat:keep');
    await chat(gw, 'delete me');
    const store = await gw.headless.gateway.storeFor('main');
    const file = store.fileOf(MAIN)!;
    expect(existsSync(file)).toBe(true);

    expect(await gw.client.request('sessions.delete', { agentId: 'main', sessionKey: MAIN })).toEqual({ deleted: true });
    expect((await gw.client.request('sessions.list', { agentId: 'main' })).sessions.map((s) => s.key)).toEqual(['agent:main:webchat:keep']);
    expect(existsSync(file)).toBe(false);
    expect(await gw.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN })).toMatchObject({
      sessionId: null,
      records: [],
    });
    expect(await gw.client.request('sessions.delete', { agentId: 'main', sessionKey: MAIN })).toEqual({ deleted: false });

    await gw.client.request('gateway.stop', {});
    await gw.headless.gateway.init();
    await gw.client.request('gateway.start', {});
    expect((await gw.client.request('sessions.list', { agentId: 'main' })).sessions.map((s) => s.key)).toEqual(['agent:main:webchat:keep']);
  });

  it('refuses with conflict while a turn is running in the session, and deletes it once the turn is over', async () => {
    gw = await startTestGateway();
    const { sent, gate } = await runningTurn(gw);
    await expect(gw.client.request('sessions.delete', { agentId: 'main', sessionKey: MAIN })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('turn.cancel'),
    });
    gate.open();
    await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    await gw.headless.gateway.idle();
    expect(await gw.client.request('sessions.delete', { agentId: 'main', sessionKey: MAIN })).toEqual({ deleted: true });
  });

  it('a message sent after the delete starts a new session under the same key', async () => {
    gw = await startTestGateway();
    await chat(gw, 'old');
    const old = (await gw.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN })).sessionId;
    await gw.client.request('sessions.delete', { agentId: 'main', sessionKey: MAIN });
    await chat(gw, 'new');
    const now = await gw.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN });
    expect(now.sessionId).not.toBe(old);
    expect(now.records.filter((r) => r.type === 'message').map((r) => r.text)).toEqual(['new', 'echo: new']);
  });
});

describe('sessions.history', () => {
  it('names the transcript it read, which changes when the session is reset', async () => {
    gw = await startTestGateway();
    await chat(gw, 'one');
    const listed = (await gw.client.request('sessions.list', { agentId: 'main' })).sessions[0]!;
    const first = await gw.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN });
    expect(first.sessionId).toBe(listed.sessionId);
    await gw.client.request('webchat.send', { agentId: 'main', text: '/new' });
    const second = await gw.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN });
    expect(second.sessionId).toEqual(expect.any(String));
    expect(second.sessionId).not.toBe(first.sessionId);
    expect((await gw.client.request('sessions.history', { agentId: 'main', sessionKey: 'agent:main:webchat:none' })).sessionId).toBeNull();
  });
});

describe('/stop sent from the dashboard', () => {
  it('cancels the running turn and acknowledges it instead of refusing the message', async () => {
    gw = await startTestGateway();
    const { sent, gate } = await runningTurn(gw);
    const stop = await gw.client.request('webchat.send', { agentId: 'main', text: '/stop' });
    expect(stop).toMatchObject({ agentId: 'main', sessionKey: MAIN, messageId: expect.any(String) });
    expect(await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId)).toMatchObject({
      incomplete: true,
      failure: 'cancelled',
    });
    expect(await gw.waitFor('message.outbound', (d) => d.messageId === stop.messageId)).toMatchObject({
      text: 'Stopped.',
      incomplete: false,
      sessionKey: MAIN,
    });
    expect((await gw.client.request('status', {})).dropped).toEqual({});
    gate.open();
  });

  it('says nothing is running when there is nothing to stop', async () => {
    gw = await startTestGateway();
    const stop = await gw.client.request('webchat.send', { agentId: 'main', text: ' /STOP ' });
    expect(await gw.waitFor('message.outbound', (d) => d.messageId === stop.messageId)).toMatchObject({ text: 'Nothing is running.' });
    expect(gw.peer.requests).toHaveLength(0);
    // A command, not a message: nothing is stored.
    expect((await gw.client.request('sessions.list', { agentId: 'main' })).sessions).toEqual([]);
  });

  it('stops only the turn of the session it is sent in', async () => {
    gw = await startTestGateway();
    const other = 'agent:main:webchat:other';
    const { sent, gate } = await runningTurn(gw, 'long job', other);
    const stop = await gw.client.request('webchat.send', { agentId: 'main', text: '/stop' });
    expect(await gw.waitFor('message.outbound', (d) => d.messageId === stop.messageId)).toMatchObject({ text: 'Nothing is running.' });
    expect(gw.events.some((e) => e.event === 'message.outbound' && e.data.messageId === sent.messageId)).toBe(false);
    await gw.client.request('webchat.send', { agentId: 'main', text: '/stop', sessionKey: other });
    expect(await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId)).toMatchObject({ failure: 'cancelled' });
    gate.open();
  });

  it("a chat's /stop with the bot suffix stops the turn and is answered in the chat", async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({
      config: (url) => ({ models: { anthropic: { baseUrl: url } }, channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'] } } }),
      adapters: channels.factory,
    });
    const tg = channels.get('telegram');
    const gate = createGate();
    gw.peer.enqueue({ kind: 'hold', release: gate.promise, text: 'a long answer that never finishes' });
    tg.dm('111', 'write an essay');
    await gw.waitFor('agent.delta');
    tg.dm('111', '/stop@switchboard_bot');
    await until(() => tg.sent.some((m) => m.text === 'Stopped.'), 'the stop confirmation');
    await gw.waitFor('message.outbound', (d) => d.failure === 'cancelled');
    gate.open();
  });
});

describe('a stopped turn', () => {
  it('returns the agent to idle after turn.cancel, not error', async () => {
    gw = await startTestGateway();
    const { sent, gate } = await runningTurn(gw);
    await gw.client.request('turn.cancel', { agentId: 'main', sessionKey: MAIN });
    await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    expect(agentStates(gw)).toEqual(['thinking', 'idle']);
    expect((await gw.client.request('agents.list', {})).agents[0]).toMatchObject({ state: 'idle', reason: null });
    gate.open();
  });

  it('returns the agent to idle after /stop, and the reply stays marked incomplete in the transcript', async () => {
    gw = await startTestGateway();
    const { sent, gate } = await runningTurn(gw);
    await gw.client.request('webchat.send', { agentId: 'main', text: '/stop' });
    await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    expect(agentStates(gw)).toEqual(['thinking', 'idle']);
    const { records } = await gw.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN });
    expect(records.find((r) => r.type === 'message' && r.role === 'assistant')).toMatchObject({ incomplete: true });
    expect(records.find((r) => r.type === 'error')).toMatchObject({ kind: 'cancelled' });
    gate.open();
  });

  it('a turn that really fails still puts the agent in error', async () => {
    gw = await startTestGateway();
    gw.peer.enqueue({ kind: 'error', status: 400, message: 'bad request from the test' });
    await chat(gw, 'hi');
    expect(agentStates(gw)).toEqual(['thinking', 'error']);
  });
});

describe('agent.tool events', () => {
  it("carry the tool's input as JSON in the call phase, while the turn runs", async () => {
    gw = await startTestGateway();
    gw.peer.enqueue({ kind: 'tool_use', name: 'read', input: { path: 'notes.md' } });
    await chat(gw, 'read my notes');
    const call = gw.events.find((e) => e.event === 'agent.tool' && e.data.phase === 'call')!.data;
    expect(call).toMatchObject({ name: 'read', input: '{"path":"notes.md"}' });
    expect(gw.events.find((e) => e.event === 'agent.tool' && e.data.phase === 'result')!.data.input).toBeUndefined();
  });

  it('cut a long input to the limit and mask secrets in it', async () => {
    gw = await startTestGateway();
    gw.peer.enqueue({ kind: 'tool_use', name: 'read', input: { path: `sk-ant-api03-${'s'.repeat(40)} ${'x'.repeat(5000)}` } });
    await chat(gw, 'read it');
    const input = String(gw.events.find((e) => e.event === 'agent.tool' && e.data.phase === 'call')!.data.input);
    expect(input).toHaveLength(TOOL_INPUT_EVENT_MAX);
    expect(input.endsWith('…')).toBe(true);
    expect(input.startsWith('{"path":"sk-ant-[redacted] xxx')).toBe(true);
  });
});

describe('tool_call records', () => {
  it("mask the API key and token-shaped strings in a tool's input, on disk and in sessions.history, while the tool gets it whole", async () => {
    gw = await startTestGateway();
    const botToken = '123456789:AAH-canary-telegram-token-abcdefghijkl';
    const content = `ANTHROPIC_API_KEY=${TEST_API_KEY}\nTELEGRAM_BOT_TOKEN=${botToken}\n`;
    await mkdir(path.join(gw.dir, 'workspace'), { recursive: true });
    gw.peer.enqueue({ kind: 'tool_use', name: 'write', input: { path: 'keys.env', content } });
    await chat(gw, 'save my keys');

    const sessionsDir = path.join(gw.dir, 'agents', 'main', 'sessions');
    const transcripts = (await readdir(sessionsDir)).filter((f) => f.endsWith('.jsonl'));
    expect(transcripts.length).toBeGreaterThan(0);
    const onDisk = (await Promise.all(transcripts.map((f) => readFile(path.join(sessionsDir, f), 'utf8')))).join('');
    expect(onDisk).toContain('"type":"tool_call"');
    expect(onDisk).not.toContain(TEST_API_KEY);
    expect(onDisk).not.toContain('canary-telegram-token');

    const { records } = await gw.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN, limit: 1000 });
    const call = records.find((r) => r.type === 'tool_call') as { input?: { path?: string; content?: string } } | undefined;
    expect(call?.input).toEqual({ path: 'keys.env', content: 'ANTHROPIC_API_KEY=[redacted]\nTELEGRAM_BOT_TOKEN=[redacted]\n' });

    // Only the record is masked: the tool ran with the input the model sent.
    expect(await readFile(path.join(gw.dir, 'workspace', 'keys.env'), 'utf8')).toBe(content);
  });
});
