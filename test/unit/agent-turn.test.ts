// Specification of the agent turn engine (src-main/agents/turn.ts) against the local Messages API
// peer speaking the real SSE format: streaming and records, prompt and history, model and base URL
// resolution, the tool loop, the retry policy, cut streams, cancellation and secret hygiene.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { normalize, type WireMessage as HistoryMessage } from '../../src-main/agents/history.ts';
import { readTool, ToolRegistry } from '../../src-main/agents/tools/index.ts';
import { AgentTurnRunner, type AgentTurnRunnerOptions } from '../../src-main/agents/turn.ts';
import type { ApiKeySource, TurnRequest, TurnResult } from '../../src-main/agents/turn-types.ts';
import { agentPaths, type Locations } from '../../src-main/config/paths.ts';
import type { LogLevel } from '../../src-main/log.ts';
import { AgentSessionStore, type TranscriptRecord } from '../../src-main/sessions/index.ts';
import { DEFAULT_MODEL } from '../../src-shared/config/index.ts';
import { validConfig } from '../helpers/config.ts';
import { createGate, startAnthropicPeer, type AnthropicPeer, type WireMessage } from '../peers/anthropic.ts';

const KEY = 'agent:home:main';
const CANARY = 'sk-canary-SECRET-123';
let peer: AnthropicPeer;
let tmp: string;
let ws: string;
let loc: Locations;
let store: AgentSessionStore;
let logs: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[];
let sleeps: number[];

