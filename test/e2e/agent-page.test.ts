// The agent's page end to end (Chromium, the real gateway bundle, the local Anthropic peer): open
// Ops from the list, change its model in two clicks, see switchboard.json change (its fallbacks
// kept) and the next turn ask the peer for the new model; the wizard refuses the id "main" and a
// taken id visibly, with the file unchanged.
import { readFile } from 'node:fs/promises';
import JSON5 from 'json5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './harness.ts';

interface WrittenAgent {
  id: string;
  model?: string | { primary?: string; fallbacks?: string[] };
}

describe("an agent's page (Chromium, real gateway)", () => {
  let e: E2E;
  const agents = async (): Promise<WrittenAgent[]> =>
    (JSON5.parse(await readFile(e.configPath, 'utf8')) as { agents: { list: WrittenAgent[] } }).agents.list;
  const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 10_000 });

  beforeAll(async () => {
    e = await startE2E({
      suite: 'agent-page',
      config: (peer) => ({
        models: { anthropic: { baseUrl: peer } },
        agents: {
          list: [
            { id: 'main', default: true },
            { id: 'ops', name: 'Ops', model: { primary: 'claude-opus-5-5', fallbacks: ['claude-sonnet-5-5'] } },
          ],
        },
      }),
    });
  });
  afterAll(async () => {
    await e?.close();
  });

  it('opens Ops from the list and changes its model in two clicks; the file changes and the next turn uses it', async () => {
    const page = e.page;
    await page.goto(e.dashboardUrl);
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('button', { name: 'Open Ops' }).click();
    const model = page.getByRole('region', { name: 'Model' });
    await poll(() => model.getByLabel('Model chain').innerText()).toBe('Tried in order: claude-opus-5-5 → claude-sonnet-5-5');
    await e.shot('page-opened');

    await model.getByRole('radio', { name: 'claude-haiku-5-5' }).click();
    await model.getByRole('button', { name: 'Save model' }).click();
    await poll(async () => (await agents()).find((a) => a.id === 'ops')?.model).toEqual({
      primary: 'claude-haiku-5-5',
      fallbacks: ['claude-sonnet-5-5'],
    });
    await poll(() => model.getByRole('status').innerText()).toBe('Saved.');
    expect(await model.getByLabel('Model chain').innerText()).toBe('Tried in order: claude-haiku-5-5 → claude-sonnet-5-5');
    await e.shot('model-saved');

    // A later turn: the gateway asks the Anthropic peer for the new model.
    await page.getByRole('button', { name: 'Open chats' }).click();
    const composer = page.getByRole('textbox', { name: 'Message Ops' });
    await composer.fill('which model answers?');
    await composer.press('Enter');
    await page.getByRole('group', { name: 'Reply from Ops' }).getByText('echo: which model answers?').waitFor({ timeout: 15_000 });
    const asked = e.peer.requests.filter((r) => JSON.stringify(r.body?.messages ?? []).includes('which model answers?'));
    expect(asked.map((r) => r.body?.model)).toEqual(['claude-haiku-5-5']);
    await e.shot('turn-with-new-model');
  });

  it('refuses the id "main" and a taken id in the wizard, visibly, with the config unchanged', async () => {
    const page = e.page;
    const before = await readFile(e.configPath, 'utf8');
    await page.goto(`${e.dashboardUrl.replace(/#.*$/, '')}#/agents/new`);
    await poll(() => page.getByRole('heading', { name: 'Identity' }).isVisible()).toBe(true);
    for (const [id, message] of [
      ['main', 'the id "main" is reserved for the built-in agent; choose another id'],
      ['ops', 'an agent with the id "ops" already exists; choose another id'],
    ] as const) {
      await page.getByLabel('Agent id').fill(id);
      await page.getByRole('button', { name: 'Next' }).click();
      await poll(() => page.getByRole('alert').filter({ hasText: message }).isVisible()).toBe(true);
      expect(await page.getByLabel('Agent id').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByRole('heading', { name: 'Identity' }).isVisible()).toBe(true);
      await e.shot(`refused-${id}`);
    }
    expect(await readFile(e.configPath, 'utf8')).toBe(before);
  });
});
