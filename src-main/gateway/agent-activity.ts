// Live per-agent state for the dashboard: idle/thinking/error, today's message and token counts,
// last activity. Counters reset at local midnight.

export type AgentState = 'idle' | 'thinking' | 'error' | 'paused' | 'unavailable';

interface Activity {
  running: number;
  state: AgentState;
  reason: string | null;
  day: string;
  messages: number;
  inputTokens: number;
  outputTokens: number;
  lastActivity: string | null;
}

export class AgentActivity {
  private readonly agents = new Map<string, Activity>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  private get(agentId: string): Activity {
    const day = this.clock().toDateString();
    let a = this.agents.get(agentId);
    if (!a)
      this.agents.set(
        agentId,
        (a = { running: 0, state: 'idle', reason: null, day, messages: 0, inputTokens: 0, outputTokens: 0, lastActivity: null }),
      );
    if (a.day !== day) Object.assign(a, { day, messages: 0, inputTokens: 0, outputTokens: 0 });
    return a;
  }

  snapshot(agentId: string) {
    const a = this.get(agentId);
    return {
      state: a.state,
      reason: a.reason,
      today: { messages: a.messages, inputTokens: a.inputTokens, outputTokens: a.outputTokens },
      lastActivity: a.lastActivity,
    };
  }

  /** Marks an agent unavailable (or available again with reason null). Returns true if it changed. */
  setUnavailable(agentId: string, reason: string | null): boolean {
    const a = this.get(agentId);
    const next: AgentState = reason ? 'unavailable' : a.running > 0 ? 'thinking' : 'idle';
    const changed = a.state !== next || a.reason !== reason;
    a.state = next;
    a.reason = reason;
    return changed;
  }

  turnStarted(agentId: string): AgentState {
    const a = this.get(agentId);
    a.running++;
    a.messages++;
    a.lastActivity = this.clock().toISOString();
    if (a.state !== 'unavailable') a.state = 'thinking';
    return a.state;
  }

  turnFinished(agentId: string, usage: { inputTokens: number; outputTokens: number }, failure?: string): AgentState {
    const a = this.get(agentId);
    a.running = Math.max(0, a.running - 1);
    a.inputTokens += usage.inputTokens;
    a.outputTokens += usage.outputTokens;
    a.lastActivity = this.clock().toISOString();
    if (a.state !== 'unavailable') {
      a.state = failure ? 'error' : a.running > 0 ? 'thinking' : 'idle';
      a.reason = failure ?? null;
    }
    return a.state;
  }
}