beforeEach(async () => {
  peer = await startAnthropicPeer({ chunkSize: 4 });
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-turn-')));
  ws = path.join(tmp, 'workspace');
  await fs.mkdir(ws, { recursive: true });
  await fs.writeFile(path.join(ws, 'SOUL.md'), 'You speak like a lighthouse keeper.');
  loc = { stateDir: tmp, configPath: path.join(tmp, 'switchboard.json') };
  store = await AgentSessionStore.open(tmp, 'home');
  logs = [];
  sleeps = [];
});
afterEach(async () => {
  await store.close();
  await peer.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

class FakeKeys implements ApiKeySource {
  private i = 0;
  readonly reportFailure = vi.fn(async (_agentId: string, _profileId: string | undefined, _kind: 'auth' | 'spend_limit') => {
    this.i++;
  });
  constructor(private readonly keys: string[] = ['sk-test']) {}
  async apiKeyFor(): Promise<{ ok: true; apiKey: string; profileId: string } | { ok: false; reason: string }> {
    const k = this.keys[Math.min(this.i, this.keys.length - 1)];
    return k
      ? { ok: true, apiKey: k, profileId: `p${Math.min(this.i, this.keys.length - 1) + 1}` }
      : { ok: false, reason: 'no auth profile and no ANTHROPIC_API_KEY' };
  }
}

interface Setup {
  agent?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
  baseUrl?: string | null;
  keys?: ApiKeySource;
  runner?: Partial<AgentTurnRunnerOptions>;
  sessionKey?: string;
}

function setup(s: Setup = {}) {
  const config = validConfig({
    agents: { ...(s.defaults ? { defaults: s.defaults } : {}), list: [{ id: 'home', default: true, workspace: ws, ...s.agent }] },
    ...(s.baseUrl === null ? {} : { models: { anthropic: { baseUrl: s.baseUrl ?? peer.url } } }),
  });
  const agent = config.agents.list[0]!;
  const keys = s.keys ?? new FakeKeys();
  const runner = new AgentTurnRunner({
    keys,
    env: {},
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: { log: (level, msg, fields) => logs.push({ level, msg, ...(fields ? { fields } : {}) }) },
    ...s.runner,
  });
  const sessionKey = s.sessionKey ?? KEY;
  const runTurn = (text: string, inboundSeq: number, extra: Partial<TurnRequest> = {}): Promise<TurnResult> =>
    runner.run({
      agent,
      config,
      paths: agentPaths(agent, config, loc),
      loc,
      store,
      sessionKey,
      inboundSeq,
      signal: new AbortController().signal,
      inbound: { text, sender: { id: 'u1', name: 'Ann' }, channel: 'telegram', isOwner: true, route: route('telegram', sessionKey) },
      ...extra,
    });
  /** Persists the inbound first, as the gateway does, then runs the turn. */
  const turn = async (text: string, extra: Partial<TurnRequest> = {}): Promise<TurnResult> =>
    runTurn(text, (await store.append(sessionKey, { type: 'message', role: 'user', text, sender: { id: 'u1', name: 'Ann' } })).seq, extra);
  return { runner, keys, turn, runTurn };
}

const route = (channel: string, sessionKey: string, matchedBy: 'default' | 'direct' = 'default') => ({
  agentId: 'home',
  channel,
  accountId: 'default',
  sessionKey,
  mainSessionKey: KEY,
  matchedBy,
  bindingIndex: null,
});
const records = async (key = KEY): Promise<TranscriptRecord[]> => (await store.history(key, { limit: 1000 })).records;
const ofType = async (type: string): Promise<TranscriptRecord[]> => (await records()).filter((r) => r.type === type);
const messagesOf = (n: number): WireMessage[] => peer.requests[n]!.body!.messages!;
const toolResults = (m: WireMessage | undefined): Array<Record<string, unknown>> =>
  Array.isArray(m?.content) ? m.content.filter((b) => b.type === 'tool_result') : [];

describe('streaming and records', () => {
  it('streams text deltas in order and stores the assistant record with its usage', async () => {
    peer.enqueue({ kind: 'text', text: 'Hello there, friend!' });
    const deltas: string[] = [];
    const res = await setup().turn('hi', { onDelta: (d) => deltas.push(d) });
    expect(deltas).toEqual(['Hell', 'o th', 'ere,', ' fri', 'end!']); // the peer's 4-character deltas, in order
    expect(res).toEqual({
      text: 'Hello there, friend!',
      incomplete: false,
      toolCalls: 0,
      model: DEFAULT_MODEL,
      usage: { inputTokens: expect.any(Number), outputTokens: 5 },
      usageByModel: { [DEFAULT_MODEL]: { inputTokens: expect.any(Number), outputTokens: 5 } },
    });
    const [assistant] = await ofType('message').then((m) => m.filter((r) => r.role === 'assistant'));
    expect(assistant).toMatchObject({ text: 'Hello there, friend!', model: DEFAULT_MODEL, stopReason: 'end_turn', usage: res.usage });
    expect(store.get(KEY)).toMatchObject({ outputTokens: 5, inputTokens: res.usage.inputTokens });
  });

  it('sends a system prompt with SOUL.md and the earlier turns of the session', async () => {
    const { turn } = setup();
    await turn('first question');
    await turn('second question');
    const body = peer.requests[1]!.body!;
    expect(body.system).toContain('You speak like a lighthouse keeper.');
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'first question' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'echo: first question' }] },
      { role: 'user', content: [{ type: 'text', text: 'second question' }] },
    ]);
  });

  it('does not load a SOUL.md that is a symlink to a file outside the workspace', async () => {
    await fs.writeFile(path.join(tmp, 'elsewhere.md'), 'TOP SECRET PERSONA');
    await fs.rm(path.join(ws, 'SOUL.md'));
    await fs.symlink(path.join(tmp, 'elsewhere.md'), path.join(ws, 'SOUL.md'));
    await setup().turn('hi');
    expect(peer.requests[0]!.body!.system).not.toContain('TOP SECRET PERSONA');
    expect(logs.some((l) => l.msg === 'persona file not loaded' && l.fields?.file === 'SOUL.md')).toBe(true);
  });

  it('labels earlier group messages with their sender and sends the current one verbatim', async () => {
    const { turn } = setup({ sessionKey: 'agent:home:telegram:group:-100' });
    await turn('first');
    await turn('second');
    expect(messagesOf(1).map((m) => (m.content as Array<{ text: string }>)[0]!.text)).toEqual(['Ann: first', 'echo: first', 'second']);
  });

  it('reminds the agent in a group chat that strangers read its replies', async () => {
    await setup({ sessionKey: 'agent:home:telegram:group:-100' }).turn('hello all');
    expect(peer.requests[0]!.body!.system).toMatch(/group chat: several people read your replies, including people you do not know/);
  });

  it('sends the current inbound images as image blocks before its text', async () => {
    await setup().turn('look', {
      inbound: {
        text: 'look',
        sender: { id: 'u1' },
        channel: 'webchat',
        isOwner: true,
        images: [{ mediaType: 'image/png', dataBase64: 'iVBORw0KGgo=' }],
        route: route('webchat', KEY, 'direct'),
      },
    });
    expect(messagesOf(0).at(-1)).toEqual({
      role: 'user',
      content: [
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        { type: 'text', text: 'look' },
      ],
    });
  });
});

