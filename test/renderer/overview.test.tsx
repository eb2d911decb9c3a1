// The overview: every agent at once with its live state, today's numbers and its week of tokens and cost.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { OverviewView } from '../../src-renderer/views/overview/OverviewView.tsx';
import { agent, connectFake, status } from './fake-gateway.ts';

/** `usage.daily` for one agent: a week of days with `tokens[i]` input tokens and a tenth of that output, all on one model. */
const daily = (agentId: string, tokens: number[], dailyTokens: number | null = null) => {
  const days = tokens.map((t, i) => {
    const models = t ? { 'claude-sonnet-4-6': { inputTokens: t, outputTokens: t / 10 } } : {};
    return { date: `2026-11-${String(15 + i).padStart(2, '0')}`, inputTokens: t, outputTokens: t / 10, models };
  });
  const sum = tokens.reduce((a, b) => a + b, 0);
  const total = { inputTokens: sum, outputTokens: sum / 10, models: { 'claude-sonnet-4-6': { inputTokens: sum, outputTokens: sum / 10 } } };
  return { timeZone: 'Europe/Berlin', agents: [{ agentId, dailyTokens, days, total }] };
};

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
    'usage.daily': () => daily('main', [0, 100, 400, 0, 200, 500, 300]),
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

  it('draws the week of tokens from usage.daily with the budget line and the estimated cost, and re-reads it after a reply goes out', async () => {
    let calls = 0;
    const transport = await connectFake(
      handlers({
        'usage.daily': () => {
          calls++;
          return daily('main', calls === 1 ? [0, 2000, 4000, 0, 3000, 6000, 5000] : [0, 2000, 4000, 0, 3000, 6000, 12000], 10_000);
        },
      }),
    );
    render(<OverviewView />);
    const main = await screen.findByRole('article', { name: 'Agent Main' });
    const chart = await within(main).findByRole('img', { name: /^Main: tokens per day, last 7 days/ });
    expect(chart.textContent).toContain('22k tokens in total; daily budget 10,000 tokens, not exceeded.');
    // 20,000 input + 2,000 output tokens of Sonnet 4.6 at $3 / $15 per million: $0.06 + $0.03.
    expect(within(main).getByText('22k tokens · ≈ $0.09 (estimate)')).toBeTruthy();
    expect(
      within(main)
        .getByRole('table', { name: /Main: tokens per day/ })
        .querySelectorAll('tbody tr'),
    ).toHaveLength(7);
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
    await waitFor(() => expect(within(main).getByRole('img', { name: /^Main: tokens/ }).textContent).toContain('exceeded on 1 day'), {
      timeout: 4000,
    });
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
