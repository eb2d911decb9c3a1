// The state dir's one lock file against real processes: a lock whose holder runs is never taken
// (however old the file), one whose holder died is, and one whose pid now belongs to another
// process (same pid, another start time) is stale. Children are real Node processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, LockBusyError, parseLock, processStart, withLock } from '../../src-main/state/lock.ts';

const LOCK_MODULE = path.resolve('src-main/state/lock.ts');
let dir: string;
let file: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sb-lock-'));
  file = path.join(dir, 'thing.lock');
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await fs.rm(dir, { recursive: true, force: true });
});

/** A child process that takes the lock with the same module, says so, and then just runs. */
async function childHolding(lockFile: string): Promise<ChildProcess> {
  const code = `const m = await import(${JSON.stringify(LOCK_MODULE)}); await m.acquireLock(${JSON.stringify(lockFile)}); process.stdout.write('held\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('held')) {
    if (child.exitCode !== null) throw new Error('the child exited before taking the lock');
    await once(child.stdout!, 'data');
  }
  return child;
}

/** A child that just runs (no lock), for its live pid. */
function idleChild(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

describe('the state lock', () => {
  it('a lock held by a live process is never taken, however old the file is', async () => {
    const child = await childHolding(file);
    // Rules based on age (10 s, a minute) would take it now; this one must not.
    const longAgo = new Date(Date.now() - 365 * 24 * 3600_000);
    await fs.utimes(file, longAgo, longAgo);
    const err = await acquireLock(file, { waitMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockBusyError);
    expect((err as LockBusyError).holder.pid).toBe(child.pid);
    expect((err as LockBusyError).message).toContain(`held by process ${child.pid}`);
    expect(parseLock(await fs.readFile(file, 'utf8'))?.pid).toBe(child.pid);
  });

  it('a lock whose holder died is taken', async () => {
    const child = await childHolding(file);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const lock = await acquireLock(file);
    expect(parseLock(await fs.readFile(file, 'utf8'))?.pid).toBe(process.pid);
    await lock.release();
    await expect(fs.access(file)).rejects.toThrow();
  });

  it.runIf(process.platform === 'linux')('a lock whose pid was reused by another process (other start time) is stale', async () => {
    const other = idleChild();
    await once(other, 'spawn');
    const start = await processStart(other.pid!);
    expect(start).toMatch(/^\d+$/);
    // The same live pid, but a start time that is not this process's: its holder is gone.
    await fs.writeFile(file, `${other.pid} ${Number(start) - 1} abcdef\n`);
    const lock = await acquireLock(file);
    expect(parseLock(await fs.readFile(file, 'utf8'))?.pid).toBe(process.pid);
    await lock.release();
    // With its real start time, the very same pid holds the lock.
    await fs.writeFile(file, `${other.pid} ${start} abcdef\n`);
    await expect(acquireLock(file)).rejects.toBeInstanceOf(LockBusyError);
  });

  it('an old-format lock (just a pid) of a live process is respected', async () => {
    const other = idleChild();
    await once(other, 'spawn');
    await fs.writeFile(file, `${other.pid}\n`);
    await expect(acquireLock(file)).rejects.toBeInstanceOf(LockBusyError);
  });

  it('in one process, a second taker waits for the first to release', async () => {
    const first = await acquireLock(file);
    let ran = false;
    const second = withLock(file, async () => void (ran = true), { waitMs: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(ran).toBe(false);
    await first.release();
    await second;
    expect(ran).toBe(true);
  });

  it('release leaves a lock that is no longer ours alone', async () => {
    const lock = await acquireLock(file);
    await fs.writeFile(file, `${process.pid} - someone-else\n`);
    await lock.release();
    expect(await fs.readFile(file, 'utf8')).toBe(`${process.pid} - someone-else\n`);
  });
});
