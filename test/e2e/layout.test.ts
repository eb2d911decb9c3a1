// Every page at 800×600 and at 1440×900 in Chromium against a real gateway: no horizontal scroll
// (neither the document nor the main area that scrolls the page), the sidebar icon-only below
// 1000 px with every item still named; the route tester and config problems in the user's words;
// and a `#token=` link opened in an open tab reconnecting without a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './harness.ts';

const PAGES = [
  { hash: '#/overview', heading: 'Overview' },
  { hash: '#/agents', heading: 'Agents' },
  { hash: '#/agents/work-assistant', heading: null },
  { hash: '#/bindings', heading: 'Bindings' },
  { hash: '#/inspector/main', heading: 'Chats' },
  { hash: '#/channels', heading: 'Channels' },
  { hash: '#/usage', heading: 'Usage' },
  { hash: '#/logs', heading: 'Logs' },
  { hash: '#/settings', heading: 'Settings' },
];

const SIZES = [
  { width: 800, height: 600, collapsed: true },
  // Just above the collapse: the full sidebar and the least room for the pages.
  { width: 1024, height: 700, collapsed: false },
  { width: 1440, height: 900, collapsed: false },
];

/** Widths of the scrolling boxes that must never scroll sideways, and what sticks out if they do. */
const OVERFLOW_PROBE = `(() => {
  const doc = document.documentElement;
  const main = document.getElementById('main');
  const limit = main ? main.getBoundingClientRect().right + 1 : doc.clientWidth;
  const culprits = [...document.querySelectorAll('#main *')]
    .filter((el) => el.getBoundingClientRect().right > limit && el.getClientRects().length > 0)
    // Inside a box that clips or scrolls on its own (a code block, a log line), it is that box's business.
    .filter((el) => {
      for (let p = el.parentElement; p && p !== main; p = p.parentElement)
        if (getComputedStyle(p).overflowX !== 'visible') return false;
      return true;
    })
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + '.' + String(el.className).split(' ').join('.') + ' → ' + Math.round(el.getBoundingClientRect().right));
  return {
    doc: [doc.scrollWidth, doc.clientWidth],
    main: main ? [main.scrollWidth, main.clientWidth] : [0, 0],
    culprits,
  };
})()`;

