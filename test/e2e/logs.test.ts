// The Logs view in Chromium against a real `switchboard gateway` process (issue 20): live lines
// appear after a message, the level and agent filters work, and neither the page nor the copied or
// downloaded diagnostics bundle holds the bot token in the config or the API key in the keychain.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlEvents, ControlMethods } from '../../src-shared/protocol/methods.ts';
import { connectControl, type ControlClient } from '../../src-main/control/ws-client.ts';
import { startE2E, type E2E } from './harness.ts';

// Real-looking: a Telegram bot token written into the config file, an Anthropic key stored in the keychain.
const TG_TOKEN = '7281934650:AAHk3m9Qx2Lp8Zr4Vt6Wy1Bn5Cd7Ef0Gh2Ij';
const KEYCHAIN_KEY = 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-dcbaAA';
const SECRETS = [TG_TOKEN, TG_TOKEN.split(':')[1]!, KEYCHAIN_KEY, KEYCHAIN_KEY.slice(-20)];

describe('Logs view (Chromium, real gateway)', () => {
  let e: E2E;
  let control: ControlClient<ControlMethods, ControlEvents>;
  const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });
  const lines = () => e.page.getByRole('list', { name: 'Log lines' }).getByRole('listitem').allInnerTexts();
  const pageText = () => e.page.locator('body').innerText();

  beforeAll(async () => {
    e = await startE2E({
      suite: 'logs',
      keyring: true,
      // The harness logs at warn; a turn's "turn done" is an info line.
      env: { SWITCHBOARD_LOG_LEVEL: 'info' },
      config: (peerUrl) => ({
        models: { anthropic: { baseUrl: peerUrl } },
        agents: { list: [{ id: 'main', default: true }, { id: 'ops' }] },
        // Disabled, so nothing dials Telegram; the plaintext token is still in the file.
        channels: { telegram: { accounts: { home: { botToken: TG_TOKEN, enabled: false } } } },
      }),
    });
    control = await connectControl<ControlMethods, ControlEvents>(`ws://127.0.0.1:${e.port}/control`, e.token, { timeoutMs: 5000 });
    await control.request('auth.add', { agentId: 'main', apiKey: KEYCHAIN_KEY });
  });
  afterAll(async () => {
    control?.close();
    await e?.close();
  });

  it('shows live lines after a message, in the view that is open', async () => {
    await e.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${e.port}` });
    await e.page.goto(e.dashboardUrl);
    await e.page.getByRole('link', { name: 'Logs' }).click();
    await poll(() => e.page.getByRole('heading', { name: 'Logs' }).isVisible()).toBe(true);
    // The start-up warning about the plaintext token is already in the tail (by path, never by value).
    await poll(async () => (await lines()).some((l) => l.includes('plaintext secrets in the config'))).toBe(true);
    expect((await lines()).some((l) => l.includes('turn done'))).toBe(false);

    const sent = await control.request('webchat.send', { agentId: 'main', text: 'hello from the logs test' });
    expect(sent.agentId).toBe('main');
    await poll(async () => (await lines()).some((l) => l.includes('turn done') && l.includes('agent=main'))).toBe(true);
    expect(e.peer.requests.at(-1)!.apiKey).toBe(KEYCHAIN_KEY); // the keychain key really served the turn
    await e.shot('live-after-message');
  });

  it('filters by agent and by level', async () => {
    await e.page.getByRole('combobox', { name: 'Agent' }).selectOption('ops');
    await poll(async () => (await lines()).length).toBe(0);
    await poll(() => e.page.getByText('No log lines match these filters yet.').isVisible()).toBe(true);
    await e.page.getByRole('combobox', { name: 'Agent' }).selectOption('main');
    await poll(async () => (await lines()).some((l) => l.includes('turn done'))).toBe(true);
    expect((await lines()).every((l) => l.includes('agent=main'))).toBe(true);

    await e.page.getByRole('combobox', { name: 'Agent' }).selectOption('');
    await e.page.getByRole('group', { name: 'Lowest level' }).getByRole('button', { name: 'Warn' }).click();
    await poll(async () => (await lines()).some((l) => l.includes('turn done'))).toBe(false);
    const warnOrWorse = await lines();
    expect(warnOrWorse.length).toBeGreaterThan(0);
    expect(warnOrWorse.every((l) => /\b(WARN|ERROR)\b/.test(l))).toBe(true);
    await e.shot('filtered-warn');
    await e.page.getByRole('group', { name: 'Lowest level' }).getByRole('button', { name: 'Info' }).click();
    await poll(async () => (await lines()).some((l) => l.includes('turn done'))).toBe(true);
  });

  it('Copy diagnostics copies a bundle with the log and no secret; the page shows none either', async () => {
    await e.page.getByRole('button', { name: 'Copy diagnostics' }).click();
    await poll(() => e.page.getByText('Diagnostics copied').isVisible()).toBe(true);
    const copied = await e.page.evaluate<string>('navigator.clipboard.readText()');
    const bundle = JSON.parse(copied) as { format: string; logs: { entries: { msg: string }[] }; status: { state: string } };
    expect(bundle.format).toBe('switchboard.diagnostics');
    expect(bundle.status.state).toBe('running');
    expect(bundle.logs.entries.map((x) => x.msg)).toContain('turn done');
    for (const secret of SECRETS) {
      expect(copied).not.toContain(secret);
      expect(await pageText()).not.toContain(secret);
    }
    // The token is really in the config file: the masking, not its absence, keeps it out.
    expect(await readFile(e.configPath, 'utf8')).toContain(TG_TOKEN);
  });

  it('Download diagnostics saves the same redacted bundle as a file', async () => {
    const [download] = await Promise.all([
      e.page.waitForEvent('download'),
      e.page.getByRole('button', { name: 'Download diagnostics' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^switchboard-diagnostics-.*\.json$/);
    const text = await readFile((await download.path())!, 'utf8');
    expect(JSON.parse(text)).toMatchObject({ format: 'switchboard.diagnostics' });
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    await e.shot('after-diagnostics');
  });
});
