// Specification of what a full or read-only disk does to the session store: a durable append is
// acknowledged iff its record is durable, and a refused one leaves no trace (transcript, history
// cache, index, journal), seqs stay gapless, a session exists only once a record of its own is
// durable, and everything works again once the disk does. Real files; the faults come from the
// StorageFault seam (test/helpers/storage-faults.ts).
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TranscriptRecord } from '../../src-main/sessions/records.ts';
import type { AgentSessionStore } from '../../src-main/sessions/store.ts';
import { SessionStores } from '../../src-main/sessions/stores.ts';
import { storageFaults, type StorageFaults } from '../helpers/storage-faults.ts';

let tmp: string;
let faults: StorageFaults & { uninstall(): void };
let stores: SessionStores | null = null;

beforeEach(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'sb-faults-'));
  faults = storageFaults();
});
afterEach(async () => {
  faults.uninstall();
  await stores?.close().catch(() => undefined);
  stores = null;
  await fsp.rm(tmp, { recursive: true, force: true });
});

const KEY = 'agent:main:main';
const sessionsDir = (): string => path.join(tmp, 'agents', 'main', 'sessions');
const journalDir = (): string => path.join(tmp, 'journal');

async function open(): Promise<AgentSessionStore> {
  stores = await SessionStores.open(tmp);
  return stores.store('main');
}

async function reopen(): Promise<AgentSessionStore> {
  await stores?.close();
  return open();
}

const say = (store: AgentSessionStore, text: string, key = KEY): Promise<TranscriptRecord> =>
  store.append(key, { type: 'message', role: 'user', text }, { durable: true });

async function transcriptLines(store: AgentSessionStore, key = KEY): Promise<TranscriptRecord[]> {
  const file = store.fileOf(key);
  if (!file) return [];
  return (await fsp.readFile(file, 'utf8'))
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l) as TranscriptRecord);
}

/** Texts of every record of every journal segment still on disk. */
async function journalTexts(): Promise<unknown[]> {
  const names = (await fsp.readdir(journalDir())).filter((n) => n.endsWith('.jsonl'));
  const out: unknown[] = [];
  for (const n of names) {
    for (const l of (await fsp.readFile(path.join(journalDir(), n), 'utf8')).split('\n').slice(0, -1)) {
      out.push((JSON.parse(l) as { record?: TranscriptRecord }).record?.text);
    }
  }
  return out;
}

async function historyTexts(store: AgentSessionStore, key = KEY): Promise<unknown[]> {
  return (await store.history(key)).records.filter((r) => r.type === 'message').map((r) => r.text);
}

describe('a durable append refused by a full disk', () => {
  it('leaves no trace in the transcript, the history cache, the index or the journal, and its seq is reused', async () => {
    const store = await open();
    const first = await say(store, 'first');
    const bytesBefore = (await fsp.readFile(store.fileOf(KEY)!)).length;
    const messagesBefore = store.get(KEY)!.messages;

    faults.fail('ENOSPC', ['write'], journalDir());
    await expect(say(store, 'refused')).rejects.toMatchObject({ code: 'ENOSPC' });

    expect((await fsp.readFile(store.fileOf(KEY)!)).length).toBe(bytesBefore);
    expect(await historyTexts(store)).toEqual(['first']);
    expect(store.get(KEY)!.messages).toBe(messagesBefore);
    expect(store.get(KEY)!.bytes).toBe(bytesBefore);
    expect(await journalTexts()).toEqual(['first']);

    faults.clear();
    const after = await say(store, 'after');
    expect(after.seq).toBe(first.seq + 1);
    const recs = await transcriptLines(store);
    expect(recs.map((r) => r.seq)).toEqual(recs.map((_, i) => i + 1));
    expect(recs.filter((r) => r.type === 'message').map((r) => r.text)).toEqual(['first', 'after']);

    // A restart (journal replay included) brings nothing refused back.
    const again = await reopen();
    expect(await historyTexts(again)).toEqual(['first', 'after']);
  });

  it('refuses every record queued with the refused one and writes a reply only after the cut', async () => {
    const store = await open();
    await say(store, 'first');
    faults.fail('EIO', ['sync'], journalDir()); // the journal's fdatasync fails: the whole batch is refused
    const sends = ['a', 'b', 'c'].map((t) => say(store, t));
    const reply = store.append(KEY, { type: 'message', role: 'assistant', text: 'reply' });
    const settled = await Promise.allSettled(sends);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const replied = await reply;
    faults.clear();

    const recs = await transcriptLines(store);
    expect(recs.map((r) => r.seq)).toEqual(recs.map((_, i) => i + 1));
    expect(recs.filter((r) => r.type === 'message').map((r) => r.text)).toEqual(['first', 'reply']);
    expect(replied.seq).toBe(recs.at(-1)!.seq);
    expect(await historyTexts(store)).toEqual(['first', 'reply']);
    expect(await journalTexts()).toEqual(['first']);
    expect(store.get(KEY)!.messages).toBe(2);

    // The journal took the failure as a refusal, not as the end: the next message is accepted.
    await say(store, 'later');
    expect(await historyTexts(await reopen())).toEqual(['first', 'reply', 'later']);
  });

  it('does not leave behind the session it would have started', async () => {
    const store = await open();
    await say(store, 'elsewhere', 'agent:main:other');
    faults.fail('ENOSPC', ['write'], journalDir());
    await expect(say(store, 'refused')).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(store.get(KEY)).toBeUndefined();
    expect(store.list().map((s) => s.key)).toEqual(['agent:main:other']);
    expect((await fsp.readdir(sessionsDir())).filter((n) => n.endsWith('.jsonl'))).toHaveLength(1);

    faults.clear();
    await say(store, 'now');
    const recs = await transcriptLines(store);
    expect(recs.map((r) => [r.seq, r.type])).toEqual([
      [1, 'session'],
      [2, 'message'],
    ]);
    expect(await historyTexts(await reopen())).toEqual(['now']);
  });

  it('never lists a session whose header could not be written', async () => {
    const store = await open();
    faults.fail('ENOSPC', ['write'], sessionsDir());
    await expect(say(store, 'refused')).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(store.list()).toEqual([]);
    expect((await fsp.readdir(sessionsDir())).filter((n) => n.endsWith('.jsonl'))).toEqual([]);
    expect(await journalTexts()).toEqual([]);

    faults.clear();
    await say(store, 'now');
    expect((await transcriptLines(store)).map((r) => [r.seq, r.type])).toEqual([
      [1, 'session'],
      [2, 'message'],
    ]);
  });
});

