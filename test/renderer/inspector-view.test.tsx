// The chat inspector view and its store against a gateway faked at the transport seam: the agent →
// sessions → transcript flow, paging, live events, the composer and Stop (src-renderer/views/inspector,
// src-renderer/store/inspector.ts).
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import type { CallOutcome } from '../../src-shared/protocol/frames.ts';
import { GatewayClient } from '../../src-renderer/gateway/client.ts';
import type { ConnectionState, Transport } from '../../src-renderer/gateway/transport.ts';
import { useConfig } from '../../src-renderer/store/config.ts';
import { useGateway, type AgentSummary, type Status } from '../../src-renderer/store/gateway.ts';
import { resetInspector, useInspector, type SessionSummary, type TranscriptRecord } from '../../src-renderer/store/inspector.ts';
import { useNav } from '../../src-renderer/store/nav.ts';
import { useToasts } from '../../src-renderer/store/toasts.ts';
import { InspectorView } from '../../src-renderer/views/inspector/InspectorView.tsx';
import { stubTranscriptLayout } from './inspector-layout.ts';

type Handler = (params: Record<string, unknown>) => unknown;

/** A gateway at the transport seam: scripted method handlers, every call recorded, events pushed by the test. */
class FakeTransport implements Transport {
  state: ConnectionState = { kind: 'open' };
  readonly calls: { method: string; params: Record<string, unknown> }[] = [];
  readonly handlers: Record<string, Handler> = {};
  private readonly events = new Set<(event: string, data: unknown) => void>();
  private readonly states = new Set<(state: ConnectionState) => void>();

  async request(method: string, params: unknown): Promise<CallOutcome> {
    const p = (params ?? {}) as Record<string, unknown>;
    this.calls.push({ method, params: p });
    const handler = this.handlers[method];
    if (!handler) return { ok: false, error: { code: 'not_found', message: `no method ${method}` } };
    try {
      return { ok: true, result: await handler(p) };
    } catch (err) {
      return { ok: false, error: err instanceof ControlError ? err.toBody() : { code: 'internal', message: String(err) } };
    }
  }

  onEvent(listener: (event: string, data: unknown) => void) {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }

  onState(listener: (state: ConnectionState) => void) {
    this.states.add(listener);
    return () => this.states.delete(listener);
  }

  emit(event: string, data: unknown): void {
    act(() => {
      for (const l of this.events) l(event, data);
    });
  }

  setState(state: ConnectionState): void {
    this.state = state;
    for (const l of this.states) l(state);
  }

  callsOf(method: string) {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }

  close(): void {}
}

const MAIN_KEY = 'agent:main:main';
const TG_KEY = 'agent:main:telegram:direct:42';
const OPS_KEY = 'agent:ops:discord:channel:7';

function agent(id: string, name: string, extra: Partial<AgentSummary> = {}): AgentSummary {
  return {
    id,
    name,
    emoji: null,
    default: id === 'main',
    model: 'claude-x',
    workspace: `/w/${id}`,
    state: 'idle',
    reason: null,
    bindings: [],
    today: { messages: 0, inputTokens: 0, outputTokens: 0 },
    lastActivity: null,
    ...extra,
  };
}

function session(key: string, messages: number, updated: string): SessionSummary {
  return {
    key,
    sessionKey: key,
    sessionId: `id-${key}`,
    created: '2026-03-01T00:00:00.000Z',
    updated,
    messages,
    inputTokens: 10 * messages,
    outputTokens: messages,
    archived: false,
  };
}

const route = (matchedBy: string, bindingIndex: number | null) => ({
  agentId: 'main',
  channel: 'telegram',
  accountId: 'default',
  sessionKey: TG_KEY,
  mainSessionKey: MAIN_KEY,
  matchedBy,
  bindingIndex,
});

/** `pairs` user/assistant pairs after a session header, seq 1…2*pairs+1. */
function conversation(pairs: number, sender = { id: '42', name: 'Alice' }): TranscriptRecord[] {
  const out: TranscriptRecord[] = [{ seq: 1, ts: '2026-03-01T00:00:00.000Z', type: 'session' }];
  for (let i = 1; i <= pairs; i++) {
    const seq = 2 * i;
    out.push({
      seq,
      ts: '2026-03-01T00:01:00.000Z',
      type: 'message',
      role: 'user',
      text: `Message ${i}`,
      messageId: `m${i}`,
      sender,
      channel: 'telegram',
      accountId: 'default',
      route: route('binding.peer', 0),
    });
    out.push({
      seq: seq + 1,
      ts: '2026-03-01T00:01:05.000Z',
      type: 'message',
      role: 'assistant',
      text: `Reply ${i}`,
      usage: { inputTokens: 11, outputTokens: 3 },
      inReplyTo: seq,
    });
  }
  return out;
}

let transport: FakeTransport;
let transcripts: Record<string, TranscriptRecord[]>;
/** The transcript id per `agentId\nkey` when it is not `id-<key>` (a reset gives a session a new one). */
let sessionIds: Record<string, string>;

/** sessions.history as the gateway answers it: the last `limit` records before `before`, and which transcript they are from. */
function history(params: Record<string, unknown>) {
  const path = `${String(params.agentId)}\n${String(params.sessionKey)}`;
  const all = transcripts[path] ?? [];
  const before = params.before as number | undefined;
  const limit = (params.limit as number | undefined) ?? 100;
  const upTo = before === undefined ? all : all.filter((r) => r.seq < before);
  const sessionId = transcripts[path] ? (sessionIds[path] ?? `id-${String(params.sessionKey)}`) : null;
  return { agentId: params.agentId, sessionKey: params.sessionKey, sessionId, records: upTo.slice(-limit), hasMore: upTo.length > limit };
}

function Harness() {
  const args = useNav((s) => s.route.args);
  return <InspectorView args={args} />;
}

