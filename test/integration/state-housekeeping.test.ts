// State-dir house-keeping at gateway start, on a real headless gateway: temp files of interrupted
// atomic writes are removed (others untouched), and gateway.lock is taken over only from a dead holder.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHeadlessGateway, type HeadlessGateway } from '../../src-main/gateway/headless.ts';
import { GatewayAlreadyRunningError } from '../../src-main/gateway/instance-lock.ts';
import { silentLogger } from '../../src-main/log.ts';
import { parseLock } from '../../src-main/state/lock.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function stateDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sb-house-'));
  cleanup.push(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.writeFile(path.join(dir, 'switchboard.json'), '{}\n');
  return dir;
}

async function start(dir: string): Promise<HeadlessGateway> {
  const gw = await startHeadlessGateway({
    loc: { stateDir: dir, configPath: path.join(dir, 'switchboard.json') },
    version: 'test',
    log: silentLogger,
    homeDir: dir,
    port: 0,
    env: {},
    stopGraceMs: 500,
  });
  cleanup.push(() => gw.close());
  return gw;
}

const exists = (f: string) =>
  fs.access(f).then(
    () => true,
    () => false,
  );

describe('gateway start', () => {
  it('removes temp files left by interrupted writes and leaves every other file alone', async () => {
    const dir = await stateDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const leftovers = [path.join(dir, `agent-controls.json.tmp-${dead}-0a1b2c3d`), path.join(dir, `switchboard.json.tmp-${dead}-ffffffff`)];
    const others = [
      path.join(dir, 'agent-controls.json.bak'),
      path.join(dir, 'notes.tmp'),
      path.join(dir, 'workspace', `mine.tmp-${dead}-0a1b2c3d`),
    ];
    await fs.mkdir(path.join(dir, 'workspace'));
    for (const f of [...leftovers, ...others]) await fs.writeFile(f, 'x');
    await start(dir);
    expect(await Promise.all(leftovers.map(exists))).toEqual([false, false]);
    expect(await Promise.all(others.map(exists))).toEqual([true, true, true]);
  });

  it('gateway.lock of a live process stops a second gateway; of a dead one it is taken over', async () => {
    const dir = await stateDir();
    const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    cleanup.push(() => void live.kill('SIGKILL'));
    await once(live, 'spawn');
    await fs.writeFile(path.join(dir, 'gateway.lock'), `${live.pid}\n`);
    const refused = await start(dir).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GatewayAlreadyRunningError);
    expect((refused as GatewayAlreadyRunningError).pid).toBe(live.pid);

    live.kill('SIGKILL');
    await once(live, 'exit');
    await start(dir);
    expect(parseLock(await fs.readFile(path.join(dir, 'gateway.lock'), 'utf8'))?.pid).toBe(process.pid);
  });
});
