// One gateway per state dir: `<stateDir>/gateway.lock` holds the pid (taken over when that process
// is gone), `<stateDir>/gateway.json` tells the CLI where the running gateway listens.
import fs from 'node:fs/promises';
import path from 'node:path';
import { atomicWrite } from '../config/store.ts';

export class GatewayAlreadyRunningError extends Error {
  readonly code = 'conflict';
  constructor(
    readonly pid: number,
    stateDir: string,
  ) {
    super(`another Switchboard gateway (pid ${pid}) is already running for ${stateDir}; stop it first or use another --state-dir`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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
  private held = false;

  constructor(readonly stateDir: string) {
    this.lockPath = path.join(stateDir, 'gateway.lock');
    this.infoPath = path.join(stateDir, 'gateway.json');
  }

  async acquire(): Promise<void> {
    await fs.mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await fs.open(this.lockPath, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        this.held = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number.parseInt(await fs.readFile(this.lockPath, 'utf8').catch(() => ''), 10);
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new GatewayAlreadyRunningError(pid, this.stateDir);
        await fs.rm(this.lockPath, { force: true });
      }
    }
    throw new Error(`could not take ${this.lockPath}`);
  }

  async publish(info: GatewayInfo): Promise<void> {
    await atomicWrite(this.infoPath, `${JSON.stringify(info, null, 2)}\n`);
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await fs.rm(this.infoPath, { force: true });
    await fs.rm(this.lockPath, { force: true });
  }
}

/** The running gateway of a state dir, if any (its info file and a live pid). */
export async function runningGateway(stateDir: string): Promise<GatewayInfo | undefined> {
  try {
    const info = JSON.parse(await fs.readFile(path.join(stateDir, 'gateway.json'), 'utf8')) as GatewayInfo;
    return Number.isInteger(info.pid) && alive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}
