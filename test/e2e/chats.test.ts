// Chats like a chat app, in Chromium against a real gateway, in an 800×600 window: the chat header
// shows the agent's whole name, New chat starts a web chat and a second one exists separately,
// a chat is renamed, found by what it says, exported (Markdown and JSONL) and deleted — without
// leaving the dashboard.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2E } from './harness.ts';

const NAME = 'Maximilian the Lighthouse Keeper';
const NEW_CHAT = /\/inspector\/keeper\/agent:keeper:webchat:chat-[0-9a-z]{10}(&|$)/;

describe('chats at 800×600 (Chromium, real gateway)', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E({
      suite: 'chats',
      viewport: { width: 800, height: 600 },
      config: (peerUrl) => ({
        models: { anthropic: { baseUrl: peerUrl } },
        agents: { list: [{ id: 'keeper', name: NAME, identity: { emoji: '🗼' }, default: true }] },
      }),
    });
    await e.page.goto(`http://127.0.0.1:${e.port}/#/inspector/keeper&token=${e.token}`);
    try {
      await e.page.getByRole('region', { name: `Sessions of ${NAME}` }).waitFor({ timeout: 15_000 });
    } catch (err) {
      await e.shot('failed-to-open');
      throw new Error(`the chats did not open: ${(err as Error).message}\n${e.output()}`, { cause: err });
    }
  });
  afterAll(async () => {
    await e?.close();
  });

  const hash = () => decodeURIComponent(new URL(e.page.url()).hash);
  const composer = () => e.page.getByRole('textbox', { name: `Message ${NAME}` });
  const header = () => e.page.getByRole('region', { name: /^Conversation:/ }).locator('header');
  const sessions = () => e.page.getByRole('region', { name: `Sessions of ${NAME}` });
  /** How the agent's name in the chat header is laid out. */
  const nameBox = () =>
    header()
      .locator('.insp-thead-agent')
      .evaluate(
        // (A string: the tests are typed for Node, the function runs in the page.)
        new Function(
          'el',
          `const style = getComputedStyle(el);
           return { scroll: el.scrollWidth, client: el.clientWidth, overflow: style.textOverflow,
                    lines: Math.round(el.getBoundingClientRect().height / parseFloat(style.lineHeight)) };`,
        ) as (el: unknown) => { scroll: number; client: number; overflow: string; lines: number },
      );
  /** The route's session key, once it names a new chat other than `not`. */
  const newChatIn = async (not?: string) => {
    await expect.poll(() => NEW_CHAT.test(hash()) && hash() !== not, { timeout: 10_000 }).toBe(true);
    return hash();
  };

  it("shows the agent's whole name in the chat header, nothing cut", async () => {
    const agentName = header().locator('.insp-thead-agent');
    await agentName.waitFor();
    expect(await agentName.textContent()).toBe(NAME);
    const box = await nameBox();
    expect(box.scroll).toBeLessThanOrEqual(box.client);
    expect(box.overflow).not.toBe('ellipsis');
    // Whole and readable: on one line, not squeezed into a column of syllables.
    expect(box.lines).toBe(1);
    const title = header().getByRole('heading');
    const t = await title.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(t.scroll).toBeLessThanOrEqual(t.client);
    // Two columns at this width: the sessions beside the conversation, both on screen.
    expect(await sessions().isVisible()).toBe(true);
    await e.shot('header-800');
  });

  it('starts a new chat, and a second one that exists separately', async () => {
    e.peer.enqueue({ kind: 'text', text: 'Lisbon in May is lovely.' });
    await sessions().getByRole('button', { name: '+ New chat' }).click();
    const first = await newChatIn();
    await e.page.getByText('No messages yet').waitFor();
    await composer().fill('Plan a trip to Lisbon');
    await composer().press('Enter');
    await e.page.getByText('Lisbon in May is lovely.').waitFor({ timeout: 15_000 });
    await sessions()
      .getByRole('button', { name: /^Plan a trip to Lisbon, 2 messages/ })
      .waitFor({ timeout: 10_000 });
    await e.shot('first-chat');

    e.peer.enqueue({ kind: 'text', text: 'Try a lentil soup.' });
    await sessions().getByRole('button', { name: '+ New chat' }).click();
    await newChatIn(first);
    await e.page.getByText('No messages yet').waitFor();
    expect(await e.page.getByText('Lisbon in May is lovely.').count()).toBe(0);
    await composer().fill('Recipe ideas');
    await composer().press('Enter');
    await e.page.getByText('Try a lentil soup.').waitFor({ timeout: 15_000 });
    await sessions()
      .getByRole('button', { name: /^Recipe ideas, 2 messages/ })
      .waitFor({ timeout: 10_000 });
    // The second chat's model call carried only its own message.
    expect(JSON.stringify(e.peer.requests.at(-1)!.body!.messages)).not.toContain('Lisbon');
    await e.shot('second-chat');

    await sessions()
      .getByRole('button', { name: /^Plan a trip to Lisbon/ })
      .click();
    await e.page.getByText('Lisbon in May is lovely.').waitFor();
    expect(hash()).toBe(first);
  });

  it('renames the open chat', async () => {
    await header().getByRole('button', { name: 'Rename' }).click();
    const dialog = e.page.getByRole('dialog', { name: 'Rename this session' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Lisbon, May');
    await e.shot('rename');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await header().getByRole('heading', { name: 'Lisbon, May' }).waitFor();
    await sessions()
      .getByRole('button', { name: /^Lisbon, May, 2 messages/ })
      .waitFor();
  });

  it('finds a chat by what was said in it', async () => {
    await sessions().getByRole('searchbox', { name: 'Search sessions' }).fill('lentil');
    await sessions().getByText('1 session found').waitFor({ timeout: 10_000 });
    const list = sessions().getByRole('list');
    expect(await list.getByRole('button').count()).toBe(1);
    await list.getByRole('button', { name: /^Recipe ideas/ }).waitFor();
    await list.getByText('Try a lentil soup.').waitFor();
    await e.shot('search');
    await sessions().getByRole('searchbox', { name: 'Search sessions' }).fill('');
  });

  it('exports the chat as Markdown and as JSONL', async () => {
    await header().getByRole('button', { name: 'Export' }).click();
    const [md] = await Promise.all([e.page.waitForEvent('download'), e.page.getByRole('button', { name: 'Download Markdown' }).click()]);
    expect(md.suggestedFilename()).toBe('keeper-Lisbon_May.md');
    const text = await readFile((await md.path())!, 'utf8');
    expect(text.startsWith('# Lisbon, May\n')).toBe(true);
    expect(text).toContain('> Plan a trip to Lisbon');
    expect(text).toContain(`**${NAME}** · `);
    expect(text).toContain('Lisbon in May is lovely.');

    await header().getByRole('button', { name: 'Export' }).click();
    const [jsonl] = await Promise.all([e.page.waitForEvent('download'), e.page.getByRole('button', { name: 'Download JSONL' }).click()]);
    expect(jsonl.suggestedFilename()).toBe('keeper-Lisbon_May.jsonl');
    const lines = (await readFile((await jsonl.path())!, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ format: 'switchboard.session', agentId: 'keeper', title: 'Lisbon, May', messages: 2 });
  });

  it('deletes the chat after confirming; the other chat stays', async () => {
    await header().getByRole('button', { name: 'Delete' }).click();
    const dialog = e.page.getByRole('dialog', { name: 'Delete this session?' });
    await dialog.getByText(/Lisbon, May \(2 messages\) will be deleted/).waitFor();
    await dialog.getByRole('button', { name: 'Delete session' }).click();
    await sessions()
      .getByRole('button', { name: /^Lisbon, May/ })
      .waitFor({ state: 'detached', timeout: 10_000 });
    await sessions()
      .getByRole('button', { name: /^Recipe ideas, 2 messages/ })
      .waitFor();
    await e.shot('deleted');
  });

  it('shows one pane at a time when the window is narrower still, with a way back', async () => {
    await e.page.setViewportSize({ width: 560, height: 600 });
    // The delete left the main session open: only the conversation shows, with the way back.
    const back = e.page.getByRole('button', { name: `Back to ${NAME}'s sessions` });
    await back.waitFor();
    expect(await sessions().isVisible()).toBe(false);
    await back.click();
    await sessions()
      .getByRole('button', { name: /^Recipe ideas/ })
      .click();
    await e.page.getByText('Try a lentil soup.').waitFor();
    expect(await sessions().isVisible()).toBe(false);
    expect(await header().locator('.insp-thead-agent').textContent()).toBe(NAME);
    const box = await nameBox();
    expect(box.scroll).toBeLessThanOrEqual(box.client);
    expect(box.lines).toBeLessThanOrEqual(2);
    await e.shot('one-column-chat');
    await back.click();
    await sessions()
      .getByRole('button', { name: /^Recipe ideas/ })
      .waitFor();
    await e.shot('one-column-list');
  });
});
