// Heartbeats through the real headless gateway, the local Anthropic peer and MemoryChannel, on an
// injected clock: a beat runs in the agent's main session, is marked in the transcript, is skipped
// while the agent is paused, and only news (not HEARTBEAT_OK) reaches the configured target.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HEARTBEAT_PROMPT } from '../../src-shared/config/index.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { until } from '../helpers/wait.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const MIN = 60_000;

async function start(heartbeat: Record<string, unknown>) {
  const clock = new ManualClock();
  const channels = memoryChannels();
  gw = await startTestGateway({
    clock,
    adapters: channels.factory,
    config: (url) => ({
      models: { anthropic: { baseUrl: url } },
      channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'] } },
      agents: { defaults: { heartbeat: { every: '30m' } }, list: [{ id: 'main', heartbeat }] },
    }),
  });
  return { clock, tg: channels.get('telegram') };
}

/** Fires the next beat and waits until its turn is over (the timer is re-armed after it). */
async function beat(clock: ManualClock, ms = 30 * MIN): Promise<void> {
  clock.advance(ms);
  await until(() => clock.pending.length === 1, 'heartbeat re-armed');
  await gw!.headless.gateway.idle();
}

const mainRecords = async () =>
  (await gw!.client.request('sessions.history', { agentId: 'main', sessionKey: 'agent:main:main', limit: 100 })).records.filter(
    (r) => r.type === 'message',
  );

describe('heartbeat', () => {
  it('runs in the main session every 30m (inherited from agents.defaults), marked as a heartbeat; HEARTBEAT_OK is recorded but not sent', async () => {
    const { clock, tg } = await start({ target: 'telegram', to: '42' });
    expect(clock.pending).toEqual([30 * MIN]);
    gw!.peer.enqueue({ kind: 'text', text: 'HEARTBEAT_OK' }, { kind: 'text', text: 'Your build failed.' });

    clock.advance(29 * MIN);
    expect(gw!.peer.requests).toHaveLength(0);
    await beat(clock, MIN);
    expect(gw!.peer.requests).toHaveLength(1);
    expect(await mainRecords()).toMatchObject([
      { role: 'user', heartbeat: true, text: DEFAULT_HEARTBEAT_PROMPT, sender: { id: 'heartbeat' } },
      { role: 'assistant', text: 'HEARTBEAT_OK' },
    ]);
    expect(tg.sent).toEqual([]);

    await beat(clock);
    expect(tg.sent).toMatchObject([{ channel: 'telegram', peer: { kind: 'direct', id: '42' }, text: 'Your build failed.' }]);
    expect(tg.sent[0]!.replyToMessageId).toBeUndefined();
  });

  it('a beat that fails is recorded as failed and never sent to the target; the next beat with news is', async () => {
    const { clock, tg } = await start({ target: 'telegram', to: '42' });
    gw!.peer.enqueue({ kind: 'error', status: 400, message: 'bad request from the test' }, { kind: 'text', text: 'Backup done.' });
    await beat(clock);
    expect(gw!.peer.requests).toHaveLength(1);
    const history = await gw!.client.request('sessions.history', { agentId: 'main', sessionKey: 'agent:main:main', limit: 100 });
    expect(history.records.some((r) => r.type === 'error' || (r.type === 'message' && r.role === 'assistant' && r.incomplete))).toBe(true);
    expect(tg.sent).toEqual([]);

    await beat(clock);
    expect(tg.sent).toMatchObject([{ peer: { kind: 'direct', id: '42' }, text: 'Backup done.' }]);
  });

  it('sends nothing anywhere without a target, and puts HEARTBEAT.md from the workspace after the prompt', async () => {
    const { clock, tg } = await start({ prompt: 'Check the list.' });
    const gateway = gw!.headless.gateway;
    const ws = gateway.pathsOf(gateway.currentConfig.agents.list[0]!).workspace;
    await writeFile(path.join(ws, 'HEARTBEAT.md'), '# Tasks\n- water the plants\n');
    gw!.peer.enqueue({ kind: 'text', text: 'Water the plants!' });
    await beat(clock);
    expect((await mainRecords())[0]).toMatchObject({ text: 'Check the list.\n\nHEARTBEAT.md:\n# Tasks\n- water the plants\n' });
    expect((await mainRecords())[1]).toMatchObject({ text: 'Water the plants!' });
    expect(tg.sent).toEqual([]);

    // Only headings left: nothing to check, no paid turn.
    await writeFile(path.join(ws, 'HEARTBEAT.md'), '# Tasks\n\n');
    await beat(clock);
    expect(gw!.peer.requests).toHaveLength(1);
  });

  it('is skipped while the agent is paused and runs again once resumed', async () => {
    const { clock } = await start({});
    await gw!.client.request('agents.pause', { agentId: 'main' });
    await beat(clock);
    expect(gw!.peer.requests).toHaveLength(0);
    expect((await gw!.client.request('sessions.list', { agentId: 'main' })).sessions).toEqual([]);
    await gw!.client.request('agents.resume', { agentId: 'main' });
    await beat(clock);
    expect(gw!.peer.requests).toHaveLength(1);
  });

  it('is skipped outside its active hours', async () => {
    // The manual clock starts at 12:00 UTC.
    const { clock } = await start({ activeHours: { start: '22:00', end: '06:00', timezone: 'UTC' } });
    await beat(clock);
    expect(gw!.peer.requests).toHaveLength(0);
  });

  it('has no timer once the gateway is stopped, and a new one after start', async () => {
    const { clock } = await start({ every: '2h' });
    expect(clock.pending).toEqual([120 * MIN]);
    await gw!.client.request('gateway.stop', {});
    expect(clock.pending).toEqual([]);
    await gw!.client.request('gateway.start', {});
    expect(clock.pending).toEqual([120 * MIN]);
  });
});
