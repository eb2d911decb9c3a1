// Specification of a full disk under a running gateway, seen from the control plane: with the disk
// filled mid-stream, every acknowledged webchat.send is on disk exactly once, nothing refused is
// anywhere (transcript, sessions.history, the index's counters, the journal), seqs stay gapless,
// the client gets `unavailable` naming the cause and the folder (also in status.storage), a retry
// with the same clientId is never stored twice, and everything works again once space is back.
// Always: the StorageFault seam. Also, where this process may mount one: a real 1 MiB tmpfs.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TranscriptRecord } from '../../src-main/sessions/records.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { storageFaults } from '../helpers/storage-faults.ts';

const MAIN = 'agent:main:main';
let gw: TestGateway | undefined;
let cleanup: (() => void)[] = [];

afterEach(async () => {
  await gw?.close();
  gw = undefined;
  for (const fn of cleanup.reverse()) fn();
  cleanup = [];
});

type SendOutcome =
  | { text: string; clientId: string; ok: true; messageId: string }
  | { text: string; clientId: string; ok: false; error: { code: string; message: string } };

async function send(g: TestGateway, text: string, clientId = `c-${text.replace(/[^A-Za-z0-9]/g, '_')}`): Promise<SendOutcome> {
  try {
    const r = await g.client.request('webchat.send', { agentId: 'main', text, clientId });
    return { text, clientId, ok: true, messageId: r.messageId };
  } catch (err) {
    return { text, clientId, ok: false, error: err as { code: string; message: string } };
  }
}

async function transcript(g: TestGateway): Promise<TranscriptRecord[]> {
  const dir = path.join(g.dir, 'agents', 'main', 'sessions');
  const id = (await g.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN })).sessionId;
  if (!id) return [];
  return (await fsp.readFile(path.join(dir, `${id}.jsonl`), 'utf8'))
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l) as TranscriptRecord);
}

async function journalText(g: TestGateway): Promise<string> {
  const dir = path.join(g.dir, 'journal');
  const names = await fsp.readdir(dir);
  // A checkpoint may delete a segment meanwhile: what it held is in the transcripts.
  const texts = await Promise.all(names.map((n) => fsp.readFile(path.join(dir, n), 'utf8').catch(() => '')));
  return texts.join('');
}

/** Everything a refused message must not be in, and everything an acknowledged one must be in exactly once. */
async function expectConsistent(g: TestGateway, outcomes: SendOutcome[]): Promise<void> {
  await g.headless.gateway.idle();
  const recs = await transcript(g);
  expect(recs.map((r) => r.seq)).toEqual(recs.map((_, i) => i + 1));
  const inbound = recs.filter((r) => r.type === 'message' && r.role === 'user');
  const history = (await g.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN, limit: 1000 })).records;
  const journal = await journalText(g);
  for (const o of outcomes) {
    const stored = inbound.filter((r) => r.text === o.text);
    if (o.ok) {
      expect(stored, o.text).toHaveLength(1);
      expect(stored[0]!.messageId).toBe(o.messageId);
    } else {
      expect(stored, o.text).toHaveLength(0);
      expect(history.some((r) => r.text === o.text)).toBe(false);
      expect(journal).not.toContain(`"text":"${o.text}"`);
    }
  }
  const listed = (await g.client.request('sessions.list', { agentId: 'main' })).sessions.find((s) => s.key === MAIN)!;
  expect(listed.messages).toBe(recs.filter((r) => r.type === 'message').length);
}

describe('a full disk under the running gateway (fault seam)', () => {
  it('keeps acknowledged and refused sends apart, tells the client why, and works again when space is back', async () => {
    const faults = storageFaults();
    cleanup.push(() => faults.uninstall());
    gw = await startTestGateway();
    const g = gw;
    const outcomes: SendOutcome[] = [];
    outcomes.push(...(await Promise.all(['a1', 'a2', 'a3'].map((t) => send(g, t)))));
    expect(outcomes.every((o) => o.ok)).toBe(true);

    // The journal is where a full disk bites first: its batches are the biggest writes.
    faults.fail('ENOSPC', ['write'], path.join(g.dir, 'journal'));
    const refused = await Promise.all(['r1', 'r2', 'r3'].map((t) => send(g, t)));
    outcomes.push(...refused);
    for (const o of refused) {
      expect(o.ok).toBe(false);
      if (!o.ok) {
        expect(o.error.code).toBe('unavailable');
        expect(o.error.message).toContain(`disk full at ${g.dir}`);
      }
    }
    const status = await g.client.request('status', {});
    expect(status.storage).toMatchObject({ ok: false, reason: expect.stringContaining(`disk full at ${g.dir}`) });
    expect(status.dropped.storage_unavailable).toBe(3);
    await g.waitFor('storage.state', (d) => d.ok === false);
    await expectConsistent(g, outcomes);

    // Now every file of the state dir is out of space, transcripts included.
    faults.fail('ENOSPC', ['write'], g.dir);
    const refused2 = await send(g, 'r4');
    expect(refused2).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    outcomes.push(refused2);
    await expectConsistent(g, outcomes);

    faults.clear();
    // The client retries what was refused, with the same clientIds: stored now, once each.
    const retried = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((t) => send(g, t)));
    expect(retried.every((o) => o.ok)).toBe(true);
    const final = [...outcomes.filter((o) => o.ok), ...retried];
    await expectConsistent(g, final);
    expect((await g.client.request('status', {})).storage).toEqual({ ok: true });
    await g.waitFor('storage.state', (d) => d.ok === true);
  });

  it('answers a retry of a stored send with the original message id and stores nothing twice', async () => {
    gw = await startTestGateway();
    const g = gw;
    const first = await g.client.request('webchat.send', { agentId: 'main', text: 'once', clientId: 'retry-1' });
    // Sent again as a client does after a cut connection, also while the first is still in flight.
    const [again, third] = await Promise.all([
      g.client.request('webchat.send', { agentId: 'main', text: 'once', clientId: 'retry-1' }),
      g.client.request('webchat.send', { agentId: 'main', text: 'once', clientId: 'retry-1' }),
    ]);
    expect(again).toMatchObject({ messageId: first.messageId, duplicate: true });
    expect(third).toMatchObject({ messageId: first.messageId, duplicate: true });
    await g.headless.gateway.idle();
    expect((await transcript(g)).filter((r) => r.role === 'user' && r.text === 'once')).toHaveLength(1);
  });
});

