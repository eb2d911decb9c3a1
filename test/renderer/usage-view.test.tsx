// The Usage page: each agent's tokens and estimated cost over 7 or 30 days, the chart with its
// budget line and a table for screen readers, unknown models shown in tokens only.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageView } from '../../src-renderer/views/usage/UsageView.tsx';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { agent, connectFake, status } from './fake-gateway.ts';

type Tokens = { inputTokens: number; outputTokens: number };

/** `days` local days ending 2026-12-06; `perDay(i)` gives day i's tokens by model. */
const none: Record<string, Tokens> = {};

function agentUsage(agentId: string, days: number, perDay: (i: number) => Record<string, Tokens>, dailyTokens: number | null = null) {
  const list = Array.from({ length: days }, (_, i) => {
    const date = new Date(2026, 11, 6 - (days - 1 - i));
    const models = perDay(i);
    const sum = (k: keyof Tokens) => Object.values(models).reduce((n, t) => n + t[k], 0);
    return {
      date: `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`,
      inputTokens: sum('inputTokens'),
      outputTokens: sum('outputTokens'),
      models,
    };
  });
  const total = { inputTokens: 0, outputTokens: 0, models: {} as Record<string, Tokens> };
  for (const d of list) {
    total.inputTokens += d.inputTokens;
    total.outputTokens += d.outputTokens;
    for (const [m, t] of Object.entries(d.models)) {
      const x = (total.models[m] ??= { inputTokens: 0, outputTokens: 0 });
      x.inputTokens += t.inputTokens;
      x.outputTokens += t.outputTokens;
    }
  }
  return { agentId, dailyTokens, days: list, total };
}

// main: 100k in / 10k out of Sonnet 4.6 on each of the last two days → 2 × ($0.30 + $0.15) = $0.90.
const main = (days: number) =>
  agentUsage('main', days, (i) => (i >= days - 2 ? { 'claude-sonnet-4-6': { inputTokens: 100_000, outputTokens: 10_000 } } : none), 50_000);
// ops: Haiku 5.5 has no price, so only tokens; one day over its 1,000-token budget.
const ops = (days: number) =>
  agentUsage('ops', days, (i) => (i === days - 1 ? { 'claude-haiku-5-5': { inputTokens: 1500, outputTokens: 200 } } : none), 1000);

function handlers(extra: Record<string, (p: never) => unknown> = {}) {
  return {
    status: () => status({ state: 'running' }),
    'agents.list': () => ({ agents: [agent('main', { default: true, name: 'Main' }), agent('ops', { name: 'Ops', emoji: '🛠' })] }),
    'pairing.list': () => ({ pending: [] }),
    'usage.daily': (p: { days?: number }) => ({ timeZone: 'Europe/Berlin', agents: [main(p.days ?? 7), ops(p.days ?? 7)] }),
    ...extra,
  };
}

