// Limiter for failed control-plane authentications: after `maxFailures` failures within
// `windowMs`, the peer (see limiterKey: all of loopback is one peer) is refused for `cooldownMs`.
// The clock is injectable for tests.
import { isIPv4 } from 'node:net';

/**
 * The budget a connection's failures count against. Every address in 127.0.0.0/8 and ::1 is this
 * machine, and any local process may bind whichever it likes, so keying on the address would
 * hand out a fresh budget per 127.x; the whole loopback range is one key. Local-socket clients
 * (no address) are another: only the socket's owner can reach it.
 */
export function limiterKey(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return 'local-socket';
  const address = remoteAddress.toLowerCase().startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
  if (address === '::1' || (isIPv4(address) && address.startsWith('127.'))) return 'loopback';
  return address;
}
export interface AuthLimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  cooldownMs?: number;
  now?: () => number;
  /** Bound on tracked keys, so a flood of peers cannot grow the map without limit. */
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

  isBlocked(key: string): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.blockedUntil > this.now();
  }

  /**
   * A success does not clear the key's failures: with the key shared by every local client, one
   * client knowing the token says nothing about another's guesses.
   */
  recordFailure(key: string): void {
    const now = this.now();
    const entry = this.entries.get(key) ?? { failures: [], blockedUntil: 0 };
    entry.failures = entry.failures.filter((t) => now - t < this.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= this.maxFailures) {
      entry.blockedUntil = now + this.cooldownMs;
      entry.failures = [];
    }
    this.entries.delete(key); // re-insert so Map order is least-recently-failed first
    this.entries.set(key, entry);
    this.prune();
  }

  /** Over the bound, forget the least recently failed keys (a loopback server sees one or two). */
  private prune(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxTracked) break;
      this.entries.delete(key);
    }
  }
}
