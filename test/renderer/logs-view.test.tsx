// The Logs view: the gateway's tail, then live `log.entries` batches; level/agent/channel filters
// (asked of the gateway and applied to live lines alike); pause holds new lines until Follow;
// a burst's skipped lines are said; "Copy diagnostics" puts the gateway's bundle on the clipboard,
// and downloads it when the clipboard refuses.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogsView } from '../../src-renderer/views/logs/LogsView.tsx';
import { agent, baseHandlers, connectFake } from './channels-fake-gateway.ts';
import type { FakeTransport } from './fake-gateway.ts';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

type Entry = {
  seq: number;
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  module?: string;
  agentId?: string;
  channel?: string;
};
const ORDER = { debug: 10, info: 20, warn: 30, error: 40 };
const entry = (seq: number, msg: string, over: Partial<Entry> = {}): Entry => ({
  seq,
  time: '2026-12-06T10:00:00.000Z',
  level: 'info',
  msg,
  module: 'gateway',
  ...over,
});

/** A gateway log the fake's logs.tail reads, filtered like the real one. */
function logHandlers(log: Entry[], bundle: unknown = { format: 'switchboard.diagnostics', marker: 'bundle-marker' }) {
  return {
    ...baseHandlers(),
    'agents.list': () => ({ agents: [agent('main', { default: true }), agent('ops')] }),
    'logs.tail': (p: { level?: Entry['level']; agentId?: string; channel?: string } | undefined) => ({
      entries: log.filter(
        (e) =>
          (!p?.level || ORDER[e.level] >= ORDER[p.level]) &&
          (!p?.agentId || e.agentId === p.agentId) &&
          (!p?.channel || e.channel === p.channel),
      ),
      lastSeq: log.at(-1)?.seq ?? 0,
      level: 'info',
      file: '/home/ann/.switchboard/logs/switchboard.log',
    }),
    'diagnostics.bundle': () => bundle,
  };
}

const lines = () => screen.queryAllByRole('listitem').map((li) => li.textContent ?? '');
const push = (t: FakeTransport, entries: Entry[], skipped = 0) => act(() => t.emit('log.entries', { entries, skipped }));

describe('Logs view', () => {
  it('shows the tail, then appends live lines as batches arrive', async () => {
    const t = await connectFake(logHandlers([entry(1, 'gateway started'), entry(2, 'turn done', { agentId: 'main', module: 'agent' })]));
    render(<LogsView />);
    await waitFor(() => expect(lines()).toHaveLength(2));
    expect(lines()[1]).toContain('turn done');
    expect(lines()[1]).toContain('agent=main');
    push(t, [entry(3, 'poll failed', { level: 'warn', channel: 'telegram', module: 'telegram' })]);
    expect(lines()).toHaveLength(3);
    expect(lines()[2]).toMatch(/WARN.*telegram.*poll failed/);
    // A line the tail already had is not shown twice.
    push(t, [entry(2, 'turn done', { agentId: 'main' })]);
    expect(lines()).toHaveLength(3);
  });

  it('the level filter asks the gateway for that level and drops lower live lines', async () => {
    const t = await connectFake(logHandlers([entry(1, 'info line'), entry(2, 'error line', { level: 'error' })]));
    render(<LogsView />);
    await waitFor(() => expect(lines()).toHaveLength(2));
    fireEvent.click(within(screen.getByRole('group', { name: 'Lowest level' })).getByRole('button', { name: 'Error' }));
    await waitFor(() => expect(lines()).toHaveLength(1));
    expect(t.called('logs.tail').at(-1)).toMatchObject({ level: 'error' });
    push(t, [entry(3, 'another info'), entry(4, 'another error', { level: 'error' })]);
    expect(lines().map((l) => l.includes('another'))).toEqual([false, true]);
    expect(lines()[1]).toContain('another error');
  });

  it('the agent and channel filters keep only that agent’s or channel’s lines, live ones too', async () => {
    const t = await connectFake(
      logHandlers([
        entry(1, 'main turn', { agentId: 'main' }),
        entry(2, 'ops turn', { agentId: 'ops' }),
        entry(3, 'tg poll', { channel: 'telegram' }),
      ]),
    );
    render(<LogsView />);
    await waitFor(() => expect(lines()).toHaveLength(3));
    fireEvent.change(screen.getByRole('combobox', { name: 'Agent' }), { target: { value: 'ops' } });
    await waitFor(() => expect(lines()).toHaveLength(1));
    expect(lines()[0]).toContain('ops turn');
    push(t, [entry(4, 'main again', { agentId: 'main' }), entry(5, 'ops again', { agentId: 'ops' })]);
    expect(lines().map((l) => l.split(' agent=')[0]!.split('gateway')[1])).toEqual(['ops turn', 'ops again']);

    fireEvent.change(screen.getByRole('combobox', { name: 'Agent' }), { target: { value: '' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Channel' }), { target: { value: 'telegram' } });
    await waitFor(() => expect(lines()).toHaveLength(1));
    expect(lines()[0]).toContain('tg poll');
    expect(t.called('logs.tail').at(-1)).toMatchObject({ channel: 'telegram' });
  });

  it('Pause holds new lines and Follow shows them', async () => {
    const t = await connectFake(logHandlers([entry(1, 'first')]));
    render(<LogsView />);
    await waitFor(() => expect(lines()).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    push(t, [entry(2, 'held one'), entry(3, 'held two')]);
    expect(lines()).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Follow (2 new)' }));
    expect(lines()).toHaveLength(3);
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();
  });

  it('says how many lines a burst left out and where the whole log is', async () => {
    const t = await connectFake(logHandlers([entry(1, 'first')]));
    render(<LogsView />);
    await waitFor(() => expect(lines()).toHaveLength(1));
    push(t, [entry(2, 'storm')], 4321);
    expect(screen.getByText(/4321 lines were left out during a burst/).textContent).toContain(
      '/home/ann/.switchboard/logs/switchboard.log',
    );
  });

  it('Copy diagnostics puts the gateway’s bundle on the clipboard', async () => {
    const written: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (text: string) => void written.push(text) },
    });
    const t = await connectFake(logHandlers([entry(1, 'first')]));
    render(<LogsView />);
    fireEvent.click(screen.getByRole('button', { name: 'Copy diagnostics' }));
    await screen.findByText('Diagnostics copied');
    expect(t.called('diagnostics.bundle')).toHaveLength(1);
    expect(JSON.parse(written[0]!)).toEqual({ format: 'switchboard.diagnostics', marker: 'bundle-marker' });
  });

  it('when the clipboard refuses, the bundle is downloaded instead', async () => {
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: {
        writeText: async () => {
          throw new Error('denied');
        },
      },
    });
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob);
      return 'blob:diag';
    });
    await connectFake(logHandlers([entry(1, 'first')]));
    render(<LogsView />);
    fireEvent.click(screen.getByRole('button', { name: 'Copy diagnostics' }));
    await screen.findByText(/downloaded instead/);
    expect(JSON.parse(await blobs[0]!.text())).toMatchObject({ marker: 'bundle-marker' });
  });
});