describe('history', () => {
  it('drops a tool call left without a result by a crash so the API gets a valid sequence', async () => {
    await store.append(KEY, { type: 'message', role: 'user', text: 'read it' });
    await store.append(KEY, { type: 'message', role: 'assistant', text: 'Reading.' });
    await store.append(KEY, { type: 'tool_call', id: 'toolu_dangling', name: 'read', input: { path: 'x' } });
    await setup().turn('are you there?');
    expect(messagesOf(0)).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'read it' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Reading.' }] },
      { role: 'user', content: [{ type: 'text', text: 'are you there?' }] },
    ]);
  });

  it('never sends a tool result whose call is not in the history (the history starts inside a tool round)', async () => {
    await store.append(KEY, { type: 'tool_call', id: 'toolu_old', name: 'read', input: { path: 'x' } });
    await store.append(KEY, { type: 'tool_result', id: 'toolu_old', name: 'read', isError: false, output: 'x' });
    await store.append(KEY, { type: 'message', role: 'assistant', text: 'Done.' });
    await setup().turn('next');
    expect(messagesOf(0)).toEqual([{ role: 'user', content: [{ type: 'text', text: 'next' }] }]);
  });

  it('normalizes in one go: the result is valid and normalizing it again changes nothing', () => {
    const input: HistoryMessage[] = [
      { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'read', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'r' }] },
      { role: 'user', content: [{ type: 'text', text: 'current' }] },
    ];
    const before = structuredClone(input);
    const once = normalize(input);
    expect(once).toEqual([{ role: 'user', content: [{ type: 'text', text: 'current' }] }]);
    expect(normalize(structuredClone(once))).toEqual(once);
    expect(input).toEqual(before);
  });

  it('leaves out messages that arrived after the inbound and puts each reply back after its message', async () => {
    const { runTurn } = setup();
    const first = await store.append(KEY, { type: 'message', role: 'user', text: 'first' });
    const second = await store.append(KEY, { type: 'message', role: 'user', text: 'second' }); // arrived while the first was answered
    await runTurn('first', first.seq);
    expect(messagesOf(0)).toEqual([{ role: 'user', content: [{ type: 'text', text: 'first' }] }]);
    expect((await records()).filter((r) => r.seq > second.seq).every((r) => r.inReplyTo === first.seq)).toBe(true);
    await runTurn('second', second.seq);
    expect(messagesOf(1)).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'first' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'echo: first' }] },
      { role: 'user', content: [{ type: 'text', text: 'second' }] },
    ]);
  });

  it('trims the oldest turns to the token budget, starting on a user turn', async () => {
    for (let i = 0; i < 30; i++) {
      await store.append(KEY, { type: 'message', role: 'user', text: `old question ${i} ${'x'.repeat(200)}` });
      await store.append(KEY, { type: 'message', role: 'assistant', text: `old answer ${i} ${'y'.repeat(200)}` });
    }
    await setup({ runner: { historyTokenBudget: 600 } }).turn('now');
    const sent = messagesOf(0);
    const texts = sent.map((m) => (m.content as Array<{ text: string }>)[0]!.text.split(' x')[0]!.split(' y')[0]);
    expect(sent[0]!.role).toBe('user');
    expect(texts.slice(-3)).toEqual(['old question 29', 'old answer 29', 'now']);
    expect(texts).not.toContain('old question 0');
    expect(sent.length).toBeLessThan(12);
  });

  it('leaves a message that failed for want of an API key out of the next turn instead of merging it in', async () => {
    let hasKey = false;
    const keys: ApiKeySource = {
      apiKeyFor: async () => (hasKey ? { ok: true, apiKey: 'sk-test', profileId: 'p1' } : { ok: false, reason: 'no auth profile' }),
    };
    const { turn } = setup({ keys });
    const failed = await turn('hello without a key');
    expect(failed.failure?.kind).toBe('no_api_key');
    hasKey = true;
    await turn('hello again');
    expect(peer.requestCount).toBe(1);
    expect(messagesOf(0)).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hello again' }] }]);
  });

  it('keeps a message whose reply was stopped half-way: the model had it', async () => {
    const story = await store.append(KEY, { type: 'message', role: 'user', text: 'tell me a story' });
    await store.append(KEY, { type: 'error', kind: 'cancelled', message: 'cancelled before the turn started', inReplyTo: story.seq });
    await setup().turn('shorter please');
    expect(messagesOf(0)).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'tell me a story' },
          { type: 'text', text: 'shorter please' },
        ],
      },
    ]);
  });

  it('keeps the current inbound even when it alone is over the budget', async () => {
    await store.append(KEY, { type: 'message', role: 'user', text: 'earlier' });
    await store.append(KEY, { type: 'message', role: 'assistant', text: 'reply' });
    const current = `now ${'z'.repeat(4000)}`;
    await setup({ runner: { historyTokenBudget: 100 } }).turn(current);
    expect(messagesOf(0)).toEqual([{ role: 'user', content: [{ type: 'text', text: current }] }]);
  });
});