describe('dashboard at any window size (Chromium, real gateway)', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E({
      suite: 'layout',
      config: (peerUrl) => ({
        models: { anthropic: { baseUrl: peerUrl } },
        agents: {
          list: [
            {
              id: 'main',
              default: true,
              name: 'Main',
              identity: { emoji: '🏠' },
              workspace: 'workspace-main',
              agentDir: 'agents/main/agent',
            },
            {
              id: 'work-assistant',
              name: 'Work assistant with a rather long display name',
              identity: { emoji: '💼' },
              workspace: 'workspace-work-assistant-with-a-long-folder-name',
              agentDir: 'agents/work-assistant/agent',
            },
          ],
        },
        bindings: [
          { agentId: 'work-assistant', match: { channel: 'telegram', accountId: 'alerts', peer: { kind: 'group', id: '-1001234567890' } } },
          // The account is not set up: a warning the pages show in words.
          { agentId: 'main', match: { channel: 'telegram', accountId: 'default' } },
        ],
        channels: { telegram: { accounts: { alerts: { enabled: false } } } },
      }),
    });
  });
  afterAll(async () => {
    await e?.close();
  });

  for (const size of SIZES) {
    it(`${size.width}×${size.height}: no page scrolls sideways, and the sidebar is ${size.collapsed ? 'icons only' : 'full'}`, async () => {
      await e.page.setViewportSize({ width: size.width, height: size.height });
      await e.page.goto(e.dashboardUrl);
      const nav = e.page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Agents' }).waitFor();
      expect(await nav.getAttribute('data-collapsed')).toBe(size.collapsed ? 'true' : null);
      const agents = nav.getByRole('link', { name: 'Agents' });
      // Named either way; the tooltip only when the label is hidden.
      expect(await agents.getAttribute('title')).toBe(size.collapsed ? 'Agents' : null);
      const label = await agents.getByText('Agents').boundingBox();
      expect(label!.width > 1).toBe(!size.collapsed);
      const navBox = await nav.boundingBox();
      expect(navBox!.width).toBeLessThan(size.collapsed ? 80 : 260);

      for (const page of PAGES) {
        await e.page.evaluate(`window.location.hash = ${JSON.stringify(page.hash)}`);
        if (page.heading) await e.page.getByRole('heading', { name: page.heading, level: 1 }).waitFor();
        else await e.page.getByRole('heading', { level: 1 }).first().waitFor();
        await e.page.waitForLoadState('networkidle');
        const probe = (await e.page.evaluate(OVERFLOW_PROBE)) as { doc: number[]; main: number[]; culprits: string[] };
        const name = `${page.hash} at ${size.width}`;
        expect({ name, doc: probe.doc[0]! <= probe.doc[1]!, culprits: probe.culprits }).toEqual({ name, doc: true, culprits: [] });
        expect({ name, main: probe.main[0]! <= probe.main[1]! }).toEqual({ name, main: true });
        if (page.hash === '#/overview') {
          // A long agent name wraps instead of being cut to "Work assistant with a…".
          const name = e.page.getByRole('heading', { name: 'Work assistant with a rather long display name', level: 3 });
          expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getClientRects().length > 0)).toBe(true);
        }
        if (page.hash === '#/agents') {
          // Cards or table, each agent is still a row a screen reader can name.
          expect(await e.page.getByRole('row', { name: 'Agent Work assistant with a rather long display name' }).isVisible()).toBe(true);
          expect(await e.page.getByRole('columnheader', { name: 'Workspace' }).count()).toBe(1);
        }
        await e.shot(`${size.width}-${page.hash.replace(/^#\//, '')}`);
      }
    });
  }

  it('Chats: three columns on a wide screen, two at 800 and in a 720 px window; the header is never cut short', async () => {
    const columns = () =>
      e.page.evaluate<number>("getComputedStyle(document.querySelector('.insp-panes')).gridTemplateColumns.split(' ').length");
    const expected = [
      // One pane at a time, narrower still, is chats.test.ts's (it needs a session in the route).
      { width: 1440, columns: 3 },
      { width: 800, columns: 2 },
      { width: 720, columns: 2 },
    ];
    await e.page.goto(`http://127.0.0.1:${e.port}/#/inspector/main&token=${e.token}`);
    for (const { width, columns: n } of expected) {
      await e.page.setViewportSize({ width, height: 600 });
      const heading = e.page.getByRole('heading', { name: 'Chats', level: 1 });
      await heading.waitFor();
      await e.page.getByRole('textbox', { name: /message/i }).waitFor();
      expect({ width, columns: await columns() }).toEqual({ width, columns: n });
      expect(await heading.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      const session = e.page.getByRole('heading', { name: 'Main session' });
      expect(await session.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      const probe = (await e.page.evaluate(OVERFLOW_PROBE)) as { doc: number[]; main: number[] };
      expect({ width, doc: probe.doc[0]! <= probe.doc[1]!, main: probe.main[0]! <= probe.main[1]! }).toEqual({
        width,
        doc: true,
        main: true,
      });
      await e.shot(`chats-${width}`);
    }
  });

  it('the route tester says in words who answers and why', async () => {
    await e.page.setViewportSize({ width: 1440, height: 900 });
    await e.page.goto(`http://127.0.0.1:${e.port}/#/bindings&token=${e.token}`);
    const tester = e.page.getByRole('region', { name: 'Route tester' });
    await tester.getByLabel('Account', { exact: true }).fill('alerts');
    await tester.getByLabel('Peer kind', { exact: true }).selectOption('group');
    await tester.getByLabel('Peer id', { exact: true }).fill('-1001234567890');
    await expect
      .poll(() => e.page.getByTestId('route-explanation').innerText())
      .toBe(
        'Answered by Work assistant with a rather long display name because the message comes from the Telegram group -1001234567890 (a peer binding, the most specific kind, binding 0).',
      );
    await e.shot('route-tester-words');
  });

  it('a binding on an account that is not set up says so, and Add account opens the dialog for it', async () => {
    const row = e.page.getByRole('list', { name: 'Bindings' }).getByRole('listitem', { name: /^Binding 1:/ });
    await expect.poll(() => row.innerText()).toContain('This binding uses the Telegram account "default", which isn\'t set up yet.');
    expect(await row.getByText('bindings[1].match.accountId').isVisible()).toBe(true);
    await row.getByRole('link', { name: 'Add account' }).click();
    const dialog = e.page.getByRole('dialog', { name: 'Add a channel account' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Account id').inputValue()).toBe('default');
    await e.shot('fix-add-account');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('a #token= link opened in an open tab reconnects without a reload', async () => {
    const page = await e.context.newPage();
    await page.goto(`http://127.0.0.1:${e.port}/#token=${'x'.repeat(43)}`);
    await expect.poll(() => page.getByText('the gateway refused this token').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.evaluate('window.sameDocument = true');
    await page.evaluate(`window.location.hash = '#/agents&token=${e.token}'`);
    await expect.poll(() => page.getByRole('heading', { name: 'Agents', level: 1 }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    expect(page.url()).not.toContain(e.token);
    expect(page.url()).toMatch(/#\/agents$/);
    expect(await page.evaluate("sessionStorage.getItem('switchboard.token')")).toBe(e.token);
    await page.close();
  });
});
