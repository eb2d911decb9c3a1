// Issue 20's "done when" as one run, at 800×600 and at 1440×900 (a fresh gateway each): a new user
// adds a Telegram bot and binds it to a second agent without leaving the dashboard, changes that
// agent's model in two clicks, starts a second chat, sees what each agent cost this week as a chart
// and reads the logs. Real gateway process, real gnome-keyring, the local Telegram and Anthropic
// peers, Chromium. Every step saves a screenshot and checks that the page does not scroll sideways.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDate } from '../../src-main/gateway/usage-ledger.ts';
import { missingKeyringTools } from '../helpers/keyring.ts';
import type { RecordedRequest } from '../peers/anthropic.ts';
import { startTelegramPeer, tg, type PeerBot, type TelegramPeer } from '../peers/telegram.ts';
import { startE2E, type E2E } from './harness.ts';

type Tokens = { inputTokens: number; outputTokens: number };

/** Tokens per local day that the transcripts on disk record for `agentId` (a fresh state dir: all from this run). */
async function usageOnDisk(stateDir: string, agentId: string): Promise<Record<string, Tokens>> {
  const dir = path.join(stateDir, 'agents', agentId, 'sessions');
  const byDay: Record<string, Tokens> = {};
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.jsonl'));
  for (const name of files) {
    for (const line of (await readFile(path.join(dir, name), 'utf8')).split('\n').filter(Boolean)) {
      const rec = JSON.parse(line) as { ts: string; usage?: Tokens };
      if (!rec.usage) continue;
      const day = (byDay[localDate(new Date(rec.ts))] ??= { inputTokens: 0, outputTokens: 0 });
      day.inputTokens += rec.usage.inputTokens;
      day.outputTokens += rec.usage.outputTokens;
    }
  }
  return byDay;
}

/** The model request that carried `text` (the peer records every request). */
const requestWith = (reqs: RecordedRequest[], text: string) => reqs.filter((r) => JSON.stringify(r.body?.messages ?? []).includes(text));
const systemOf = (r: RecordedRequest) => JSON.stringify(r.body?.system ?? '');

/**
 * The page's scroll and client width, and (to name the culprit in a failure) the innermost elements
 * whose box reaches past the right edge. A string: the tests are typed for Node, this runs in the page.
 */
const PAGE_WIDTH = `(() => {
  const root = document.documentElement;
  const client = root.clientWidth;
  const main = document.querySelector('main');
  const edge = Math.min(client, main ? main.getBoundingClientRect().left + main.clientWidth : client) + 0.5;
  const beyond = (el) => el.getBoundingClientRect().right > edge;
  const past = [...document.body.querySelectorAll('*')]
    .filter((el) => beyond(el) && ![...el.children].some(beyond))
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' → ' + Math.round(el.getBoundingClientRect().right) + ' px');
  return { scroll: root.scrollWidth, client, past, mainScroll: main ? main.scrollWidth : 0, mainClient: main ? main.clientWidth : 0 };
})()`;

const SIZES = [
  { width: 800, height: 600 },
  { width: 1440, height: 900 },
];

// The bot token must land in a keychain; without gnome-keyring there is nowhere to put it.
describe.skipIf(missingKeyringTools.length > 0 && !process.env.CI)('the dashboard journey (Chromium, real gateway, Telegram peer)', () => {
  it.each(SIZES)(
    'adds a bot, binds it, changes a model, chats, reads usage and logs at $width×$height',
    { timeout: 300_000 },
    async (size) => {
      const telegram: TelegramPeer = await startTelegramPeer();
      let e: E2E | undefined;
      try {
        const bot: PeerBot = telegram.addBot('family_helper_bot');
        e = await startE2E({
          suite: `dashboard-journey-${size.width}x${size.height}`,
          viewport: size,
          keyring: true,
          // "turn done" is an info line; the harness logs at warn.
          env: { SWITCHBOARD_LOG_LEVEL: 'info' },
          config: (peerUrl) => ({
            models: { anthropic: { baseUrl: peerUrl } },
            agents: {
              list: [
                { id: 'main', default: true, name: 'Main', model: 'claude-sonnet-4-6' },
                { id: 'work', name: 'Work', identity: { emoji: '💼' }, model: 'claude-sonnet-4-6' },
              ],
            },
          }),
        });
        await journey(e, telegram, bot);
      } catch (err) {
        await e?.shot('failed').catch(() => undefined);
        throw new Error(`${(err as Error).message}\n--- gateway output ---\n${e?.output() ?? ''}`, { cause: err });
      } finally {
        await e?.close();
        await telegram.close();
      }
    },
  );
});

