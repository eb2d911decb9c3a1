// Per-address limiter for failed control-plane authentications: after `maxFailures` failures
// within `windowMs`, the address is refused for `cooldownMs`. The clock is injectable for tests.
export interface AuthLimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  cooldownMs?: number;
  now?: () => number;
  /** Bound on tracked addresses, so a flood of peers cannot grow the map without limit. */
  maxTracked?: number;
}

interface Entry {
  failures: number[];
  blockedUntil: number;
}

export class AuthFailureLimiter {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly maxTracked: number;
  private readonly entries = new Map<string, Entry>();

  constructor(opts: AuthLimiterOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 5;
    this.windowMs = opts.windowMs ?? 60_000;
    this.cooldownMs = opts.cooldownMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.maxTracked = opts.maxTracked ?? 1024;
  }

  isBlocked(address: string): boolean {
    const entry = this.entries.get(address);
    return entry !== undefined && entry.blockedUntil > this.now();
  }

  recordFailure(address: string): void {
    const now = this.now();
    const entry = this.entries.get(address) ?? { failures: [], blockedUntil: 0 };
    entry.failures = entry.failures.filter((t) => now - t < this.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= this.maxFailures) {
      entry.blockedUntil = now + this.cooldownMs;
      entry.failures = [];
    }
    this.entries.delete(address); // re-insert so Map order is least-recently-failed first
    this.entries.set(address, entry);
    this.prune();
  }

  recordSuccess(address: string): void {
    this.entries.delete(address);
  }

  /** Over the bound, forget the least recently failed addresses (loopback has few real ones). */
  private prune(): void {
    for (const address of this.entries.keys()) {
      if (this.entries.size <= this.maxTracked) break;
      this.entries.delete(address);
    }
  }
}
