// The browser dashboard's connection rules: the token comes from the fragment once, leaves the
// address bar, lives in sessionStorage only; without it the page asks for one and says where it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './harness.ts';

describe('dashboard connection (Chromium, real gateway)', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E({ suite: 'connect' });
  });
  afterAll(async () => {
    await e?.close();
  });

  it('asks for a token, and says where to find it, when the address has none', async () => {
    await e.page.goto(`http://127.0.0.1:${e.port}/`);
    await expect.poll(() => e.page.getByRole('heading', { name: 'Connect to your gateway' }).isVisible()).toBe(true);
    expect(await e.page.getByText('control-token', { exact: false }).first().isVisible()).toBe(true);
    await e.shot('needs-token');
  });

  it('refuses a wrong pasted token and connects with the right one', async () => {
    await e.page.getByLabel('Control token').fill('x'.repeat(43));
    await e.page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => e.page.getByText('the gateway refused this token').isVisible(), { timeout: 10_000 }).toBe(true);
    await e.shot('wrong-token');
    await e.page.getByLabel('Control token').fill(e.token);
    await e.page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => e.page.getByRole('article', { name: 'Agent main' }).isVisible(), { timeout: 10_000 }).toBe(true);
    // This gateway has ANTHROPIC_API_KEY, so the first screen does not ask for a key.
    expect(await e.page.getByRole('button', { name: 'Add API key' }).count()).toBe(0);
    await e.shot('overview');
  });

  it('takes the token from the fragment, removes it from the address bar and keeps it only in sessionStorage', async () => {
    const page = await e.context.newPage();
    await page.goto(e.dashboardUrl);
    await expect.poll(() => page.getByRole('article', { name: 'Agent main' }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(page.url()).not.toContain(e.token);
    expect(await page.evaluate("sessionStorage.getItem('switchboard.token')")).toBe(e.token);
    expect(await page.evaluate('JSON.stringify(localStorage)')).not.toContain(e.token);
    await page.close();
  });
});