async function journey(e: E2E, telegram: TelegramPeer, bot: PeerBot): Promise<void> {
  const { page } = e;
  const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
  const carol = tg.user(555_777, 'Carol', 'carol_t');
  const fromCarol = (text: string) => bot.message(tg.text(tg.privateChat(carol), carol, text));
  /** A screenshot, and the page must not scroll sideways (soft: the run goes on and names every page that does). */
  const step = async (name: string) => {
    await e.shot(name);
    const w = await page.evaluate<{ scroll: number; client: number; past: string[]; mainScroll: number; mainClient: number }>(PAGE_WIDTH);
    const at = `at ${page.viewportSize()?.width} px; past the edge: ${w.past.join(', ')}`;
    expect.soft(w.scroll, `"${name}": the page scrolls sideways ${at}`).toBeLessThanOrEqual(w.client);
    // The shell's main area scrolls by itself: a view wider than it would scroll there instead.
    expect.soft(w.mainScroll, `"${name}": the main area scrolls sideways ${at}`).toBeLessThanOrEqual(w.mainClient);
  };

  await page.goto(e.dashboardUrl);
  await page.getByRole('article', { name: 'Agent Work' }).waitFor({ timeout: 15_000 });
  await step('overview');

  // Channels → Add an account: Telegram, the token, Check, Add.
  await nav('Channels');
  await page.getByRole('button', { name: 'Add an account' }).click();
  const add = page.getByRole('dialog', { name: 'Add a channel account' });
  await add.getByLabel('Bot token').fill(bot.token);
  // The peer stands in for api.telegram.org, as a self-hosted Bot API server would.
  await add.getByText('Advanced').click();
  await add.getByLabel('API root').fill(telegram.url);
  await add.getByRole('button', { name: 'Check token' }).click();
  await poll(() => add.getByRole('status', { name: 'Token check' }).textContent()).toContain('Signed in as family_helper_bot');
  await step('token-checked');
  await add.getByRole('button', { name: 'Add account' }).click();
  const account = page.getByRole('listitem', { name: 'Telegram account default' });
  await poll(() => account.getByText('Connected').isVisible()).toBe(true);
  expect(await readFile(e.configPath, 'utf8')).not.toContain(bot.token);
  await step('account-added');

  // Answer with… the second agent.
  await page.getByRole('button', { name: 'Answer Telegram account default with…' }).click();
  const answerWith = page.getByRole('dialog', { name: 'Answer Telegram account default with…' });
  await answerWith.getByLabel('Agent').selectOption('work');
  await step('answer-with');
  await answerWith.getByRole('button', { name: 'Answer with this agent' }).click();
  await poll(() => account.getByRole('link', { name: /Agent Work/ }).isVisible()).toBe(true);
  await step('bound-to-work');

  // A message from Telegram: the first sender is approved on the same page, then Work answers.
  await bot.waitForPoll();
  fromCarol('hello bot');
  const approve = page.getByRole('button', { name: 'Approve Carol on Telegram (default)' });
  await poll(() => approve.isVisible()).toBe(true);
  await step('pairing-request');
  await approve.click();
  fromCarol('which agent is this?');
  await poll(() => bot.sent.map((m) => m.text)).toContain('echo: which agent is this?');
  const asked = requestWith(e.peer.requests, 'which agent is this?');
  expect(asked).toHaveLength(1);
  expect(systemOf(asked[0]!)).toContain('agent id \\"work\\"');
  expect(asked[0]!.body?.model).toBe('claude-sonnet-4-6');
  await page.getByRole('listitem', { name: 'Telegram account default' }).getByText('Last message').waitFor();
  await step('answered-by-work');

  // Work's page: the model in two clicks; the next Telegram turn asks the peer for it.
  await nav('Agents');
  await page.getByRole('button', { name: 'Open Work' }).click();
  const model = page.getByRole('region', { name: 'Model' });
  await poll(() => model.getByLabel('Model chain').innerText()).toContain('claude-sonnet-4-6');
  await step('agent-page');
  await model.getByRole('radio', { name: 'claude-haiku-5-5' }).click();
  await model.getByRole('button', { name: 'Save model' }).click();
  await poll(() => model.getByRole('status').innerText()).toBe('Saved.');
  fromCarol('and which model now?');
  await poll(() => bot.sent.map((m) => m.text)).toContain('echo: and which model now?');
  const next = requestWith(e.peer.requests, 'and which model now?');
  expect(next.map((r) => r.body?.model)).toEqual(['claude-haiku-5-5']);
  expect(systemOf(next[0]!)).toContain('agent id \\"work\\"');
  await step('model-changed');

  // Chats: a chat with Main, then New chat — a second chat, separate from the first.
  await nav('Chats');
  await page
    .getByRole('navigation', { name: 'Agents' })
    .getByRole('button', { name: /^Main, / })
    .click();
  const sessions = page.getByRole('region', { name: 'Sessions of Main' });
  const composer = page.getByRole('textbox', { name: 'Message Main' });
  const reply = (text: string) => page.getByRole('group', { name: 'Reply from Main' }).getByText(`echo: ${text}`);
  await composer.fill('plan the week');
  await composer.press('Enter');
  await reply('plan the week').waitFor({ timeout: 15_000 });
  await step('first-chat');
  const firstChat = page.url();
  await sessions.getByRole('button', { name: '+ New chat' }).click();
  await poll(() => page.url() !== firstChat).toBe(true);
  await page.getByText('No messages yet').waitFor();
  await composer.fill('recipe ideas');
  await composer.press('Enter');
  await reply('recipe ideas').waitFor({ timeout: 15_000 });
  expect(await reply('plan the week').count()).toBe(0);
  // The second chat's model call carried only its own message.
  expect(JSON.stringify(requestWith(e.peer.requests, 'recipe ideas')[0]!.body?.messages)).not.toContain('plan the week');
  await sessions.getByRole('button', { name: /^recipe ideas, 2 messages/ }).waitFor({ timeout: 10_000 });
  await poll(() => sessions.getByRole('button', { name: /, 2 messages/ }).count()).toBe(2);
  await step('second-chat');

  // Usage: a chart per agent, its days' numbers those the transcripts record.
  await nav('Usage');
  await page.getByRole('heading', { name: /All agents, last 7 days/ }).waitFor({ timeout: 15_000 });
  for (const [id, name] of [
    ['main', 'Main'],
    ['work', 'Work'],
  ] as const) {
    const days = Object.entries(await usageOnDisk(e.stateDir, id));
    expect(days.length, `${name} has usage on disk`).toBeGreaterThan(0);
    const card = page.getByRole('article', { name: `Usage of ${name}` });
    const chart = card.getByRole('img', { name: new RegExp(`^${name}: tokens per day, last 7 days`) });
    expect(await chart.evaluate((el) => el.tagName.toLowerCase())).toBe('svg');
    for (const [date, t] of days) {
      expect(Number(await chart.locator(`[data-date="${date}"] rect`).first().getAttribute('height'))).toBeGreaterThan(0);
      const row = card
        .getByRole('table', { name: new RegExp(`^${name}: tokens per day`) })
        .getByRole('row', { name: new RegExp(`^${date}`) });
      expect((await row.locator('td').allTextContents()).slice(0, 2)).toEqual([String(t.inputTokens), String(t.outputTokens)]);
    }
    await card.scrollIntoViewIfNeeded();
    await step(`usage-${id}`);
  }

  // Logs: a live line appears for a turn that happens while the view is open.
  await nav('Logs');
  await page.getByRole('heading', { name: 'Logs' }).waitFor();
  const workTurns = async () =>
    (await page.getByRole('list', { name: 'Log lines' }).getByRole('listitem').allInnerTexts()).filter(
      (l) => l.includes('turn done') && l.includes('agent=work'),
    ).length;
  await poll(workTurns).toBeGreaterThan(0);
  const before = await workTurns();
  fromCarol('one more, for the logs');
  await poll(workTurns).toBe(before + 1);
  await step('logs-live');
}