/** A 1 MiB tmpfs, when this process may mount one (root on Linux); null otherwise. */
function mountSmallTmpfs(): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    fs.rmdirSync(dir);
    return null;
  }
}

const tmpfs = mountSmallTmpfs();
afterAll(() => {
  if (!tmpfs) return;
  execFileSync('umount', ['-l', tmpfs], { stdio: 'ignore' });
  fs.rmdirSync(tmpfs);
});

describe.skipIf(!tmpfs)('a real full tmpfs under the running gateway', () => {
  it('refuses sends while the disk is full and stores them once it has room again', async () => {
    gw = await startTestGateway({ parentDir: tmpfs! });
    const g = gw;
    const outcomes: SendOutcome[] = [await send(g, 'before')];
    expect(outcomes[0]!.ok).toBe(true);
    // Fill the disk: whatever is left goes to one file.
    const filler = path.join(tmpfs!, 'filler');
    const fd = fs.openSync(filler, 'w');
    try {
      const chunk = Buffer.alloc(4096, 1);
      for (;;) fs.writeSync(fd, chunk);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const big = 'x'.repeat(8000);
    const full = await send(g, `full ${big}`, 'full-1');
    expect(full).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining(`disk full at ${g.dir}`) } });
    outcomes.push(full);
    expect((await g.client.request('status', {})).storage.ok).toBe(false);

    await fsp.rm(filler);
    const retry = await send(g, `full ${big}`, 'full-1');
    expect(retry.ok).toBe(true);
    await expectConsistent(g, [outcomes[0]!, retry]);
    expect((await g.client.request('status', {})).storage).toEqual({ ok: true });
  });

  // A tmpfs cannot be remounted read-only while the gateway holds files open for writing (EBUSY),
  // so a read-only disk under a running gateway is the seam's (below); here: starting on one.
  it('refuses to start the gateway on a read-only state folder with one line saying so', async () => {
    const state = path.join(tmpfs!, 'ro-state');
    await fsp.mkdir(state, { recursive: true });
    execFileSync('mount', ['-o', 'remount,ro', tmpfs!]);
    cleanup.push(() => execFileSync('mount', ['-o', 'remount,rw', tmpfs!]));
    const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.resolve(import.meta.dirname, '../../bin/switchboard.mjs'), 'gateway', '--port', '0', '--state-dir', state],
        {
          env: { ...process.env, HOME: state, CI: 'true', SWITCHBOARD_STATE_DIR: undefined, SWITCHBOARD_CONFIG_PATH: undefined },
          timeout: 20_000,
        },
        (error, _stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }),
      );
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toBe(
      `error: cannot start: state folder is read-only: ${state} (remount it read-write; nothing can be stored until then)\n`,
    );
  });
});

describe('a state folder that turns read-only under the running gateway (fault seam)', () => {
  it('refuses sends naming the read-only folder, and the same session works again once it is writable, without a restart', async () => {
    const faults = storageFaults();
    cleanup.push(() => faults.uninstall());
    gw = await startTestGateway();
    const g = gw;
    const before = await send(g, 'before');
    expect(before.ok).toBe(true);
    await g.headless.gateway.idle();
    faults.fail('EROFS', ['open', 'write', 'truncate', 'sync'], g.dir);
    const ro = await send(g, 'while read-only');
    expect(ro).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringContaining(`state folder is read-only: ${g.dir}`) },
    });
    expect((await g.client.request('status', {})).storage).toMatchObject({ ok: false, reason: expect.stringContaining('read-only') });
    faults.clear();
    const after = await send(g, 'after');
    expect(after.ok).toBe(true);
    await expectConsistent(g, [before, ro, after]);
  });
});
