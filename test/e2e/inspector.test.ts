// The chat inspector against a real gateway in Chromium: a web chat message streams its reply in
// with usage and the "direct" route, a tool call shows folded, Stop cancels a running turn, a
// 100,000-message session opens at its end and pages backwards without a jump, switching agents
// lists only that agent's sessions, and a session can be exported (too large: refused, naming the
// file) and deleted.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGate } from '../peers/anthropic.ts';
import { SHOTS, startE2E, type E2E } from './harness.ts';

const BIG_KEY = 'agent:main:telegram:direct:4242';
const BIG_ID = '0f6c2b1e-big-session';
const PAIRS = 50_000;
const OPS_KEY = 'agent:ops:discord:channel:777';
const OPS_ID = '5d1e7a90-ops-session';

interface Line {
  [k: string]: unknown;
}

/** A transcript in the exact on-disk format (src-main/sessions: records.ts v1, sessions.json v1). */
function transcript(
  agentId: string,
  sessionId: string,
  sessionKey: string,
  pairs: number,
  startMs: number,
  reply: (i: number) => string,
  sender = { id: '4242', name: 'Alice' },
  channel = 'telegram',
) {
  const lines: string[] = [];
  let seq = 0;
  let t = startMs;
  let inputTokens = 0;
  let outputTokens = 0;
  const push = (rec: Line) => lines.push(JSON.stringify({ v: 1, seq: ++seq, ts: new Date(t).toISOString(), ...rec }));
  push({ type: 'session', sessionId, sessionKey, agentId });
  const route = {
    agentId,
    channel,
    accountId: 'default',
    sessionKey,
    mainSessionKey: `agent:${agentId}:main`,
    matchedBy: 'binding.channel',
    bindingIndex: 0,
  };
  for (let i = 1; i <= pairs; i++) {
    t += 20_000;
    push({
      type: 'message',
      role: 'user',
      text: `Message #${i} from ${sender.name}`,
      messageId: `m${i}`,
      sender,
      channel,
      accountId: 'default',
      route,
    });
    const inbound = seq;
    t += 3_000;
    const usage = { inputTokens: 100 + (i % 50), outputTokens: 20 + (i % 30) };
    inputTokens += usage.inputTokens;
    outputTokens += usage.outputTokens;
    push({ type: 'message', role: 'assistant', text: reply(i), model: 'claude-e2e', stopReason: 'end_turn', usage, inReplyTo: inbound });
  }
  const body = lines.join('\n') + '\n';
  const first = new Date(startMs).toISOString();
  const entry = {
    sessionKey,
    sessionId,
    created: first,
    updated: new Date(t).toISOString(),
    messages: pairs * 2,
    inputTokens,
    outputTokens,
    bytes: Buffer.byteLength(body),
    lastRoute: route,
  };
  return { body, entry };
}

async function writeSessions(stateDir: string, agentId: string, sessions: { id: string; key: string; body: string; entry: Line }[]) {
  const dir = path.join(stateDir, 'agents', agentId, 'sessions');
  await mkdir(dir, { recursive: true });
  for (const s of sessions) await writeFile(path.join(dir, `${s.id}.jsonl`), s.body);
  await writeFile(
    path.join(dir, 'sessions.json'),
    JSON.stringify({ version: 1, sessions: Object.fromEntries(sessions.map((s) => [s.key, s.entry])) }),
  );
}

const bigReply = (i: number) =>
  i % 7 === 0
    ? `Reply #${i}: here is a snippet.\n\n\`\`\`ts\nconst answer = ${i};\nconsole.log(answer);\n\`\`\`\n\nAnything else?`
    : i % 3 === 0
      ? `Reply #${i}: a longer answer that wraps onto a second line in the transcript, so rows have different heights and the list has to measure them as they appear.`
      : `Reply #${i}`;

