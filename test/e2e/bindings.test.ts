// The binding editor in Chromium against a real gateway: add a binding, watch the route tester
// pick it, save it to switchboard.json, then add a competing one, see it flagged as shadowed,
// reorder (keyboard and drag) and watch the tester's decision follow the order.
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson5 } from '../../src-shared/json5/index.ts';
import { startE2E, type E2E } from './harness.ts';

interface WrittenConfig {
  bindings?: { agentId: string; match: Record<string, unknown> }[];
  [key: string]: unknown;
}

describe('binding editor with live route tester (Chromium, real gateway)', () => {
  let e: E2E;
  const readConfig = async () => parseJson5(await readFile(e.configPath, 'utf8')).value as WrittenConfig;
  const written = async () => (await readConfig()).bindings ?? [];
  /** Someone edits switchboard.json by hand (the gateway watches the file). */
  const editByHand = async (bindings: WrittenConfig['bindings']) =>
    writeFile(e.configPath, JSON.stringify({ ...(await readConfig()), bindings }, null, 2));
  const list = () => e.page.getByRole('list', { name: 'Bindings' });
  const row = (i: number) => list().getByRole('listitem', { name: new RegExp(`^Binding ${i}:`) });
  const tester = () => e.page.getByRole('region', { name: 'Route tester' });
  const decision = () => e.page.getByRole('region', { name: 'Route decision' });
  const dialog = () => e.page.getByRole('dialog');
  const text = (locator: ReturnType<typeof list>) => locator.innerText();

  beforeAll(async () => {
    e = await startE2E({
      suite: 'bindings',
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
            { id: 'ops', name: 'Ops', identity: { emoji: '🛠' }, workspace: 'workspace-ops', agentDir: 'agents/ops/agent' },
          ],
        },
        // Declared (so bindings naming them validate) but not started: no network in tests.
        channels: { telegram: { accounts: { default: { enabled: false }, alerts: { enabled: false } } } },
      }),
    });
    await e.page.goto(e.dashboardUrl);
    await e.page.getByRole('link', { name: 'Bindings' }).click();
  });
  afterAll(async () => {
    await e?.close();
  });

  it('starts empty: every message goes to the default agent', async () => {
    await expect.poll(() => e.page.getByRole('heading', { name: 'No bindings yet' }).isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await text(decision())).toContain('No binding matched → default agent main');
    await e.shot('empty');
  });

  it('adds a binding in the dialog and the tester picks it at once', async () => {
    await e.page.getByRole('button', { name: 'Add binding' }).first().click();
    await dialog().getByLabel('Agent', { exact: true }).selectOption('ops');
    await dialog().getByLabel('Channel', { exact: true }).selectOption('telegram');
    await dialog().getByLabel('Account', { exact: true }).selectOption('alerts');
    expect(await dialog().innerText()).toContain('Account');
    await e.shot('add-dialog');
    await dialog().getByRole('button', { name: 'Add binding' }).click();
    await expect.poll(() => dialog().count()).toBe(0);

    expect(await row(0).getAttribute('aria-label')).toBe('Binding 0: Ops ← Telegram, account alerts');
    await tester().getByLabel('Account', { exact: true }).fill('alerts');
    await expect.poll(() => text(decision())).toContain('Binding 0');
    const decided = await text(decision());
    expect(decided).toContain('Ops');
    expect(decided).toContain('binding.account');
    expect(await decision().getByTestId('session-key').innerText()).toBe('agent:ops:main');
    expect(await row(0).getByText('Decides test').isVisible()).toBe(true);
    await e.shot('tester-picks-binding');
  });

  it('saves the binding to switchboard.json', async () => {
    await e.page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => e.page.getByText('Unsaved changes', { exact: true }).count(), { timeout: 10_000 }).toBe(0);
    expect(await written()).toEqual([{ agentId: 'ops', match: { channel: 'telegram', accountId: 'alerts' } }]);
    await e.shot('saved');
  });

  it('flags a second binding for the same account as shadowed', async () => {
    await e.page.getByRole('button', { name: 'Add binding' }).first().click();
    await dialog().getByLabel('Agent', { exact: true }).selectOption('main');
    await dialog().getByLabel('Account', { exact: true }).selectOption('alerts');
    await expect.poll(() => dialog().innerText()).toContain('can never match');
    await e.shot('add-shadowed-dialog');
    await dialog().getByRole('button', { name: 'Add binding' }).click();

    expect(await row(1).getAttribute('aria-label')).toBe('Binding 1: Main ← Telegram, account alerts');
    expect(await row(1).getByText('Never matches').isVisible()).toBe(true);
    expect(await text(row(1))).toContain('This binding can never match: binding 0 already takes every message it would.');
    expect(await text(decision())).toContain('Ops');
    await e.shot('shadowed-warning');
  });

  it('reorders from the keyboard and the tester follows the new order', async () => {
    await row(1).focus();
    await e.page.keyboard.press('Alt+ArrowUp');
    expect(await row(0).getAttribute('aria-label')).toBe('Binding 0: Main ← Telegram, account alerts');
    expect(await e.page.evaluate('document.activeElement && document.activeElement.getAttribute("aria-label")')).toBe(
      'Binding 0: Main ← Telegram, account alerts',
    );
    await expect.poll(() => text(decision())).toContain('Main');
    expect(await text(decision())).toContain('Binding 0');
    expect(await row(1).getByText('Never matches').isVisible()).toBe(true);
    await e.shot('reordered-keyboard');
  });

  it('reorders by drag and drop', async () => {
    await row(1).dragTo(row(0), { targetPosition: { x: 60, y: 4 } });
    await expect.poll(() => row(0).getAttribute('aria-label')).toBe('Binding 0: Ops ← Telegram, account alerts');
    expect(await text(decision())).toContain('Ops');
    await e.shot('reordered-drag');
  });

  it('a more specific binding wins whatever its place, and the tester says which tier decided', async () => {
    await e.page.getByRole('button', { name: 'Add binding' }).first().click();
    await dialog().getByLabel('Agent', { exact: true }).selectOption('main');
    await dialog().getByLabel('Account', { exact: true }).selectOption('alerts');
    await dialog().getByLabel('Peer kind', { exact: true }).selectOption('group');
    await dialog().getByLabel('Peer id', { exact: true }).fill('-100200');
    await dialog().getByRole('button', { name: 'Add binding' }).click();

    await tester().getByLabel('Peer kind', { exact: true }).selectOption('group');
    await tester().getByLabel('Peer id', { exact: true }).fill('-100200');
    await expect.poll(() => text(decision())).toContain('Binding 2');
    expect(await decision().getByTestId('session-key').innerText()).toBe('agent:main:telegram:group:-100200');
    expect(await text(decision())).toContain('binding.peer');
    await e.shot('specific-wins');

    await e.page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => e.page.getByText('Unsaved changes', { exact: true }).count(), { timeout: 10_000 }).toBe(0);
    expect(await written()).toEqual([
      { agentId: 'ops', match: { channel: 'telegram', accountId: 'alerts' } },
      { agentId: 'main', match: { channel: 'telegram', accountId: 'alerts' } },
      { agentId: 'main', match: { channel: 'telegram', accountId: 'alerts', peer: { kind: 'group', id: '-100200' } } },
    ]);
  });

  it("puts the checker's error on the dialog field it belongs to", async () => {
    await e.page.getByRole('button', { name: 'Add binding' }).first().click();
    await dialog().getByLabel('Channel', { exact: true }).selectOption('discord');
    await dialog().getByLabel('Roles', { exact: true }).fill('admin');
    await dialog().getByLabel('Roles', { exact: true }).blur();
    await expect
      .poll(() => dialog().getByRole('alert').innerText())
      .toBe('Roles only apply inside a guild: add match.guildId. (bindings[3].match.roles)');
    expect(await dialog().getByLabel('Roles', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await e.shot('dialog-field-error');
    await dialog().getByLabel('Guild id', { exact: true }).fill('123');
    await expect.poll(() => dialog().getByRole('alert').count()).toBe(0);
    expect(await dialog().innerText()).toContain('Guild + roles');
    await e.page.keyboard.press('Escape');
    await expect.poll(() => dialog().count()).toBe(0);
  });

  it('offers a change made elsewhere while a draft is open, and loses nothing silently', async () => {
    await row(0).focus();
    await e.page.keyboard.press('Alt+ArrowDown');
    expect(await e.page.getByText('Unsaved changes', { exact: true }).isVisible()).toBe(true);
    await editByHand([{ agentId: 'ops', match: { channel: 'telegram' } }]);
    await expect
      .poll(() => e.page.getByText('The config changed elsewhere since you started editing.').isVisible(), { timeout: 10_000 })
      .toBe(true);
    expect(await e.page.getByText('Their change touched the bindings too', { exact: false }).isVisible()).toBe(true);
    expect(await row(1).getAttribute('aria-label')).toBe('Binding 1: Ops ← Telegram, account alerts');
    await e.shot('changed-elsewhere');
    await e.page.getByRole('button', { name: 'Reload theirs, discard mine' }).click();
    await expect.poll(() => list().getByRole('listitem').count()).toBe(1);
    expect(await row(0).getAttribute('aria-label')).toBe('Binding 0: Ops ← Telegram, default account');
  });

  it('shows a hand-written binding to an unknown agent loudly, in words, with its config path as a detail', async () => {
    await editByHand([{ agentId: 'opz', match: { channel: 'telegram' } }]);
    await expect.poll(() => row(0).getByText('Unknown agent').first().isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await text(row(0))).toContain('This binding sends messages to the agent "opz", which doesn\'t exist. Did you mean "ops"?');
    expect(await row(0).getByText('bindings[0].agentId').isVisible()).toBe(true);
    expect(await text(decision())).toContain('last valid');
    await e.shot('unknown-agent');

    await e.page.getByRole('button', { name: 'Edit binding 0' }).click();
    expect(await dialog().getByRole('alert').innerText()).toContain('the agent "opz", which doesn\'t exist');
    await dialog().getByLabel('Agent', { exact: true }).selectOption('ops');
    await dialog().getByRole('button', { name: 'Apply' }).click();
    await e.page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => written(), { timeout: 10_000 }).toEqual([{ agentId: 'ops', match: { channel: 'telegram' } }]);
    await expect.poll(() => row(0).getByText('Unknown agent').count()).toBe(0);
    await e.shot('unknown-agent-fixed');
  });

  it('stacks the tester under the list in a narrow window', async () => {
    await e.page.setViewportSize({ width: 900, height: 900 });
    await e.shot('narrow');
    const listBox = await list().boundingBox();
    const testerBox = await tester().boundingBox();
    expect(testerBox!.y).toBeGreaterThan(listBox!.y + listBox!.height - 1);
    await e.page.setViewportSize({ width: 1360, height: 860 });
  });
});
