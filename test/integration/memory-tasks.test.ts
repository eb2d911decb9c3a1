// Memory and tasks end to end (issue 8): the real headless gateway, the local Anthropic peer
// scripted to call the tools, and the dashboard's control methods — what one agent saves, the
// other agent never sees, through the tools or through tasks.list / tasks.update.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const twoAgents = (url: string) => ({
  models: { anthropic: { baseUrl: url } },
  agents: { list: [{ id: 'main', default: true }, { id: 'work' }] },
});

/** Sends a dashboard message to `agentId` and returns the tool results its turn recorded. */
async function turn(g: TestGateway, agentId: string, text: string): Promise<string[]> {
  const sent = await g.client.request('webchat.send', { agentId, text });
  await g.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
  const history = await g.client.request('sessions.history', { agentId, sessionKey: sent.sessionKey });
  return history.records
    .filter(
      (r) =>
        r.type === 'tool_result' &&
        r.inReplyTo === history.records.find((u) => u.type === 'message' && u.role === 'user' && u.text === text)?.seq,
    )
    .map((r) => String(r.output));
}

describe('memory through the gateway', () => {
  it('an agent recalls a saved note in a later turn; another agent finds nothing', async () => {
    gw = await startTestGateway({ config: twoAgents });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'memory_save', input: { text: 'Anna prefers window seats', tags: ['travel'] } },
      { kind: 'text', text: 'noted' },
    );
    expect((await turn(gw, 'main', 'remember Anna likes window seats'))[0]).toMatch(/^saved note m/);
    gw.peer.enqueue({ kind: 'tool_use', name: 'memory_search', input: { query: 'Anna seats' } }, { kind: 'text', text: 'found it' });
    expect((await turn(gw, 'main', 'what seat does Anna like?'))[0]).toContain('Anna prefers window seats');
    gw.peer.enqueue({ kind: 'tool_use', name: 'memory_search', input: { query: 'Anna seats' } }, { kind: 'text', text: 'nothing' });
    expect(await turn(gw, 'work', 'what seat does Anna like?')).toEqual(['no notes in your private pool match "Anna seats"']);
  });

  it('puts MEMORY.md into the main session prompt of the dashboard operator', async () => {
    gw = await startTestGateway({ config: twoAgents });
    await mkdir(path.join(gw.dir, 'workspace'), { recursive: true });
    await writeFile(path.join(gw.dir, 'workspace', 'MEMORY.md'), 'The owner is vegetarian.');
    gw.peer.enqueue({ kind: 'text', text: 'ok' });
    await turn(gw, 'main', 'hello');
    expect(JSON.stringify(gw.peer.requests.at(-1)!.body!.system)).toContain('The owner is vegetarian.');
  });
});

describe('tasks through the gateway', () => {
  it("tasks.list shows a task the agent added; the other agent's list stays empty", async () => {
    gw = await startTestGateway({ config: twoAgents });
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'task_add', input: { title: 'Book dentist', due: '2026-02-01' } },
      { kind: 'text', text: 'added' },
    );
    await turn(gw, 'main', 'remind me to book the dentist');
    const mine = await gw.client.request('tasks.list', { agentId: 'main' });
    expect(mine.tasks.map((t) => [t.id, t.title, t.status, t.due])).toEqual([['t1', 'Book dentist', 'open', '2026-02-01']]);
    expect((await gw.client.request('tasks.list', { agentId: 'work' })).tasks).toEqual([]);
  });

  it("tasks.update edits the named agent's task and refuses the same id on another agent", async () => {
    gw = await startTestGateway({ config: twoAgents });
    gw.peer.enqueue({ kind: 'tool_use', name: 'task_add', input: { title: 'File taxes' } }, { kind: 'text', text: 'added' });
    await turn(gw, 'main', 'taxes');
    const updated = await gw.client.request('tasks.update', { agentId: 'main', id: 't1', status: 'done', notes: 'submitted online' });
    expect(updated.task).toMatchObject({ id: 't1', status: 'done', notes: 'submitted online' });
    await expect(gw.client.request('tasks.update', { agentId: 'work', id: 't1', status: 'cancelled' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(gw.client.request('tasks.list', { agentId: 'ghost' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
