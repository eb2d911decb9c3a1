// Chats like a chat app (src-renderer/views/inspector: SessionPane, TranscriptPane, SessionActions,
// export-file.ts) against a gateway faked at the transport seam that keeps its sessions in memory:
// New chat starts a web chat session of its own (and a second one another), a new chat is named
// after its first message, Rename, search by message text, Markdown export, and the way back in
// the one-column layout.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { GatewayClient } from '../../src-renderer/gateway/client.ts';
import { useConfig } from '../../src-renderer/store/config.ts';
import { useGateway, type AgentSummary, type Status } from '../../src-renderer/store/gateway.ts';
import { resetInspector, type SessionSummary, type TranscriptRecord } from '../../src-renderer/store/inspector.ts';
import { useNav } from '../../src-renderer/store/nav.ts';
import { useToasts } from '../../src-renderer/store/toasts.ts';
import { exportMarkdown } from '../../src-renderer/views/inspector/export-file.ts';
import { InspectorView } from '../../src-renderer/views/inspector/InspectorView.tsx';
import { autoTitle } from '../../src-renderer/views/inspector/TranscriptPane.tsx';
import { FakeTransport } from './fake-gateway.ts';
import { stubTranscriptLayout } from './inspector-layout.ts';

const MAIN_KEY = 'agent:main:main';
const NOTES_KEY = 'agent:main:webchat:notes';
const NEW_CHAT = /^agent:main:webchat:chat-[0-9a-z]{10}$/;

function agentSummary(id: string, name: string): AgentSummary {
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
  };
}

/** The sessions and transcripts of one agent as a gateway keeps them, with the methods that change them. */
function chatGateway() {
  const sessions: SessionSummary[] = [];
  const transcripts = new Map<string, TranscriptRecord[]>();
  let clock = Date.parse('2026-03-01T10:00:00.000Z');
  const tick = () => new Date((clock += 60_000)).toISOString();
  const add = (key: string, title?: string) => {
    const ts = tick();
    sessions.push({
      key,
      sessionKey: key,
      sessionId: `id-${key}`,
      created: ts,
      updated: ts,
      messages: 0,
      inputTokens: 0,
      outputTokens: 0,
      archived: false,
      ...(title ? { title } : {}),
    });
    transcripts.set(key, [{ seq: 1, ts, type: 'session' }]);
  };
  const append = (key: string, rec: Omit<TranscriptRecord, 'seq' | 'ts'>) => {
    if (!sessions.some((s) => s.key === key)) add(key);
    const list = transcripts.get(key)!;
    const ts = tick();
    list.push({ ...rec, seq: list.length + 1, ts } as TranscriptRecord);
    const row = sessions.find((s) => s.key === key)!;
    row.updated = ts;
    if (rec.type === 'message') row.messages++;
  };
  const handlers: Record<string, (p: never) => unknown> = {
    'sessions.list': (p: { agentId: string }) => ({ agentId: p.agentId, sessions: [...sessions] }),
    'sessions.history': (p: { agentId: string; sessionKey: string }) => {
      const records = transcripts.get(p.sessionKey);
      return {
        agentId: p.agentId,
        sessionKey: p.sessionKey,
        sessionId: records ? `id-${p.sessionKey}` : null,
        records: records ?? [],
        hasMore: false,
      };
    },
    'webchat.send': (p: { agentId: string; text: string; sessionKey?: string }) => {
      const key = p.sessionKey ?? MAIN_KEY;
      append(key, { type: 'message', role: 'user', text: p.text, sender: { id: 'operator', name: 'Dashboard' }, channel: 'webchat' });
      const messageId = `m-${clock}`;
      const seq = transcripts.get(key)!.length;
      // As the gateway does, right after storing it: the echo that keeps the dashboard's list live.
      setTimeout(() =>
        act(() =>
          transport.emit('message.inbound', {
            agentId: p.agentId,
            sessionKey: key,
            messageId,
            channel: 'webchat',
            accountId: 'default',
            sender: { id: 'operator', name: 'Dashboard' },
            text: p.text,
            route: {
              agentId: p.agentId,
              channel: 'webchat',
              accountId: 'default',
              sessionKey: key,
              mainSessionKey: MAIN_KEY,
              matchedBy: 'direct',
              bindingIndex: null,
            },
            seq,
          }),
        ),
      );
      return { agentId: p.agentId, sessionKey: key, messageId };
    },
    'sessions.rename': (p: { agentId: string; sessionKey: string; title: string }) => {
      const row = sessions.find((s) => s.key === p.sessionKey);
      if (!row) throw new ControlError('not_found', `agent "main" has no session ${p.sessionKey}`);
      const title = p.title.trim();
      if (title.length > 120) throw new ControlError('bad_request', `title: ${title.length} characters; a session title has at most 120`);
      if (title) row.title = title;
      else delete row.title;
      return { agentId: p.agentId, sessionKey: p.sessionKey, title: title || null };
    },
    'sessions.search': (p: { agentId: string; query: string }) => {
      const q = p.query.toLowerCase();
      const matches = sessions.flatMap((s) => {
        if (s.title?.toLowerCase().includes(q)) return [{ key: s.key, field: 'title' }];
        const hit = transcripts.get(s.key)!.find((r) => r.type === 'message' && String(r.text).toLowerCase().includes(q));
        return hit ? [{ key: s.key, field: 'text', seq: hit.seq, snippet: String(hit.text) }] : [];
      });
      return { agentId: p.agentId, query: p.query, matches, truncated: false };
    },
  };
  return { sessions, transcripts, add, append, handlers };
}

