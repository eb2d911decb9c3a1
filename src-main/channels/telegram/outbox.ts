// Outbound pacing for one bot: a queue per chat, so replies leave in order and within Telegram's
// limits (≤ 1 message/s per chat, ≤ 20/min per group), and a 429 with retry_after is waited out
// and the same message resent instead of being lost or overtaken by the next one.
import { sleep } from '../backoff.ts';

export interface OutboxLimits {
  /** Minimum gap between two messages to one chat (Telegram: about 1 s). */
  perChatIntervalMs: number;
  /** At most this many messages per group in `groupWindowMs` (Telegram: 20 per minute). */
  groupMax: number;
  groupWindowMs: number;
  /** Length of one unit of `retry_after` (1000 ms; shorter in tests). */
  retryAfterUnitMs: number;
  /** Attempts per message when Telegram keeps answering 429. */
  maxAttempts: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = {
  perChatIntervalMs: 1000,
  groupMax: 20,
  groupWindowMs: 60_000,
  retryAfterUnitMs: 1000,
  maxAttempts: 5,
};

/** Time as the outbox sees it (replaceable in tests). */
export interface OutboxClock {
  now(): number;
  /** Resolves true after `ms`, or false as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<boolean>;
}

const realClock: OutboxClock = { now: Date.now, sleep };

/** Seconds to wait when `err` is a Telegram 429, else undefined. */
export type RetryAfterOf = (err: unknown) => number | undefined;

interface ChatState {
  tail: Promise<void>;
  /** Messages queued or being sent. */
  pending: number;
  lastSentAt: number;
  /** Send times inside the group window (groups only). */
  recent: number[];
}

export class Outbox {
  private readonly chats = new Map<string, ChatState>();

  constructor(
    private readonly limits: OutboxLimits,
    private readonly retryAfterOf: RetryAfterOf,
    private readonly signal: AbortSignal,
    private readonly clock: OutboxClock = realClock,
  ) {}

  /**
   * Sends `parts` to one chat in order, after everything queued for that chat before. Resolves
   * when the last part is out; rejects at the first part that fails (the rest are not sent).
   */
  enqueue(chatId: string, isGroup: boolean, parts: (() => Promise<unknown>)[]): Promise<void> {
    this.forgetIdle();
    const state = this.chats.get(chatId) ?? { tail: Promise.resolve(), pending: 0, lastSentAt: -Infinity, recent: [] };
    this.chats.set(chatId, state);
    state.pending++;
    const run = state.tail
      .then(async () => {
        for (const part of parts) await this.sendOne(state, isGroup, part);
      })
      .finally(() => state.pending--);
    // The chain goes on after a failure; the failure belongs to this caller only.
    state.tail = run.catch(() => undefined);
    return run;
  }

  /** Chats with nothing queued whose pacing window has passed need no state any more. */
  private forgetIdle(): void {
    if (this.chats.size < 256) return;
    const horizon = this.clock.now() - Math.max(this.limits.perChatIntervalMs, this.limits.groupWindowMs);
    for (const [id, state] of this.chats) if (state.pending === 0 && state.lastSentAt < horizon) this.chats.delete(id);
  }

  private async pace(state: ChatState, isGroup: boolean): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      let wait = state.lastSentAt + this.limits.perChatIntervalMs - now;
      if (isGroup) {
        state.recent = state.recent.filter((t) => t > now - this.limits.groupWindowMs);
        if (state.recent.length >= this.limits.groupMax) wait = Math.max(wait, state.recent[0]! + this.limits.groupWindowMs - now);
      }
      if (wait <= 0) return;
      if (!(await this.clock.sleep(wait, this.signal))) throw new Error('the Telegram account stopped before the message was sent');
    }
  }

  private async sendOne(state: ChatState, isGroup: boolean, part: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.pace(state, isGroup);
      if (this.signal.aborted) throw new Error('the Telegram account stopped before the message was sent');
      try {
        await part();
        state.lastSentAt = this.clock.now();
        if (isGroup) state.recent.push(state.lastSentAt);
        return;
      } catch (err) {
        const retryAfter = this.retryAfterOf(err);
        if (retryAfter === undefined || attempt >= this.limits.maxAttempts) throw err;
        // Telegram asks us to wait; the same part is resent, so order is kept.
        if (!(await this.clock.sleep(Math.max(1, retryAfter) * this.limits.retryAfterUnitMs, this.signal))) throw err;
      }
    }
  }
}