describe('model and endpoint', () => {
  it.each([
    ["the agent's model", { agent: { model: 'claude-opus-5-5' }, defaults: { model: 'claude-haiku-5-5' } }, 'claude-opus-5-5'],
    ['agents.defaults.model', { defaults: { model: 'claude-haiku-5-5' } }, 'claude-haiku-5-5'],
    ['the default model', {}, DEFAULT_MODEL],
    ['the model without its anthropic/ prefix', { agent: { model: 'anthropic/claude-opus-5' } }, 'claude-opus-5'],
  ])('uses %s', async (_what, s: Setup, model) => {
    const res = await setup(s).turn('hi');
    expect(peer.requests[0]!.body!.model).toBe(model);
    expect(res.model).toBe(model);
  });

  it('prefers models.anthropic.baseUrl over ANTHROPIC_BASE_URL', async () => {
    const res = await setup({ runner: { env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/unused' } } }).turn('hi');
    expect(res.failure).toBeUndefined();
    expect(peer.requestCount).toBe(1);
  });

  it('uses ANTHROPIC_BASE_URL when the config names no base URL', async () => {
    const res = await setup({ baseUrl: null, runner: { env: { ANTHROPIC_BASE_URL: peer.url } } }).turn('hi');
    expect(res.text).toBe('echo: hi');
  });
});

describe('tool loop', () => {
  it('runs a requested tool once, sends its result back and streams the final answer', async () => {
    await fs.writeFile(path.join(ws, 'note.txt'), 'buy milk');
    peer.enqueue(
      { kind: 'tool_use', name: 'read', input: { path: 'note.txt' }, text: 'Let me look.', id: 'toolu_1' },
      { kind: 'text', text: 'It says: buy milk.' },
    );
    const calls: unknown[] = [];
    const results: unknown[] = [];
    const res = await setup().turn('what is in my note?', { onToolCall: (c) => calls.push(c), onToolResult: (r) => results.push(r) });
    expect(res).toMatchObject({ text: 'Let me look.\n\nIt says: buy milk.', toolCalls: 1, incomplete: false });
    expect(calls).toEqual([{ id: 'toolu_1', name: 'read', input: { path: 'note.txt' } }]);
    expect(results).toEqual([{ id: 'toolu_1', name: 'read', isError: false, summary: 'read note.txt (1 lines)' }]);
    expect(toolResults(messagesOf(1).at(-1))).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_1', content: '1\tbuy milk' }]);
    expect((await records()).slice(-4).map((r) => `${r.type}:${String(r.role ?? r.name)}`)).toEqual([
      'message:assistant',
      'tool_call:read',
      'tool_result:read',
      'message:assistant',
    ]);
  });

  it('offers the model only enabled tools, deny winning over allow', async () => {
    await setup({ agent: { tools: { allow: ['read', 'write'], deny: ['write'] } } }).turn('hi');
    expect(peer.requests[0]!.body!.tools!.map((t) => t.name)).toEqual(['read']);
  });

  it('answers a call to a tool that is not enabled with an error result and never runs it', async () => {
    peer.enqueue({ kind: 'tool_use', name: 'write', input: { path: 'x.txt', content: 'x' }, id: 'toolu_w' }, { kind: 'text', text: 'ok' });
    await setup({ agent: { tools: { allow: ['read'] } } }).turn('write x');
    expect(toolResults(messagesOf(1).at(-1))).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_w', content: 'tool write is not enabled for this agent', is_error: true },
    ]);
    await expect(fs.access(path.join(ws, 'x.txt'))).rejects.toThrow();
  });

  it('answers a call to an unknown tool with an error result', async () => {
    peer.enqueue({ kind: 'tool_use', name: 'rm_rf', input: {}, id: 'toolu_x' }, { kind: 'text', text: 'ok' });
    await setup().turn('go');
    expect(toolResults(messagesOf(1).at(-1))).toMatchObject([
      { tool_use_id: 'toolu_x', content: 'tool rm_rf is not enabled for this agent', is_error: true },
    ]);
  });

  it('stops with tool_loop_limit after maxToolRounds rounds', async () => {
    peer.setDefault(() => ({ kind: 'tool_use', name: 'session_status', input: {} }));
    const res = await setup({ runner: { maxToolRounds: 2 } }).turn('loop forever');
    expect(res.failure).toMatchObject({ kind: 'tool_loop_limit', userMessage: expect.stringMatching(/more tool steps than I am allowed/) });
    expect(res.toolCalls).toBe(2);
    expect(peer.requestCount).toBe(3);
  });
});

describe('retries and failures', () => {
  it('waits for retry-after on a 429 and then succeeds', async () => {
    peer.enqueue({ kind: 'error', status: 429, retryAfter: 2 }, { kind: 'text', text: 'after the wait' });
    const res = await setup().turn('hi');
    expect(res).toMatchObject({ text: 'after the wait', incomplete: false });
    expect(sleeps).toEqual([2000]);
    expect(peer.requestCount).toBe(2);
  });

  it('fails as rate_limited without waiting when retry-after is longer than the cap', async () => {
    peer.enqueue({ kind: 'error', status: 429, retryAfter: 120 });
    const res = await setup().turn('hi');
    expect(res.failure).toMatchObject({ kind: 'rate_limited' });
    expect(sleeps).toEqual([]);
    expect(peer.requestCount).toBe(1);
  });

  it('retries a 529 overloaded response with backoff', async () => {
    peer.enqueue({ kind: 'overloaded' }, { kind: 'overloaded' }, { kind: 'text', text: 'made it' });
    const res = await setup().turn('hi');
    expect(res.text).toBe('made it');
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]!).toBeGreaterThanOrEqual(sleeps[0]! / 2);
    expect(peer.requestCount).toBe(3);
  });

  it('reports overloaded with an honest message once the attempts are used up', async () => {
    peer.setDefault(() => ({ kind: 'overloaded' }));
    const res = await setup().turn('hi');
    expect(res.failure).toMatchObject({
      kind: 'overloaded',
      userMessage: 'Sorry — the model is overloaded right now; please try again in a minute.',
    });
    expect(peer.requestCount).toBe(3);
    expect((await ofType('error')).at(-1)).toMatchObject({ kind: 'overloaded' });
  });

  it.each(['monthly', 'credit', 'workspace'] as const)(
    'does not retry a %s spend limit and reports it to the key source',
    async (variant) => {
      peer.setDefault(() => ({ kind: 'spend_limit', variant }));
      const { turn, keys } = setup();
      const res = await turn('hi');
      expect(res.failure).toMatchObject({ kind: 'spend_limit' });
      expect(peer.requestCount).toBe(1);
      expect((keys as FakeKeys).reportFailure).toHaveBeenCalledWith('home', 'p1', 'spend_limit');
    },
  );

  it('fails over to the next auth profile after a spend limit', async () => {
    peer.enqueue({ kind: 'spend_limit' }, { kind: 'text', text: 'from profile two' });
    const res = await setup({ keys: new FakeKeys(['sk-one', 'sk-two']) }).turn('hi');
    expect(res.text).toBe('from profile two');
    expect(peer.requests.map((r) => r.apiKey)).toEqual(['sk-one', 'sk-two']);
  });

  it('fails as auth on a 401 and reports it to the key source', async () => {
    peer.setKeys(['sk-good']);
    const { turn, keys } = setup({ keys: new FakeKeys(['sk-bad']) });
    const res = await turn('hi');
    expect(res.failure).toMatchObject({ kind: 'auth', userMessage: expect.stringMatching(/API key was rejected/) });
    expect((keys as FakeKeys).reportFailure).toHaveBeenCalledWith('home', 'p1', 'auth');
    expect(peer.requestCount).toBe(1);
  });

  it('keeps the partial text of a stream cut mid-way, marked incomplete, without a second request', async () => {
    peer.enqueue({ kind: 'cut', afterDeltas: 2, text: 'abcdefghijklmnop' });
    const res = await setup().turn('hi');
    expect(res).toMatchObject({
      text: 'abcdefgh',
      incomplete: true,
      failure: { kind: 'stream_cut', userMessage: expect.stringMatching(/cut off/) },
    });
    expect((await ofType('message')).at(-1)).toMatchObject({ role: 'assistant', text: 'abcdefgh', incomplete: true });
    await setup().turn('next'); // the peer serves requests in order: a retry would have come first
    expect(peer.requests.map((r) => r.body!.messages!.at(-1)!.content)).toEqual([
      [{ type: 'text', text: 'hi' }],
      [{ type: 'text', text: 'next' }],
    ]);
  });

  it('treats a mid-stream error after text as a cut, not as something to retry', async () => {
    peer.enqueue({ kind: 'stream_error', afterDeltas: 1, text: 'partial answer' });
    const res = await setup().turn('hi');
    expect(res).toMatchObject({ text: 'part', incomplete: true, failure: { kind: 'stream_cut' } });
    expect(peer.requestCount).toBe(1);
  });

  it('retries a stream that breaks before any text arrived', async () => {
    peer.enqueue({ kind: 'cut', afterDeltas: 0 }, { kind: 'text', text: 'second try' });
    const res = await setup().turn('hi');
    expect(res).toMatchObject({ text: 'second try', incomplete: false });
    expect(peer.requestCount).toBe(2);
  });

  it('does not run a tool again when the call after it is retried', async () => {
    await fs.writeFile(path.join(ws, 'note.txt'), 'n');
    const run = vi.fn(readTool.run);
    const tools = new ToolRegistry().register({ ...readTool, run }, { replace: true });
    peer.enqueue(
      { kind: 'tool_use', name: 'read', input: { path: 'note.txt' }, id: 'toolu_once' },
      { kind: 'server_error' },
      { kind: 'text', text: 'done' },
    );
    const res = await setup({ runner: { tools } }).turn('read');
    expect(res).toMatchObject({ text: 'done', toolCalls: 1 });
    expect(run).toHaveBeenCalledTimes(1);
    expect(peer.requestCount).toBe(3);
    expect(await ofType('tool_call')).toHaveLength(1);
  });

  it('cancels on the request signal, keeping the partial text as incomplete', async () => {
    const gate = createGate();
    const ac = new AbortController();
    peer.enqueue({
      kind: 'hold',
      release: gate.promise,
      afterDeltas: 1,
      text: 'partial reply',
      onHold: () => setTimeout(() => ac.abort(), 10),
    });
    const res = await setup().turn('hi', { signal: ac.signal });
    gate.open();
    expect(res).toMatchObject({ text: 'part', incomplete: true, failure: { kind: 'cancelled' } });
    expect((await ofType('message')).at(-1)).toMatchObject({ role: 'assistant', text: 'part', incomplete: true });
    expect((await ofType('error')).at(-1)).toMatchObject({ kind: 'cancelled' });
  });

  it('answers without an API key with the exact first-run message and no request', async () => {
    const res = await setup({ keys: new FakeKeys([]) }).turn('hi');
    expect(res.failure).toMatchObject({
      kind: 'no_api_key',
      userMessage: 'no API key — add one in Settings or with `switchboard auth add`',
    });
    expect(peer.requestCount).toBe(0);
  });
});

