// Agents written into the config by hand, and the built-in main, get their workspace and persona
// templates when the gateway starts or a config edit is applied — so `write` works on their first
// turn — while files a user removed from an existing workspace stay removed.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const PERSONA = ['AGENTS.md', 'SOUL.md', 'USER.md'];

async function ask(agentId: string, text: string): Promise<Record<string, unknown>> {
  const sent = await gw!.client.request('webchat.send', { agentId, text });
  return gw!.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
}

describe('workspaces for every agent', () => {
  it('a hand-written agent gets its workspace at start, and its first turn can write a file there', async () => {
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: {
          list: [
            { id: 'home', default: true },
            { id: 'ops', name: 'Ops Desk', tools: { allow: ['write'] } },
          ],
        },
      }),
    });
    const ops = path.join(gw.dir, 'workspace-ops');
    for (const file of PERSONA) expect(existsSync(path.join(ops, file)), file).toBe(true);
    expect(await readFile(path.join(ops, 'AGENTS.md'), 'utf8')).toContain('You are **Ops Desk**');
    gw.peer.enqueue(
      { kind: 'tool_use', name: 'write', input: { path: 'notes.txt', content: 'first note' } },
      { kind: 'text', text: 'saved' },
    );
    expect((await ask('ops', 'note this')).text).toBe('saved');
    expect(await readFile(path.join(ops, 'notes.txt'), 'utf8')).toBe('first note');
  });

  it('the built-in main agent gets its workspace with no config file at all', async () => {
    gw = await startTestGateway();
    const agents = (await gw.client.request('agents.list', {})).agents;
    const main = agents.find((a) => a.id === 'main')!;
    for (const file of PERSONA) expect(existsSync(path.join(main.workspace, file)), file).toBe(true);
  });

  it('an agent added by editing the file gets its workspace when the edit is applied', async () => {
    gw = await startTestGateway();
    const configPath = path.join(gw.dir, 'switchboard.json');
    const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    await writeFile(configPath, JSON.stringify({ ...config, agents: { list: [{ id: 'main', default: true }, { id: 'late' }] } }));
    await gw.headless.gateway.reload();
    for (const file of PERSONA) expect(existsSync(path.join(gw.dir, 'workspace-late', file)), file).toBe(true);
  });

  it('a persona file removed from an existing workspace is not brought back', async () => {
    gw = await startTestGateway({
      config: (url) => ({ models: { anthropic: { baseUrl: url } }, agents: { list: [{ id: 'home', default: true }] } }),
    });
    const workspace = (await gw.client.request('agents.list', {})).agents.find((a) => a.id === 'home')!.workspace;
    const soul = path.join(workspace, 'SOUL.md');
    await rm(soul);
    await gw.headless.gateway.stop();
    await gw.headless.gateway.start();
    expect(existsSync(soul)).toBe(false);
    expect(existsSync(path.join(workspace, 'AGENTS.md'))).toBe(true);
  });
});
