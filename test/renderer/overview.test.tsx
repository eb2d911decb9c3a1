// The overview: every agent at once with its live state, today's numbers and its week of usage.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { OverviewView } from '../../src-renderer/views/overview/OverviewView.tsx';
import { agent, connectFake, status } from './fake-gateway.ts';

const week = (counts: number[]) =>
  counts.map((messages, i) => ({
    date: `2026-11-${String(15 + i).padStart(2, '0')}`,
    messages,
    inputTokens: messages * 100,
    outputTokens: messages * 10,
  }));

function handlers(extra: Record<string, (p: never) => unknown> = {}) {
  return {
    status: () => status({ state: 'running' }),
    'agents.list': () => ({
      agents: [
        agent('main', { default: true, name: 'Main', today: { messages: 3, inputTokens: 1200, outputTokens: 300 } }),
        agent('ops', {
          name: 'Ops',
          emoji: '🛠',
          state: 'thinking',
          bindings: [{ index: 0, channel: 'telegram', accountId: 'alerts', matchedBy: 'binding.account' }],
        }),
      ],
    }),
    'pairing.list': () => ({ pending: [] }),
    'auth.list': () => ({ keychain: { available: true, reason: null }, envKey: true, agents: [] }),
    'usage.summary': () => ({
      agents: [{ agentId: 'main', days: week([0, 1, 4, 0, 2, 5, 3]), total: { messages: 15, inputTokens: 1500, outputTokens: 150 } }],
    }),
    ...extra,
  };
}

describe('overview', () => {
  afterEach(cleanup);

  it('says why messages cannot be stored while the disk is full, and drops the banner when storage works again', async () => {
    const reason = 'disk full at /home/ann/.switchboard: free some space there; messages are accepted again as soon as they can be stored';
    const transport = await connectFake(handlers({ status: () => status({ state: 'running', storage: { ok: false, reason } }) }));
    render(<OverviewView />);
    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toContain('Messages cannot be stored right now');
    expect(banner.textContent).toContain(reason);
    transport.emit('storage.state', { ok: true });
    await waitFor(() => expect(screen.queryByText(/Messages cannot be stored/)).toBeNull());
  });

  it("shows every agent as a card with its state, bindings and today's numbers", async () => {
    await connectFake(handlers());
    render(<OverviewView />);
    const main = await screen.findByRole('article', { name: 'Agent Main' });
    expect(within(main).getByText('Idle')).toBeTruthy();
    expect(within(main).getByText('3')).toBeTruthy();
    expect(within(main).getByText('1.5k')).toBeTruthy();
    const ops = screen.getByRole('article', { name: 'Agent Ops' });
    expect(within(ops).getByText('Thinking…')).toBeTruthy();
    expect(within(ops).getByText(/Telegram · alerts/)).toBeTruthy();
  });

  it('draws the week of usage from usage.summary and re-reads it after a reply goes out', async () => {
    let calls = 0;
    const transport = await connectFake(
      handlers({
        'usage.summary': () => {
          calls++;
          return {
            agents: [
              {
                agentId: 'main',
                days: week(calls === 1 ? [0, 1, 4, 0, 2, 5, 3] : [0, 1, 4, 0, 2, 5, 4]),
                total: { messages: 0, inputTokens: 0, outputTokens: 0 },
              },
            ],
          };
        },
      }),
    );
    render(<OverviewView />);
    const chart = await screen.findByRole('img', { name: /Main, messages over the last 7 days/ });
    expect(chart.getAttribute('aria-label')).toMatch(/ 3$/);
    transport.emit('message.outbound', {
      agentId: 'main',
      sessionKey: 'agent:main:main',
      messageId: 'm1',
      channel: 'webchat',
      accountId: 'default',
      text: 'hi',
      incomplete: false,
      usage: { inputTokens: 10, outputTokens: 2 },
    });
    await waitFor(
      () => expect(screen.getByRole('img', { name: /Main, messages over the last 7 days/ }).getAttribute('aria-label')).toMatch(/ 4$/),
      { timeout: 4000 },
    );
  });

  it('stops the gateway from the header and shows the new state', async () => {
    let state: 'running' | 'stopped' = 'running';
    const transport = await connectFake(
      handlers({
        status: () => status({ state }),
        'gateway.stop': () => {
          state = 'stopped';
          return { state };
        },
      }),
    );
    render(<OverviewView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Stop gateway' }));
    await screen.findByRole('button', { name: 'Start gateway' });
    expect(transport.called('gateway.stop')).toHaveLength(1);
  });
});