describe('secrets', () => {
  const allFiles = async (dir: string): Promise<string> => {
    const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
    return (await Promise.all(entries.filter((e) => e.isFile()).map((e) => fs.readFile(path.join(e.parentPath, e.name), 'utf8')))).join(
      '\n',
    );
  };

  it.each([
    ['a 401', (): void => peer.setKeys(['sk-someone-else'])],
    ['repeated 500s', (): void => peer.setDefault(() => ({ kind: 'server_error' }))],
  ])('never puts the API key in transcripts, logs or the result after %s', async (_what, arrange) => {
    arrange();
    const res = await setup({ keys: new FakeKeys([CANARY]) }).turn('hi');
    expect(res.failure).toBeDefined();
    await store.flush();
    const transcripts = await allFiles(path.join(tmp, 'agents'));
    expect(transcripts).toContain('"type":"error"');
    expect(transcripts).not.toContain(CANARY);
    expect(JSON.stringify(logs)).not.toContain(CANARY);
    expect(JSON.stringify(res)).not.toContain(CANARY);
    expect(peer.requests[0]!.apiKey).toBe(CANARY); // it was really used
  });

  it('redacts the API key from tool output before it is stored', async () => {
    await fs.writeFile(path.join(ws, 'leak.txt'), `key: ${CANARY}`);
    peer.enqueue({ kind: 'tool_use', name: 'read', input: { path: 'leak.txt' } }, { kind: 'text', text: 'done' });
    await setup({ keys: new FakeKeys([CANARY]) }).turn('read leak.txt');
    await store.flush();
    expect(await allFiles(path.join(tmp, 'agents'))).not.toContain(CANARY);
    expect(toolResults(messagesOf(1).at(-1))[0]!.content).toBe('1\tkey: [redacted]');
  });
});
