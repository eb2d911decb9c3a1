// Leftover temp files of interrupted atomic writes: removed when their writer is gone (or they are
// far too old for a write in progress); everything else in the state dir is left as it is.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { atomicWrite, TMP_NAME, tmpNameFor } from '../../src-main/state/atomic-write.ts';
import { sweepTmpLeftovers, TMP_MAX_AGE_MS } from '../../src-main/state/tmp-sweep.ts';

const kill: (() => void)[] = [];
afterEach(() => kill.splice(0).forEach((k) => k()));

const put = async (file: string, text = 'x') => {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  return file;
};

describe('temp-file leftovers', () => {
  it('atomic writes name their temp files so the sweep can tell whose they are', () => {
    expect(tmpNameFor('/s/gateway.json')).toMatch(TMP_NAME);
    expect(TMP_NAME.exec(path.basename(tmpNameFor('/s/a.json')))?.[1]).toBe(String(process.pid));
  });

  it('removes leftovers of dead writers and stale ones; leaves live writes, other files and workspaces alone', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sb-sweep-'));
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    kill.push(() => live.kill('SIGKILL'));
    await once(live, 'spawn');
    const configDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sb-sweep-cfg-'));
    const configPath = path.join(configDir, 'switchboard.json');

    const gone = [
      await put(path.join(dir, `gateway.json.tmp-${dead}-0a1b2c3d`)),
      await put(path.join(dir, 'agents', 'home', 'sessions', `sessions.json.tmp-${dead}-deadbeef`)),
      await put(path.join(configDir, `switchboard.json.tmp-${dead}-00ff00ff`)),
    ];
    // A live pid, but written long before any write could still be running: the pid was reused.
    const stale = await put(path.join(dir, 'pairing', `telegram.json.tmp-${live.pid}-12345678`));
    const longAgo = new Date(Date.now() - TMP_MAX_AGE_MS - 60_000);
    await fs.utimes(stale, longAgo, longAgo);
    gone.push(stale);

    const kept = [
      await put(path.join(dir, `agent-controls.json.tmp-${live.pid}-87654321`)), // a write in progress elsewhere
      await put(path.join(dir, 'notes.tmp')),
      await put(path.join(dir, 'report.tmp-final')),
      await put(path.join(dir, `gateway.json.tmp-${dead}-0a1b2c3d.bak`)),
      await put(path.join(dir, 'workspace', `draft.txt.tmp-${dead}-0a1b2c3d`)), // the user's own file
      await put(path.join(dir, 'workspace-work', `x.tmp-${dead}-0a1b2c3d`)),
      await put(path.join(configDir, `other.json.tmp-${dead}-0a1b2c3d`)), // not beside the config
      await put(path.join(dir, 'gateway.json'), '{}'),
    ];

    const removed = await sweepTmpLeftovers(dir, { beside: [configPath] });
    expect(removed.sort()).toEqual(gone.sort());
    for (const f of gone) await expect(fs.access(f)).rejects.toThrow();
    for (const f of kept) await expect(fs.access(f)).resolves.toBeUndefined();
  });

  it('a finished atomic write leaves nothing to sweep', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sb-sweep-'));
    await atomicWrite(path.join(dir, 'a', 'b.json'), '{}');
    expect(await fs.readdir(path.join(dir, 'a'))).toEqual(['b.json']);
    expect(await sweepTmpLeftovers(dir)).toEqual([]);
  });
});