describe('chat inspector (Chromium, real gateway)', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E({
      suite: 'inspector',
      config: (peerUrl) => ({
        models: { anthropic: { baseUrl: peerUrl } },
        agents: {
          list: [
            { id: 'main', name: 'Main', identity: { emoji: '☀' }, default: true },
            { id: 'ops', name: 'Ops', identity: { emoji: '⚙' } },
          ],
        },
      }),
      prepare: async (stateDir) => {
        const start = Date.now() - PAIRS * 23_000 - 3_600_000;
        const big = transcript('main', BIG_ID, BIG_KEY, PAIRS, start, bigReply);
        await writeSessions(stateDir, 'main', [{ id: BIG_ID, key: BIG_KEY, ...big }]);
        const ops = transcript(
          'ops',
          OPS_ID,
          OPS_KEY,
          3,
          Date.now() - 7_200_000,
          (i) => `Deploy ${i} looks fine.`,
          { id: '99', name: 'Bob' },
          'discord',
        );
        await writeSessions(stateDir, 'ops', [{ id: OPS_ID, key: OPS_KEY, ...ops }]);
      },
    });
    await e.page.goto(`http://127.0.0.1:${e.port}/#/inspector/main&token=${e.token}`);
    try {
      await e.page.getByRole('region', { name: 'Sessions of Main' }).waitFor({ timeout: 15_000 });
    } catch (err) {
      await e.shot('failed-to-open');
      throw new Error(`the inspector did not open: ${(err as Error).message}\n${e.output()}`, { cause: err });
    }
  });
  afterAll(async () => {
    await e?.close();
  });

  const composer = () => e.page.getByRole('textbox', { name: 'Message Main' });

  it('opens on the default agent with its sessions and an empty main session to write in', async () => {
    await e.page.getByRole('button', { name: /^Telegram · direct 4242, 100000 messages/ }).waitFor();
    await e.page.getByText('No messages yet').waitFor();
    expect(await composer().isEnabled()).toBe(true);
    await e.shot('main-session-empty');
  });

  it('streams a web chat reply into the transcript and marks it with usage and the direct route', async () => {
    const long = 'Switchboards route calls between lines. '.repeat(18) + '\n\nIn short: **bindings** decide, `agents` answer.';
    e.peer.enqueue({ kind: 'text', text: long, deltaDelayMs: 30 });
    await composer().fill('Tell me about switchboards');
    await composer().press('Enter');
    expect(await composer().inputValue()).toBe('');
    await e.page.getByRole('group', { name: 'Message from you' }).getByText('Tell me about switchboards').waitFor();
    await e.page.getByRole('button', { name: 'Stop the reply' }).waitFor({ timeout: 10_000 });
    await e.page.getByText('Switchboards route calls between lines.', { exact: false }).first().waitFor();
    await e.shot('reply-streaming');
    await e.page.getByRole('button', { name: 'Stop the reply' }).waitFor({ state: 'hidden', timeout: 15_000 });
    const reply = e.page.getByRole('group', { name: 'Reply from Main' }).last();
    await reply.getByText('In short:', { exact: false }).waitFor();
    expect(await reply.locator('strong').first().textContent()).toBe('bindings');
    expect(await reply.getByLabel(/^(Turn usage|Usage): \d+ input tokens, \d+ output tokens$/).count()).toBe(1);
    expect(await e.page.getByLabel('Route: Sent from the dashboard: not routed by bindings').first().isVisible()).toBe(true);
    await e.page.getByRole('button', { name: /^Main session, 2 messages/ }).waitFor();
    await e.shot('reply-done');
  });

  it('shows a tool call folded, with its input and result one click away', async () => {
    e.peer.enqueue({ kind: 'tool_use', name: 'session_status', input: {} }, { kind: 'text', text: 'All systems nominal.' });
    await composer().fill('How are you doing?');
    await composer().press('Enter');
    await e.page.getByText('All systems nominal.').waitFor({ timeout: 15_000 });
    const tool = e.page.getByRole('button', { name: /^Tool call session_status, done/ });
    await tool.waitFor();
    expect(await tool.getAttribute('aria-expanded')).toBe('false');
    await e.shot('tool-folded');
    await tool.click();
    expect(await tool.getAttribute('aria-expanded')).toBe('true');
    expect(await e.page.getByLabel('Input of session_status').textContent()).toBe('{}');
    expect((await e.page.getByLabel('Result of session_status').textContent())!.length).toBeGreaterThan(0);
    await e.shot('tool-expanded');
  });

  it('stops a running turn with the Stop button and marks the reply as stopped', async () => {
    const gate = createGate();
    e.peer.enqueue({
      kind: 'hold',
      release: gate.promise,
      afterDeltas: 2,
      text: 'I will write a very long essay about telephone exchanges and never finish it.',
    });
    await composer().fill('Write a long essay');
    await composer().press('Enter');
    const stop = e.page.getByRole('button', { name: 'Stop the reply' });
    await stop.waitFor({ timeout: 10_000 });
    await e.page
      .getByRole('status', { name: /^Main is thinking/ })
      .or(e.page.getByText('I will write', { exact: false }))
      .first()
      .waitFor();
    await stop.click();
    await e.page.getByText('Stopped', { exact: true }).first().waitFor({ timeout: 10_000 });
    await stop.waitFor({ state: 'hidden' });
    gate.open();
    await e.shot('turn-stopped');
  });

  it('opens the 100,000-message session at its end quickly and pages backwards without a jump', async () => {
    const row = e.page.getByRole('button', { name: /^Telegram · direct 4242/ });
    const t0 = Date.now();
    await row.click();
    await e.page.getByText(`Reply #${PAIRS}`, { exact: true }).waitFor({ timeout: 10_000 });
    const openMs = Date.now() - t0;
    await e.shot('big-session-open');

    expect(await e.page.getByText(`Message #${PAIRS} from Alice`).isVisible()).toBe(true);
    // The composer is replaced by the reason the dashboard cannot write in a Telegram chat.
    expect(await e.page.getByRole('button', { name: 'Write in the main session' }).isVisible()).toBe(true);

    const SCROLLER = "document.querySelector('[data-testid=transcript-scroll]')";
    const frames = 'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))';
    // Scroll to the top and, once the list has rendered there, report the row at the top edge.
    const toTop = `(async () => { const s = ${SCROLLER}; s.scrollTop = 0; await ${frames};
      const top = s.getBoundingClientRect().top;
      const rows = [...s.querySelectorAll('.insp-row')].map((r) => ({ key: r.dataset.key, y: r.getBoundingClientRect().top - top })).filter((r) => r.y >= -4).sort((a, b) => a.y - b.y);
      return rows[0]; })()`;
    const yOf = (key: string) =>
      `(() => { const s = ${SCROLLER}; const r = s.querySelector('[data-key="${key}"]'); return r ? r.getBoundingClientRect().top - s.getBoundingClientRect().top : null; })()`;
    const scrollTop = () => e.page.evaluate(`${SCROLLER}.scrollTop`) as Promise<number>;
    const pages: { page: number; anchor: string; shiftPx: number; ms: number }[] = [];
    for (let page = 1; page <= 4; page++) {
      const p0 = Date.now();
      const anchor = (await e.page.evaluate(toTop)) as { key: string; y: number };
      // The older page goes in above: the position moves down by its height...
      await expect.poll(scrollTop, { timeout: 10_000, message: `page ${page} did not load above ${anchor.key}` }).toBeGreaterThan(1000);
      // ...and the row that was at the top stays where the reader saw it.
      const y = (await e.page.evaluate(yOf(anchor.key))) as number | null;
      expect(y).not.toBeNull();
      expect(Math.abs(y! - anchor.y)).toBeLessThan(40);
      pages.push({ page, anchor: anchor.key, shiftPx: Math.round(y! - anchor.y), ms: Date.now() - p0 });
    }
    // 200 records a page: after four pages the rows on screen are from around message 49,600.
    const visible = (await e.page.evaluate(`[...${SCROLLER}.querySelectorAll('.insp-row')].map((r) => r.textContent).join(' ')`)) as string;
    const nums = [...visible.matchAll(/(?:Message|Reply) #(\d+)/g)].map((m) => Number(m[1]));
    expect(Math.min(...nums)).toBeLessThan(PAIRS - 350);
    await e.shot('big-session-paged-back');
    const jump = e.page.getByRole('button', { name: /^Jump to latest/ });
    expect(await jump.isVisible()).toBe(true);
    await jump.click();
    await e.page.getByText(`Reply #${PAIRS}`, { exact: true }).waitFor();

    const report = { records: PAIRS * 2 + 1, openToLastMessageVisibleMs: openMs, pages };
    console.log(
      `[inspector] 100,000-message session: last message visible ${openMs} ms after the click; pages back: ${JSON.stringify(pages)}`,
    );
    await mkdir(SHOTS, { recursive: true });
    await writeFile(path.join(SHOTS, 'inspector-timing.json'), JSON.stringify(report, null, 2) + '\n');
  });

  it("lists only the selected agent's sessions when switching agents", async () => {
    await e.page.getByRole('button', { name: /^Ops, / }).click();
    const sessions = e.page.getByRole('region', { name: 'Sessions of Ops' });
    await sessions.getByRole('button', { name: /^Discord · channel 777, 6 messages/ }).waitFor();
    expect(await sessions.getByRole('button', { name: /Telegram/ }).count()).toBe(0);
    expect(await sessions.getByRole('button', { name: /^Main session/ }).count()).toBe(0);
    await sessions.getByRole('button', { name: /^Discord · channel 777/ }).click();
    await e.page.getByText('Deploy 3 looks fine.').waitFor();
    expect(
      await e.page.getByLabel('Route: Routed here by binding 0, a channel binding, the broadest kind (binding.channel)').count(),
    ).toBeGreaterThan(0);
    expect(await e.page.getByText('Tell me about switchboards').count()).toBe(0);
    await e.shot('ops-sessions');
  });

  it('exports a session as a .jsonl file: its metadata line, then the stored records', async () => {
    // Still on Ops' Discord session (previous test).
    const header = e.page.getByRole('region', { name: /^Conversation:/ }).locator('header');
    await header.getByRole('button', { name: 'Export' }).click();
    const [download] = await Promise.all([e.page.waitForEvent('download'), e.page.getByRole('button', { name: 'Download JSONL' }).click()]);
    expect(download.suggestedFilename()).toBe('ops-agent_ops_discord_channel_777.jsonl');
    const lines = (await readFile((await download.path())!, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(lines[0]).toMatchObject({ format: 'switchboard.session', agentId: 'ops', key: OPS_KEY, sessionId: OPS_ID, messages: 6 });
    expect(lines[1]).toMatchObject({ seq: 1, type: 'session', sessionId: OPS_ID });
    expect(lines.filter((l) => l.type === 'message').map((l) => l.text)).toContain('Deploy 3 looks fine.');
  });

  it("deletes a session after a confirmation naming it, then shows the agent's main session", async () => {
    const header = e.page.getByRole('region', { name: /^Conversation:/ }).locator('header');
    await header.getByRole('button', { name: 'Delete' }).click();
    const dialog = e.page.getByRole('dialog', { name: 'Delete this session?' });
    await dialog.getByText(/Discord · channel 777 \(6 messages\) will be deleted from Ops's sessions/).waitFor();
    await e.shot('delete-confirm');
    await dialog.getByRole('button', { name: 'Delete session' }).click();
    await e.page.getByText('No messages yet').waitFor();
    const sessions = e.page.getByRole('region', { name: 'Sessions of Ops' });
    await sessions.getByText('No conversations yet').waitFor();
    expect(await e.page.getByRole('textbox', { name: 'Message Ops' }).isVisible()).toBe(true);
    expect(decodeURIComponent(new URL(e.page.url()).hash)).toContain('/inspector/ops/agent:ops:main');
    await e.shot('session-deleted');
  });

  it('refuses to export a session too large for the control plane and says which file to copy', async () => {
    await e.page.getByRole('button', { name: /^Main, / }).click();
    await e.page.getByRole('button', { name: /^Telegram · direct 4242/ }).click();
    await e.page.getByText(`Reply #${PAIRS}`, { exact: true }).waitFor({ timeout: 10_000 });
    const header = e.page.getByRole('region', { name: /^Conversation:/ }).locator('header');
    await header.getByRole('button', { name: 'Export' }).click();
    await e.page.getByRole('button', { name: 'Download JSONL' }).click();
    const file = path.join(e.stateDir, 'agents', 'main', 'sessions', `${BIG_ID}.jsonl`);
    await e.page.getByText(`copy its transcript file instead: ${file}`, { exact: false }).waitFor({ timeout: 10_000 });
    await e.shot('export-too-large');
  });
});
