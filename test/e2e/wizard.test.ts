// The agent wizard end to end (Chromium, a real gateway, a real keyring when the machine has one):
// create "ops" with a Telegram binding, see it on the overview, its folders on disk and the binding
// in switchboard.json; create "desk" with a copy of ops's key (auth.copy) and see it in Settings;
// edit ops's name across a conflicting edit made elsewhere; delete it, warned about the binding,
// with its data kept.
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import JSON5 from 'json5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingKeyringTools } from '../helpers/keyring.ts';
import { startE2E, type E2E } from './harness.ts';

interface WrittenConfig {
  agents?: {
    list?: {
      id: string;
      name?: string;
      identity?: { emoji?: string; persona?: string };
      tools?: { allow?: string[] };
      workspace?: string;
    }[];
  };
  bindings?: { agentId: string; match: { channel: string; accountId?: string } }[];
  logging?: { level?: string };
}

const hasKeyring = missingKeyringTools.length === 0;

describe('agent wizard (Chromium, real gateway)', () => {
  let e: E2E;
  const config = async (): Promise<WrittenConfig> => JSON5.parse(await readFile(e.configPath, 'utf8')) as WrittenConfig;
  const visible =
    (name: string, role: 'heading' | 'button' | 'article' | 'row' | 'dialog' = 'heading') =>
    () =>
      e.page.getByRole(role, { name }).first().isVisible();
  const next = () => e.page.getByRole('button', { name: 'Next' }).click();
  // Generous: two e2e suites share two cores with their gateways and browsers.
  const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 10_000 });

  beforeAll(async () => {
    e = await startE2E({
      suite: 'wizard',
      keyring: true,
      config: (peer) => ({
        models: { anthropic: { baseUrl: peer } },
        // An account the binding can name; disabled, so nothing tries to reach Telegram.
        channels: {
          telegram: { accounts: { alerts: { name: 'Alerts bot', botToken: { env: 'SWITCHBOARD_E2E_NO_TOKEN' }, enabled: false } } },
        },
      }),
    });
  });
  afterAll(async () => {
    await e?.close();
  });

  it('opens the wizard from the overview and refuses an invalid id with the config error under the field', async () => {
    await e.page.goto(e.dashboardUrl);
    await poll(visible('Agent main', 'article')).toBe(true);
    await e.shot('overview-before');
    await e.page.getByRole('button', { name: 'New agent' }).click();
    await poll(visible('Identity')).toBe(true);
    // Focus starts in the first field of the step.
    expect((await e.page.evaluate('document.activeElement && document.activeElement.id')) as string).toBe(
      await e.page.getByLabel('Agent id').getAttribute('id'),
    );
    await e.shot('identity-empty');
    await next();
    await poll(() => e.page.getByText('Enter an id', { exact: false }).isVisible()).toBe(true);
    await e.page.getByLabel('Agent id').fill('ops!');
    await next();
    await poll(() => e.page.getByText('agent id "ops!" is not allowed', { exact: false }).isVisible()).toBe(true);
    expect(await e.page.getByText('(agents.list[1].id)', { exact: false }).isVisible()).toBe(true);
    expect(await e.page.getByRole('heading', { name: 'Identity' }).isVisible()).toBe(true);
    await e.shot('identity-invalid-id');
  });

  it('walks through every step and creates the agent with its binding', async () => {
    const page = e.page;
    await page.getByLabel('Agent id').fill('OPS');
    expect(await page.getByLabel('Agent id').inputValue()).toBe('ops');
    await page.getByLabel('Name').fill('Ops');
    await page.getByRole('button', { name: 'Use 🛠️' }).click();
    await page.getByLabel('Persona').fill('You are Ops, a calm on-call assistant.');
    await e.shot('identity-filled');
    await page.getByLabel('Persona').press('Control+Enter');

    await poll(visible('Model')).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Model' }).inputValue()).toBe('');
    expect(await page.getByRole('option', { name: 'Use the default (claude-sonnet-5-5)' }).count()).toBe(1);
    await e.shot('model');
    await next();

    await poll(visible('Workspace')).toBe(true);
    const workspace = path.join(e.stateDir, 'workspace-ops');
    expect(await page.getByText(workspace, { exact: true }).first().isVisible()).toBe(true);
    await e.shot('workspace');
    await next();

    await poll(visible('Credentials')).toBe(true);
    if (hasKeyring) {
      await page.getByLabel('Anthropic API key').fill('sk-ant-e2e-wizard-key');
    } else {
      await page.getByRole('radio', { name: /Skip for now/ }).check();
    }
    await e.shot('credentials');
    await page.keyboard.press('Enter');

    await poll(visible('Channels')).toBe(true);
    await page.getByRole('button', { name: '+ Add a binding' }).click();
    const row = page.getByRole('group', { name: 'Binding 1' });
    expect(await row.getByLabel('Channel').inputValue()).toBe('telegram');
    expect(await row.getByLabel('Account').inputValue()).toBe('alerts');
    await poll(() => row.getByText('Tier 7 · binding.account').isVisible()).toBe(true);
    await row.getByLabel('Which chats').selectOption('group');
    await next();
    await poll(() => row.getByText('Enter the chat id', { exact: false }).isVisible()).toBe(true);
    await e.shot('channels-missing-chat');
    await row.getByLabel('Which chats').selectOption('any');
    await e.shot('channels');
    // The desktop window can be as narrow as 720 px: the steps move above the form.
    await page.setViewportSize({ width: 760, height: 760 });
    await e.shot('channels-narrow-window');
    await page.setViewportSize({ width: 1360, height: 860 });
    await next();

    await poll(visible('Tools')).toBe(true);
    await page.getByRole('radio', { name: /Read-only/ }).check();
    await e.shot('tools');
    await next();

    await poll(visible('Review')).toBe(true);
    await page.getByText('What will be written to switchboard.json').click();
    await e.shot('review');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await poll(visible('Ops is ready')).toBe(true);
    await e.shot('created');

    // On disk: the folders and persona files, and the binding in switchboard.json.
    for (const file of ['AGENTS.md', 'SOUL.md', 'USER.md']) await access(path.join(workspace, file));
    expect(await readFile(path.join(workspace, 'SOUL.md'), 'utf8')).toContain('You are Ops, a calm on-call assistant.');
    await access(path.join(e.stateDir, 'agents', 'ops', 'agent'));
    const written = await config();
    const ops = written.agents?.list?.find((a) => a.id === 'ops');
    expect(ops).toMatchObject({
      name: 'Ops',
      identity: { emoji: '🛠️' },
      tools: { allow: ['read', 'sessions_list', 'sessions_history', 'session_status', 'memory_search', 'task_list'] },
    });
    expect(written.bindings).toEqual([{ agentId: 'ops', match: { channel: 'telegram', accountId: 'alerts' } }]);
    expect(written.agents?.list?.map((a) => a.id)).toEqual(['main', 'ops']);
  });

  it('shows the new agent on the overview and in the list, and stored its key', async () => {
    const page = e.page;
    await page.getByRole('button', { name: 'Back to agents' }).click();
    await poll(visible('Agent Ops', 'row')).toBe(true);
    expect(await page.getByRole('row', { name: 'Agent Ops' }).getByText('1 binding').isVisible()).toBe(true);
    await e.shot('list');
    await page.getByRole('link', { name: 'Overview' }).click();
    await poll(visible('Agent Ops', 'article')).toBe(true);
    await e.shot('overview-after');
    if (hasKeyring) {
      // Edit opens the agent's page; its step-by-step editor is the wizard.
      await page.getByRole('button', { name: 'Edit Ops' }).click();
      await poll(visible('Ops')).toBe(true);
      await page.getByRole('button', { name: 'Step by step' }).click();
      await poll(visible('Edit Ops')).toBe(true);
      await page.getByRole('button', { name: 'Credentials' }).click();
      const keys = page.getByRole('list', { name: 'Stored keys' });
      await poll(() => keys.getByText('in the keychain').isVisible()).toBe(true);
      await e.shot('edit-credentials');
      await page.getByRole('link', { name: 'Agents' }).click();
    }
  });

  // The keychain step needs the keyring; under CI it must be there (the harness would otherwise run without one).
  it.runIf(hasKeyring || Boolean(process.env.CI))(
    "creates a second agent with a copy of the first one's key, which Settings lists and a real call uses",
    async () => {
      const page = e.page;
      await page.goto(`${e.dashboardUrl.replace(/#.*$/, '')}#/agents/new`);
      await poll(visible('Identity')).toBe(true);
      await page.getByLabel('Agent id').fill('desk');
      await page.getByLabel('Name').fill('Desk');
      for (const step of ['Model', 'Workspace', 'Credentials']) {
        await next();
        await poll(visible(step)).toBe(true);
      }
      const copy = page.getByRole('radio', { name: /Copy keys from another agent/ });
      await poll(() => copy.isEnabled()).toBe(true);
      await copy.check();
      await page.getByLabel('Copy from agent').selectOption('ops');
      // Ops's key, listed by the label the wizard gave it; the key itself never reaches the page.
      const key = page.getByRole('group', { name: 'Keys to copy' }).getByRole('checkbox', { name: /added in the agent wizard/ });
      expect(await key.isChecked()).toBe(true);
      await e.shot('credentials-copy-keys');
      for (const step of ['Channels', 'Tools', 'Review']) {
        await next();
        await poll(visible(step)).toBe(true);
      }
      expect(await page.getByText('Its own copy of 1 key of agent "ops" (default)', { exact: false }).isVisible()).toBe(true);
      await page.getByRole('button', { name: 'Create agent' }).click();
      await poll(visible('Desk is ready')).toBe(true);
      expect(await page.getByText('Copied default from', { exact: false }).isVisible()).toBe(true);
      await e.shot('created-with-copied-key');

      await page.getByRole('link', { name: 'Settings' }).click();
      const desk = page.getByRole('group', { name: 'API keys of Desk' });
      await poll(() => desk.getByText('added in the agent wizard').isVisible()).toBe(true);
      expect(await desk.getByText('Stored', { exact: true }).isVisible()).toBe(true);
      // A real one-token call with Desk's key reaches the local Anthropic peer with Ops's key.
      const asked = e.peer.requests.length;
      await desk.getByRole('button', { name: 'Test key added in the agent wizard of Desk' }).click();
      await poll(() => desk.getByText('Works', { exact: false }).isVisible()).toBe(true);
      expect(e.peer.requests.slice(asked).map((r) => r.apiKey)).toEqual(['sk-ant-e2e-wizard-key']);
      await e.shot('settings-copied-key');
      expect(await page.content()).not.toContain('sk-ant-e2e-wizard-key');

      // Editing Desk offers the same copy as an action; Ops's key is already there, so the gateway says so.
      await page.goto(`${e.dashboardUrl.replace(/#.*$/, '')}#/agents/desk/edit`);
      await poll(visible('Edit Desk')).toBe(true);
      await page.getByRole('button', { name: 'Credentials' }).click();
      const action = page.getByRole('region', { name: 'Copy keys from another agent' });
      await poll(() => action.getByLabel('Copy from agent').isVisible()).toBe(true);
      await action.getByLabel('Copy from agent').selectOption('ops');
      await action.getByRole('button', { name: 'Copy keys' }).click();
      await poll(() => action.getByText('agent "desk" already has this key', { exact: false }).isVisible()).toBe(true);
      await e.shot('edit-credentials-copy-refused');
      await page.getByRole('link', { name: 'Agents' }).click();
    },
  );

  it('edits the name, and reports a conflicting edit made elsewhere instead of overwriting it', async () => {
    const page = e.page;
    await page.goto(`${e.dashboardUrl.replace(/#.*$/, '')}#/agents/ops/edit`);
    await poll(visible('Edit Ops')).toBe(true);
    expect(await page.getByLabel('Agent id').getAttribute('readonly')).not.toBeNull();
    await page.getByLabel('Name').fill('Ops Desk');
    // Meanwhile someone edits the file by hand.
    const text = await readFile(e.configPath, 'utf8');
    await writeFile(e.configPath, text.replace(/^\{/, '{\n  logging: { level: "warn" },'));
    await poll(() => page.getByText('The config changed since you opened this', { exact: false }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await poll(() => page.getByText('Not saved: the config changed since you opened this', { exact: false }).isVisible()).toBe(true);
    await e.shot('edit-conflict');
    expect((await config()).agents?.list?.find((a) => a.id === 'ops')?.name).toBe('Ops');
    await page.getByRole('button', { name: 'Reload' }).click();
    await poll(() => page.getByText('The config changed since you opened this', { exact: false }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await poll(visible('Agent Ops Desk', 'row')).toBe(true);
    const written = await config();
    expect(written.agents?.list?.find((a) => a.id === 'ops')?.name).toBe('Ops Desk');
    expect(written.logging).toEqual({ level: 'warn' });
    await e.shot('edited');
  });

  it('deletes the agent only after the binding is explicitly removed too, and keeps its data', async () => {
    const page = e.page;
    await page.getByRole('button', { name: 'Delete Ops Desk' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Ops Desk?' });
    await poll(() => dialog.getByText('1 binding routes messages to Ops Desk', { exact: false }).isVisible()).toBe(true);
    expect(await dialog.getByText('bindings[0]').isVisible()).toBe(true);
    expect(await dialog.getByRole('checkbox', { name: /Also delete its data/ }).isChecked()).toBe(false);
    expect(await dialog.getByRole('button', { name: 'Delete agent' }).isDisabled()).toBe(true);
    await e.shot('delete-warned');
    await dialog.getByRole('checkbox', { name: 'Remove this binding too' }).check();
    await e.shot('delete-confirmed');
    await dialog.getByRole('button', { name: 'Delete agent' }).click();
    await poll(visible('Agent Ops Desk', 'row')).toBe(false);
    await poll(() => page.getByText('Deleted Ops Desk and 1 binding; its data is kept').isVisible()).toBe(true);
    await e.shot('deleted');
    const written = await config();
    expect(written.agents?.list?.map((a) => a.id)).toEqual(hasKeyring || process.env.CI ? ['main', 'desk'] : ['main']);
    expect(written.bindings ?? []).toEqual([]);
    await access(path.join(e.stateDir, 'workspace-ops', 'AGENTS.md'));
  });
});
