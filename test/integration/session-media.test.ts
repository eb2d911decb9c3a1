// Deleting a session removes the images only it referenced, through a real headless gateway:
// images arrive from an in-memory Telegram account (one session per sender, dmScope per-peer), are
// stored in the agent's media folder, and `sessions.delete` is called over the control plane.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { memoryChannels, type MemoryChannel } from '../helpers/memory-channel.ts';

const jpeg = (seed: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(seed.repeat(100))]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function setup(): Promise<{ gw: TestGateway; telegram: MemoryChannel }> {
  const channels = memoryChannels();
  gw = await startTestGateway({
    config: (url) => ({
      models: { anthropic: { baseUrl: url } },
      session: { dmScope: 'per-peer' },
      channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'], botToken: { env: 'T' } } },
    }),
    adapters: channels.factory,
  });
  return { gw, telegram: channels.get('telegram') };
}

/** A DM from `sender` (its own session), optionally with an image; resolves with the session key once the reply is out. */
async function dm(g: TestGateway, telegram: MemoryChannel, sender: string, text: string, image?: Buffer): Promise<string> {
  telegram.dm(sender, text, image ? { media: [{ kind: 'image', mimeType: 'image/jpeg', data: image }] } : {});
  const inbound = await g.waitFor('message.inbound', (d) => d.text === text);
  await g.waitFor('message.outbound', (d) => d.messageId === inbound.messageId);
  await g.headless.gateway.idle();
  return inbound.sessionKey as string;
}

const mediaDir = (g: TestGateway) => path.join(g.dir, 'agents', 'main', 'media');
const mediaFiles = (g: TestGateway) => readdir(mediaDir(g)).catch(() => [] as string[]);
const imagesSent = (g: TestGateway, request: number): string[] =>
  (g.peer.requests[request]!.body!.messages ?? [])
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .filter((b) => b.type === 'image')
    .map((b) => (b.source as { data: string }).data);

describe('sessions.delete and the media folder', () => {
  it('removes an image that only the deleted session referenced', async () => {
    const { gw, telegram } = await setup();
    const picture = jpeg('only in A');
    const a = await dm(gw, telegram, '111', 'look at this', picture);
    const b = await dm(gw, telegram, '222', 'no picture from me');
    expect(a).not.toBe(b);
    expect(await mediaFiles(gw)).toEqual([`${sha(picture)}.jpg`]);

    expect(await gw.client.request('sessions.delete', { agentId: 'main', sessionKey: a })).toEqual({ deleted: true });
    expect(await mediaFiles(gw)).toEqual([]);
  });

  it("keeps an image another session also sent, and that session's history still sends it to the model", async () => {
    const { gw, telegram } = await setup();
    const picture = jpeg('shared by A and B');
    const a = await dm(gw, telegram, '111', 'from A', picture);
    const b = await dm(gw, telegram, '222', 'from B', picture);
    expect(await mediaFiles(gw)).toEqual([`${sha(picture)}.jpg`]);

    expect(await gw.client.request('sessions.delete', { agentId: 'main', sessionKey: a })).toEqual({ deleted: true });
    expect(await mediaFiles(gw)).toEqual([`${sha(picture)}.jpg`]);
    expect(await dm(gw, telegram, '222', 'what did I send?')).toBe(b);
    expect(imagesSent(gw, gw.peer.requests.length - 1)).toEqual([picture.toString('base64')]);
  });

  it('a hostile reference in the deleted transcript removes nothing outside the media folder, and the delete still succeeds', async () => {
    const { gw, telegram } = await setup();
    const picture = jpeg('kept by B');
    await dm(gw, telegram, '222', 'from B', picture);
    const a = await dm(gw, telegram, '111', 'plain');
    // Files a path-traversing reference could aim at: in the agent's folder and in the state dir.
    const victims = [path.join(gw.dir, 'agents', 'main', 'victim.jpg'), path.join(gw.dir, 'victim.jpg')];
    for (const v of victims) await writeFile(v, 'do not delete');
    const store = await gw.headless.gateway.storeFor('main');
    await store.append(a, {
      type: 'message',
      role: 'user',
      text: 'hand-edited',
      media: [
        { kind: 'image', sha256: '../victim', mimeType: 'image/jpeg', bytes: 1 },
        { kind: 'image', sha256: '../../../victim', mimeType: 'image/jpeg', bytes: 1 },
        { kind: 'image', sha256: sha(picture), mimeType: '../../victim', bytes: 1 },
        { kind: 'image', sha256: `${sha(picture)}/../../victim`, mimeType: 'image/jpeg', bytes: 1 },
        // A well-formed one too, so the removal runs: B still uses that picture.
        { kind: 'image', sha256: sha(picture), mimeType: 'image/jpeg', bytes: picture.length },
      ],
    });
    const transcriptsBefore = (await readdir(store.dir)).filter((f) => f.endsWith('.jsonl') && path.join(store.dir, f) !== store.fileOf(a));

    expect(await gw.client.request('sessions.delete', { agentId: 'main', sessionKey: a })).toEqual({ deleted: true });
    for (const v of victims) expect(await readFile(v, 'utf8')).toBe('do not delete');
    expect(await mediaFiles(gw)).toEqual([`${sha(picture)}.jpg`]);
    expect((await readdir(store.dir)).filter((f) => f.endsWith('.jsonl'))).toEqual(transcriptsBefore);
  });

  it('still deletes the session when an image file cannot be removed', async () => {
    const { gw, telegram } = await setup();
    const picture = jpeg('stuck');
    const a = await dm(gw, telegram, '111', 'stuck picture', picture);
    // A non-empty directory under the image's name cannot be unlinked.
    const file = path.join(mediaDir(gw), `${sha(picture)}.jpg`);
    await rm(file);
    await mkdir(path.join(file, 'inner'), { recursive: true });

    expect(await gw.client.request('sessions.delete', { agentId: 'main', sessionKey: a })).toEqual({ deleted: true });
    expect((await gw.client.request('sessions.list', { agentId: 'main' })).sessions).toEqual([]);
    expect(await readdir(file)).toEqual(['inner']);
  });
});
