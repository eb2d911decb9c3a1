// The Channels and Settings views against a real gateway: a Telegram account on the local Bot API
// peer with DM pairing. A stranger's DM shows up live as a pairing request, Approve lets them in
// (their next message is answered), Probe shows the bot's identity; Settings shows the paths and
// the keychain, manages an agent's API key in a real gnome-keyring, and switches the theme.
// WhatsApp cannot be reached from here, so for linking the test plays WhatsApp's part on the
// control socket (QR events, then the login result) to check the browser draws the live QR codes.
import type { WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramPeer, tg, type PeerBot, type TelegramPeer } from '../peers/telegram.ts';
import { startE2E, type E2E } from './harness.ts';

describe('channels and settings (Chromium, real gateway, Telegram peer)', () => {
  let telegram: TelegramPeer;
  let bot: PeerBot;
  let e: E2E;
  const bob = tg.user(222_333, 'Bob', 'bob_k');

  beforeAll(async () => {
    telegram = await startTelegramPeer();
    bot = telegram.addBot('home_bot');
    e = await startE2E({
      suite: 'channels',
      keyring: true,
      env: { SB_E2E_TELEGRAM_TOKEN: bot.token },
      config: (peerUrl) => ({
        models: { anthropic: { baseUrl: peerUrl } },
        agents: {
          list: [
            { id: 'home', default: true, name: 'Home', identity: { emoji: '🏠' } },
            { id: 'work', name: 'Work' },
          ],
        },
        channels: {
          telegram: { apiRoot: telegram.url, dmPolicy: 'pairing', accounts: { default: { botToken: { env: 'SB_E2E_TELEGRAM_TOKEN' } } } },
          whatsapp: { accounts: { personal: {} } },
        },
      }),
    });
  });

  afterAll(async () => {
    await e?.close();
    await telegram?.close();
  });

  it('lists the Telegram account with its live state and an empty pairing list', async () => {
    const { page } = e;
    await page.goto(e.dashboardUrl);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels' }).click();
    const row = page.getByRole('listitem', { name: 'Telegram account default' });
    await expect.poll(() => row.getByText('Connected').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByRole('heading', { name: 'No one is waiting' }).isVisible()).toBe(true);
    // The DM policy comes from config.get, which loads alongside.
    await expect.poll(() => row.getByText('DMs: pairing').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await row.getByRole('link', { name: /Agent Home/ }).isVisible()).toBe(true);
    await e.shot('accounts');
  });

  it("shows a stranger's pairing request live, with a countdown", async () => {
    await bot.waitForPoll();
    bot.message(tg.text(tg.privateChat(bob), bob, 'hello, can I talk to you?'));
    const approve = e.page.getByRole('button', { name: 'Approve Bob on Telegram (default)' });
    await expect.poll(() => approve.isVisible(), { timeout: 15_000 }).toBe(true);
    // The bot told Bob his code; the dashboard shows the same one.
    await expect.poll(() => bot.sent.length).toBe(1);
    const code = /pairing code: ([A-Z0-9]+)/i.exec(bot.sent[0]!.text)?.[1];
    expect(code).toBeTruthy();
    const table = e.page.getByRole('table', { name: 'Pending pairing requests' });
    expect(await table.getByText(code!).isVisible()).toBe(true);
    expect(await table.getByText(/^(59|60):\d\d$/).isVisible()).toBe(true);
    await e.shot('pairing-request');
  });

  it('approves the request: it disappears and the sender is answered from then on', async () => {
    await e.page.getByRole('button', { name: 'Approve Bob on Telegram (default)' }).click();
    await expect.poll(() => e.page.getByRole('heading', { name: 'No one is waiting' }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await e.page.getByLabel('Approved in this session').getByText('Bob').isVisible()).toBe(true);
    expect(
      await e.page
        .getByText(/Approved Bob on Telegram/)
        .first()
        .isVisible(),
    ).toBe(true);
    await e.shot('approved');
    bot.message(tg.text(tg.privateChat(bob), bob, 'am I in now?'));
    await expect.poll(() => bot.sent.map((m) => m.text), { timeout: 15_000 }).toContain('echo: am I in now?');
  });

  it('probes the account and shows the bot it signs in as', async () => {
    await e.page.getByRole('button', { name: 'Probe Telegram account default' }).click();
    const result = e.page.getByRole('status', { name: 'Probe result for Telegram account default' });
    await expect.poll(() => result.textContent(), { timeout: 10_000 }).toContain('signed in as @home_bot');
    await e.shot('probed');
  });

  it('settings: shows the paths and the keychain, adds, tests and removes an API key', async () => {
    const { page } = e;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await expect.poll(() => page.getByText(e.configPath, { exact: true }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByText(e.stateDir, { exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Copy the config file path' }).isVisible()).toBe(true);
    const keychain = page.getByRole('region', { name: 'Keychain' });
    await expect.poll(() => keychain.getByText('available', { exact: true }).isVisible(), { timeout: 10_000 }).toBe(true);
    const home = page.getByRole('group', { name: 'API keys of Home' });
    await expect.poll(() => home.getByText('No key of its own', { exact: false }).isVisible(), { timeout: 10_000 }).toBe(true);
    await e.shot('settings');

    await home.getByRole('button', { name: 'Add an API key for Home' }).click();
    await page.getByRole('textbox', { name: 'API key' }).fill('sk-ant-e2e-settings-key');
    await e.shot('add-key');
    await page.getByRole('button', { name: 'Save key' }).click();
    const row = home.getByRole('row', { name: /added in the dashboard/ });
    await expect.poll(() => row.isVisible(), { timeout: 10_000 }).toBe(true);

    await home.getByRole('button', { name: /^Test key added in the dashboard of Home$/ }).click();
    await expect.poll(() => row.getByRole('status').textContent(), { timeout: 15_000 }).toContain('Works');
    await e.shot('key-tested');

    await home.getByRole('button', { name: /^Remove key added in the dashboard of Home$/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove this API key?' });
    expect(await dialog.isVisible()).toBe(true);
    await e.shot('remove-key-confirm');
    await dialog.getByRole('button', { name: 'Remove key' }).click();
    await expect.poll(() => home.getByText('No key of its own', { exact: false }).isVisible(), { timeout: 10_000 }).toBe(true);
  });

  it('switches to the dark theme at once, and back', async () => {
    const { page } = e;
    await page.getByRole('group', { name: 'Theme' }).getByRole('button', { name: 'Dark' }).click();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await page.waitForTimeout(300); // let the buttons' colour transition finish before the picture
    await e.shot('settings-dark');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels' }).click();
    await expect.poll(() => page.getByRole('listitem', { name: 'Telegram account default' }).isVisible()).toBe(true);
    await page.waitForTimeout(300);
    await e.shot('channels-dark');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('group', { name: 'Theme' }).getByRole('button', { name: 'Light' }).click();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('light');
  });

  it('links WhatsApp: draws each QR code as it arrives, then says linked', async () => {
    const { page } = e;
    let toPage: WebSocketRoute | undefined;
    let loginId: string | number | undefined;
    await page.routeWebSocket(/\/control$/, (ws) => {
      const server = ws.connectToServer();
      toPage = ws;
      ws.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { type: string; id?: string | number; method?: string };
        if (frame.type === 'req' && frame.method === 'channels.login') loginId = frame.id;
        else server.send(message);
      });
    });
    const qr = (code: string) =>
      toPage!.send(JSON.stringify({ type: 'event', event: 'channel.qr', data: { channel: 'whatsapp', accountId: 'personal', qr: code } }));
    // A new socket goes through the route: reload (the token stays in this tab's sessionStorage).
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'Link a device to WhatsApp account personal' }).click();
    const dialog = page.getByRole('dialog', { name: 'Link WhatsApp account “personal”' });
    await expect.poll(() => loginId, { timeout: 10_000 }).toBeDefined();
    expect(await dialog.getByText('Settings → Linked devices → Link a device').isVisible()).toBe(true);

    qr('2@e2e-first-code,AbCdEf0123456789==,GhIjKl0123456789==,MnOpQr0123456789==');
    const img = dialog.getByRole('img', { name: 'QR code to link WhatsApp account personal' });
    await expect.poll(() => img.isVisible(), { timeout: 10_000 }).toBe(true);
    const first = await img.getAttribute('src');
    expect(first).toMatch(/^data:image\/svg\+xml/);
    expect(await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(100);
    await page.waitForTimeout(200);
    await e.shot('whatsapp-qr');

    qr('2@e2e-second-code,ZyXwVu9876543210==,TsRqPo9876543210==,NmLkJi9876543210==');
    await expect.poll(() => img.getAttribute('src'), { timeout: 10_000 }).not.toBe(first);

    toPage!.send(
      JSON.stringify({
        type: 'res',
        id: loginId,
        ok: true,
        result: { channel: 'whatsapp', accountId: 'personal', phone: '+15551230001', alreadyLinked: false },
      }),
    );
    await expect.poll(() => dialog.getByRole('heading', { name: 'Linked' }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await dialog.getByText('+15551230001').isVisible()).toBe(true);
    await e.shot('whatsapp-linked');
    await dialog.getByRole('button', { name: 'Done' }).click();
    expect(await dialog.isVisible()).toBe(false);
  });
});
