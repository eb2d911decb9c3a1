// The agent sandbox through the real gateway: an agent whose sandbox cannot run here does not
// start and says why (agents.list, status, the sender's chat); one whose sandbox runs has its exec
// confined — the model (the local Anthropic peer) asks for exec, the control plane drives the chat.
import { access, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OsSandbox } from '../../src-main/agents/sandbox/index.ts';
import { lastUserText } from '../peers/anthropic.ts';
import { startTelegramPeer, tg, type TelegramPeer } from '../peers/telegram.ts';
import { startTestGateway, TEST_API_KEY, type TestGateway } from '../helpers/gateway.ts';
import { until } from '../helpers/wait.ts';

let gw: TestGateway | undefined;
let telegram: TelegramPeer | undefined;
afterEach(async () => {
  await gw?.close();
  await telegram?.close();
  gw = telegram = undefined;
});

const NO_BWRAP = 'bubblewrap (bwrap) not installed';

describe('an agent whose sandbox cannot run on this machine', () => {
  it('is reported unavailable with the reason, and a sender gets that reply instead of silence', async () => {
    telegram = await startTelegramPeer();
    const bot = telegram.addBot('boxed_bot');
    gw = await startTestGateway({
      sandbox: new OsSandbox(() => ({ available: false, reason: NO_BWRAP })),
      env: { ANTHROPIC_API_KEY: TEST_API_KEY, TG: bot.token },
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: {
          list: [
            { id: 'plain', default: true },
            { id: 'boxed', sandbox: { mode: 'all' } },
          ],
        },
        bindings: [{ agentId: 'boxed', match: { channel: 'telegram' } }],
        channels: { telegram: { apiRoot: telegram!.url, dmPolicy: 'open', allowFrom: ['*'], botToken: { env: 'TG' } } },
      }),
    });
    const reason = `its sandbox cannot run here: ${NO_BWRAP}`;
    const { agents } = await gw.client.request('agents.list', {});
    expect(agents.map((a) => [a.id, a.state, a.reason])).toEqual([
      ['plain', 'idle', null],
      ['boxed', 'unavailable', reason],
    ]);
    expect((await gw.client.request('status', {})).unavailableAgents).toEqual([{ agentId: 'boxed', reason }]);

    const ann = tg.user(7001, 'Ann');
    bot.message(tg.text(tg.privateChat(ann), ann, 'run ls for me'));
    await until(() => bot.sent.length === 1, 'the reply to Ann', 15_000);
    expect(bot.sent[0]).toMatchObject({ chatId: '7001', text: `this agent is not available: ${reason}` });
    expect(gw.peer.requestCount).toBe(0);
  });
});

describe.runIf(process.platform === 'linux')('exec of a sandboxed agent through the gateway (bubblewrap)', () => {
  it('"non-main": the main session runs unconfined, another session in the sandbox', async () => {
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: { list: [{ id: 'main', tools: { allow: ['exec'] }, sandbox: { mode: 'non-main' } }] },
      }),
    });
    const configPath = path.join(gw.dir, 'switchboard.json');
    const workspace = path.join(gw.dir, 'workspace');
    await mkdir(workspace, { recursive: true });
    const command = ['sh', '-c', `echo made > made-$0.txt; cat ${configPath}; cat /proc/${process.pid}/environ; env`];
    const script = (tag: string) =>
      gw!.peer.enqueue(
        { kind: 'tool_use', name: 'exec', input: { command: [...command.slice(0, 2), command[2]!, tag] } },
        { kind: 'text', text: 'done' },
      );
    const toolResult = async (n: number) => lastUserText((await gw!.peer.waitForRequest(n)).body);

    script('main');
    await gw.client.request('webchat.send', { agentId: 'main', text: 'go' });
    const unconfined = await toolResult(2);
    // Outside the sandbox the config file is readable: what the sandbox takes away below.
    expect(unconfined).toContain('"baseUrl"');

    script('other');
    await gw.client.request('webchat.send', { agentId: 'main', text: 'go', sessionKey: 'agent:main:webchat:side' });
    const confined = await toolResult(4);
    expect(confined).not.toContain('"baseUrl"');
    expect(confined).not.toContain(TEST_API_KEY);
    expect(confined).toMatch(/No such file or directory/);
    // It could still write its workspace.
    expect(await readFile(path.join(workspace, 'made-other.txt'), 'utf8')).toBe('made\n');
    await expect(access(path.join(workspace, 'made-main.txt'))).resolves.toBeUndefined();
    await gw.waitFor('message.outbound', (d) => d.sessionKey === 'agent:main:webchat:side' && d.text === 'done');
  });
});