function renderAt(...args: string[]) {
  act(() => useNav.getState().navigate('inspector', ...args));
  return render(<Harness />);
}

beforeAll(stubTranscriptLayout);

beforeEach(() => {
  transport = new FakeTransport();
  sessionIds = {};
  transcripts = {
    [`main\n${TG_KEY}`]: conversation(250),
    [`main\n${MAIN_KEY}`]: conversation(2, { id: 'operator', name: 'Dashboard' }).map((r) =>
      r.type === 'message' && r.role === 'user' ? { ...r, channel: 'webchat', route: route('direct', null) } : r,
    ),
    [`ops\n${OPS_KEY}`]: conversation(1, { id: '7', name: 'Bob' }),
  };
  const sessions: Record<string, SessionSummary[]> = {
    main: [session(MAIN_KEY, 4, '2026-03-01T10:00:00.000Z'), session(TG_KEY, 500, '2026-03-02T10:00:00.000Z')],
    ops: [session(OPS_KEY, 2, '2026-03-01T09:00:00.000Z')],
  };
  transport.handlers['sessions.list'] = (p) => ({ agentId: p.agentId, sessions: sessions[String(p.agentId)] ?? [] });
  transport.handlers['sessions.history'] = history;
  transport.handlers['webchat.send'] = (p) => ({ agentId: p.agentId, sessionKey: p.sessionKey ?? MAIN_KEY, messageId: 'sent-1' });
  transport.handlers['turn.cancel'] = () => ({ cancelled: true });
  const client = new GatewayClient(transport);
  useGateway.setState({
    client,
    connection: { kind: 'open' },
    loaded: true,
    loadError: undefined,
    status: { state: 'running' } as Status,
    agents: [agent('main', 'Main'), agent('ops', 'Ops')],
  });
  useConfig.setState({ snapshot: undefined, check: undefined, loading: false, error: 'not needed here' });
});

afterEach(() => {
  cleanup();
  resetInspector();
});

const sessionsOf = (name: string) => screen.getByRole('region', { name: `Sessions of ${name}` });
const lastMessage = (text: string) => screen.findByText(text, undefined, { timeout: 3000 });

describe('agents and their sessions', () => {
  it("lists every agent and only the selected agent's sessions, newest first", async () => {
    renderAt('main');
    const list = sessionsOf('Main');
    await within(list).findByRole('button', { name: /^Telegram · direct 42, 500 messages/ });
    const rows = within(within(list).getByRole('list'))
      .getAllByRole('button')
      .map((b) => b.getAttribute('aria-label'));
    expect(rows[0]).toMatch(/^Telegram · direct 42/);
    expect(rows[1]).toMatch(/^Main session/);
    expect(within(list).queryByRole('button', { name: /Discord/ })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Ops, idle' }));
    const ops = sessionsOf('Ops');
    await within(ops).findByRole('button', { name: /^Discord · channel 7/ });
    expect(within(ops).queryByRole('button', { name: /Telegram|Main session/ })).toBeNull();
    expect(transport.callsOf('sessions.list').map((p) => p.agentId)).toEqual(['main', 'ops']);
  });

  it('filters the sessions and says so when nothing matches', async () => {
    renderAt('main');
    await within(sessionsOf('Main')).findByRole('button', { name: /^Telegram/ });
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search sessions' }), { target: { value: 'telegram' } });
    expect(
      within(within(sessionsOf('Main')).getByRole('list'))
        .getAllByRole('button')
        .map((b) => b.getAttribute('aria-label')),
    ).toEqual([expect.stringMatching(/^Telegram/)]);
    transport.handlers['sessions.search'] = (p) => ({ agentId: p.agentId, query: p.query, matches: [], truncated: false });
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search sessions' }), { target: { value: 'nothing-like-this' } });
    // Titles and keys are filtered at once; the messages are the gateway's to search.
    expect(await screen.findByText('No session matches')).toBeTruthy();
    expect(transport.callsOf('sessions.search')).toEqual([{ agentId: 'main', query: 'nothing-like-this' }]);
  });

  it('tells the user what to do when an agent has no sessions yet', async () => {
    transport.handlers['sessions.list'] = (p) => ({ agentId: p.agentId, sessions: [] });
    transcripts = {};
    renderAt('ops');
    expect(await screen.findByText('No conversations yet')).toBeTruthy();
    expect(await screen.findByText('No messages yet')).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'Message Ops' })).toBeTruthy();
  });

  it("shows the gateway's message when the sessions cannot be read, and retries", async () => {
    transport.handlers['sessions.list'] = () => {
      throw new ControlError('not_found', 'agent "main" does not exist');
    };
    renderAt('main');
    expect(await screen.findByText('agent "main" does not exist')).toBeTruthy();
    transport.handlers['sessions.list'] = (p) => ({ agentId: p.agentId, sessions: [session(MAIN_KEY, 4, '2026-03-01T10:00:00.000Z')] });
    fireEvent.click(within(sessionsOf('Main')).getByRole('button', { name: 'Retry' }));
    await within(sessionsOf('Main')).findByRole('button', { name: /^Main session/ });
  });

  it('lists a sub-agent session indented under the session that spawned it, saying whose sub-agent it is', async () => {
    const child = 'agent:main:subagent:0f8fad5b-d9cb-469f-a165-70867728950e';
    const grandchild = 'agent:main:subagent:7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const orphan = 'agent:main:subagent:16fd2706-8baf-433b-82eb-8c7fada847da';
    transport.handlers['sessions.list'] = (p) => ({
      agentId: p.agentId,
      sessions: [
        // Newest first, as the gateway sends them: the children ran after their parent's message.
        { ...session(grandchild, 2, '2026-03-03T10:00:00.000Z'), parent: { sessionKey: child, inReplyTo: 3 } },
        { ...session(child, 4, '2026-03-03T09:00:00.000Z'), parent: { sessionKey: MAIN_KEY, inReplyTo: 6, label: 'primes' } },
        { ...session(orphan, 2, '2026-03-02T12:00:00.000Z'), parent: { sessionKey: 'agent:main:webchat:gone', inReplyTo: 2 } },
        session(TG_KEY, 500, '2026-03-02T10:00:00.000Z'),
        session(MAIN_KEY, 4, '2026-03-01T10:00:00.000Z'),
      ],
    });
    renderAt('main');
    const list = sessionsOf('Main');
    await within(list).findByRole('button', { name: /^primes/ });
    const rows = within(list)
      .getAllByRole('button')
      .filter((b) => b.classList.contains('insp-session'));
    expect(rows.map((b) => b.getAttribute('aria-label'))).toEqual([
      expect.stringMatching(/^Sub-agent 16fd2706, sub-agent of Web chat · gone, 2 messages/),
      expect.stringMatching(/^Telegram · direct 42, 500 messages/),
      expect.stringMatching(/^Main session, 4 messages/),
      expect.stringMatching(/^primes, sub-agent of Main session, 4 messages/),
      expect.stringMatching(/^Sub-agent 7c9e6679, sub-agent of primes, 2 messages/),
    ]);
    expect(rows.map((b) => b.classList.contains('child'))).toEqual([false, false, false, true, true]);
    expect(rows.map((b) => b.style.getPropertyValue('--insp-depth'))).toEqual(['', '', '', '1', '2']);
    expect(within(rows[3]!).getByText('sub-agent')).toBeTruthy();
    // The filter finds a child by its label; without its parent in the list it is shown at the top level.
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search sessions' }), { target: { value: 'primes' } });
    expect(
      within(sessionsOf('Main'))
        .getAllByRole('button')
        .filter((b) => b.classList.contains('insp-session'))
        .map((b) => b.getAttribute('aria-label')),
    ).toEqual([expect.stringMatching(/^primes, sub-agent of Main session/)]);
  });

  it('says so when the address names an agent that does not exist', async () => {
    renderAt('ghost');
    expect(await screen.findByText('There is no agent “ghost”')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Show Main' })).toBeTruthy();
  });
});