let gw: ReturnType<typeof chatGateway>;
let transport: FakeTransport;

function Harness() {
  const args = useNav((s) => s.route.args);
  return <InspectorView args={args} />;
}

function renderAt(...args: string[]) {
  act(() => useNav.getState().navigate('inspector', ...args));
  return render(<Harness />);
}

const route = () => useNav.getState().route.args;
const header = () => screen.getByRole('region', { name: /^Conversation:/ }).querySelector('header')!;
const sessionRows = () =>
  within(within(screen.getByRole('region', { name: 'Sessions of Main' })).getByRole('list'))
    .getAllByRole('button')
    .map((b) => b.getAttribute('aria-label'));

beforeAll(stubTranscriptLayout);

beforeEach(() => {
  gw = chatGateway();
  transport = new FakeTransport(gw.handlers);
  useGateway.setState({
    client: new GatewayClient(transport),
    connection: { kind: 'open' },
    loaded: true,
    loadError: undefined,
    status: { state: 'running' } as Status,
    agents: [agentSummary('main', 'Main'), agentSummary('ops', 'Ops')],
  });
  useConfig.setState({ snapshot: undefined, check: undefined, loading: false, error: 'not needed here' });
  useToasts.setState({ toasts: [] });
});

afterEach(() => {
  cleanup();
  resetInspector();
});

describe('New chat', () => {
  it('starts a web chat session of its own, named after its first message; a second New chat starts another', async () => {
    gw.append(MAIN_KEY, { type: 'message', role: 'user', text: 'in the main session', sender: { id: 'operator' }, channel: 'webchat' });
    renderAt('main');
    await screen.findByText('in the main session');

    fireEvent.click(screen.getByRole('button', { name: '+ New chat' }));
    const first = route()[1]!;
    expect(first).toMatch(NEW_CHAT);
    expect(await screen.findByText('No messages yet')).toBeTruthy();
    expect(within(header()).getByRole('heading').textContent).toBe('Untitled chat');
    fireEvent.change(screen.getByRole('textbox', { name: 'Message Main' }), { target: { value: 'Plan a trip to Lisbon\nwith trains' } });
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Message Main' }), { key: 'Enter' });
    await waitFor(() =>
      expect(transport.called('sessions.rename')).toEqual([{ agentId: 'main', sessionKey: first, title: 'Plan a trip to Lisbon' }]),
    );
    expect(transport.called('webchat.send')).toEqual([
      { agentId: 'main', text: 'Plan a trip to Lisbon\nwith trains', sessionKey: first, clientId: expect.stringMatching(/^dash-/) },
    ]);

    fireEvent.click(screen.getByRole('button', { name: '+ New chat' }));
    const second = route()[1]!;
    expect(second).toMatch(NEW_CHAT);
    expect(second).not.toBe(first);
    // The new chat is empty: nothing of the first one shows in it.
    expect(await screen.findByText('No messages yet')).toBeTruthy();
    fireEvent.change(screen.getByRole('textbox', { name: 'Message Main' }), { target: { value: 'Recipe ideas' } });
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Message Main' }), { key: 'Enter' });
    await waitFor(() => expect(transport.called('sessions.rename')).toHaveLength(2));
    expect((transport.called('webchat.send')[1] as { sessionKey: string }).sessionKey).toBe(second);

    // Both chats and the main session are listed, each on its own.
    await waitFor(
      () => expect(sessionRows().map((l) => l!.split(',')[0])).toEqual(['Recipe ideas', 'Plan a trip to Lisbon', 'Main session']),
      {
        timeout: 3000,
      },
    );
  });

  it('does not rename a chat that already had messages, nor the main session', async () => {
    gw.append(NOTES_KEY, { type: 'message', role: 'user', text: 'earlier', sender: { id: 'operator' }, channel: 'webchat' });
    renderAt('main', NOTES_KEY);
    await screen.findByText('earlier');
    fireEvent.change(screen.getByRole('textbox', { name: 'Message Main' }), { target: { value: 'later' } });
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Message Main' }), { key: 'Enter' });
    await waitFor(() => expect(transport.called('webchat.send')).toHaveLength(1));
    expect(transport.called('sessions.rename')).toEqual([]);
  });

  it('cuts a long first message at a word for the title', () => {
    expect(autoTitle('  short one  ')).toBe('short one');
    expect(autoTitle(`${'word '.repeat(20)}end`)).toBe(`${'word '.repeat(12).trimEnd()}…`);
    expect(autoTitle(`${'x'.repeat(70)} y`)).toBe(`${'x'.repeat(60)}…`);
  });
});

