// A HeartbeatClock the test drives: timers fire only when the test advances time, so heartbeat
// tests neither wait nor depend on timing.
import type { HeartbeatClock } from '../../src-main/gateway/heartbeat.ts';

export class ManualClock implements HeartbeatClock {
  private timers: { due: number; fn: () => void; cancelled: boolean }[] = [];

  constructor(private t = Date.parse('2026-03-02T12:00:00Z')) {}

  now(): number {
    return this.t;
  }

  schedule(fn: () => void, ms: number): { cancel(): void } {
    const timer = { due: this.t + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Timers armed and not yet fired or cancelled. */
  get pending(): number[] {
    return this.timers.filter((x) => !x.cancelled).map((x) => x.due - this.t);
  }

  /** Moves time forward and fires every timer that came due. */
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => !x.cancelled && x.due <= this.t);
    this.timers = this.timers.filter((x) => !due.includes(x));
    for (const x of due) x.fn();
  }
}
