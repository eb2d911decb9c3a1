// Specification of inbound images below the adapters: the capped download (a local HTTP server),
// the caps and placeholder lines, sniffing, per-agent content-addressed storage on real files, and
// how history turns stored references into image blocks (or placeholder lines) within its limits.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildHistory,
  HISTORY_IMAGE_LIMITS,
  IMAGE_MISSING_NOTE,
  IMAGE_OMITTED_NOTE,
  type WireMessage,
} from '../../src-main/agents/history.ts';
import { agentMediaDir, readMedia, storeInboundMedia, type MediaRef } from '../../src-main/agents/media.ts';
import {
  attachImages,
  downloadCapped,
  ImageTooLargeError,
  sniffImageType,
  type ImageLimits,
  type ImageSource,
} from '../../src-main/channels/media.ts';
import type { InboundEnvelope } from '../../src-main/gateway/envelope.ts';
import { AgentSessionStore } from '../../src-main/sessions/index.ts';

const JPEG = (seed: string, n = 64) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(seed.repeat(n))]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('png')]);
const GIF = Buffer.from('GIF89a....');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const LIMITS: ImageLimits = { maxBytes: 1000, maxPerMessage: 2, timeoutMs: 5000 };

let tmp: string;
beforeEach(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-media-')));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('sniffImageType', () => {
  it('recognises JPEG, PNG, GIF and WebP by their bytes, and nothing else', () => {
    expect([JPEG('x'), PNG, GIF, WEBP].map(sniffImageType)).toEqual(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
    expect(sniffImageType(Buffer.from('II*\0tiff'))).toBeUndefined();
    expect(sniffImageType(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('downloadCapped', () => {
  let server: Server;
  let url = '';
  beforeEach(async () => {
    server = createServer((req, res) => {
      if (req.url === '/small') return void res.end(JPEG('s', 10));
      if (req.url === '/declared-big') return void res.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5000));
      // Chunked, no Content-Length: only the byte count can stop it.
      if (req.url === '/streamed-big') {
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(500));
        return void res.end();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const get = (p: string) => downloadCapped(`${url}${p}`, { maxBytes: 1000, signal: AbortSignal.timeout(5000) });

  it('returns the bytes of a file under the cap', async () => {
    expect((await get('/small')).data).toEqual(JPEG('s', 10));
  });

  it('refuses a declared Content-Length over the cap with its size', async () => {
    await expect(get('/declared-big')).rejects.toEqual(new ImageTooLargeError(5000));
  });

  it('cuts off a body that grows past the cap', async () => {
    const err = await get('/streamed-big').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageTooLargeError);
    expect((err as ImageTooLargeError).partial).toBe(true);
  });

  it('says an HTTP error without the URL (a Telegram file URL holds the token)', async () => {
    const err = await get('/bot123:SECRET/missing').catch((e: Error) => e);
    expect((err as Error).message).toBe('download failed: HTTP 404');
  });
});

describe('attachImages', () => {
  const envelope = (text: string, images: number): InboundEnvelope => ({
    messageId: 'm1',
    channel: 'telegram',
    accountId: 'default',
    peer: { kind: 'direct', id: '1' },
    sender: { id: '1', verified: true },
    text,
    mentioned: false,
    media: Array.from({ length: images }, () => ({ kind: 'image' as const })),
    timestamp: 0,
  });
  const source = (index: number, bytes: Buffer | Error, extra: Partial<ImageSource> = {}): ImageSource => ({
    index,
    label: 'photo',
    placeholder: '[photo]',
    download: async () => {
      if (bytes instanceof Error) throw bytes;
      return bytes;
    },
    ...extra,
  });

  it('puts the bytes and the sniffed type on the image and leaves the text alone', async () => {
    const out = await attachImages(envelope('[photo]\nhi', 1), [source(0, PNG)], LIMITS);
    expect(out.text).toBe('[photo]\nhi');
    expect(out.media?.[0]).toEqual({ kind: 'image', data: PNG, mimeType: 'image/png' });
  });

  it('an announced size over the cap is not downloaded and the placeholder says why', async () => {
    let called = false;
    const out = await attachImages(
      envelope('[photo]\nhi', 1),
      [
        source(0, PNG, {
          size: 12 * 1024 * 1024,
          download: async () => {
            called = true;
            return PNG;
          },
        }),
      ],
      LIMITS,
    );
    expect(called).toBe(false);
    expect(out.text).toBe('[photo too large: 12 MB]\nhi');
    expect(out.media?.[0]).toEqual({ kind: 'image', note: 'too large: 12 MB' });
  });

  it('other formats and failed downloads keep a placeholder with the reason', async () => {
    const out = await attachImages(
      envelope('', 2),
      [
        source(0, Buffer.from('II*\0tiff'), { label: 'image a.tiff', placeholder: undefined }),
        source(1, new Error('ECONNRESET'), { label: 'image b.png', placeholder: undefined }),
      ],
      LIMITS,
    );
    expect(out.text).toBe('[image a.tiff not shown: not a JPEG, PNG, GIF or WebP image]\n[image b.png not shown: download failed]');
    expect(out.media?.some((m) => m.data)).toBe(false);
  });

  it('passes on at most maxPerMessage images', async () => {
    const out = await attachImages(
      envelope('', 3),
      [0, 1, 2].map((i) => source(i, JPEG(String(i)), { label: `image ${i}.jpg`, placeholder: undefined })),
      LIMITS,
    );
    expect(out.media?.map((m) => Boolean(m.data))).toEqual([true, true, false]);
    expect(out.text).toBe('[image 2.jpg not shown: only 2 images per message]');
  });
});

describe('storeInboundMedia', () => {
  it('writes each image once, content-addressed, 0600, under that agent only', async () => {
    const pic = JPEG('a');
    const media = [
      { kind: 'image' as const, mimeType: 'image/jpeg', data: pic },
      { kind: 'voice' as const, duration: 3 },
    ];
    const refs = await storeInboundMedia(tmp, 'home', media);
    expect(refs).toEqual([{ kind: 'image', sha256: sha(pic), mimeType: 'image/jpeg', bytes: pic.length }]);
    expect(await storeInboundMedia(tmp, 'home', media)).toEqual(refs);
    expect(await fs.readdir(agentMediaDir(tmp, 'home'))).toEqual([`${sha(pic)}.jpg`]);
    await expect(fs.readdir(agentMediaDir(tmp, 'work'))).rejects.toThrow();
    if (process.platform !== 'win32')
      expect((await fs.stat(path.join(agentMediaDir(tmp, 'home'), `${sha(pic)}.jpg`))).mode & 0o777).toBe(0o600);
  });

  it('refuses an agent id that is not one', async () => {
    await expect(storeInboundMedia(tmp, '../x', [{ kind: 'image', mimeType: 'image/png', data: PNG }])).rejects.toThrow(/invalid agent id/);
  });

  it('reads back nothing for a damaged or malformed reference', async () => {
    const [ref] = await storeInboundMedia(tmp, 'home', [{ kind: 'image', mimeType: 'image/png', data: PNG }]);
    const dir = agentMediaDir(tmp, 'home');
    expect(await readMedia(dir, ref!)).toEqual(PNG);
    await fs.writeFile(path.join(dir, `${ref!.sha256}.png`), 'tampered');
    expect(await readMedia(dir, ref!)).toBeUndefined();
    expect(await readMedia(dir, { ...ref!, sha256: '../../etc/passwd' } as MediaRef)).toBeUndefined();
  });
});

describe('history with stored images', () => {
  let store: AgentSessionStore;
  const KEY = 'agent:home:main';
  beforeEach(async () => {
    store = await AgentSessionStore.open(tmp, 'home');
  });
  afterEach(async () => {
    await store.close();
  });
  const userWith = async (text: string, images: Buffer[]) => {
    const media = await storeInboundMedia(
      tmp,
      'home',
      images.map((data) => ({ kind: 'image' as const, mimeType: 'image/jpeg', data })),
    );
    return store.append(KEY, { type: 'message', role: 'user', text, sender: { id: '1', name: 'Ann' }, ...(media.length ? { media } : {}) });
  };
  const reply = (text: string, to: number) => store.append(KEY, { type: 'message', role: 'assistant', text, inReplyTo: to });
  const images = (m: WireMessage) => m.content.filter((b) => b.type === 'image').length;
  const text = (m: WireMessage) => m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');

  it('the current inbound carries its stored images before its text', async () => {
    const pic = JPEG('now');
    const rec = await userWith('[photo]\nwhat is this?', [pic]);
    const { messages } = await buildHistory(store, KEY, {
      budgetTokens: 50_000,
      current: { text: '[photo]\nwhat is this?', sender: { id: '1' } },
      inboundSeq: rec.seq,
    });
    expect(messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: pic.toString('base64') } },
          { type: 'text', text: '[photo]\nwhat is this?' },
        ],
      },
    ]);
  });

  it('an image-only message of a group keeps its sender label', async () => {
    const first = await userWith('', [JPEG('g')]);
    await reply('nice', first.seq);
    const cur = await userWith('and?', []);
    const { messages } = await buildHistory(store, KEY, {
      budgetTokens: 50_000,
      groupChat: true,
      current: { text: 'and?', sender: { id: '1' } },
      inboundSeq: cur.seq,
    });
    expect(images(messages[0]!)).toBe(1);
    expect(text(messages[0]!)).toBe('Ann:');
  });

  it('a missing file becomes a placeholder line, for an earlier and for the current message', async () => {
    const pic = JPEG('gone');
    const first = await userWith('[photo]\nfirst', [pic]);
    await reply('ok', first.seq);
    const cur = await userWith('[photo]\nsecond', [pic]);
    await fs.rm(path.join(agentMediaDir(tmp, 'home'), `${sha(pic)}.jpg`));
    const { messages } = await buildHistory(store, KEY, {
      budgetTokens: 50_000,
      current: { text: '[photo]\nsecond', sender: { id: '1' } },
      inboundSeq: cur.seq,
    });
    expect(messages.map(images)).toEqual([0, 0, 0]);
    expect(text(messages[0]!)).toBe(`[photo]\nfirst\n${IMAGE_MISSING_NOTE}`);
    expect(text(messages[2]!)).toBe(`[photo]\nsecond\n${IMAGE_MISSING_NOTE}`);
  });

  it(`older images beyond ${HISTORY_IMAGE_LIMITS.count} per request are left out with a note, newest kept`, async () => {
    for (let i = 0; i < HISTORY_IMAGE_LIMITS.count + 2; i++) {
      const rec = await userWith(`pic ${i}`, [JPEG(`p${i}`)]);
      await reply(`seen ${i}`, rec.seq);
    }
    const cur = await userWith('which was first?', [JPEG('current')]);
    const { messages } = await buildHistory(store, KEY, {
      budgetTokens: 200_000,
      current: { text: 'which was first?', sender: { id: '1' } },
      inboundSeq: cur.seq,
    });
    const users = messages.filter((m) => m.role === 'user');
    expect(users.reduce((n, m) => n + images(m), 0)).toBe(HISTORY_IMAGE_LIMITS.count);
    expect(images(users[users.length - 1]!)).toBe(1);
    expect(text(users[0]!)).toBe(`pic 0\n${IMAGE_OMITTED_NOTE}`);
    expect(text(users[2]!)).toBe(`pic 2\n${IMAGE_OMITTED_NOTE}`);
    expect(images(users[3]!)).toBe(1);
  });

  it('counts an image as a fixed token cost, so old image turns fall out of a small budget first', async () => {
    const first = await userWith('old picture', [JPEG('old')]);
    await reply('old reply', first.seq);
    const cur = await userWith('new text', []);
    const { messages, dropped } = await buildHistory(store, KEY, {
      budgetTokens: 1000,
      current: { text: 'new text', sender: { id: '1' } },
      inboundSeq: cur.seq,
    });
    expect(messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'new text' }] }]);
    expect(dropped).toBe(2);
  });
});