describe('a read-only state folder', () => {
  it('refuses appends while it lasts, and the same session works again afterwards without a restart', async () => {
    const store = await open();
    await say(store, 'first');
    faults.fail('EROFS', ['open', 'write', 'truncate', 'sync'], tmp);
    await expect(say(store, 'refused')).rejects.toMatchObject({ code: 'EROFS' });
    await expect(store.append(KEY, { type: 'meta', title: 'x' })).rejects.toMatchObject({ code: 'EROFS' });
    faults.clear();
    const after = await say(store, 'after');
    expect(after.seq).toBe(3);
    const recs = await transcriptLines(store);
    expect(recs.filter((r) => r.type === 'message').map((r) => r.text)).toEqual(['first', 'after']);
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3]);
  });
});

describe("a transcript's checkpoint fdatasync that fails", () => {
  const segments = async (): Promise<string[]> => (await fsp.readdir(journalDir())).filter((n) => /^inbound-\d+\.jsonl$/.test(n)).sort();

  it('keeps the journal segment, refuses appends while the disk refuses, and recovers once it works, without a restart', async () => {
    stores = await SessionStores.open(tmp, { journal: { checkpointMs: 3_600_000 } });
    const store = await stores.store('main');
    await say(store, 'one');
    await say(store, 'two');
    const [held] = await segments();
    const inode = (await fsp.stat(store.fileOf(KEY)!)).ino;

    faults.fail('ENOSPC', ['sync'], sessionsDir(), /\.jsonl/); // the transcripts and their rewrites' temp files
    await expect(stores.journal.checkpoint()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await segments()).toContain(held); // still the only durable copy of "one" and "two"
    // The file is not trusted until it has been rewritten: an append first tries that, and is refused.
    await expect(say(store, 'refused')).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(stores.journal.checkpoint()).rejects.toMatchObject({ code: 'ENOSPC' });

    faults.clear();
    const three = await say(store, 'three');
    expect(three.seq).toBe(4);
    // Rewritten from what was read back and checked, then synced: a new file took the old one's place.
    expect((await fsp.stat(store.fileOf(KEY)!)).ino).not.toBe(inode);
    await stores.journal.checkpoint();
    expect(await segments()).not.toContain(held);
    const recs = await transcriptLines(store);
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(recs.filter((r) => r.type === 'message').map((r) => r.text)).toEqual(['one', 'two', 'three']);
    expect(await historyTexts(store)).toEqual(['one', 'two', 'three']);
    // A restart has nothing left to replay: every record is in the transcript exactly once.
    const again = await reopen();
    expect((await transcriptLines(again)).filter((r) => r.type === 'message').map((r) => r.text)).toEqual(['one', 'two', 'three']);
    expect((await fsp.readdir(sessionsDir())).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('is recovered by the next checkpoint alone when no message comes', async () => {
    stores = await SessionStores.open(tmp, { journal: { checkpointMs: 3_600_000 } });
    const store = await stores.store('main');
    await say(store, 'only');
    const [held] = await segments();
    faults.fail('EIO', ['sync'], sessionsDir(), /\.jsonl$/);
    await expect(stores.journal.checkpoint()).rejects.toMatchObject({ code: 'EIO' });
    faults.clear();
    await stores.journal.checkpoint();
    expect(await segments()).not.toContain(held);
    expect((await transcriptLines(store)).map((r) => r.text ?? r.type)).toEqual(['session', 'only']);
  });

  it('stays refused, and says to restart, when what is read back is not what was written', async () => {
    stores = await SessionStores.open(tmp, { journal: { checkpointMs: 3_600_000 } });
    const store = await stores.store('main');
    await say(store, 'kept in the journal');
    const [held] = await segments();
    faults.fail('EIO', ['sync'], sessionsDir(), /\.jsonl$/);
    await expect(stores.journal.checkpoint()).rejects.toMatchObject({ code: 'EIO' });
    // As if the kernel had dropped the unsynced pages and read the file back from disk: zeros.
    const file = store.fileOf(KEY)!;
    const size = (await fsp.stat(file)).size;
    await fsp.writeFile(file, Buffer.alloc(size));
    faults.clear();
    await expect(say(store, 'next')).rejects.toThrow(/cannot be trusted after a failed fdatasync.*restart Switchboard/);
    await expect(stores.journal.checkpoint()).rejects.toThrow(/cannot be trusted/);
    expect(await segments()).toContain(held);
    // The restart replays the journal: the acknowledged record is back.
    await stores.close().catch(() => undefined);
    stores = null;
    const again = await open();
    expect(await historyTexts(again)).toEqual(['kept in the journal']);
  });
});
