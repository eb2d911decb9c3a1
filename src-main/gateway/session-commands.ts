// Session commands and automatic resets (docs/skills-a2a-reset.md#session-reset): `/new` and
// `/reset` typed in any chat start a fresh session for that conversation (queued in its lane, so a
// running turn finishes first), `/stop` cancels the running turn (never queued: it must not wait
// behind what it stops), and `reset.dailyHour` / `reset.idleMinutes` start one when a
// message arrives after the boundary.
import type { AgentConfig, SwitchboardConfig } from '../../src-shared/config/index.ts';
import { laneKey } from '../../src-shared/routing/index.ts';
import type { AgentSessionStore } from '../sessions/index.ts';
import { LaneOverflowError, type SessionLanes } from './lanes.ts';

export const RESET_REPLY = 'New session started. The previous conversation is kept (archived) in the session list.';
export const RESET_BUSY_REPLY = 'Sorry — too many messages are waiting; please try again in a moment.';

export const STOP_REPLY = 'Stopped.';
export const NOTHING_TO_STOP_REPLY = 'Nothing is running.';

/** `/new`, `/reset`, also with a Telegram bot suffix (`/new@my_bot`); case and surrounding space ignored. */
export function isResetCommand(text: string): boolean {
  return /^\/(new|reset)(@[a-z0-9_]+)?$/i.test(text.trim());
}

/** `/stop`, also with a Telegram bot suffix (`/stop@my_bot`); case and surrounding space ignored. */
export function isStopCommand(text: string): boolean {
  return /^\/stop(@[a-z0-9_]+)?$/i.test(text.trim());
}

export interface ResetPolicy {
  dailyHour?: number;
  idleMinutes?: number;
}

/** The agent's `reset`, key by key over `agents.defaults.reset`. */
export function resetPolicy(agent: Pick<AgentConfig, 'reset'>, config: Pick<SwitchboardConfig, 'agents'>): ResetPolicy {
  const defaults = (config.agents.defaults.reset ?? {}) as ResetPolicy;
  const dailyHour = agent.reset.dailyHour ?? defaults.dailyHour;
  const idleMinutes = agent.reset.idleMinutes ?? defaults.idleMinutes;
  return { ...(dailyHour !== undefined ? { dailyHour } : {}), ...(idleMinutes !== undefined ? { idleMinutes } : {}) };
}

/** The most recent daily boundary at or before `now` (local time). */
export function lastDailyBoundary(now: Date, hour: number): Date {
  const b = new Date(now);
  b.setHours(hour, 0, 0, 0);
  if (b.getTime() > now.getTime()) b.setDate(b.getDate() - 1);
  return b;
}

/** Why a session last active at `updated` is due for a new one at `now`, or null. */
export function resetDue(updated: string, now: Date, policy: ResetPolicy): 'idle' | 'daily' | null {
  const last = Date.parse(updated);
  if (Number.isNaN(last)) return null;
  if (policy.idleMinutes !== undefined && now.getTime() - last > policy.idleMinutes * 60_000) return 'idle';
  if (policy.dailyHour !== undefined && last < lastDailyBoundary(now, policy.dailyHour).getTime()) return 'daily';
  return null;
}

/**
 * Checks the reset policy when a message arrives, before it is stored. Checks of one session run
 * one after another, so two messages arriving together start at most one new session.
 */
export class AutoReset {
  private readonly chains = new Map<string, Promise<unknown>>();

  check(
    store: AgentSessionStore,
    sessionKey: string,
    policy: ResetPolicy,
    now: () => Date = () => new Date(),
  ): Promise<'idle' | 'daily' | null> {
    if (policy.dailyHour === undefined && policy.idleMinutes === undefined) return Promise.resolve(null);
    const id = laneKey(store.agentId, sessionKey);
    const run = (this.chains.get(id) ?? Promise.resolve()).then(async () => {
      const entry = store.get(sessionKey);
      const due = entry && !entry.archived ? resetDue(entry.updated, now(), policy) : null;
      if (due) await store.reset(sessionKey);
      return due;
    });
    const tail = run.catch(() => undefined);
    this.chains.set(id, tail);
    void tail.then(() => {
      if (this.chains.get(id) === tail) this.chains.delete(id);
    });
    return run;
  }
}

/**
 * Queues `reset` in the session's lane (after any turn already queued or running there).
 * Resolves true when done; false when the lane was full (the sender was told).
 */
export function queueSessionReset(
  lanes: SessionLanes,
  laneKey: string,
  reset: () => Promise<void>,
  reply?: (text: string) => Promise<void>,
): Promise<boolean> {
  try {
    return lanes.run(laneKey, async () => {
      await reset();
      return true;
    });
  } catch (err) {
    if (!(err instanceof LaneOverflowError)) throw err;
    void reply?.(RESET_BUSY_REPLY).catch(() => undefined);
    return Promise.resolve(false);
  }
}
