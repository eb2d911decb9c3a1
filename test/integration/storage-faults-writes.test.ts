// Specification: the state dir's other writes feed status.storage as inbound messages do. A reply
// record, a session index save, an inbound image and a `/new` reset that fail on a full or
// read-only disk put the storage health in its fault state (status.storage, the storage.state
// event the dashboard's banner shows, `unavailable` naming cause and folder where a client waits
// for an answer), and it clears again once the disk takes writes, without a restart.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { USER_MESSAGES } from '../../src-main/agents/turn.ts';
import { CANNOT_RESET_REPLY, CANNOT_STORE_REPLY } from '../../src-main/gateway/storage-health.ts';
import { startTestGateway, TEST_API_KEY, type TestGateway } from '../helpers/gateway.ts';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { storageFaults, type StorageFaults } from '../helpers/storage-faults.ts';
import { until } from '../helpers/wait.ts';
import { createGate } from '../peers/anthropic.ts';

const MAIN = 'agent:main:main';
// A 1×1 PNG: the gateway stores image bytes under the agent's media folder before the record.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

let gw: TestGateway | undefined;
let faults: (StorageFaults & { uninstall(): void }) | undefined;

afterEach(async () => {
  faults?.uninstall();
  faults = undefined;
  await gw?.close();
  gw = undefined;
});

const sessionsDir = (g: TestGateway) => path.join(g.dir, 'agents', 'main', 'sessions');
const storageEvents = (g: TestGateway) => g.events.filter((e) => e.event === 'storage.state').map((e) => e.data.ok);

async function records(g: TestGateway) {
  return (await g.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN, limit: 1000 })).records;
}

