// Specification of the per-agent session store (src-main/sessions): JSONL transcripts with torn-tail
// repair and group-committed durable appends, the rebuildable sessions.json index, and the
// AgentSessionStore facade with its per-agent path isolation. Real files in a temp dir throughout.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { benchStorageFloor } from '../../src-main/sessions/bench-floor.ts';
import { FdPool } from '../../src-main/sessions/fd-pool.ts';
import { buildRecord, type TranscriptRecord } from '../../src-main/sessions/records.ts';
import { IndexVersionError, MIGRATIONS } from '../../src-main/sessions/session-index.ts';
import { AgentSessionStore, type StoreNotice } from '../../src-main/sessions/store.ts';
import { TranscriptFile, type RecoveryInfo } from '../../src-main/sessions/transcript.ts';
import { SessionPathError } from '../../src-main/sessions/paths.ts';
import { killAfterAcks } from '../helpers/kill-after-acks.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let tmp: string;

beforeEach(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'sb-sessions-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fsp.rm(tmp, { recursive: true, force: true });
});

const sessionsDir = (agent: string): string => path.join(tmp, 'agents', agent, 'sessions');
const lines = (text: string): string[] => text.split('\n').slice(0, -1);
const readJsonLines = async (file: string): Promise<TranscriptRecord[]> =>
  lines(await fsp.readFile(file, 'utf8')).map((l) => JSON.parse(l) as TranscriptRecord);
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
async function listFiles(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('TranscriptFile', () => {
  it('readTail gives the same pages from its in-memory tail as a fresh read from disk, across the cache boundary', async () => {
    const file = path.join(tmp, 'tail.jsonl');
    const t = await TranscriptFile.open(file);
    for (let i = 0; i < 300; i++)
      await t.append({ type: 'message', role: i % 2 ? 'assistant' : 'user', text: `r${i} ${'x'.repeat((i % 7) * 40)}` });
    await t.sync();
    const fresh = await TranscriptFile.open(path.join(tmp, 'copy.jsonl'));
    await fresh.close();
    await fsp.copyFile(file, path.join(tmp, 'copy.jsonl'));
    const disk = await TranscriptFile.open(path.join(tmp, 'copy.jsonl'));
    for (const [limit, before] of [
      [20, undefined],
      [150, undefined],
      [50, 280],
      [50, 230],
      [10, 5],
      [400, undefined],
    ] as const) {
      const fromCache = (await t.readTail(limit, before)).map((r) => r.seq);
      const fromDisk = (await disk.readTail(limit, before)).map((r) => r.seq);
      expect(fromCache, `limit ${limit} before ${before}`).toEqual(fromDisk);
    }
    await t.close();
    await disk.close();
  });

  it('writes one JSON line per record and readAll returns them in order with v, seq, ts and type', async () => {
    const file = path.join(tmp, 's.jsonl');
    const t = await TranscriptFile.open(file);
    const a = await t.append({ type: 'session', sessionKey: 'k' });
    const b = await t.append({ type: 'message', role: 'user', text: 'hi\nthere' }, { durable: true });
    const c = await t.append({ type: 'message', role: 'assistant', text: 'hello', v: 9, seq: 99 });
    await t.close();

    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
    expect(c).toMatchObject({ v: 1, seq: 3, type: 'message', text: 'hello' });
    expect(Date.parse(a.ts)).not.toBeNaN();
    expect(await readJsonLines(file)).toEqual([a, b, c]);
    const reopened = await TranscriptFile.open(file);
    expect(await collect(reopened.readAll())).toEqual([a, b, c]);
    expect((await reopened.append({ type: 'x' })).seq).toBe(4);
    await reopened.close();
  });

  it('starts every record with v, seq, ts and type, whatever order and values the caller gave', () => {
    const r = buildRecord({ role: 'user', text: 'hi', v: 9, seq: 99, ts: undefined, type: 'message' } as never, 3);
    expect(Object.keys(r)).toEqual(['v', 'seq', 'ts', 'type', 'role', 'text']);
    expect(r).toMatchObject({ v: 1, seq: 3, type: 'message' });
    expect(Date.parse(r.ts)).not.toBeNaN();
    expect(buildRecord({ type: 'x', ts: '2020-01-01T00:00:00.000Z' }, 4).ts).toBe('2020-01-01T00:00:00.000Z');
  });

  it('a write that fails part-way (disk full) leaves no partial line, and the next append works', async () => {
    const file = path.join(tmp, 's.jsonl');
    const t = await TranscriptFile.open(file);
    const a = await t.append({ type: 'message', role: 'user', text: 'before' });
    const realWrite = fs.writeSync;
    // The next write gets half its bytes onto the disk, then the disk is full.
    const fullDisk = (fd: number, buf: Buffer, off: number, len: number): never => {
      realWrite(fd, buf, off, Math.floor(len / 2));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    vi.spyOn(fs, 'writeSync').mockImplementationOnce(fullDisk as unknown as typeof fs.writeSync);
    await expect(t.append({ type: 'message', role: 'user', text: 'lost to a full disk' })).rejects.toMatchObject({ code: 'ENOSPC' });
    const c = await t.append({ type: 'message', role: 'user', text: 'after' }, { durable: true });
    await t.close();
    const onDisk = await readJsonLines(file); // throws on a broken line
    expect(onDisk.map((r) => r.text)).toEqual(['before', 'after']);
    expect(onDisk[0]).toEqual(a);
    expect(onDisk[1]).toEqual(c);
  });

  it('keeps call order and gapless seqs under 200 concurrent appends', async () => {
    const file = path.join(tmp, 's.jsonl');
    const t = await TranscriptFile.open(file);
    const recs = await Promise.all(Array.from({ length: 200 }, (_, i) => t.append({ type: 'message', i }, { durable: i % 3 === 0 })));
    await t.close();
    expect(recs.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const onDisk = await readJsonLines(file);
    expect(onDisk.map((r) => [r.seq, r.i])).toEqual(recs.map((r) => [r.seq, r.i]));
  });

  it('cuts a torn last line on open and appends its bytes to <file>.corrupt with a header', async () => {
    const file = path.join(tmp, 's.jsonl');
    const good = [buildRecord({ type: 'session' }, 1), buildRecord({ type: 'message', text: 'a' }, 2)];
    const goodText = good.map((r) => JSON.stringify(r) + '\n').join('');
    const torn = '{"v":1,"seq":3,"ts":"2025-01-01T00:00:00.000Z","type":"mess';
    await fsp.writeFile(file, goodText + torn);

    const seen: RecoveryInfo[] = [];
    const t = await TranscriptFile.open(file, { onRecovered: (info) => seen.push(info) });
    expect(seen).toEqual([expect.objectContaining({ removedBytes: torn.length, offset: goodText.length })]);
    expect(t.recovery?.corruptPath).toBe(`${file}.corrupt`);
    expect(await fsp.readFile(file, 'utf8')).toBe(goodText);
    const corrupt = await fsp.readFile(`${file}.corrupt`, 'utf8');
    expect(corrupt).toMatch(new RegExp(`^# \\S+ removed ${torn.length} bytes at offset ${goodText.length}`));
    expect(corrupt).toContain(`\n${torn}\n`);
    expect((await t.append({ type: 'message', text: 'b' })).seq).toBe(3);
    await t.close();
  });

  it('also cuts newline-terminated garbage at the end (e.g. zero-filled blocks after power loss)', async () => {
    const file = path.join(tmp, 's.jsonl');
    const goodText = JSON.stringify(buildRecord({ type: 'session' }, 1)) + '\n';
    const garbage = '\0\0\0\0\n{"v":1,"se\n';
    await fsp.writeFile(file, goodText + garbage);
    const t = await TranscriptFile.open(file);
    expect(t.recovery?.removedBytes).toBe(garbage.length);
    expect(await fsp.readFile(file, 'utf8')).toBe(goodText);
    expect(t.lastSeq).toBe(1);
    await t.close();
  });

  it('readTail pages backwards through a 100,000-record transcript', async () => {
    const file = path.join(tmp, 'big.jsonl');
    const N = 100_000;
    const parts: string[] = [];
    for (let seq = 1; seq <= N; seq++) {
      parts.push(JSON.stringify(buildRecord({ type: 'message', text: `m${seq} `.repeat(seq % 7) }, seq)) + '\n');
    }
    await fsp.writeFile(file, parts.join(''));
    const t = await TranscriptFile.open(file);

    expect((await t.readTail(3)).map((r) => r.seq)).toEqual([99_998, 99_999, 100_000]);
    expect((await t.readTail(5, 50_001)).map((r) => r.seq)).toEqual([49_996, 49_997, 49_998, 49_999, 50_000]);
    expect((await t.readTail(10, 5)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(await t.readTail(10, 1)).toEqual([]);
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await t.readTail(1000, before);
      if (page.length === 0) break;
      seen.unshift(...page.map((r) => r.seq));
      before = page[0]!.seq;
    }
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    await t.close();
  });

  it('shares fdatasyncs among concurrent durable appends to one transcript (group commit)', async () => {
    const t = await TranscriptFile.open(path.join(tmp, 's.jsonl'));
    await t.append({ type: 'session' }, { durable: true });
    const spy = vi.spyOn(fs, 'fdatasync');
    await Promise.all(Array.from({ length: 50 }, (_, i) => t.append({ type: 'message', i }, { durable: true })));
    expect(spy.mock.calls.length).toBeGreaterThan(0);
    expect(spy.mock.calls.length).toBeLessThan(10);
    await t.close();
  });

  it('syncing 50 new transcripts needs one folder fsync, not one per file', async () => {
    const files = await Promise.all(Array.from({ length: 50 }, (_, i) => TranscriptFile.open(path.join(tmp, `${i}.jsonl`))));
    await Promise.all(files.map((t, i) => t.append({ type: 'message', i })));
    const spy = vi.spyOn(fs, 'fsync'); // folders are fsync'ed, files fdatasync'ed
    await Promise.all(files.map((t) => t.sync()));
    expect(spy.mock.calls.length).toBeGreaterThan(0);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(2);
    await Promise.all(files.map((t) => t.close()));
  });

  it('keeps at most maxOpen descriptors open while appending to many transcripts', async () => {
    const pool = new FdPool({ maxOpen: 4 });
    const files = await Promise.all(Array.from({ length: 20 }, (_, i) => TranscriptFile.open(path.join(tmp, `${i}.jsonl`), { pool })));
    for (let round = 0; round < 5; round++) {
      await Promise.all(files.map((t, i) => t.append({ type: 'message', i, round }, { durable: round % 2 === 0 })));
      expect(pool.openCount).toBeLessThanOrEqual(4);
    }
    await Promise.all(files.map((t) => t.close()));
    expect(pool.openCount).toBe(0);
    for (let i = 0; i < 20; i++) {
      expect((await readJsonLines(path.join(tmp, `${i}.jsonl`))).map((r) => r.round)).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it('keeps every acknowledged durable record and no broken line when the writer is SIGKILLed', async () => {
    const killed = await killAfterAcks({
      cwd: root,
      script: path.join(root, 'test/fixtures/sessions/crash-writer.ts'),
      args: [tmp],
      killAfter: 200,
      parse: (line) => {
        const [key, seq] = line.split(' ');
        return key !== 'ready' && key && seq ? [key, seq] : undefined;
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const acked = new Map([...killed.acked].map(([key, seqs]) => [key, seqs.map(Number)]));

    // Before any repair, only the last line of a transcript may be torn.
    const dir = sessionsDir('crash');
    const transcripts = (await fsp.readdir(dir)).filter((n) => n.endsWith('.jsonl'));
    for (const name of transcripts) {
      const body = lines((await fsp.readFile(path.join(dir, name), 'utf8')) + '\n').slice(0, -1);
      for (const l of body) expect(() => JSON.parse(l) as unknown).not.toThrow();
    }

    const store = await AgentSessionStore.open(tmp, 'crash');
    for (const [key, seqs] of acked) {
      const { transcript } = await store.getOrCreate(key);
      const onDisk = new Set((await collect(transcript.readAll())).map((r) => r.seq));
      for (const seq of seqs) expect(onDisk.has(seq), `${key} seq ${seq}`).toBe(true);
    }
    await store.close();
    for (const name of transcripts) {
      const text = await fsp.readFile(path.join(dir, name), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      for (const l of lines(text)) expect(() => JSON.parse(l) as unknown).not.toThrow();
    }
  }, 60_000); // a child process that starts tsx and writes 200 synced records: slow when the machine is busy
});

describe('AgentSessionStore', () => {
  it('gives a session key one random session id whose transcript starts with a header naming the key', async () => {
    const store = await AgentSessionStore.open(tmp, 'main');
    const [a, b] = await Promise.all([store.getOrCreate('agent:main:main'), store.getOrCreate('agent:main:main')]);
    expect(a.sessionId).toBe(b.sessionId);
    expect(a.sessionId).toMatch(UUID_RE);
    await store.close();
    const [header] = await readJsonLines(path.join(sessionsDir('main'), `${a.sessionId}.jsonl`));
    expect(header).toMatchObject({ seq: 1, type: 'session', sessionKey: 'agent:main:main', agentId: 'main', sessionId: a.sessionId });
  });

  it('keeps message and token counters and the last route in sessions.json', async () => {
    const store = await AgentSessionStore.open(tmp, 'main');
    const route = { channel: 'telegram', accountId: 'default', peer: '42' };
    await store.append('k', { type: 'message', role: 'user', text: 'hi', route }, { durable: true });
    await store.append('k', { type: 'message', role: 'assistant', text: 'yo', usage: { inputTokens: 12, outputTokens: 5 } });
    await store.flush();
    const index = JSON.parse(await fsp.readFile(path.join(sessionsDir('main'), 'sessions.json'), 'utf8')) as {
      version: number;
      sessions: Record<string, unknown>;
    };
    expect(index.version).toBe(1);
    expect(index.sessions.k).toMatchObject({ messages: 2, inputTokens: 12, outputTokens: 5, lastRoute: route });
    await store.close();
  });

  it('rebuilds a corrupt sessions.json from the transcripts and moves the bad file aside', async () => {
    let store = await AgentSessionStore.open(tmp, 'main');
    await store.append('k1', { type: 'message', role: 'user', text: 'a', usage: { inputTokens: 3 } });
    await store.update('k1', { title: 'Planning' });
    await store.append('k2', { type: 'message', role: 'user', text: 'b' });
    await store.close();
    const before = store.list();
    const indexFile = path.join(sessionsDir('main'), 'sessions.json');
    await fsp.writeFile(indexFile, '{"version":1,"sessions":{"k1":{"sess');

    const notices: StoreNotice[] = [];
    store = await AgentSessionStore.open(tmp, 'main', { onNotice: (n) => notices.push(n) });
    const byKey = (a: { key: string }, b: { key: string }): number => a.key.localeCompare(b.key);
    expect(store.list().sort(byKey)).toEqual(before.sort(byKey));
    expect(store.get('k1')).toMatchObject({ title: 'Planning', messages: 1, inputTokens: 3 });
    expect(notices.map((n) => n.kind)).toEqual(['index-corrupt', 'index-rebuilt']);
    const aside = (await fsp.readdir(sessionsDir('main'))).filter((n) => n.startsWith('sessions.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await fsp.readFile(path.join(sessionsDir('main'), aside[0]!), 'utf8')).toBe('{"version":1,"sessions":{"k1":{"sess');
    await store.close();
  });

  it('rebuilds a missing sessions.json from the transcripts', async () => {
    let store = await AgentSessionStore.open(tmp, 'main');
    await store.append('k', { type: 'message', role: 'user', text: 'a' });
    await store.close();
    await fsp.rm(path.join(sessionsDir('main'), 'sessions.json'));
    store = await AgentSessionStore.open(tmp, 'main');
    expect(store.get('k')).toMatchObject({ messages: 1, sessionKey: 'k' });
    await store.close();
  });

  it('adds transcripts the index never heard of and recounts stale entries (crash before the index save)', async () => {
    let store = await AgentSessionStore.open(tmp, 'main');
    const { sessionId } = await store.getOrCreate('old');
    await store.flush();
    const saved = await fsp.readFile(path.join(sessionsDir('main'), 'sessions.json'), 'utf8');
    await store.append('old', { type: 'message', role: 'user', text: 'later' }, { durable: true });
    await store.append('new', { type: 'message', role: 'user', text: 'new' }, { durable: true });
    await store.close();
    await fsp.writeFile(path.join(sessionsDir('main'), 'sessions.json'), saved); // the index as of the crash

    store = await AgentSessionStore.open(tmp, 'main');
    expect(store.get('old')).toMatchObject({ sessionId, messages: 1 });
    expect(store.get('new')).toMatchObject({ messages: 1 });
    await store.close();
  });

  it('migrates an older index version through the MIGRATIONS hook on load', async () => {
    const dir = sessionsDir('main');
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(path.join(dir, 'sessions.json'), JSON.stringify({ version: 0, items: {} }));
    MIGRATIONS[0] = (raw) => ({ version: 1, sessions: raw.items });
    try {
      const notices: StoreNotice[] = [];
      const store = await AgentSessionStore.open(tmp, 'main', { onNotice: (n) => notices.push(n) });
      expect(notices).toContainEqual({ kind: 'index-migrated', from: 0, to: 1 });
      await store.close();
      expect(JSON.parse(await fsp.readFile(path.join(dir, 'sessions.json'), 'utf8'))).toEqual({ version: 1, sessions: {} });
    } finally {
      delete MIGRATIONS[0];
    }
  });

  it('refuses an index written by a newer version and leaves it untouched', async () => {
    const dir = sessionsDir('main');
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(path.join(dir, 'sessions.json'), '{"version":2,"sessions":{}}');
    await expect(AgentSessionStore.open(tmp, 'main')).rejects.toBeInstanceOf(IndexVersionError);
    expect(await fsp.readFile(path.join(dir, 'sessions.json'), 'utf8')).toBe('{"version":2,"sessions":{}}');
  });

  it('reset starts a new session id and keeps the old transcript, listed as archived', async () => {
    const store = await AgentSessionStore.open(tmp, 'main');
    const old = await store.getOrCreate('k');
    await store.append('k', { type: 'message', role: 'user', text: 'before reset' });
    const fresh = await store.reset('k');
    expect(fresh.sessionId).not.toBe(old.sessionId);
    expect((await store.getOrCreate('k')).sessionId).toBe(fresh.sessionId);
    const archivedKey = `k#${old.sessionId}`;
    expect(
      store
        .list()
        .map((s) => [s.key, s.sessionId, s.archived ?? false])
        .sort(),
    ).toEqual(
      [
        ['k', fresh.sessionId, false],
        [archivedKey, old.sessionId, true],
      ].sort(),
    );
    expect((await store.history(archivedKey)).records.map((r) => r.text)).toContain('before reset');
    await store.close();
  });

  it('history pages backwards with before and limit', async () => {
    const store = await AgentSessionStore.open(tmp, 'main');
    for (let i = 0; i < 30; i++) await store.append('k', { type: 'message', role: 'user', text: `m${i}` });
    const p1 = await store.history('k', { limit: 10 });
    expect(p1.records.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 22 + i));
    expect(p1.hasMore).toBe(true);
    const p3 = await store.history('k', { limit: 12, before: 12 });
    expect(p3.records.map((r) => r.seq)).toEqual(Array.from({ length: 11 }, (_, i) => 1 + i));
    expect(p3.hasMore).toBe(false);
    expect(await store.history('nobody')).toEqual({ key: 'nobody', sessionId: null, records: [], hasMore: false });
    await store.close();
  });

  it('delete removes the transcript and the index entry', async () => {
    const store = await AgentSessionStore.open(tmp, 'main');
    const { sessionId } = await store.getOrCreate('k');
    await store.append('k', { type: 'message', role: 'user', text: 'x' });
    expect(await store.delete('k')).toBe(true);
    expect(store.list()).toEqual([]);
    expect(fs.existsSync(path.join(sessionsDir('main'), `${sessionId}.jsonl`))).toBe(false);
    expect(await store.delete('k')).toBe(false);
    await store.close();
  });

  it('export returns the transcript JSONL with its metadata', async () => {
    const store = await AgentSessionStore.open(tmp, 'main');
    const { sessionId } = await store.getOrCreate('k');
    await store.append('k', { type: 'message', role: 'user', text: 'x' });
    const out = await store.export('k');
    expect(out.metadata).toMatchObject({ format: 'switchboard.session', version: 1, agentId: 'main', key: 'k', sessionId, messages: 1 });
    expect(lines(out.jsonl).map((l) => (JSON.parse(l) as TranscriptRecord).type)).toEqual(['session', 'message']);
    await store.close();
  });

  it('rejects invalid agent ids', async () => {
    for (const id of ['', 'Main', '../b', 'a/b', '.', '-a', 'a'.repeat(65), 'a\0']) {
      await expect(AgentSessionStore.open(tmp, id), id).rejects.toBeInstanceOf(SessionPathError);
    }
  });

  it('refuses a second store on the same agent folder in one process', async () => {
    const store = await AgentSessionStore.open(tmp, 'main');
    await expect(AgentSessionStore.open(tmp, 'main')).rejects.toThrow(/already open/);
    await store.close();
  });

  it('never lets hostile session keys touch files outside the agent folder', async () => {
    const b = await AgentSessionStore.open(tmp, 'b');
    await b.append('x', { type: 'message', role: 'user', text: 'b' });
    await b.close();
    const bFiles = await listFiles(path.join(tmp, 'agents', 'b'));
    const bBefore = await Promise.all(bFiles.map((f) => fsp.readFile(f, 'utf8')));

    const a = await AgentSessionStore.open(tmp, 'a');
    const hostile = ['../../b/sessions/x', '..\\..\\b\\sessions\\x', '/etc/passwd', 'x', '__proto__', 'sessions.json', 'C:\\x'];
    for (const key of hostile) await a.append(key, { type: 'message', role: 'user', text: key });
    for (const key of hostile) await a.reset(key);
    expect(new Set(a.list().map((s) => s.sessionKey))).toEqual(new Set(hostile));
    await a.delete('../../b/sessions/x');
    await a.close();

    const aDir = sessionsDir('a');
    for (const f of await listFiles(tmp)) {
      if (f.startsWith(path.join(tmp, 'agents', 'b') + path.sep)) continue;
      expect(path.dirname(f)).toBe(aDir);
      expect(path.basename(f)).toMatch(/^([0-9a-f-]{36}\.jsonl|sessions\.json)$/);
    }
    expect(await listFiles(path.join(tmp, 'agents', 'b'))).toEqual(bFiles);
    expect(await Promise.all(bFiles.map((f) => fsp.readFile(f, 'utf8')))).toEqual(bBefore);
  });

  it('drops index entries whose session id is not a safe file name', async () => {
    const b = await AgentSessionStore.open(tmp, 'b');
    const { sessionId } = await b.getOrCreate('x');
    await b.close();
    const dir = sessionsDir('a');
    await fsp.mkdir(dir, { recursive: true });
    const evil = { sessionId: `../../b/sessions/${sessionId}`, created: '2025-01-01T00:00:00.000Z', messages: 0 };
    await fsp.writeFile(path.join(dir, 'sessions.json'), JSON.stringify({ version: 1, sessions: { evil } }));

    const a = await AgentSessionStore.open(tmp, 'a');
    expect(a.list()).toEqual([]);
    expect(await a.delete('evil')).toBe(false);
    await a.close();
    expect(fs.existsSync(path.join(sessionsDir('b'), `${sessionId}.jsonl`))).toBe(true);
  });

  it('benchStorageFloor writes every message durably with its reply through the store and reports a rate', async () => {
    const { msgsPerSec, messages } = await benchStorageFloor(tmp, { messages: 200, sessions: 20 });
    expect(messages).toBe(200);
    expect(msgsPerSec).toBeGreaterThan(0);
    const dir = sessionsDir('bench');
    const names = (await fsp.readdir(dir)).filter((n) => n.endsWith('.jsonl'));
    expect(names).toHaveLength(20);
    const files = await Promise.all(names.map((n) => readJsonLines(path.join(dir, n))));
    // The same appends as a plain turn: each inbound and its reply, answering that inbound; the
    // 200 timed messages after one untimed exchange per session.
    const inbound = files.flat().filter((r) => r.type === 'message' && r.role === 'user');
    expect(
      inbound
        .filter((r) => Number(r.messageId) >= 0)
        .map((r) => Number(r.messageId))
        .sort((a, b) => a - b),
    ).toEqual([...Array(200).keys()]);
    expect(inbound).toHaveLength(220);
    for (const recs of files) {
      // In each session the replies answer its own inbound records, one each, in arrival order.
      const bySeq = new Map(recs.filter((r) => r.role === 'user').map((r) => [r.seq, Number(r.messageId)]));
      const answered = recs.filter((r) => r.type === 'message' && r.role === 'assistant').map((r) => bySeq.get(r.inReplyTo as number));
      expect(answered).toHaveLength(11);
      expect(answered).toEqual([...bySeq.values()].sort((a, b) => (a < 0 ? -1 : b < 0 ? 1 : a - b)));
    }
  });
});
