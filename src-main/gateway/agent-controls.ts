// The operator's controls over work (docs/architecture.md#operator-controls-over-work): pausing an
// agent, its daily token budget (`limits.dailyTokens`) and a per-sender rate limit
// (`limits.perSenderPerMinute`). Checked when a turn would start; a refused message stays in the
// transcript and the sender gets a clear reply.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentConfig, SwitchboardConfig } from '../../src-shared/config/index.ts';
import { atomicWrite } from '../state/atomic-write.ts';

export type Refusal = { reason: 'agent_paused' | 'daily_budget' | 'rate_limited'; reply: string };

const WINDOW_MS = 60_000;

export class AgentControls {
  private readonly paused = new Set<string>();
  /** agent + sender → times of their recent messages, oldest first. */
  private readonly recent = new Map<string, number[]>();
  readonly file: string;

  constructor(
    stateDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(stateDir, 'agent-controls.json');
  }

  /** Paused agents survive a restart: pausing is a decision the operator expects to stick. */
  async load(): Promise<void> {
    try {
      const data = JSON.parse(await readFile(this.file, 'utf8')) as { version?: number; paused?: unknown };
      if (Array.isArray(data.paused)) for (const id of data.paused) if (typeof id === 'string') this.paused.add(id);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  isPaused(agentId: string): boolean {
    return this.paused.has(agentId);
  }

  async setPaused(agentId: string, paused: boolean): Promise<void> {
    if (paused) this.paused.add(agentId);
    else this.paused.delete(agentId);
    await atomicWrite(this.file, `${JSON.stringify({ version: 1, paused: [...this.paused].sort() }, null, 2)}\n`);
  }

  /** Why a turn of `agent` for `senderId` may not start now, or undefined when it may. */
  refusal(agent: AgentConfig, config: SwitchboardConfig, senderId: string, tokensToday: number, operator: boolean): Refusal | undefined {
    const name = agent.name ?? agent.id;
    if (this.paused.has(agent.id))
      return { reason: 'agent_paused', reply: `${name} is paused; the owner can resume it from the dashboard or with the control plane.` };
    const defaults = (config.agents.defaults.limits ?? {}) as AgentConfig['limits'];
    const daily = agent.limits.dailyTokens ?? defaults.dailyTokens;
    if (daily !== undefined && tokensToday >= daily) {
      return {
        reason: 'daily_budget',
        reply: `${name} has used its daily budget of ${daily.toLocaleString('en-US')} tokens; it will answer again tomorrow.`,
      };
    }
    const perMinute = agent.limits.perSenderPerMinute ?? defaults.perSenderPerMinute;
    if (perMinute !== undefined && !operator) {
      const key = `${agent.id}\n${senderId}`;
      const now = this.now();
      const times = (this.recent.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
      if (times.length >= perMinute) {
        this.recent.set(key, times);
        return {
          reason: 'rate_limited',
          reply: `You are sending messages faster than ${name} can answer (at most ${perMinute} a minute); please wait a moment.`,
        };
      }
      times.push(now);
      this.recent.set(key, times);
      if (this.recent.size > 10_000) this.recent.clear();
    }
    return undefined;
  }
}