describe('writes other than the inbound record feed status.storage', () => {
  it('a reply record refused by a full disk shows as "disk full" and clears with the next stored message', async () => {
    faults = storageFaults();
    gw = await startTestGateway();
    const g = gw;
    const gate = createGate();
    g.peer.setDefault(() => ({ kind: 'hold', release: gate.promise, text: 'the answer' }));
    await g.client.request('webchat.send', { agentId: 'main', text: 'question', clientId: 'q1' });
    await g.peer.waitForRequest(1);
    // The inbound record is on disk; the disk fills while the model answers.
    faults.fail('ENOSPC', ['write'], sessionsDir(g));
    gate.open();
    await g.headless.gateway.idle();

    expect((await g.client.request('status', {})).storage).toMatchObject({
      ok: false,
      reason: expect.stringContaining(`disk full at ${g.dir}`),
    });
    await g.waitFor('storage.state', (d) => d.ok === false);
    expect((await records(g)).some((r) => r.role === 'assistant' && r.text === 'the answer')).toBe(false);
    // The answer exists, so the asker gets it, with the note that it is not kept.
    const outbound = await g.waitFor('message.outbound', (d) => String(d.text).startsWith('the answer'));
    expect(outbound).toMatchObject({ failure: 'storage_unavailable', text: `the answer\n\n${USER_MESSAGES.storage_unavailable}` });

    faults.clear();
    g.peer.setDefault(null);
    await g.client.request('webchat.send', { agentId: 'main', text: 'again', clientId: 'q2' });
    expect((await g.client.request('status', {})).storage).toEqual({ ok: true });
    await g.waitFor('storage.state', (d) => d.ok === true);
    await g.headless.gateway.idle();
    // The question got its outcome once the disk took writes again, so it is not asked again with the next one.
    const after = await records(g);
    const question = after.find((r) => r.role === 'user' && r.text === 'question')!;
    expect(after.filter((r) => r.type === 'error' && r.inReplyTo === question.seq).map((r) => r.kind)).toEqual(['storage_unavailable']);
    expect(after.filter((r) => r.role === 'assistant').map((r) => r.text)).toEqual(['echo: again']);
  });

  it('a session index save refused by a full disk shows, is retried, and clears by itself once it is saved', async () => {
    faults = storageFaults();
    gw = await startTestGateway();
    const g = gw;
    faults.fail('ENOSPC', ['open', 'write'], sessionsDir(g), /sessions\.json/);
    await g.client.request('webchat.send', { agentId: 'main', text: 'counted', clientId: 'c1' });
    await g.headless.gateway.idle();
    await g.waitFor('storage.state', (d) => d.ok === false);
    const status = await g.client.request('status', {});
    expect(status.storage).toMatchObject({ ok: false, reason: expect.stringContaining(`disk full at ${g.dir}`) });
    expect(await fsp.readFile(path.join(sessionsDir(g), 'sessions.json'), 'utf8')).not.toContain(MAIN);

    // No message is needed: the save is tried again and the fault clears when it works.
    faults.clear();
    await g.waitFor('storage.state', (d) => d.ok === true);
    expect((await g.client.request('status', {})).storage).toEqual({ ok: true });
    const saved = JSON.parse(await fsp.readFile(path.join(sessionsDir(g), 'sessions.json'), 'utf8')) as {
      sessions: Record<string, { messages: number }>;
    };
    expect(saved.sessions[MAIN]?.messages).toBe(2);
  });

  it('an image that cannot be written to a read-only media folder: the sender is told, the next one is stored', async () => {
    faults = storageFaults();
    const channels = memoryChannels();
    gw = await startTestGateway({
      adapters: channels.factory,
      env: { ANTHROPIC_API_KEY: TEST_API_KEY, TG_TOKEN: 't' },
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'], accounts: { default: { botToken: { env: 'TG_TOKEN' } } } } },
      }),
    });
    const g = gw;
    const tg = channels.get('telegram');
    const mediaDir = path.join(g.dir, 'agents', 'main', 'media');
    faults.fail('EROFS', ['open'], mediaDir);
    tg.dm('42', 'look', { media: [{ kind: 'image', mimeType: 'image/png', data: Buffer.from(PNG) }] });
    await until(() => tg.sent.some((m) => m.text === CANNOT_STORE_REPLY), 'the sender told');
    expect((await g.client.request('status', {})).storage).toMatchObject({
      ok: false,
      reason: expect.stringContaining(`state folder is read-only: ${g.dir}`),
    });
    expect((await g.client.request('status', {})).dropped.storage_unavailable).toBe(1);

    faults.clear();
    tg.dm('42', 'look again', { media: [{ kind: 'image', mimeType: 'image/png', data: Buffer.from(PNG) }] });
    await until(() => tg.sent.some((m) => m.text.startsWith('echo:') && m.text.includes('look again')), 'answered');
    expect(tg.refused).toHaveLength(1); // the refused update was not confirmed to the platform
    expect((await g.client.request('status', {})).storage).toEqual({ ok: true });
    expect(await fsp.readdir(mediaDir)).toHaveLength(1);
    expect(storageEvents(g)).toEqual([false, true]);
  });

  it('/new on a read-only sessions folder is refused naming the folder, keeps the session, and works once writable', async () => {
    faults = storageFaults();
    gw = await startTestGateway();
    const g = gw;
    await g.client.request('webchat.send', { agentId: 'main', text: 'before', clientId: 'b1' });
    await g.headless.gateway.idle();
    const before = (await g.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN })).sessionId;

    faults.fail('EROFS', ['open'], sessionsDir(g), /\.jsonl$/);
    await expect(g.client.request('webchat.send', { agentId: 'main', text: '/new' })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining(`state folder is read-only: ${g.dir}`),
    });
    await g.waitFor('message.outbound', (d) => d.text === CANNOT_RESET_REPLY && d.failure === 'storage_unavailable');
    expect((await g.client.request('status', {})).storage.ok).toBe(false);
    // The old session is still the live one: the next message continues it.
    expect((await g.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN })).sessionId).toBe(before);
    expect((await g.client.request('sessions.list', { agentId: 'main' })).sessions.map((s) => s.key)).toEqual([MAIN]);

    faults.clear();
    await g.client.request('webchat.send', { agentId: 'main', text: '/new' });
    const after = (await g.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN })).sessionId;
    expect(after).not.toBe(before);
    expect((await g.client.request('status', {})).storage).toEqual({ ok: true });
    expect(storageEvents(g)).toEqual([false, true]);
  });
});
