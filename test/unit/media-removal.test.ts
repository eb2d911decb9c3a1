// Specification of removing a deleted session's images (src-main/agents/media.ts) on real files:
// which references a transcript holds, which files another transcript still needs, what a hostile
// reference can reach (nothing outside the agent's media folder), and what happens when a file
// cannot be removed or an image is stored again while the removal runs.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  agentMediaDir,
  referencedHashes,
  releaseInboundMedia,
  removeUnreferencedMedia,
  storeInboundMedia,
  transcriptMediaRefs,
  type MediaRef,
} from '../../src-main/agents/media.ts';
import { agentSessionsDir } from '../../src-main/sessions/index.ts';

const JPEG = (seed: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(seed.repeat(50))]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const AGENT = 'home';

let tmp: string;
let media: string;
let sessions: string;
beforeEach(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-media-rm-')));
  media = agentMediaDir(tmp, AGENT);
  sessions = agentSessionsDir(tmp, AGENT);
  await fs.mkdir(sessions, { recursive: true });
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Stores `image` for the agent as an inbound would, and releases it as the gateway does once the record is written. */
async function stored(image: Buffer): Promise<MediaRef> {
  const refs = await storeInboundMedia(tmp, AGENT, [{ kind: 'image', mimeType: 'image/jpeg', data: image }]);
  releaseInboundMedia(tmp, AGENT, refs);
  return refs[0]!;
}

/** A transcript file written as the store writes it (one JSON.stringify'd record per line). */
async function transcript(name: string, records: Record<string, unknown>[]): Promise<string> {
  const file = path.join(sessions, name);
  await fs.writeFile(
    file,
    records.map((r, i) => `${JSON.stringify({ v: 1, seq: i + 1, ts: '2025-01-01T00:00:00.000Z', ...r })}\n`).join(''),
  );
  return file;
}
const userWith = (...refs: unknown[]) => ({ type: 'message', role: 'user', text: '[photo]', media: refs });
const mediaNames = () => fs.readdir(media).catch(() => [] as string[]);

describe('transcriptMediaRefs', () => {
  it('lists each image a transcript references once, skipping what is not a reference', async () => {
    const a = await stored(JPEG('a'));
    const b = await stored(JPEG('b'));
    const file = await transcript('s1.jsonl', [
      userWith(a, 'junk', { kind: 'video' }),
      { type: 'message', role: 'assistant', text: 'ok' },
      userWith(a, b),
    ]);
    expect(await transcriptMediaRefs(file)).toEqual([a, b]);
  });

  it('is empty for a transcript that is gone', async () => {
    expect(await transcriptMediaRefs(path.join(sessions, 'gone.jsonl'))).toEqual([]);
  });
});

describe('removeUnreferencedMedia', () => {
  it('deletes an image no remaining transcript references', async () => {
    const only = await stored(JPEG('only'));
    await transcript('other.jsonl', [{ type: 'message', role: 'user', text: 'no pictures here' }]);
    const res = await removeUnreferencedMedia(tmp, AGENT, [only]);
    expect(res).toEqual({ removed: [path.join(media, `${only.sha256}.jpg`)], kept: [], failed: [] });
    expect(await mediaNames()).toEqual([]);
  });

  it('keeps an image a live, archived or quarantined transcript still references, and deletes the rest', async () => {
    const gone = await stored(JPEG('gone'));
    const live = await stored(JPEG('live'));
    const archived = await stored(JPEG('archived'));
    const quarantined = await stored(JPEG('quarantined'));
    await transcript('live.jsonl', [userWith(live)]);
    await transcript('old-id.jsonl', [userWith(archived)]);
    await fs.writeFile(
      path.join(sessions, 'broken.jsonl.corrupt'),
      `{"v":1,"seq":4,"type":"message","media":[{"kind":"image","sha256":"${quarantined.sha256}"`,
    );
    const res = await removeUnreferencedMedia(tmp, AGENT, [gone, live, archived, quarantined]);
    expect(res.removed).toEqual([path.join(media, `${gone.sha256}.jpg`)]);
    expect((await mediaNames()).sort()).toEqual([live, archived, quarantined].map((r) => `${r.sha256}.jpg`).sort());
  });

  it('never touches a path a hostile reference names, nor a media folder that is a symlink', async () => {
    const outside = path.join(tmp, 'victim.jpg');
    await fs.writeFile(outside, 'not media');
    const unrelated = await stored(JPEG('unrelated'));
    const hostile = [
      { kind: 'image', sha256: '../../../victim', mimeType: 'image/jpeg', bytes: 1 },
      { kind: 'image', sha256: `${'a'.repeat(64)}/../../../../victim`, mimeType: 'image/jpeg', bytes: 1 },
      { kind: 'image', sha256: 'a'.repeat(64), mimeType: '../../victim', bytes: 1 },
      { kind: 'image', sha256: 'a'.repeat(64), mimeType: 'constructor', bytes: 1 },
      { kind: 'image', sha256: 'A'.repeat(64), mimeType: 'image/jpeg', bytes: 1 },
    ] as MediaRef[];
    expect(await removeUnreferencedMedia(tmp, AGENT, hostile)).toEqual({ removed: [], kept: [], failed: [] });
    expect(await fs.readFile(outside, 'utf8')).toBe('not media');
    expect(await mediaNames()).toEqual([`${unrelated.sha256}.jpg`]);

    if (process.platform === 'win32') return;
    // The media folder swapped for a link to elsewhere: the file of a valid reference there stays.
    const elsewhere = path.join(tmp, 'elsewhere');
    await fs.rm(media, { recursive: true });
    await fs.mkdir(elsewhere);
    await fs.writeFile(path.join(elsewhere, `${unrelated.sha256}.jpg`), 'outside the agent folder');
    await fs.symlink(elsewhere, media);
    expect(await removeUnreferencedMedia(tmp, AGENT, [unrelated])).toEqual({ removed: [], kept: [], failed: [] });
    expect(await fs.readdir(elsewhere)).toEqual([`${unrelated.sha256}.jpg`]);
  });

  it('reports a file it cannot delete and still deletes the others', async () => {
    const stuck = { kind: 'image', sha256: sha(Buffer.from('stuck')), mimeType: 'image/png', bytes: 5 } as const;
    // A directory under the file's name cannot be unlinked.
    await fs.mkdir(path.join(media, `${stuck.sha256}.png`, 'inner'), { recursive: true });
    const free = await stored(JPEG('free'));
    const res = await removeUnreferencedMedia(tmp, AGENT, [stuck, free]);
    expect(res.failed).toEqual([{ file: path.join(media, `${stuck.sha256}.png`), error: expect.any(String) }]);
    expect(res.removed).toEqual([path.join(media, `${free.sha256}.jpg`)]);
  });

  it('removes nothing when the scan of the remaining transcripts fails', async () => {
    const img = await stored(JPEG('kept on error'));
    await expect(
      removeUnreferencedMedia(tmp, AGENT, [img], {
        scan: async () => {
          throw new Error('EIO: read failed');
        },
      }),
    ).rejects.toThrow('EIO');
    expect(await mediaNames()).toEqual([`${img.sha256}.jpg`]);
  });

  it('keeps an image stored again by a message arriving while the removal scans', async () => {
    const image = JPEG('sent again');
    const ref = await stored(image);
    const res = await removeUnreferencedMedia(tmp, AGENT, [ref], {
      // The new message's record is not in any transcript yet when the scan looks.
      scan: async (dir, wanted) => {
        await storeInboundMedia(tmp, AGENT, [{ kind: 'image', mimeType: 'image/jpeg', data: image }]);
        return referencedHashes(dir, wanted);
      },
    });
    expect(res).toMatchObject({ removed: [], kept: [path.join(media, `${ref.sha256}.jpg`)] });
    expect(await fs.readFile(path.join(media, `${ref.sha256}.jpg`))).toEqual(image);
  });

  it('keeps an image stored for a message whose record is not written yet, until it is released', async () => {
    const image = JPEG('in flight');
    const ref = await stored(image);
    // Another message stores the same image before the removal starts; its record comes later.
    const inFlight = await storeInboundMedia(tmp, AGENT, [{ kind: 'image', mimeType: 'image/jpeg', data: image }]);
    const first = await removeUnreferencedMedia(tmp, AGENT, [ref]);
    expect(first.kept).toEqual([path.join(media, `${ref.sha256}.jpg`)]);
    releaseInboundMedia(tmp, AGENT, inFlight); // its record was never written (the append failed)
    const second = await removeUnreferencedMedia(tmp, AGENT, [ref]);
    expect(second.removed).toEqual([path.join(media, `${ref.sha256}.jpg`)]);
  });

  it('keeps an image whose record was written after the scan had read that transcript', async () => {
    const image = JPEG('written late');
    const ref = await stored(image);
    const inFlight = await storeInboundMedia(tmp, AGENT, [{ kind: 'image', mimeType: 'image/jpeg', data: image }]);
    const res = await removeUnreferencedMedia(tmp, AGENT, [ref], {
      scan: async (dir, wanted) => {
        const found = await referencedHashes(dir, wanted); // reads the transcripts first…
        await transcript('late.jsonl', [userWith(inFlight[0])]); // …then the record is written
        releaseInboundMedia(tmp, AGENT, inFlight);
        return found;
      },
    });
    expect(res.kept).toEqual([path.join(media, `${ref.sha256}.jpg`)]);
    expect(await fs.readFile(path.join(media, `${ref.sha256}.jpg`))).toEqual(image);
  });
});

describe('referencedHashes', () => {
  it('finds a hash that straddles two read chunks of a large transcript', async () => {
    const h = sha(Buffer.from('straddling'));
    const chunk = 1 << 20;
    // The hash starts 10 bytes before the first chunk ends.
    await fs.writeFile(
      path.join(sessions, 'big.jsonl'),
      Buffer.concat([Buffer.alloc(chunk - 10, 0x20), Buffer.from(h), Buffer.from('\n')]),
    );
    const other = sha(Buffer.from('absent'));
    expect(await referencedHashes(sessions, new Set([h, other]))).toEqual(new Set([h]));
  });
});
