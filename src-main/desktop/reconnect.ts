// After sleep or a network change, long-lived connections (Telegram long polls, Discord and
// WhatsApp sockets) are often dead without knowing it. The desktop app restarts the channel
// accounts that were meant to be connected, once things have settled, instead of waiting for
// each library's own timeouts.
import os from 'node:os';

export interface ReconnectTarget {
  readonly state: string;
  channelStatuses(): { channel: string; accountId: string; state: string }[];
  suspendChannel(channel: string, accountId: string): Promise<void>;
  resumeChannels(): Promise<void>;
}

/**
 * Restarts every account that is connected, connecting or in error; stopped ones stay stopped and
 * an account being linked (QR on screen) is left alone. Returns the restarted `channel:account`s.
 */
export async function reconnectChannels(target: ReconnectTarget): Promise<string[]> {
  if (target.state !== 'running') return [];
  const restart = target.channelStatuses().filter((s) => s.state === 'connected' || s.state === 'connecting' || s.state === 'error');
  for (const s of restart) await target.suspendChannel(s.channel, s.accountId);
  if (restart.length > 0) await target.resumeChannels();
  return restart.map((s) => `${s.channel}:${s.accountId}`);
}

/** What identifies "the network we are on": online flag and the non-internal addresses. */
export function networkFingerprint(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(), online?: boolean): string {
  const addresses: string[] = [];
  for (const [name, list] of Object.entries(interfaces)) {
    for (const info of list ?? []) if (!info.internal) addresses.push(`${name}/${info.address}`);
  }
  return `${online === undefined ? '' : online ? 'online|' : 'offline|'}${addresses.sort().join(',')}`;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(timer: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (t) => clearInterval(t as NodeJS.Timeout),
};

/** Polls a fingerprint and calls `onChange` when it differs from the last one (Electron has no network-change event in main). */
export class NetworkWatch {
  private last: string | undefined;
  private timer: unknown;

  constructor(private readonly opts: { fingerprint(): string; onChange(): void; everyMs?: number; timers?: Timers }) {}

  start(): void {
    this.last = this.opts.fingerprint();
    const timers = this.opts.timers ?? realTimers;
    this.timer = timers.setInterval(() => this.check(), this.opts.everyMs ?? 5_000);
  }

  check(): void {
    const now = this.opts.fingerprint();
    if (now === this.last) return;
    this.last = now;
    this.opts.onChange();
  }

  stop(): void {
    if (this.timer !== undefined) (this.opts.timers ?? realTimers).clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Coalesces reconnect requests (resume and a network change usually come together) and waits for the network to settle. */
export class ReconnectScheduler {
  private timer: unknown;
  private running: Promise<void> | undefined;
  readonly reasons: string[] = [];

  constructor(private readonly opts: { run(reasons: string[]): Promise<void>; delayMs?: number; timers?: Timers }) {}

  request(reason: string): void {
    const timers = this.opts.timers ?? realTimers;
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
    if (this.timer !== undefined) timers.clearTimeout(this.timer);
    this.timer = timers.setTimeout(() => {
      this.timer = undefined;
      const reasons = this.reasons.splice(0);
      // One reconnect at a time; a request during one schedules the next.
      this.running = (this.running ?? Promise.resolve()).then(() => this.opts.run(reasons)).catch(() => undefined);
    }, this.opts.delayMs ?? 3_000);
  }

  /** Waits for a reconnect in progress (tests, shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }

  cancel(): void {
    if (this.timer !== undefined) (this.opts.timers ?? realTimers).clearTimeout(this.timer);
    this.timer = undefined;
    this.reasons.splice(0);
  }
}
