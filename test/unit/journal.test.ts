// Specification of the inbound journal (src-main/sessions/journal.ts and its recovery): one
// group-committed log per state dir makes durable appends cheap across sessions, checkpoints sync
// the transcripts before dropping segments, and a restart replays what only the journal holds.
// Real files in temp dirs; the crash test SIGKILLs a real writer process.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InboundJournal, type JournalLine, type JournalNotice } from '../../src-main/sessions/journal.ts';
import { buildRecord, type TranscriptRecord } from '../../src-main/sessions/records.ts';
import { AgentSessionStore, type StoreNotice } from '../../src-main/sessions/store.ts';
import { SessionStores } from '../../src-main/sessions/stores.ts';
import { TranscriptFile } from '../../src-main/sessions/transcript.ts';
import { killAfterAcks } from '../helpers/kill-after-acks.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let tmp: string;

beforeEach(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'sb-journal-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fsp.rm(tmp, { recursive: true, force: true });
});

const journalDir = (): string => path.join(tmp, 'journal');
const sessionsDir = (agent: string): string => path.join(tmp, 'agents', agent, 'sessions');
const segments = async (): Promise<string[]> => (await fsp.readdir(journalDir())).filter((n) => /^inbound-\d+\.jsonl$/.test(n)).sort();
const readLines = async (file: string): Promise<string[]> => (await fsp.readFile(file, 'utf8')).split('\n').slice(0, -1);
const readRecords = async (file: string): Promise<TranscriptRecord[]> =>
  (await readLines(file)).map((l) => JSON.parse(l) as TranscriptRecord);

/** Opens the stores of `tmp`, collecting every notice. */
async function openStores(
  opts: Parameters<typeof SessionStores.open>[1] = {},
): Promise<{ stores: SessionStores; notices: (StoreNotice | JournalNotice)[] }> {
  const notices: (StoreNotice | JournalNotice)[] = [];
  const stores = await SessionStores.open(tmp, { ...opts, onNotice: (_agent, n) => notices.push(n) });
  return { stores, notices };
}

/** Writes a journal segment by hand (lines as objects, or raw text). */
async function writeSegment(n: number, lines: (JournalLine | string)[], tail = ''): Promise<string> {
  await fsp.mkdir(journalDir(), { recursive: true });
  const file = path.join(journalDir(), `inbound-${String(n).padStart(8, '0')}.jsonl`);
  await fsp.writeFile(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)) + '\n').join('') + tail);
  return file;
}

function entry(sessionId: string, sessionKey: string, seq: number, text: string, agentId = 'main'): JournalLine {
  return {
    agentId,
    sessionId,
    sessionKey,
    seq,
    record: buildRecord({ type: 'message', role: 'user', text, messageId: `id-${text}` }, seq),
  };
}

