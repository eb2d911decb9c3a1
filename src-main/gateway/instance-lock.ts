// One gateway per state dir: `<stateDir>/gateway.lock` names the holder (the state dir's one lock,
// state/lock.ts: taken over only when that process is gone), `<stateDir>/gateway.json` tells the
// CLI where the running gateway listens.
import fs from 'node:fs/promises';
import path from 'node:path';
import { atomicWrite } from '../state/atomic-write.ts';
import { acquireLock, liveHolder, LockBusyError, type HeldLock } from '../state/lock.ts';

export class GatewayAlreadyRunningError extends Error {
  readonly code = 'conflict';
  constructor(
    readonly pid: number,
    stateDir: string,
  ) {
    super(`another Switchboard gateway (pid ${pid}) is already running for ${stateDir}; stop it first or use another --state-dir`);
  }
}

export interface GatewayInfo {
  pid: number;
  /** Loopback WebSocket port; 0 when the gateway opened none (the desktop app without remote access). */
  port: number;
  /** Local socket or Windows named pipe with the same frames and token, when one is served. */
  socket?: string;
  startedAt: string;
  version: string;
  /** `headless` (`switchboard gateway`) or `desktop` (the tray app); absent in files of older versions. */
  host?: 'headless' | 'desktop';
}

export class InstanceLock {
  readonly lockPath: string;
  readonly infoPath: string;
  private held: HeldLock | undefined;

  constructor(readonly stateDir: string) {
    this.lockPath = path.join(stateDir, 'gateway.lock');
    this.infoPath = path.join(stateDir, 'gateway.json');
  }

  async acquire(): Promise<void> {
    await fs.mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    try {
      this.held = await acquireLock(this.lockPath);
    } catch (err) {
      if (err instanceof LockBusyError) throw new GatewayAlreadyRunningError(err.holder.pid, this.stateDir);
      throw err;
    }
  }

  async publish(info: GatewayInfo): Promise<void> {
    await atomicWrite(this.infoPath, `${JSON.stringify(info, null, 2)}\n`);
  }

  async release(): Promise<void> {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    await fs.rm(this.infoPath, { force: true });
    await held.release();
  }
}

/** The running gateway of a state dir, if any: its info file, published by the live holder of gateway.lock. */
export async function runningGateway(stateDir: string): Promise<GatewayInfo | undefined> {
  try {
    const info = JSON.parse(await fs.readFile(path.join(stateDir, 'gateway.json'), 'utf8')) as GatewayInfo;
    const holder = await liveHolder(path.join(stateDir, 'gateway.lock'));
    return holder !== undefined && holder.pid === info.pid ? info : undefined;
  } catch {
    return undefined;
  }
}