describe('transcript', () => {
  it('opens a long session at its newest messages and reads the page before the oldest loaded record when scrolled to the top', async () => {
    renderAt('main', TG_KEY);
    await lastMessage('Reply 250');
    expect(transport.callsOf('sessions.history')[0]).toEqual({ agentId: 'main', sessionKey: TG_KEY, limit: 200 });
    expect(screen.queryByText('Message 1')).toBeNull();
    const loaded = useInspector.getState().transcript!;
    expect(loaded.records[0]!.seq).toBe(302);
    await new Promise((r) => setTimeout(r, 300)); // paging starts once the first scroll to the end is done
    const scroller = screen.getByRole('region', { name: /^Messages of Telegram · direct 42/ });
    scroller.scrollTop = 0;
    fireEvent.scroll(scroller);
    await waitFor(() =>
      expect(transport.callsOf('sessions.history')[1]).toEqual({ agentId: 'main', sessionKey: TG_KEY, before: 302, limit: 200 }),
    );
    // Only what was read is kept: 200 more records, ending right before the oldest one loaded.
    await waitFor(() => expect(useInspector.getState().transcript!.records[0]!.seq).toBeLessThanOrEqual(102));
    expect(useInspector.getState().transcript!.records.at(-1)!.seq).toBe(501);
  });

  it('shows the route decision of each inbound message and the usage of each reply', async () => {
    renderAt('main', TG_KEY);
    await lastMessage('Reply 250');
    expect(
      screen.getAllByLabelText('Route: Routed here by binding 0, a peer binding, the most specific kind (binding.peer)').length,
    ).toBeGreaterThan(0);
    expect(screen.getAllByLabelText('Usage: 11 input tokens, 3 output tokens').length).toBeGreaterThan(0);
  });

  it('shows a tool call folded; the toggle reveals its input and result', async () => {
    transcripts[`main\n${MAIN_KEY}`] = [
      { seq: 1, ts: '2026-03-01T00:00:00.000Z', type: 'session' },
      {
        seq: 2,
        ts: '2026-03-01T00:00:01.000Z',
        type: 'message',
        role: 'user',
        text: 'Read notes',
        messageId: 'x',
        sender: { id: 'operator', name: 'Dashboard' },
        channel: 'webchat',
        accountId: 'default',
        route: route('direct', null),
      },
      { seq: 3, ts: '2026-03-01T00:00:02.000Z', type: 'tool_call', id: 'tu1', name: 'read', input: { path: 'notes.md' }, inReplyTo: 2 },
      {
        seq: 4,
        ts: '2026-03-01T00:00:03.000Z',
        type: 'tool_result',
        id: 'tu1',
        name: 'read',
        isError: false,
        output: '# Notes\nbuy milk',
        inReplyTo: 2,
      },
      {
        seq: 5,
        ts: '2026-03-01T00:00:04.000Z',
        type: 'message',
        role: 'assistant',
        text: 'You need milk.',
        usage: { inputTokens: 5, outputTokens: 4 },
        inReplyTo: 2,
      },
    ];
    renderAt('main', MAIN_KEY);
    const toggle = await screen.findByRole('button', { name: 'Tool call read, done' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByLabelText('Input of read')).toBeNull();
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByLabelText('Input of read').textContent).toBe('{\n  "path": "notes.md"\n}');
    expect(screen.getByLabelText('Result of read').textContent).toBe('# Notes\nbuy milk');
    expect(screen.getByLabelText('Route: Sent from the dashboard: not routed by bindings')).toBeTruthy();
  });

  it("shows a heartbeat's prompt and a sub-agent's task as such, not as the operator's messages", async () => {
    const child = 'agent:main:subagent:0f8fad5b-d9cb-469f-a165-70867728950e';
    const operator = { id: 'operator', name: 'Dashboard' };
    transcripts[`main\n${MAIN_KEY}`] = [
      { seq: 1, ts: '2026-03-01T00:00:00.000Z', type: 'session' },
      {
        seq: 2,
        ts: '2026-03-01T00:01:00.000Z',
        type: 'message',
        role: 'user',
        text: 'Read HEARTBEAT.md',
        heartbeat: true,
        sender: { id: 'heartbeat', name: 'Heartbeat' },
        channel: 'webchat',
      },
      { seq: 3, ts: '2026-03-01T00:01:05.000Z', type: 'message', role: 'assistant', text: 'HEARTBEAT_OK', inReplyTo: 2 },
    ];
    transcripts[`main\n${child}`] = [
      { seq: 1, ts: '2026-03-01T00:02:00.000Z', type: 'session', parent: { sessionKey: MAIN_KEY, inReplyTo: 4 } },
      {
        seq: 2,
        ts: '2026-03-01T00:02:00.000Z',
        type: 'message',
        role: 'user',
        text: 'List three primes.',
        subagent: { parentSessionKey: MAIN_KEY, depth: 1 },
        sender: operator,
        channel: 'webchat',
      },
      { seq: 3, ts: '2026-03-01T00:02:05.000Z', type: 'message', role: 'assistant', text: '2, 3, 5', inReplyTo: 2 },
    ];
    renderAt('main', MAIN_KEY);
    const beat = await screen.findByRole('group', { name: 'Message from Heartbeat' });
    expect(within(beat).getByText('heartbeat')).toBeTruthy();

    cleanup();
    resetInspector();
    renderAt('main', child);
    const task = await screen.findByRole('group', { name: 'Message from Parent turn' });
    expect(within(task).getByText('sub-agent task')).toBeTruthy();
    expect(within(task).getByText('Parent turn').getAttribute('title')).toContain(`${MAIN_KEY} handed to this sub-agent`);
    expect(screen.queryByRole('group', { name: 'Message from you' })).toBeNull();
  });

  it("shows the server's message when the transcript cannot be read, and retries", async () => {
    transport.handlers['sessions.history'] = () => {
      throw new ControlError('not_found', `agent "main" has no session ${TG_KEY}`);
    };
    renderAt('main', TG_KEY);
    expect(await screen.findByText(`agent "main" has no session ${TG_KEY}`)).toBeTruthy();
    transport.handlers['sessions.history'] = history;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await lastMessage('Reply 250');
  });
});