describe('usage view', () => {
  afterEach(cleanup);

  it('lists what each agent cost this week as an estimate, with tokens only for a model without a price', async () => {
    await connectFake(handlers(), 'usage');
    render(<UsageView />);
    const heading = await screen.findByRole('heading', { name: /All agents, last 7 days/ });
    expect(heading.textContent).toContain('estimate');
    expect(screen.getByText(/days in Europe\/Berlin time/)).toBeTruthy();
    const table = heading.closest('section')!.querySelector('table')!;
    const row = (name: string) => within(table).getByRole('rowheader', { name }).closest('tr')!;
    expect([...row('Main').querySelectorAll('td')].map((td) => td.textContent)).toEqual(['200,000', '20,000', '$0.90', '50,000 tokens']);
    expect([...row('Ops').querySelectorAll('td')].map((td) => td.textContent)).toEqual(['1,500', '200', 'tokens only', '1,000 tokens']);
    expect([...row('Total').querySelectorAll('td')].map((td) => td.textContent).slice(0, 3)).toEqual([
      '201,500',
      '20,200',
      '$0.90 + 1.7k tokens without a price',
    ]);
    const opsCard = screen.getByRole('article', { name: 'Usage of Ops' });
    expect(within(opsCard).getByText('no price known — tokens only')).toBeTruthy();
    expect(within(opsCard).getByText('claude-haiku-5-5')).toBeTruthy();
  });

  it('draws each agent’s days as an SVG chart with its budget line, and gives screen readers the same numbers as a table', async () => {
    await connectFake(handlers(), 'usage');
    render(<UsageView />);
    const opsCard = await screen.findByRole('article', { name: 'Usage of Ops' });
    const chart = within(opsCard).getByRole('img', { name: /^Ops: tokens per day, last 7 days/ });
    expect(chart.tagName.toLowerCase()).toBe('svg');
    expect(chart.textContent).toContain('daily budget 1,000 tokens, exceeded on 1 day');
    expect(chart.querySelectorAll('.usage-budget line')).toHaveLength(1);
    expect([...chart.querySelectorAll('.usage-day-bar.over')].map((g) => g.getAttribute('data-date'))).toEqual(['2026-12-06']);
    const fallback = within(opsCard).getByRole('table', { name: /^Ops: tokens per day/ });
    const rows = [...fallback.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows).toHaveLength(7);
    expect(rows.at(-1)).toEqual(['2026-12-06', '1500', '200', 'tokens only', 'yes']);
    expect(rows[0]).toEqual(['2026-11-30', '0', '0', '$0.00', 'no']);
    // The bar's input and output parts are in proportion to the tokens.
    const bar = chart.querySelector('[data-date="2026-12-06"]')!;
    const h = (sel: string) => Number(bar.querySelector(sel)!.getAttribute('height'));
    expect(h('.usage-in') / h('.usage-out')).toBeCloseTo(1500 / 200, 1);
  });

  it('switches to 30 days and asks the gateway for them', async () => {
    const transport = await connectFake(handlers(), 'usage');
    render(<UsageView />);
    await screen.findByRole('heading', { name: /last 7 days/ });
    fireEvent.click(screen.getByRole('button', { name: '30 days' }));
    await screen.findByRole('heading', { name: /All agents, last 30 days/ });
    expect(transport.called('usage.daily')).toEqual([{ days: 7 }, { days: 30 }]);
    const mainCard = screen.getByRole('article', { name: 'Usage of Main' });
    expect(
      within(mainCard)
        .getByRole('table', { name: /last 30 days/ })
        .querySelectorAll('tbody tr'),
    ).toHaveLength(30);
  });

  it('re-reads the numbers after a reply goes out', async () => {
    let calls = 0;
    const transport = await connectFake(
      handlers({
        'usage.daily': () => {
          calls++;
          return {
            timeZone: 'Europe/Berlin',
            agents: [
              agentUsage('main', 7, (i) => (i === 6 ? { 'claude-sonnet-4-6': { inputTokens: calls * 1000, outputTokens: 0 } } : none)),
            ],
          };
        },
      }),
      'usage',
    );
    render(<UsageView />);
    const heading = await screen.findByRole('heading', { name: /All agents/ });
    const mainRow = () => within(heading.closest('section')!).getByRole('rowheader', { name: 'Main' }).closest('tr')!;
    expect(mainRow().querySelector('td')!.textContent).toBe('1,000');
    transport.emit('message.outbound', {
      agentId: 'main',
      sessionKey: 'agent:main:main',
      messageId: 'm1',
      channel: 'webchat',
      accountId: 'default',
      text: 'hi',
      incomplete: false,
      usage: { inputTokens: 1000, outputTokens: 0 },
    });
    await waitFor(() => expect(mainRow().querySelector('td')!.textContent).toBe('2,000'), { timeout: 4000 });
  });

  it('says why when the gateway cannot answer', async () => {
    await connectFake(
      handlers({
        'usage.daily': () => {
          throw new ControlError('internal', 'EACCES: permission denied, scandir /home/ann/.switchboard/agents/main/sessions');
        },
      }),
      'usage',
    );
    render(<UsageView />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load usage:');
    expect(alert.textContent).toContain('permission denied');
  });
});