describe('InboundJournal: group commit', () => {
  it('500 concurrent durable appends across 100 transcripts share a handful of writes and fdatasyncs', async () => {
    const { stores } = await openStores();
    const store = await stores.store('main');
    for (let s = 0; s < 100; s++) await store.getOrCreate(`agent:main:s${s}`); // sessions exist, as in a running gateway
    const spy = vi.spyOn(fs, 'fdatasync');
    const before = { ...stores.journal.stats };
    const recs = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        store.append(`agent:main:s${i % 100}`, { type: 'message', role: 'user', text: `m${i}`, i }, { durable: true }),
      ),
    );
    const { appends, writes, syncs } = stores.journal.stats;
    expect(appends - before.appends).toBe(500);
    expect(syncs - before.syncs).toBeGreaterThan(0);
    // Typically 4–10 batches; the bound leaves room for a loaded machine (smaller batches).
    expect(syncs - before.syncs).toBeLessThan(100);
    expect(writes - before.writes).toBeLessThan(100);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(syncs - before.syncs + 2); // no transcript fsync on the append path (+ an index save)
    spy.mockRestore();

    // Every record is in its transcript and in the journal, with the transcript's seq.
    const [seg] = await segments();
    const journal = (await readLines(path.join(journalDir(), seg!))).map(
      (l) => JSON.parse(l) as { sessionKey: string; seq: number; record: TranscriptRecord },
    );
    expect(journal).toHaveLength(500);
    for (const rec of recs) {
      const key = `agent:main:s${(rec.i as number) % 100}`;
      expect(journal.find((e) => e.sessionKey === key && e.seq === rec.seq)?.record).toEqual(rec);
    }
    await stores.close();
    const plain = await AgentSessionStore.open(tmp, 'main');
    for (let s = 0; s < 100; s++) {
      const { sessionId } = plain.get(`agent:main:s${s}`)!;
      const order = (await readRecords(path.join(sessionsDir('main'), `${sessionId}.jsonl`)))
        .filter((r) => r.type === 'message')
        .map((r) => r.i);
      expect(order).toEqual(Array.from({ length: 5 }, (_, k) => s + k * 100));
    }
    await plain.close();
  });

  it('creates its folder 0700 and segments 0600, and refuses a second journal on the same state dir', async () => {
    const j = await InboundJournal.open(tmp);
    await expect(InboundJournal.open(tmp)).rejects.toThrow(/already open/);
    await j.append({ agentId: 'main', sessionId: 's1', sessionKey: 'k', seq: 1, record: buildRecord({ type: 'message' }, 1) });
    if (process.platform !== 'win32') {
      expect((await fsp.stat(journalDir())).mode & 0o777).toBe(0o700);
      expect((await fsp.stat(path.join(journalDir(), (await segments())[0]!))).mode & 0o777).toBe(0o600);
    }
    await j.close();
    await expect(
      j.append({ agentId: 'main', sessionId: 's1', sessionKey: 'k', seq: 2, record: buildRecord({ type: 'message' }, 2) }),
    ).rejects.toThrow(/closed/);
  });
  it('a batch write that fails part-way (disk full) fails its appends and leaves no partial line', async () => {
    const { stores } = await openStores();
    const store = await stores.store('main');
    await store.append('agent:main:a', { type: 'message', role: 'user', text: 'first' }, { durable: true });
    const realWrite = fs.writeSync;
    let failed = 0;
    // The next journal write (its lines start with agentId; transcript lines with v) gets half its
    // bytes onto the disk, then the disk is full.
    const fullDisk = (fd: number, buf: Buffer, off = 0, len = buf.length - off): number => {
      if (failed === 0 && buf.toString('utf8', off, off + 12) === '{"agentId":"') {
        failed++;
        realWrite(fd, buf, off, Math.floor(len / 2));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return realWrite(fd, buf, off, len);
    };
    vi.spyOn(fs, 'writeSync').mockImplementation(fullDisk as unknown as typeof fs.writeSync);
    await expect(
      store.append('agent:main:a', { type: 'message', role: 'user', text: 'lost to a full disk' }, { durable: true }),
    ).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(failed).toBe(1);
    await store.append('agent:main:a', { type: 'message', role: 'user', text: 'after' }, { durable: true });
    const [seg] = await segments();
    const texts = (await readLines(path.join(journalDir(), seg!))).map((l) => (JSON.parse(l) as { record: TranscriptRecord }).record.text);
    expect(texts).toEqual(['first', 'after']);
    await stores.close();
  });
});

