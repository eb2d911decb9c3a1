// agents.files.get / agents.files.set against a real gateway and real folders: the agent page
// reads and rewrites only AGENTS.md, SOUL.md and USER.md, only in that agent's own workspace
// (never through a link, never another agent's file), and the next turn's prompt has the new text.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function refusal(call: Promise<unknown>): Promise<ControlError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ControlError) return err;
    throw err;
  }
  throw new Error('expected the call to be refused');
}

const twoAgents = (url: string) => ({
  models: { anthropic: { baseUrl: url } },
  agents: {
    list: [
      { id: 'main', default: true, workspace: '~/workspace-main' },
      { id: 'work', workspace: '~/workspace-work' },
    ],
  },
});

describe('persona files from the dashboard', () => {
  it("reads and replaces the agent's SOUL.md, and the next turn's system prompt carries the new text", async () => {
    gw = await startTestGateway({ config: twoAgents });
    await mkdir(path.join(gw.dir, 'workspace-work'), { recursive: true });
    await writeFile(path.join(gw.dir, 'workspace-work', 'SOUL.md'), '# Work\nYou are brisk.\n');
    const read = await gw.client.request('agents.files.get', { agentId: 'work', name: 'SOUL.md' });
    expect(read).toMatchObject({ agentId: 'work', name: 'SOUL.md', exists: true, content: '# Work\nYou are brisk.\n' });
    // The gateway seeded USER.md when it started; once gone, it reads as missing and saving creates it.
    await rm(path.join(gw.dir, 'workspace-work', 'USER.md'));
    expect(await gw.client.request('agents.files.get', { agentId: 'work', name: 'USER.md' })).toMatchObject({ exists: false, content: '' });

    const written = await gw.client.request('agents.files.set', {
      agentId: 'WORK',
      name: 'SOUL.md',
      content: '# Work\nYou speak like a pirate.\n',
    });
    expect(written).toMatchObject({ agentId: 'work', name: 'SOUL.md', created: false, bytes: 32 });
    expect(await readFile(path.join(gw.dir, 'workspace-work', 'SOUL.md'), 'utf8')).toBe('# Work\nYou speak like a pirate.\n');
    const created = await gw.client.request('agents.files.set', { agentId: 'work', name: 'USER.md', content: 'Ann, on call on Fridays.' });
    expect(created.created).toBe(true);
    // Nothing of work's reached main's workspace.
    expect(await readFile(path.join(gw.dir, 'workspace-main', 'USER.md'), 'utf8')).not.toContain('Ann');

    const sent = await gw.client.request('webchat.send', { agentId: 'work', text: 'ahoy?' });
    await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    expect(JSON.stringify(gw.peer.requests.at(-1)!.body!.system)).toContain('You speak like a pirate.');
  });

  it('refuses any other file name, a path, an unknown agent and a link out of the workspace, writing nothing', async () => {
    gw = await startTestGateway({ config: twoAgents });
    const client = gw.client as unknown as { request(m: string, p: unknown): Promise<unknown> };
    const mainSoul = path.join(gw.dir, 'workspace-main', 'SOUL.md');
    await writeFile(mainSoul, 'main soul');
    for (const name of ['MEMORY.md', '../workspace-main/SOUL.md', 'skills/x.md', '/etc/passwd', 'soul.md']) {
      const err = await refusal(client.request('agents.files.set', { agentId: 'work', name, content: 'x' }));
      expect(err.code, name).toBe('bad_request');
      expect(err.message, name).toContain('expected one of the persona files AGENTS.md, SOUL.md, USER.md');
    }
    expect(await readFile(mainSoul, 'utf8')).toBe('main soul');
    expect(existsSync(path.join(gw.dir, 'workspace-work', 'MEMORY.md'))).toBe(false);
    const unknown = await refusal(gw.client.request('agents.files.get', { agentId: 'ghost', name: 'SOUL.md' }));
    expect(unknown.code).toBe('not_found');

    // A SOUL.md that is a link to another agent's file is neither read nor written through.
    await rm(path.join(gw.dir, 'workspace-work', 'SOUL.md'));
    await symlink(mainSoul, path.join(gw.dir, 'workspace-work', 'SOUL.md'));
    const viaLink = await refusal(gw.client.request('agents.files.get', { agentId: 'work', name: 'SOUL.md' }));
    expect(viaLink.code).toBe('bad_request');
    const writeLink = await refusal(gw.client.request('agents.files.set', { agentId: 'work', name: 'SOUL.md', content: 'hijack' }));
    expect(writeLink.message).toMatch(/^SOUL.md of agent "work" was not written: /);
    expect(await readFile(mainSoul, 'utf8')).toBe('main soul');
  });
});
