// Heartbeat timers (docs/heartbeat-subagents.md): one unref'd timer per agent with `heartbeat.every`,
// re-armed only after its turn has finished (never stacked, never faster than `every`), cleared on
// stop and re-planned on a config reload. The clock is injected so tests fire beats without waiting.
import { withinActiveHours, type AgentConfig, type SwitchboardConfig } from '../../src-shared/config/index.ts';

export interface HeartbeatClock {
  now(): number;
  /** Calls `fn` once after `ms`; the timer must not keep the process alive. */
  schedule(fn: () => void, ms: number): { cancel(): void };
}

export const systemClock: HeartbeatClock = {
  now: () => Date.now(),
  schedule(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** Runs one heartbeat turn of an agent; resolves when it is over (or was skipped). */
export type BeatRunner = (agent: AgentConfig) => Promise<unknown>;

export class HeartbeatScheduler {
  private readonly timers = new Map<string, { cancel(): void }>();
  /** Bumped by every plan()/stop(): a turn that ends after a re-plan does not re-arm the old timer. */
  private generation = 0;

  constructor(
    private readonly beat: BeatRunner,
    private readonly clock: HeartbeatClock = systemClock,
    private readonly onError: (agentId: string, err: Error) => void = () => undefined,
  ) {}

  /** (Re)arms one timer per agent that has heartbeats; the next beat is a full `every` away. */
  plan(config: SwitchboardConfig): void {
    this.stop();
    const generation = this.generation;
    for (const agent of config.agents.list) if (agent.heartbeat) this.arm(agent, generation);
  }

  stop(): void {
    this.generation++;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  /** Agents with a timer armed (status, tests). */
  get planned(): string[] {
    return [...this.timers.keys()];
  }

  private arm(agent: AgentConfig, generation: number): void {
    const hb = agent.heartbeat!;
    const timer = this.clock.schedule(() => {
      this.timers.delete(agent.id);
      // Outside the active hours the beat is skipped until the next tick inside them (as in OpenClaw).
      const due = !hb.activeHours || withinActiveHours(hb.activeHours, new Date(this.clock.now()));
      const run = due ? this.beat(agent) : Promise.resolve();
      void run
        .catch((err: Error) => this.onError(agent.id, err))
        .finally(() => {
          if (generation === this.generation) this.arm(agent, generation);
        });
    }, hb.everyMs);
    this.timers.set(agent.id, timer);
  }
}