describe('InboundJournal: checkpoints', () => {
  it('rotates, syncs every covered transcript, and only then deletes the old segment', async () => {
    const events: string[] = [];
    const { stores } = await openStores({ journal: { checkpointMs: 3_600_000 } });
    const store = await stores.store('main');
    for (let i = 0; i < 20; i++)
      await store.append(`agent:main:s${i % 4}`, { type: 'message', role: 'user', text: `m${i}` }, { durable: true });
    const [first] = await segments();
    const syncSpy = vi.spyOn(TranscriptFile.prototype, 'sync').mockImplementation(async function (this: TranscriptFile) {
      events.push(`sync ${path.basename(this.path)}`);
    });
    const unlinkSpy = vi.spyOn(fsp, 'unlink');
    unlinkSpy.mockImplementation(async (p) => {
      events.push(`unlink ${path.basename(String(p))}`);
      unlinkSpy.mockRestore();
      return fsp.unlink(p);
    });
    await stores.journal.checkpoint();
    syncSpy.mockRestore();
    expect(events.filter((e) => e.startsWith('sync'))).toHaveLength(4);
    expect(events.at(-1)).toBe(`unlink ${first}`);
    const after = await segments();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(first);
    expect(stores.journal.stats.checkpoints).toBe(1);
    await stores.close();
    expect(await segments()).toEqual([]); // the final checkpoint retires the last segment too
  });

  it('keeps the segment when a transcript cannot be synced, and reports it', async () => {
    const { stores, notices } = await openStores({ journal: { checkpointMs: 3_600_000 } });
    const store = await stores.store('main');
    await store.append('agent:main:a', { type: 'message', role: 'user', text: 'x' }, { durable: true });
    const [first] = await segments();
    vi.spyOn(TranscriptFile.prototype, 'sync').mockRejectedValue(new Error('EIO'));
    await expect(stores.journal.checkpoint()).rejects.toThrow(/EIO/);
    expect(await segments()).toContain(first);
    vi.restoreAllMocks();
    await stores.close();
    expect(notices.filter((n) => n.kind === 'journal-checkpoint-failed')).toEqual([]); // the final one succeeded
    expect(await segments()).toEqual([]);
  });

  it('checkpoints on its own when a segment grows past segmentBytes', async () => {
    const { stores } = await openStores({ journal: { checkpointMs: 3_600_000, segmentBytes: 4096 } });
    const store = await stores.store('main');
    for (let i = 0; i < 40; i++)
      await store.append('agent:main:a', { type: 'message', role: 'user', text: 'y'.repeat(200) }, { durable: true });
    for (let i = 0; i < 100 && stores.journal.stats.checkpoints === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(stores.journal.stats.checkpoints).toBeGreaterThan(0);
    await stores.close();
  });

  it('keeps a checkpoint timer only while there is something to checkpoint (an idle gateway never wakes for it)', async () => {
    // Only the timers are fake: the files, their syncs and the promises stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const journal = await InboundJournal.open(tmp, { checkpointMs: 1000 });
      expect(vi.getTimerCount()).toBe(0);
      const synced: string[] = [];
      await journal.append(entry('s1', 'agent:main:a', 1, 'hello') as Parameters<InboundJournal['append']>[0], {
        sync: async () => void synced.push('a'),
      });
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(1000);
      await journal.checkpoint(); // runs after the one the tick started
      expect(synced).toEqual(['a']);
      expect(journal.stats.checkpoints).toBe(1);
      expect(await segments()).toHaveLength(1); // the new, empty one
      // One more tick finds nothing to do and does not come back.
      await vi.advanceTimersByTimeAsync(1000);
      expect(vi.getTimerCount()).toBe(0);
      await journal.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('InboundJournal: recovery', () => {
  it('appends what only the journal has (recovered: true), recreating a lost transcript with its header', async () => {
    await writeSegment(1, [entry('sid-lost', 'agent:main:lost', 2, 'a'), entry('sid-lost', 'agent:main:lost', 3, 'b')]);
    const { stores, notices } = await openStores();
    const store = await stores.store('main');
    expect(store.get('agent:main:lost')?.sessionId).toBe('sid-lost');
    const recs = await readRecords(path.join(sessionsDir('main'), 'sid-lost.jsonl'));
    expect(recs[0]).toMatchObject({ seq: 1, type: 'session', sessionKey: 'agent:main:lost', sessionId: 'sid-lost', agentId: 'main' });
    expect(recs.slice(1).map((r) => [r.text, r.messageId, r.recovered])).toEqual([
      ['a', 'id-a', true],
      ['b', 'id-b', true],
    ]);
    expect(notices).toContainEqual(
      expect.objectContaining({
        kind: 'journal-recovered',
        entries: 2,
        appended: 2,
        sessions: [{ agentId: 'main', sessionKey: 'agent:main:lost', sessionId: 'sid-lost', appended: 2 }],
      }),
    );
    expect(await segments()).toHaveLength(1); // the replayed one is gone; the new one is empty
    expect((await store.history('agent:main:lost')).records).toHaveLength(3);
    await stores.close();
  });

  it('appends only the records a transcript lacks, and replaying the same segment again adds nothing', async () => {
    const plain = await AgentSessionStore.open(tmp, 'main');
    const { sessionId } = await plain.getOrCreate('agent:main:k');
    const kept = await plain.append('agent:main:k', { type: 'message', role: 'user', text: 'kept', messageId: 'id-kept' });
    await plain.close();
    const lost = entry(sessionId, 'agent:main:k', 3, 'lost');
    const segment = await writeSegment(1, [{ agentId: 'main', sessionId, sessionKey: 'agent:main:k', seq: kept.seq, record: kept }, lost]);
    const copy = await fsp.readFile(segment);

    let { stores, notices } = await openStores();
    expect(notices).toContainEqual(expect.objectContaining({ kind: 'journal-recovered', entries: 2, appended: 1 }));
    await stores.close();
    const once = await readRecords(path.join(sessionsDir('main'), `${sessionId}.jsonl`));
    expect(once.map((r) => r.text)).toEqual([undefined, 'kept', 'lost']);

    await fsp.writeFile(segment, copy); // as if the process had died before deleting it
    ({ stores, notices } = await openStores());
    expect(notices).toContainEqual(expect.objectContaining({ kind: 'journal-recovered', entries: 2, appended: 0 }));
    await stores.close();
    expect(await readRecords(path.join(sessionsDir('main'), `${sessionId}.jsonl`))).toEqual(once);
  });

  it('does not bring back a session deleted after its records were journaled', async () => {
    const { stores } = await openStores({ journal: { checkpointMs: 3_600_000 } });
    const store = await stores.store('main');
    await store.append('agent:main:gone', { type: 'message', role: 'user', text: 'bye' }, { durable: true });
    const { sessionId } = store.get('agent:main:gone')!;
    await store.delete('agent:main:gone');
    // Keep the live segment as a crash would, then close.
    const [seg] = await segments();
    const bytes = await fsp.readFile(path.join(journalDir(), seg!));
    await stores.close();
    await writeSegment(7, [], bytes.toString('utf8'));
    const again = await openStores();
    expect(fs.existsSync(path.join(sessionsDir('main'), `${sessionId}.jsonl`))).toBe(false);
    expect((await again.stores.store('main')).get('agent:main:gone')).toBeUndefined();
    await again.stores.close();
  });

  it('cuts a torn last journal line, keeps its bytes in .corrupt and replays the lines before it', async () => {
    const torn = '{"agentId":"main","sessionId":"sid-t","sessionKey":"agent:main:t","seq":3,"rec';
    const file = await writeSegment(1, [entry('sid-t', 'agent:main:t', 2, 'whole')], torn);
    const { stores, notices } = await openStores();
    expect(notices).toContainEqual(expect.objectContaining({ kind: 'journal-torn-tail', path: file, removedBytes: torn.length }));
    const corrupt = await fsp.readFile(`${file}.corrupt`, 'utf8');
    expect(corrupt).toMatch(/^# \S+ removed \d+ bytes at offset \d+ \(torn tail\)/);
    expect(corrupt).toContain(`\n${torn}\n`);
    const recs = await readRecords(path.join(sessionsDir('main'), 'sid-t.jsonl'));
    expect(recs.map((r) => r.text)).toEqual([undefined, 'whole']);
    await stores.close();
    expect(await segments()).toEqual([]);
  });

  it('keeps every acknowledged record, exactly once and unbroken, after the writer is SIGKILLed', async () => {
    const { acked, signal } = await killAfterAcks({
      cwd: root,
      script: path.join(root, 'test/fixtures/sessions/journal-writer.ts'),
      args: [tmp, '6'],
      killAfter: 300,
      parse: (line) => {
        const [word, key, id] = line.split(' ');
        return word === 'ack' && key && id ? [key, id] : undefined;
      },
    });
    expect(signal).toBe('SIGKILL');

    // Before recovery some acknowledged records exist only in the journal.
    const plainIds = async (): Promise<Map<string, string[]>> => {
      const store = await AgentSessionStore.open(tmp, 'main');
      const out = new Map<string, string[]>();
      for (const key of acked.keys()) {
        const e = store.get(key);
        if (!e) continue;
        const recs = await readRecords(path.join(sessionsDir('main'), `${e.sessionId}.jsonl`));
        out.set(
          key,
          recs.filter((r) => r.type === 'message').map((r) => String(r.messageId)),
        );
      }
      await store.close();
      return out;
    };
    const beforeReplay = await plainIds();
    const missing = [...acked].flatMap(([key, ids]) => ids.filter((id) => !beforeReplay.get(key)?.includes(id)));
    expect(missing.length).toBeGreaterThan(0);

    // Lose one transcript file entirely, as a power loss can with a new file.
    const [lostKey] = [...acked.keys()];
    const lostStore = await AgentSessionStore.open(tmp, 'main');
    const lostId = lostStore.get(lostKey!)!.sessionId;
    await lostStore.close();
    await fsp.unlink(path.join(sessionsDir('main'), `${lostId}.jsonl`));

    const { stores, notices } = await openStores();
    const recovered = notices.find((n) => n.kind === 'journal-recovered');
    expect(recovered && recovered.kind === 'journal-recovered' && recovered.appended).toBeGreaterThanOrEqual(missing.length);
    const store = await stores.store('main');
    expect(store.get(lostKey!)?.sessionId).toBe(lostId);
    await stores.close();

    const check = async (): Promise<void> => {
      const after = await plainIds();
      for (const [key, ids] of acked) {
        const onDisk = after.get(key) ?? [];
        for (const id of ids)
          expect(
            onDisk.filter((x) => x === id),
            `${key} ${id}`,
          ).toHaveLength(1);
      }
      for (const name of (await fsp.readdir(sessionsDir('main'))).filter((n) => n.endsWith('.jsonl'))) {
        const text = await fsp.readFile(path.join(sessionsDir('main'), name), 'utf8');
        expect(text.endsWith('\n')).toBe(true);
        for (const line of text.split('\n').slice(0, -1)) expect(() => JSON.parse(line) as unknown, `${name}: ${line}`).not.toThrow();
      }
    };
    await check();
    const header = (await readRecords(path.join(sessionsDir('main'), `${lostId}.jsonl`)))[0];
    expect(header).toMatchObject({ type: 'session', sessionKey: lostKey, sessionId: lostId });
    // Reopening again replays nothing twice.
    await (await openStores()).stores.close();
    await check();
  });
});