describe('live', () => {
  it('streams a reply into a provisional bubble that becomes final with usage, then reads the stored records', async () => {
    renderAt('main', MAIN_KEY);
    await lastMessage('Reply 2');
    transport.emit('message.inbound', {
      agentId: 'main',
      sessionKey: MAIN_KEY,
      messageId: 'live-1',
      channel: 'telegram',
      accountId: 'default',
      sender: { id: '42', name: 'Alice' },
      text: 'Are you there?',
      route: route('binding.peer', 3),
      seq: 6,
    });
    expect(await screen.findByText('Are you there?')).toBeTruthy();
    expect(screen.getByRole('status', { name: 'Main is thinking' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Stop the reply' })).toBeTruthy();
    transport.emit('agent.delta', { agentId: 'main', sessionKey: MAIN_KEY, messageId: 'live-1', text: 'Yes, ' });
    transport.emit('agent.delta', { agentId: 'main', sessionKey: MAIN_KEY, messageId: 'live-1', text: 'I am here.' });
    expect(await screen.findByText('Yes, I am here.')).toBeTruthy();
    expect(screen.queryByRole('status', { name: 'Main is thinking' })).toBeNull();

    transcripts[`main\n${MAIN_KEY}`]!.push(
      {
        seq: 6,
        ts: '2026-03-01T00:05:00.000Z',
        type: 'message',
        role: 'user',
        text: 'Are you there?',
        messageId: 'live-1',
        sender: { id: '42', name: 'Alice' },
        channel: 'telegram',
        accountId: 'default',
        route: route('binding.peer', 3),
      },
      {
        seq: 7,
        ts: '2026-03-01T00:05:01.000Z',
        type: 'message',
        role: 'assistant',
        text: 'Yes, I am here.',
        usage: { inputTokens: 40, outputTokens: 6 },
        inReplyTo: 6,
      },
    );
    transport.emit('message.outbound', {
      agentId: 'main',
      sessionKey: MAIN_KEY,
      messageId: 'live-1',
      channel: 'telegram',
      accountId: 'default',
      text: 'Yes, I am here.',
      incomplete: false,
      usage: { inputTokens: 40, outputTokens: 6 },
    });
    expect(await screen.findByLabelText('Turn usage: 40 input tokens, 6 output tokens')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Stop the reply' })).toBeNull();
    // The catch-up read replaces the provisional bubble with the stored record.
    await waitFor(() => expect(useInspector.getState().transcript!.records.at(-1)!.seq).toBe(7));
    await waitFor(() => expect(screen.getByLabelText('Usage: 40 input tokens, 6 output tokens')).toBeTruthy());
    expect(screen.getAllByText('Yes, I am here.')).toHaveLength(1);
    expect(screen.getByLabelText('Route: Routed here by binding 3, a peer binding, the most specific kind (binding.peer)')).toBeTruthy();
  });

  it('ignores events of other agents and of other sessions, but counts them in the sessions list', async () => {
    renderAt('main', MAIN_KEY);
    await lastMessage('Reply 2');
    transport.emit('message.inbound', {
      agentId: 'ops',
      sessionKey: MAIN_KEY.replace('main:', 'ops:'),
      messageId: 'o1',
      channel: 'discord',
      accountId: 'default',
      sender: { id: '7' },
      text: 'for ops',
      route: route('binding.channel', 0),
      seq: 3,
    });
    transport.emit('message.inbound', {
      agentId: 'main',
      sessionKey: TG_KEY,
      messageId: 't1',
      channel: 'telegram',
      accountId: 'default',
      sender: { id: '42' },
      text: 'in telegram',
      route: route('binding.peer', 0),
      seq: 502,
    });
    transport.emit('agent.delta', { agentId: 'ops', sessionKey: MAIN_KEY, messageId: 'o1', text: 'ops reply' });
    expect(screen.queryByText('for ops')).toBeNull();
    expect(screen.queryByText('in telegram')).toBeNull();
    expect(screen.queryByText('ops reply')).toBeNull();
    expect(within(sessionsOf('Main')).getByRole('button', { name: /^Telegram · direct 42, 501 messages/ })).toBeTruthy();
  });

  it('shows a failed turn as an error with what the sender was told, and offers to add a key when there is none', async () => {
    renderAt('main', MAIN_KEY);
    await lastMessage('Reply 2');
    const told = 'no API key — add one in Settings or with `switchboard auth add`';
    transport.emit('message.inbound', {
      agentId: 'main',
      sessionKey: MAIN_KEY,
      messageId: 'k1',
      channel: 'webchat',
      accountId: 'default',
      sender: { id: 'operator', name: 'Dashboard' },
      text: 'hello?',
      route: route('direct', null),
      seq: 6,
    });
    transport.emit('message.outbound', {
      agentId: 'main',
      sessionKey: MAIN_KEY,
      messageId: 'k1',
      channel: 'webchat',
      accountId: 'default',
      text: told,
      incomplete: true,
      failure: 'no_api_key',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('No API key')).toBeTruthy();
    expect(within(alert).getByText(told)).toBeTruthy();

    // What the gateway stored replaces the live row: the error record, with its detail.
    transcripts[`main\n${MAIN_KEY}`]!.push(
      {
        seq: 6,
        ts: '2026-03-01T00:05:00.000Z',
        type: 'message',
        role: 'user',
        text: 'hello?',
        messageId: 'k1',
        sender: { id: 'operator', name: 'Dashboard' },
        channel: 'webchat',
        accountId: 'default',
        route: route('direct', null),
      },
      { seq: 7, ts: '2026-03-01T00:05:00.100Z', type: 'error', kind: 'no_api_key', message: 'agent main has no API key', inReplyTo: 6 },
    );
    await act(() => useInspector.getState().sync());
    expect(await screen.findByText('agent main has no API key')).toBeTruthy();
    // The message itself is marked: the model never got it, and the next turn leaves it out.
    const mark = screen.getByRole('note', { name: 'Not delivered: No API key' });
    expect(mark.textContent).toContain('Not delivered to Main (no api key)');
    fireEvent.click(screen.getByRole('button', { name: 'Add API key' }));
    expect(screen.getByRole('dialog', { name: 'Add an Anthropic API key' })).toBeTruthy();
    fireEvent.keyDown(screen.getByRole('dialog', { name: 'Add an Anthropic API key' }), { key: 'Escape' });
    fireEvent.click(within(mark).getByRole('button', { name: 'Send again' }));
    await waitFor(() =>
      expect(transport.callsOf('webchat.send')).toEqual([{ agentId: 'main', text: 'hello?', clientId: expect.stringMatching(/^dash-/) }]),
    );
  });
});

describe('composer', () => {
  it('sends with Enter in the main session, shows the message at once and keeps one bubble after the echo', async () => {
    let release!: () => void;
    transport.handlers['webchat.send'] = (p) =>
      new Promise((resolve) => {
        release = () => resolve({ agentId: p.agentId, sessionKey: MAIN_KEY, messageId: 'sent-1' });
      });
    renderAt('main');
    await lastMessage('Reply 2');
    const box = screen.getByRole('textbox', { name: 'Message Main' });
    fireEvent.change(box, { target: { value: 'Hi there' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect((box as HTMLTextAreaElement).value).toBe('');
    expect(await screen.findByText('Hi there')).toBeTruthy();
    expect(screen.getByText('Sending…')).toBeTruthy();
    // The dashboard does not name the main session: the gateway picks the agent's own main key.
    expect(transport.callsOf('webchat.send')).toEqual([{ agentId: 'main', text: 'Hi there', clientId: expect.stringMatching(/^dash-/) }]);
    await act(async () => release());
    transport.emit('message.inbound', {
      agentId: 'main',
      sessionKey: MAIN_KEY,
      messageId: 'sent-1',
      channel: 'webchat',
      accountId: 'default',
      sender: { id: 'operator', name: 'Dashboard' },
      text: 'Hi there',
      route: route('direct', null),
      seq: 6,
    });
    await waitFor(() => expect(screen.queryByText('Sending…')).toBeNull());
    expect(screen.getAllByText('Hi there')).toHaveLength(1);
  });

  it('adds a new line with Shift+Enter instead of sending', async () => {
    renderAt('main');
    await lastMessage('Reply 2');
    const box = screen.getByRole('textbox', { name: 'Message Main' });
    fireEvent.change(box, { target: { value: 'line one' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(transport.callsOf('webchat.send')).toEqual([]);
  });

  it('names a web chat session explicitly when writing in one', async () => {
    transport.handlers['sessions.list'] = (p) => ({
      agentId: p.agentId,
      sessions: [session('agent:main:webchat:notes', 0, '2026-03-01T10:00:00.000Z')],
    });
    renderAt('main', 'agent:main:webchat:notes');
    const box = await screen.findByRole('textbox', { name: 'Message Main' });
    fireEvent.change(box, { target: { value: 'note this' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(transport.callsOf('webchat.send')).toEqual([
      { agentId: 'main', text: 'note this', sessionKey: 'agent:main:webchat:notes', clientId: expect.stringMatching(/^dash-/) },
    ]);
  });

  it('keeps a message the gateway refused, with its reason, to retry or discard', async () => {
    transport.handlers['webchat.send'] = () => {
      throw new ControlError('unavailable', 'the gateway is stopped; start it to talk to agents');
    };
    renderAt('main');
    await lastMessage('Reply 2');
    const box = screen.getByRole('textbox', { name: 'Message Main' });
    fireEvent.change(box, { target: { value: 'anyone?' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(await screen.findByText('Not sent: the gateway is stopped; start it to talk to agents')).toBeTruthy();
    transport.handlers['webchat.send'] = (p) => ({ agentId: p.agentId, sessionKey: MAIN_KEY, messageId: 'sent-2' });
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.queryByText(/^Not sent/)).toBeNull());
    const calls = transport.callsOf('webchat.send') as { clientId: string }[];
    expect(calls).toHaveLength(2);
    // The retry names the same send, so a gateway that did store the first never stores it twice.
    expect(calls[1]!.clientId).toBe(calls[0]!.clientId);
  });

  it('explains that a channel session is read-only here and switches to the main session', async () => {
    renderAt('main', TG_KEY);
    await lastMessage('Reply 250');
    expect(screen.queryByRole('textbox', { name: 'Message Main' })).toBeNull();
    expect(screen.getByText(/this is a Telegram conversation/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Write in the main session' }));
    expect(await screen.findByRole('textbox', { name: 'Message Main' })).toBeTruthy();
    expect(useNav.getState().route.args).toEqual(['main', MAIN_KEY]);
  });

  it('is disabled, with the reason, while the gateway is unreachable', async () => {
    renderAt('main');
    await lastMessage('Reply 2');
    act(() => useGateway.setState({ connection: { kind: 'offline', message: 'connection lost' } }));
    expect((screen.getByRole('textbox', { name: 'Message Main' }) as HTMLTextAreaElement).disabled).toBe(true);
    expect(screen.getByText('Not connected to the gateway — reconnecting…')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('treats a typed /stop as the Stop button instead of queueing it as a message', async () => {
    renderAt('main');
    await lastMessage('Reply 2');
    const box = screen.getByRole('textbox', { name: 'Message Main' });
    fireEvent.change(box, { target: { value: '/stop' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(transport.callsOf('turn.cancel')).toEqual([{ agentId: 'main', sessionKey: MAIN_KEY }]));
    expect(transport.callsOf('webchat.send')).toEqual([]);
  });

  it('does not leave a bubble behind for /new, which the gateway answers without an echo', async () => {
    transport.handlers['webchat.send'] = (p) => {
      // The reset is confirmed (outbound) before the request returns, and no inbound is recorded.
      transport.emit('message.outbound', {
        agentId: 'main',
        sessionKey: MAIN_KEY,
        messageId: 'reset-1',
        channel: 'webchat',
        accountId: 'default',
        text: 'New session started.',
        incomplete: false,
        usage: { inputTokens: 0, outputTokens: 0 },
      });
      return { agentId: p.agentId, sessionKey: MAIN_KEY, messageId: 'reset-1' };
    };
    renderAt('main');
    await lastMessage('Reply 2');
    const box = screen.getByRole('textbox', { name: 'Message Main' });
    fireEvent.change(box, { target: { value: '/new' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(useInspector.getState().pending[`main\n${MAIN_KEY}`] ?? []).toEqual([]));
  });

  it('stops the running turn of this session with Stop', async () => {
    renderAt('main');
    await lastMessage('Reply 2');
    transport.emit('message.inbound', {
      agentId: 'main',
      sessionKey: MAIN_KEY,
      messageId: 'r1',
      channel: 'webchat',
      accountId: 'default',
      sender: { id: 'operator' },
      text: 'long job',
      route: route('direct', null),
      seq: 6,
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Stop the reply' }));
    await waitFor(() => expect(transport.callsOf('turn.cancel')).toEqual([{ agentId: 'main', sessionKey: MAIN_KEY }]));
  });
});

describe('live tool calls', () => {
  it("shows a running tool's input from its call event, before the turn is saved", async () => {
    renderAt('main', MAIN_KEY);
    await lastMessage('Reply 2');
    transport.emit('message.inbound', {
      agentId: 'main',
      sessionKey: MAIN_KEY,
      messageId: 'tl1',
      channel: 'webchat',
      accountId: 'default',
      sender: { id: 'operator' },
      text: 'read my notes',
      route: route('direct', null),
      seq: 6,
    });
    transport.emit('agent.tool', {
      agentId: 'main',
      sessionKey: MAIN_KEY,
      messageId: 'tl1',
      phase: 'call',
      id: 'tu9',
      name: 'read',
      input: '{"path":"notes.md"}',
    });
    const toggle = await screen.findByRole('button', { name: 'Tool call read, running…' });
    fireEvent.click(toggle);
    expect(screen.getByLabelText('Input of read').textContent).toBe('{\n  "path": "notes.md"\n}');
    // The result event does not repeat the input: it stays.
    transport.emit('agent.tool', {
      agentId: 'main',
      sessionKey: MAIN_KEY,
      messageId: 'tl1',
      phase: 'result',
      id: 'tu9',
      name: 'read',
      isError: false,
      summary: '2 lines',
    });
    await screen.findByRole('button', { name: 'Tool call read, done' });
    expect(screen.getByLabelText('Input of read').textContent).toBe('{\n  "path": "notes.md"\n}');
  });

  it('shows an input the gateway cut short as the text it sent', async () => {
    renderAt('main', MAIN_KEY);
    await lastMessage('Reply 2');
    const cut = `{"text":"${'y'.repeat(40)}…`;
    transport.emit('agent.tool', {
      agentId: 'main',
      sessionKey: MAIN_KEY,
      messageId: 'tl2',
      phase: 'call',
      id: 'tu10',
      name: 'write',
      input: cut,
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Tool call write, running…' }));
    expect(screen.getByLabelText('Input of write').textContent).toBe(cut);
  });
});

describe('a reset session', () => {
  it('is read afresh when the gateway names another transcript, instead of merging two transcripts by seq', async () => {
    renderAt('main', TG_KEY);
    await lastMessage('Reply 250');
    expect(useInspector.getState().transcript!.sessionId).toBe(`id-${TG_KEY}`);
    // `/new` in the Telegram chat: a new transcript under the same key, already longer than what is on screen.
    const fresh: TranscriptRecord[] = [{ seq: 1, ts: '2026-03-03T00:00:00.000Z', type: 'session' }];
    for (let i = 1; i <= 300; i++) {
      fresh.push({
        seq: 2 * i,
        ts: '2026-03-03T00:01:00.000Z',
        type: 'message',
        role: 'user',
        text: `New ${i}`,
        messageId: `n${i}`,
        sender: { id: '42', name: 'Alice' },
        channel: 'telegram',
        accountId: 'default',
        route: route('binding.peer', 0),
      });
      fresh.push({
        seq: 2 * i + 1,
        ts: '2026-03-03T00:01:05.000Z',
        type: 'message',
        role: 'assistant',
        text: `New reply ${i}`,
        inReplyTo: 2 * i,
      });
    }
    transcripts[`main\n${TG_KEY}`] = fresh;
    sessionIds[`main\n${TG_KEY}`] = 'id-after-reset';
    await act(() => useInspector.getState().sync());
    const texts = () =>
      useInspector
        .getState()
        .transcript!.records.filter((r) => r.type === 'message')
        .map((r) => String(r.text));
    await waitFor(() => expect(texts()).toContain('New reply 300'));
    expect(texts().filter((t) => !t.startsWith('New '))).toEqual([]);
    expect(useInspector.getState().transcript!.sessionId).toBe('id-after-reset');
    expect(await lastMessage('New reply 300')).toBeTruthy();
  });
});

describe('export and delete', () => {
  const downloads: { name: string; blob: Blob }[] = [];
  let blobs: Map<string, Blob>;
  beforeEach(() => {
    downloads.length = 0;
    blobs = new Map();
    useToasts.setState({ toasts: [] });
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      const url = `blob:test/${blobs.size}`;
      blobs.set(url, blob as Blob);
      return url;
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function click(this: HTMLAnchorElement) {
      downloads.push({ name: this.download, blob: blobs.get(this.getAttribute('href') ?? '')! });
    });
  });
  afterEach(() => vi.restoreAllMocks());

  const header = () => screen.getByRole('region', { name: /^Conversation:/ }).querySelector('header')!;
  const toastTexts = () => useToasts.getState().toasts.map((t) => t.text);

  /** sessions.list / sessions.delete over a mutable list, as the gateway keeps it. */
  function sessionsOnGateway(list: SessionSummary[]) {
    transport.handlers['sessions.list'] = (p) => ({ agentId: p.agentId, sessions: p.agentId === 'main' ? list : [] });
    transport.handlers['sessions.delete'] = (p) => {
      const at = list.findIndex((r) => r.key === p.sessionKey);
      if (at >= 0) list.splice(at, 1);
      delete transcripts[`${String(p.agentId)}\n${String(p.sessionKey)}`];
      return { deleted: at >= 0 };
    };
  }

  it('downloads the session as <agent>-<key>.jsonl: its metadata line, then the transcript', async () => {
    const meta = {
      format: 'switchboard.session',
      version: 1,
      agentId: 'main',
      exportedAt: '2026-03-04T00:00:00.000Z',
      key: TG_KEY,
      sessionKey: TG_KEY,
      sessionId: `id-${TG_KEY}`,
      created: '2026-03-01T00:00:00.000Z',
      updated: '2026-03-02T10:00:00.000Z',
      messages: 500,
      inputTokens: 5000,
      outputTokens: 500,
      bytes: 1234,
      archived: false,
    };
    const jsonl =
      '{"v":1,"seq":1,"ts":"2026-03-01T00:00:00.000Z","type":"session"}\n{"v":1,"seq":2,"ts":"2026-03-01T00:01:00.000Z","type":"message","role":"user","text":"Message 1"}\n';
    transport.handlers['sessions.export'] = (p) => ({
      agentId: p.agentId,
      sessionKey: p.sessionKey,
      sessionId: `id-${TG_KEY}`,
      meta,
      jsonl,
    });
    renderAt('main', TG_KEY);
    await lastMessage('Reply 250');
    fireEvent.click(within(header()).getByRole('button', { name: 'Export' }));
    fireEvent.click(within(screen.getByRole('dialog', { name: 'Export this session' })).getByRole('button', { name: 'Download JSONL' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(transport.callsOf('sessions.export')).toEqual([{ agentId: 'main', sessionKey: TG_KEY }]);
    expect(downloads[0]!.name).toBe('main-agent_main_telegram_direct_42.jsonl');
    const text = await downloads[0]!.blob.text();
    expect(text).toBe(`${JSON.stringify(meta)}\n${jsonl}`);
  });

  it('says why an export was refused, with what the gateway suggests', async () => {
    const why = `the session ${TG_KEY} of agent "main" is too large to export through the control plane (over 7.9 MiB); copy its transcript file instead: /home/ann/.switchboard/agents/main/sessions/x.jsonl`;
    transport.handlers['sessions.export'] = () => {
      throw new ControlError('bad_request', why);
    };
    renderAt('main', TG_KEY);
    await lastMessage('Reply 250');
    fireEvent.click(within(header()).getByRole('button', { name: 'Export' }));
    fireEvent.click(screen.getByRole('button', { name: 'Download JSONL' }));
    await waitFor(() => expect(toastTexts()).toEqual([`Could not export “Telegram · direct 42”: ${why}`]));
    expect(downloads).toEqual([]);
  });

  it('deletes after a confirmation naming the session; it leaves the list and the main session is shown', async () => {
    sessionsOnGateway([session(MAIN_KEY, 4, '2026-03-01T10:00:00.000Z'), session(TG_KEY, 500, '2026-03-02T10:00:00.000Z')]);
    renderAt('main', TG_KEY);
    await lastMessage('Reply 250');
    fireEvent.click(within(header()).getByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete this session?' });
    expect(dialog.textContent).toContain("Telegram · direct 42 (500 messages) will be deleted from Main's sessions");
    expect(dialog.textContent).toContain(TG_KEY);
    expect(transport.callsOf('sessions.delete')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete session' }));
    await waitFor(() => expect(useNav.getState().route.args).toEqual(['main', MAIN_KEY]));
    expect(transport.callsOf('sessions.delete')).toEqual([{ agentId: 'main', sessionKey: TG_KEY }]);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(within(sessionsOf('Main')).queryByRole('button', { name: /^Telegram/ })).toBeNull();
    await lastMessage('Reply 2');
    expect(screen.getByRole('textbox', { name: 'Message Main' })).toBeTruthy();
  });

  it('deleting the main session itself shows it again, empty', async () => {
    sessionsOnGateway([session(MAIN_KEY, 4, '2026-03-01T10:00:00.000Z'), session(TG_KEY, 500, '2026-03-02T10:00:00.000Z')]);
    renderAt('main', MAIN_KEY);
    await lastMessage('Reply 2');
    fireEvent.click(within(header()).getByRole('button', { name: 'Delete' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete session' }));
    expect(await screen.findByText('No messages yet')).toBeTruthy();
    expect(screen.queryByText('Reply 2')).toBeNull();
    expect(useNav.getState().route.args).toEqual(['main', MAIN_KEY]);
    expect(within(sessionsOf('Main')).queryByRole('button', { name: /^Main session/ })).toBeNull();
  });

  it('keeps the session when the confirmation is cancelled', async () => {
    renderAt('main', TG_KEY);
    await lastMessage('Reply 250');
    fireEvent.click(within(header()).getByRole('button', { name: 'Delete' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(transport.callsOf('sessions.delete')).toEqual([]);
    expect(useNav.getState().route.args).toEqual(['main', TG_KEY]);
  });

  it('keeps the session and says why when the gateway refuses the delete', async () => {
    const why = `agent "main" is answering in ${TG_KEY} right now; stop the reply (turn.cancel) or wait for it, then delete the session again`;
    transport.handlers['sessions.delete'] = () => {
      throw new ControlError('conflict', why);
    };
    renderAt('main', TG_KEY);
    await lastMessage('Reply 250');
    fireEvent.click(within(header()).getByRole('button', { name: 'Delete' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete session' }));
    await waitFor(() => expect(toastTexts()).toEqual([`Could not delete “Telegram · direct 42”: ${why}`]));
    expect(within(sessionsOf('Main')).getByRole('button', { name: /^Telegram/ })).toBeTruthy();
    expect(useNav.getState().route.args).toEqual(['main', TG_KEY]);
  });

  it('cannot delete while a reply is being written, nor export or delete what was never stored', async () => {
    renderAt('main', MAIN_KEY);
    await lastMessage('Reply 2');
    transport.emit('message.inbound', {
      agentId: 'main',
      sessionKey: MAIN_KEY,
      messageId: 'busy',
      channel: 'webchat',
      accountId: 'default',
      sender: { id: 'operator' },
      text: 'long job',
      route: route('direct', null),
      seq: 6,
    });
    await screen.findByRole('button', { name: 'Stop the reply' });
    expect((within(header()).getByRole('button', { name: 'Delete' }) as HTMLButtonElement).disabled).toBe(true);
    cleanup();
    resetInspector();

    transport.handlers['sessions.list'] = (p) => ({ agentId: p.agentId, sessions: [] });
    transcripts = {};
    renderAt('main', 'agent:main:webchat:fresh');
    await screen.findByText('No messages yet');
    expect((within(header()).getByRole('button', { name: 'Export' }) as HTMLButtonElement).disabled).toBe(true);
    expect((within(header()).getByRole('button', { name: 'Delete' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('model fallbacks', () => {
  it('a reply a fallback model gave says which model answered and why the primary was passed over', async () => {
    const records = conversation(2, { id: 'operator', name: 'Dashboard' });
    const fellBack = records.findIndex((r) => r.text === 'Reply 2');
    records[fellBack] = {
      ...records[fellBack]!,
      model: 'claude-sonnet-5-5',
      fallbackFrom: [
        { model: 'claude-opus-5-5', reason: 'overloaded' },
        { model: 'claude-mythos-5-1', reason: 'model_not_found' },
      ],
    };
    records[fellBack - 2] = { ...records[fellBack - 2]!, model: 'claude-opus-5-5' };
    transcripts[`main\n${MAIN_KEY}`] = records;
    renderAt('main', MAIN_KEY);
    await lastMessage('Reply 2');
    const notes = screen.getAllByRole('note').map((n) => n.textContent);
    expect(notes).toEqual(['answered by claude-sonnet-5-5 (fallback: claude-opus-5-5 overloaded, claude-mythos-5-1 not found)']);
    // The reply the primary gave itself carries no such line.
    const first = screen.getByText('Reply 1').closest('[role="group"]')!;
    expect(within(first as HTMLElement).queryByRole('note')).toBeNull();
    expect(within(first as HTMLElement).getByText('claude-opus-5-5')).toBeTruthy();
  });
});
