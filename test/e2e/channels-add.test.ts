// A new user adds a Telegram bot and binds it to a second agent without leaving the dashboard
// (issue "Channels in the app"): real gateway process, real gnome-keyring, the local Telegram Bot
// API peer, Chromium. The token is pasted into a password field, the gateway checks it and shows
// the bot's name, the account appears connected, "Answer with…" binds it to Work, the first sender
// is approved on the same page, and Work answers them on Telegram.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingKeyringTools } from '../helpers/keyring.ts';
import { startTelegramPeer, tg, type PeerBot, type TelegramPeer } from '../peers/telegram.ts';
import { startE2E, type E2E } from './harness.ts';

async function transcriptText(dir: string): Promise<string> {
  const files = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  const texts = await Promise.all(files.filter((f) => f.endsWith('.jsonl')).map((f) => readFile(path.join(dir, f), 'utf8')));
  return texts.join('\n');
}

// The token must land in a keychain; without gnome-keyring there is nowhere to put it.
describe.skipIf(missingKeyringTools.length > 0 && !process.env.CI)(
  'adding a Telegram bot in the dashboard (Chromium, real gateway)',
  () => {
    let telegram: TelegramPeer;
    let bot: PeerBot;
    let e: E2E;
    const carol = tg.user(555_777, 'Carol', 'carol_t');

    beforeAll(async () => {
      telegram = await startTelegramPeer();
      bot = telegram.addBot('family_helper_bot');
      e = await startE2E({
        suite: 'channels-add',
        keyring: true,
        config: (peerUrl) => ({
          models: { anthropic: { baseUrl: peerUrl } },
          agents: {
            list: [
              { id: 'main', default: true, name: 'Main' },
              { id: 'work', name: 'Work', identity: { emoji: '💼' } },
            ],
          },
        }),
      });
    });

    afterAll(async () => {
      await e?.close();
      await telegram?.close();
    });

    it('adds the bot with its token: the gateway names it, and the account comes up connected', async () => {
      const { page } = e;
      await page.goto(e.dashboardUrl);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels' }).click();
      await page.getByRole('button', { name: 'Add an account' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a channel account' });
      const token = dialog.getByLabel('Bot token');
      expect(await token.getAttribute('type')).toBe('password');
      await token.fill(bot.token);
      // The peer stands in for api.telegram.org, as a self-hosted Bot API server would.
      await dialog.getByText('Advanced').click();
      await dialog.getByLabel('API root').fill(telegram.url);
      await dialog.getByRole('button', { name: 'Check token' }).click();
      const check = dialog.getByRole('status', { name: 'Token check' });
      await expect.poll(() => check.textContent(), { timeout: 10_000 }).toContain('Signed in as family_helper_bot');
      // Shown nowhere (the password field holds it until the dialog closes).
      expect(await page.evaluate<string>('document.body.innerText')).not.toContain(bot.token);
      await e.shot('token-checked');

      await dialog.getByRole('button', { name: 'Add account' }).click();
      const row = page.getByRole('listitem', { name: 'Telegram account default' });
      await expect.poll(() => row.getByText('Connected').isVisible(), { timeout: 15_000 }).toBe(true);
      const config = await readFile(e.configPath, 'utf8');
      expect(config).not.toContain(bot.token);
      expect(config).toContain('telegram/default');
      expect(await page.evaluate<string>('document.documentElement.outerHTML')).not.toContain(bot.token);
      await e.shot('account-added');
    });

    it('"Answer with…" binds the account to Work', async () => {
      const { page } = e;
      await page.getByRole('button', { name: 'Answer Telegram account default with…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Answer Telegram account default with…' });
      await dialog.getByLabel('Agent').selectOption('work');
      await e.shot('answer-with');
      await dialog.getByRole('button', { name: 'Answer with this agent' }).click();
      const row = page.getByRole('listitem', { name: 'Telegram account default' });
      await expect.poll(() => row.getByRole('link', { name: /Agent Work/ }).isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await row.getByRole('link', { name: /Agent Main/ }).count()).toBe(0);
      await e.shot('bound');
    });

    it('the first sender is approved on the same page and Work answers them on Telegram', async () => {
      const { page } = e;
      await bot.waitForPoll();
      bot.message(tg.text(tg.privateChat(carol), carol, 'hello bot'));
      const approve = page.getByRole('button', { name: 'Approve Carol on Telegram (default)' });
      await expect.poll(() => approve.isVisible(), { timeout: 15_000 }).toBe(true);
      await approve.click();
      await expect.poll(() => page.getByRole('heading', { name: 'No one is waiting' }).isVisible(), { timeout: 10_000 }).toBe(true);

      bot.message(tg.text(tg.privateChat(carol), carol, 'which agent is this?'));
      await expect.poll(() => bot.sent.map((m) => m.text), { timeout: 15_000 }).toContain('echo: which agent is this?');
      expect(await transcriptText(path.join(e.stateDir, 'agents', 'work', 'sessions'))).toContain('which agent is this?');
      expect(await transcriptText(path.join(e.stateDir, 'agents', 'main', 'sessions'))).not.toContain('which agent is this?');
      await page.getByRole('listitem', { name: 'Telegram account default' }).getByText('Last message').waitFor();
      await e.shot('answered');
    });
  },
);
