// The dashboard issue's "done when", as one run a newcomer would make: open the printed address,
// create a second agent with the wizard, bind it, test a route, and chat with both agents.
// Chromium against a real `switchboard gateway` and the local Anthropic peer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './harness.ts';

describe("a newcomer's first session (Chromium, real gateway)", () => {
  let e: E2E;
  const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });

  beforeAll(async () => {
    e = await startE2E({
      suite: 'journey',
      config: (peer) => ({
        models: { anthropic: { baseUrl: peer } },
        // The account the new agent is bound to; disabled, so nothing tries to reach Telegram.
        channels: {
          telegram: { accounts: { alerts: { name: 'Alerts bot', botToken: { env: 'SWITCHBOARD_E2E_NO_TOKEN' }, enabled: false } } },
        },
      }),
    });
  });
  afterAll(async () => {
    await e?.close();
  });

  it('creates a second agent and binds it to the Telegram account', async () => {
    const page = e.page;
    await page.goto(e.dashboardUrl);
    await page.getByRole('article', { name: 'Agent main' }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'New agent' }).click();
    await page.getByLabel('Agent id').fill('helper');
    await page.getByLabel('Name').fill('Helper');
    await page.getByRole('button', { name: 'Next' }).click(); // → Model
    await page.getByRole('heading', { name: 'Model' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click(); // → Workspace
    await page.getByRole('heading', { name: 'Workspace' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click(); // → Credentials
    await page.getByRole('heading', { name: 'Credentials' }).waitFor();
    await page.getByRole('radio', { name: /Skip for now/ }).check(); // the gateway has ANTHROPIC_API_KEY
    await page.getByRole('button', { name: 'Next' }).click(); // → Channels
    await page.getByRole('heading', { name: 'Channels' }).waitFor();
    await page.getByRole('button', { name: '+ Add a binding' }).click();
    await e.shot('wizard-binding');
    await page.getByRole('button', { name: 'Next' }).click(); // → Tools
    await page.getByRole('heading', { name: 'Tools' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click(); // → Review
    await page.getByRole('heading', { name: 'Review' }).waitFor();
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: 'Helper is ready' }).waitFor({ timeout: 15_000 });
    await e.shot('created');
  });

  it('tests a route: a Telegram message to that account goes to the new agent', async () => {
    const page = e.page;
    await page.getByRole('link', { name: 'Bindings' }).click();
    const tester = page.getByRole('region', { name: 'Route tester' });
    await tester.getByLabel('Channel', { exact: true }).selectOption('telegram');
    await tester.getByLabel('Account', { exact: true }).fill('alerts');
    const decision = page.getByRole('region', { name: 'Route decision' });
    await poll(() => decision.innerText()).toContain('Helper');
    expect(await decision.getByTestId('session-key').innerText()).toBe('agent:helper:main');
    // Any other account falls back to the default agent, and the tester says so.
    await tester.getByLabel('Account', { exact: true }).fill('other');
    await poll(() => decision.innerText()).toMatch(/default agent/i);
    await tester.getByLabel('Account', { exact: true }).fill('alerts');
    await poll(() => decision.innerText()).toContain('Helper');
    await e.shot('route-tested');
  });

  it('chats with both agents, each in its own sessions', async () => {
    const page = e.page;
    await page.getByRole('link', { name: 'Chats' }).click();
    const agents = page.getByRole('navigation', { name: 'Agents' });
    for (const [name, text] of [
      ['Helper', 'hello helper'],
      ['main', 'hello main'],
    ] as const) {
      await agents.getByRole('button', { name: new RegExp(`^${name}, `) }).click();
      const composer = page.getByRole('textbox', { name: `Message ${name}` });
      await composer.fill(text);
      await composer.press('Enter');
      await page
        .getByRole('group', { name: `Reply from ${name}` })
        .getByText(`echo: ${text}`)
        .waitFor({ timeout: 15_000 });
      await e.shot(`chat-${name.toLowerCase()}`);
    }
    // Helper's sessions hold only Helper's conversation.
    await agents.getByRole('button', { name: /^Helper, / }).click();
    await page.getByText('echo: hello helper').waitFor();
    expect(await page.getByText('echo: hello main').count()).toBe(0);
    // And the overview counts a message for each.
    await page.getByRole('link', { name: 'Overview' }).click();
    for (const name of ['Helper', 'main']) {
      const card = page.getByRole('article', { name: `Agent ${name}` });
      await poll(() => card.locator('.stats dd').first().innerText()).toBe('1');
    }
    await e.shot('overview-after');
  });
});
