// The Usage page in Chromium against a real gateway process: after a few turns answered by the
// local Anthropic peer, the page shows each agent's tokens and estimated cost this week as a chart
// with its budget line, and the numbers are the ones the transcripts on disk record.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectControl, type ControlClient } from '../../src-main/control/ws-client.ts';
import { localDate } from '../../src-main/gateway/usage-ledger.ts';
import type { ControlEvents, ControlMethods } from '../../src-shared/protocol/methods.ts';
import { startE2E, type E2E } from './harness.ts';

type Tokens = { inputTokens: number; outputTokens: number };

/** What the transcripts on disk record for `agentId` (a fresh state dir: every record is from this run, so within the week). */
async function onDisk(stateDir: string, agentId: string): Promise<Tokens & { byDay: Record<string, Tokens> }> {
  const dir = path.join(stateDir, 'agents', agentId, 'sessions');
  const sum = { inputTokens: 0, outputTokens: 0, byDay: {} as Record<string, Tokens> };
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of (await readFile(path.join(dir, name), 'utf8')).split('\n').filter(Boolean)) {
      const rec = JSON.parse(line) as { ts: string; usage?: Tokens };
      if (!rec.usage) continue;
      const day = (sum.byDay[localDate(new Date(rec.ts))] ??= { inputTokens: 0, outputTokens: 0 });
      for (const t of [sum, day]) {
        t.inputTokens += rec.usage.inputTokens;
        t.outputTokens += rec.usage.outputTokens;
      }
    }
  }
  return sum;
}

/** The page's dollar format: four decimals under a cent, so a small day is not $0.00. */
const usd = (x: number) => (x < 0.01 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`);
const n = (x: number) => x.toLocaleString('en-US');

describe('usage page (Chromium, real gateway, Anthropic peer)', () => {
  let e: E2E;
  let control: ControlClient<ControlMethods, ControlEvents>;

  const answered = new Set<string>();
  const waiting = new Map<string, () => void>();

  /** Sends `text` to `agentId` in its web chat and waits for the reply to go out. */
  async function turn(agentId: string, text: string): Promise<void> {
    const { messageId } = await control.request('webchat.send', { agentId, text });
    if (!answered.has(messageId)) await new Promise<void>((resolve) => waiting.set(messageId, resolve));
  }

  beforeAll(async () => {
    e = await startE2E({
      suite: 'usage',
      config: (peerUrl) => ({
        models: { anthropic: { baseUrl: peerUrl } },
        agents: {
          list: [
            { id: 'main', default: true, name: 'Main', model: 'claude-sonnet-4-6', limits: { dailyTokens: 4000 } },
            { id: 'ops', name: 'Ops', model: 'claude-haiku-5-5' },
          ],
        },
      }),
    });
    control = await connectControl<ControlMethods, ControlEvents>(`ws://127.0.0.1:${e.port}/control`, e.token);
    control.on('message.outbound', (d) => {
      answered.add(d.messageId);
      waiting.get(d.messageId)?.();
    });
    await turn('main', 'Good morning! What is on the plan for today?');
    e.peer.enqueue({ kind: 'tool_use', name: 'session_status', input: {} }, { kind: 'text', text: 'Everything is running.' });
    await turn('main', 'How are you doing?');
    await turn('main', 'Thanks. '.repeat(40));
    await turn('ops', 'Any alerts overnight?');
  });

  afterAll(async () => {
    control?.close();
    await e?.close();
  });

  it('shows what each agent cost this week, the numbers matching the transcripts', async () => {
    const { page } = e;
    await page.goto(e.dashboardUrl);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage' }).click();
    const summary = page.getByRole('heading', { name: /All agents, last 7 days/ });
    await summary.waitFor({ timeout: 15_000 });
    expect(await summary.textContent()).toContain('estimate');

    const main = await onDisk(e.stateDir, 'main');
    const ops = await onDisk(e.stateDir, 'ops');
    expect(main.outputTokens).toBeGreaterThan(0);
    const cells = (name: string) =>
      page
        .locator('section', { has: summary })
        .getByRole('row', { name: new RegExp(`^${name}\\b`) })
        .locator('td')
        .allTextContents();
    // Sonnet 4.6 at $3 in / $15 out per million tokens; Haiku 5.5 has no price: tokens only.
    expect(await cells('Main')).toEqual([
      n(main.inputTokens),
      n(main.outputTokens),
      usd((main.inputTokens * 3 + main.outputTokens * 15) / 1e6),
      '4,000 tokens',
    ]);
    expect(await cells('Ops')).toEqual([n(ops.inputTokens), n(ops.outputTokens), 'tokens only', '—']);

    const card = page.getByRole('article', { name: 'Usage of Main' });
    const chart = card.getByRole('img', { name: /^Main: tokens per day, last 7 days/ });
    expect(await chart.evaluate((el) => el.tagName.toLowerCase())).toBe('svg');
    expect(await chart.locator('.usage-budget line').count()).toBe(1);
    // Each day with usage has its bar, and the screen-reader table under the chart gives its numbers.
    const days = Object.entries(main.byDay);
    expect(days.length).toBeGreaterThan(0);
    for (const [date, t] of days) {
      const bar = chart.locator(`[data-date="${date}"] rect`);
      expect(await bar.count()).toBe(2);
      expect(Number(await bar.first().getAttribute('height'))).toBeGreaterThan(0);
      const row = card.getByRole('table', { name: /^Main: tokens per day/ }).getByRole('row', { name: new RegExp(`^${date}`) });
      expect((await row.locator('td').allTextContents()).slice(0, 2)).toEqual([String(t.inputTokens), String(t.outputTokens)]);
    }
    await card.scrollIntoViewIfNeeded();
    await e.shot('week');
  });

  it('switches to 30 days', async () => {
    const { page } = e;
    await page.getByRole('button', { name: '30 days' }).click();
    await page.getByRole('heading', { name: /All agents, last 30 days/ }).waitFor();
    const table = page.getByRole('article', { name: 'Usage of Ops' }).getByRole('table', { name: /last 30 days/ });
    expect(await table.locator('tbody tr').count()).toBe(30);
    await page.getByRole('heading', { name: /All agents/ }).scrollIntoViewIfNeeded();
    await e.shot('month');
  });

  it("draws the week on each agent's overview card", async () => {
    const { page } = e;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
    const card = page.getByRole('article', { name: 'Agent Main' });
    await card.getByRole('img', { name: /^Main: tokens per day, last 7 days/ }).waitFor({ timeout: 10_000 });
    expect(await card.getByText(/tokens · ≈ \$\d+\.\d+ \(estimate\)/).isVisible()).toBe(true);
    await e.shot('overview-card');
  });
});
