// Idle cost of the headless gateway (issue #16): the bundled `switchboard gateway` with its control
// plane (webchat) and one Telegram account long-polling the local Telegram peer, both processes of
// their own, left alone after start. Reports the gateway's CPU (% of one core, every thread) and
// its wake-ups per second over the window: a tray app must not drain a laptop's battery.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchEntry, report, ROOT, type BenchOptions } from './harness.ts';
import { clockTicksPerSecond, idleFigures, sampleProcess } from './proc-sample.ts';

/** Time left after the account's first long poll for start-up work (lazy imports, first GCs) to end. */
const SETTLE_MS = 2000;

/** The environment variable the bench's config names for the bot token (`{ env }` reference). */
const TOKEN_ENV = 'SWITCHBOARD_BENCH_TELEGRAM_TOKEN';

/** Lines a child prints, one at a time, as they come. */
function lines(child: ChildProcess): AsyncIterator<string> {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    queue.push(...parts);
    wake?.();
  });
  child.once('exit', () => {
    ended = true;
    wake?.();
  });
  return {
    async next(): Promise<IteratorResult<string>> {
      while (queue.length === 0 && !ended) await new Promise<void>((r) => (wake = r));
      const line = queue.shift();
      return line === undefined ? { done: true, value: undefined } : { done: false, value: line };
    },
  };
}

async function expectLine(it: AsyncIterator<string>, what: string, match: (line: string) => boolean): Promise<string> {
  for (;;) {
    const r = await it.next();
    if (r.done) throw new Error(`idle bench: ${what} exited before it was ready`);
    if (match(r.value)) return r.value;
  }
}

/**
 * The bundled headless gateway (what `npm run gateway` runs) over `stateDir`, started and past its
 * `control:` line.
 */
export async function spawnHeadlessGateway(stateDir: string, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  const child = spawn(process.execPath, ['dist/cli.mjs', 'gateway', '--port', '0', '--state-dir', stateDir], {
    cwd: ROOT,
    env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await expectLine(lines(child), 'the gateway', (l) => l.startsWith('control:'));
    return child;
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
}

export async function idleBench(opts: BenchOptions): Promise<void> {
  // Short under --smoke so CI stays fast; the target holds only for the full window.
  const windowMs = opts.smoke ? 3000 : 30_000;
  // stdin stays open as a lifeline (see startPeer in gateway.ts).
  const peer = spawn(process.execPath, benchEntry('telegram-peer-server'), { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const peerLines = lines(peer);
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'sb-idle-'));
  let gateway: ChildProcess | undefined;
  try {
    const { url, token } = JSON.parse(await expectLine(peerLines, 'the Telegram peer', (l) => l.startsWith('{'))) as {
      url: string;
      token: string;
    };
    await writeFile(
      path.join(stateDir, 'switchboard.json'),
      JSON.stringify({ channels: { telegram: { apiRoot: url, botToken: { env: TOKEN_ENV }, dmPolicy: 'open', allowFrom: ['*'] } } }),
    );
    gateway = await spawnHeadlessGateway(stateDir, { [TOKEN_ENV]: token });
    // The account is up once it holds a long poll; until then the gateway is still starting.
    await expectLine(peerLines, 'the Telegram peer', (l) => l === 'polling');
    await sleep(opts.smoke ? 500 : SETTLE_MS);
    const ticksPerSec = clockTicksPerSecond();
    const before = await sampleProcess(gateway.pid!, ticksPerSec);
    if (!before) {
      process.stderr.write('gateway.idle_cpu: no /proc on this system, skipped\n');
      return;
    }
    await sleep(windowMs);
    const after = await sampleProcess(gateway.pid!, ticksPerSec);
    if (!after) throw new Error('idle bench: the gateway exited during the idle window');
    const idle = idleFigures(before, after);
    const params = { window_s: Math.round(idle.windowSec), accounts: 'webchat+telegram', threads: after.threads };
    report(opts, { bench: 'gateway.idle_cpu', params, value: idle.cpuPercent, unit: '% of a core' }, '<= 0.2%');
    report(opts, { bench: 'gateway.idle_wakeups', params, value: idle.wakeupsPerSec, unit: '/s' });
  } finally {
    // The gateway writes its state on the way out: let it finish before its folder goes.
    if (gateway && gateway.exitCode === null) await new Promise((r) => gateway!.once('exit', r).kill('SIGTERM'));
    peer.kill('SIGTERM');
    await rm(stateDir, { recursive: true, force: true });
  }
}