describe('Rename', () => {
  it('sets the title the header and the list show; the key stays', async () => {
    gw.append(NOTES_KEY, { type: 'message', role: 'user', text: 'milk, bread', sender: { id: 'operator' }, channel: 'webchat' });
    renderAt('main', NOTES_KEY);
    await screen.findByText('milk, bread');
    fireEvent.click(within(header()).getByRole('button', { name: 'Rename' }));
    const dialog = screen.getByRole('dialog', { name: 'Rename this session' });
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Name' }), { target: { value: 'Shopping list' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(transport.called('sessions.rename')).toEqual([{ agentId: 'main', sessionKey: NOTES_KEY, title: 'Shopping list' }]);
    expect(within(header()).getByRole('heading').textContent).toBe('Shopping list');
    expect(sessionRows()[0]).toMatch(/^Shopping list, 1 message/);
    expect(route()).toEqual(['main', NOTES_KEY]);
  });

  it('refuses a name too long before asking the gateway, and shows what the gateway refuses', async () => {
    gw.append(NOTES_KEY, { type: 'message', role: 'user', text: 'hi', sender: { id: 'operator' }, channel: 'webchat' });
    renderAt('main', NOTES_KEY);
    await screen.findByText('hi');
    fireEvent.click(within(header()).getByRole('button', { name: 'Rename' }));
    const dialog = screen.getByRole('dialog', { name: 'Rename this session' });
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Name' }), { target: { value: 'x'.repeat(121) } });
    expect(within(dialog).getByRole('alert').textContent).toBe('121 characters; a name has at most 120.');
    expect((within(dialog).getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);
    gw.handlers['sessions.rename'] = () => {
      throw new ControlError('bad_request', 'the session agent:main:webchat:notes is archived; only a live session can be renamed');
    };
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Name' }), { target: { value: 'ok' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('only a live session can be renamed');
  });

  it('is not offered for a chat with nothing stored yet', async () => {
    renderAt('main', 'agent:main:webchat:chat-0123456789');
    await screen.findByText('No messages yet');
    expect((within(header()).getByRole('button', { name: 'Rename' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('search', () => {
  it('lists the sessions whose messages contain the words, with the matching text', async () => {
    gw.append(NOTES_KEY, {
      type: 'message',
      role: 'user',
      text: 'Repaint the lighthouse in May',
      sender: { id: 'operator' },
      channel: 'webchat',
    });
    gw.append(MAIN_KEY, { type: 'message', role: 'user', text: 'unrelated', sender: { id: 'operator' }, channel: 'webchat' });
    renderAt('main');
    await screen.findByText('unrelated');
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search sessions' }), { target: { value: 'Lighthouse' } });
    expect(screen.getByRole('status').textContent).toBe('Searching the messages…');
    await waitFor(() => expect(sessionRows()).toEqual([expect.stringMatching(/^Web chat · notes, 1 message/)]));
    expect(screen.getByText('Repaint the lighthouse in May', { selector: '.insp-snippet' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('1 session found');
    expect(transport.called('sessions.search')).toEqual([{ agentId: 'main', query: 'lighthouse' }]);
  });

  it('still filters titles and keys when the gateway cannot search, and says so', async () => {
    gw.add(NOTES_KEY, 'Groceries');
    gw.handlers['sessions.search'] = () => {
      throw new ControlError('unavailable', 'the gateway is stopped');
    };
    renderAt('main');
    await waitFor(() => expect(sessionRows()).toHaveLength(1));
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search sessions' }), { target: { value: 'grocer' } });
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Searched titles only: the gateway is stopped'));
    expect(sessionRows()).toEqual([expect.stringMatching(/^Groceries/)]);
  });
});

describe('export as Markdown', () => {
  it('downloads the conversation in order, naming the agent, marking a message that was never delivered', async () => {
    const clicks: { name: string; blob: Blob }[] = [];
    const blobs = new Map<string, Blob>();
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.set(`blob:${blobs.size}`, blob as Blob);
      return `blob:${blobs.size - 1}`;
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function click(this: HTMLAnchorElement) {
      clicks.push({ name: this.download, blob: blobs.get(this.getAttribute('href') ?? '')! });
    });
    gw.append(NOTES_KEY, { type: 'message', role: 'user', text: 'no key yet', sender: { id: 'operator' }, channel: 'webchat' });
    gw.append(NOTES_KEY, { type: 'error', kind: 'no_api_key', message: 'no API key', inReplyTo: 2 });
    gw.append(NOTES_KEY, { type: 'message', role: 'user', text: 'now?', sender: { id: 'operator' }, channel: 'webchat' });
    gw.append(NOTES_KEY, { type: 'message', role: 'assistant', text: 'Yes, **now**.', inReplyTo: 4 });
    gw.sessions[0]!.title = 'Key trouble';
    gw.handlers['sessions.export'] = (p: { agentId: string; sessionKey: string }) => ({
      agentId: p.agentId,
      sessionKey: p.sessionKey,
      sessionId: `id-${p.sessionKey}`,
      meta: {
        ...gw.sessions[0]!,
        format: 'switchboard.session',
        version: 1,
        agentId: 'main',
        exportedAt: '2026-03-02T00:00:00.000Z',
        bytes: 1,
      },
      jsonl:
        gw.transcripts
          .get(NOTES_KEY)!
          .map((r) => JSON.stringify(r))
          .join('\n') + '\n',
    });
    renderAt('main', NOTES_KEY);
    await screen.findByText('now?');
    fireEvent.click(within(header()).getByRole('button', { name: 'Export' }));
    fireEvent.click(screen.getByRole('button', { name: 'Download Markdown' }));
    await waitFor(() => expect(clicks).toHaveLength(1));
    expect(clicks[0]!.name).toBe('main-Key_trouble.md');
    const md = await clicks[0]!.blob.text();
    expect(md.startsWith('# Key trouble\n')).toBe(true);
    expect(md).toContain(`- Session: \`${NOTES_KEY}\``);
    const order = ['> no key yet', '> ⚠ **no api key**: no API key', '> now?', 'Yes, **now**.'].map((s) => md.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toMatch(/\*\*You\*\* · [^\n]* · _not delivered \(no api key\)_\n\n> no key yet/);
    expect(md).toContain('**Main** · ');
    vi.restoreAllMocks();
  });

  it('quotes every line of a message, so its own Markdown cannot break out', () => {
    const md = exportMarkdown(
      {
        agentId: 'main',
        sessionKey: NOTES_KEY,
        sessionId: 'x',
        meta: {
          key: NOTES_KEY,
          sessionKey: NOTES_KEY,
          sessionId: 'x',
          created: '2026-03-01T00:00:00.000Z',
          updated: '2026-03-01T00:00:00.000Z',
          messages: 1,
          inputTokens: 0,
          outputTokens: 0,
          archived: false,
          format: 'switchboard.session',
          version: 1,
          agentId: 'main',
          exportedAt: '2026-03-01T00:00:00.000Z',
          bytes: 1,
        },
        jsonl: `${JSON.stringify({ seq: 2, ts: '2026-03-01T00:00:00.000Z', type: 'message', role: 'user', text: '# not a heading\nsecond', sender: { id: 'operator' }, channel: 'webchat' })}\n`,
      },
      'Main',
      'Web chat · notes',
    );
    expect(md).toContain('> # not a heading\n> second');
  });
});

describe('one-column layout', () => {
  it('goes back from a conversation to the list of sessions', async () => {
    gw.append(NOTES_KEY, { type: 'message', role: 'user', text: 'hi', sender: { id: 'operator' }, channel: 'webchat' });
    const { container } = renderAt('main', NOTES_KEY);
    await screen.findByText('hi');
    expect(container.querySelector('.insp-panes')!.getAttribute('data-focus')).toBe('transcript');
    fireEvent.click(screen.getByRole('button', { name: "Back to Main's sessions" }));
    expect(route()).toEqual(['main']);
    expect(container.querySelector('.insp-panes')!.getAttribute('data-focus')).toBe('list');
  });
});
