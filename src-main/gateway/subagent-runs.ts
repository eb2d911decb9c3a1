// Sub-agent bookkeeping (sessions_spawn, docs/heartbeat-subagents.md#sub-agents-sessions_spawn):
// the lineage of every running turn, keyed by its abort signal (which the tool hands back to the
// spawner, so a turn cannot claim another's lineage), and the sub-agent runs active per agent and
// per parent session, checked against the agent's `subagents` limits before a child starts.
import type { AgentSubagents } from '../../src-shared/config/index.ts';
import { laneKey } from '../../src-shared/routing/index.ts';
import type { A2AChain } from './a2a-chain.ts';

/** What a child inherits from the turn that spawns it. */
export interface TurnLineage {
  agentId: string;
  sessionKey: string;
  /** The inbound seq of the turn (the child's header records it). */
  seq: number;
  /** 0 for a turn started by a message or a heartbeat; a child is its parent's depth + 1. */
  depth: number;
  isOwner: boolean;
  sender: { id: string; name?: string };
  /** Set when the turn belongs to an agent-to-agent exchange: its children stay in it. */
  a2a?: A2AChain;
}

export type Admission = { ok: true; release(): void } | { ok: false; reason: string };

export class SubagentRuns {
  private readonly bySignal = new WeakMap<AbortSignal, TurnLineage>();
  private readonly perAgent = new Map<string, number>();
  private readonly perSession = new Map<string, number>();

  attach(signal: AbortSignal, lineage: TurnLineage): void {
    this.bySignal.set(signal, lineage);
  }

  /** The lineage of the turn owning `signal`; undefined outside a gateway turn. */
  of(signal: AbortSignal): TurnLineage | undefined {
    return this.bySignal.get(signal);
  }

  /** Sub-agent runs of `agentId` active right now. */
  active(agentId: string): number {
    return this.perAgent.get(agentId) ?? 0;
  }

  /**
   * Counts one more child of `parent` when every limit allows it; the caller must `release()` it
   * once the child's turn is over. A refusal says which limit, in words the model can act on.
   */
  admit(parent: TurnLineage, limits: AgentSubagents): Admission {
    const depth = parent.depth + 1;
    if (depth > limits.maxSpawnDepth) {
      return {
        ok: false,
        reason: `sub-agent depth limit reached: this turn is at depth ${parent.depth} and subagents.maxSpawnDepth is ${limits.maxSpawnDepth}; do the task yourself`,
      };
    }
    const agentRuns = this.active(parent.agentId);
    if (agentRuns >= limits.maxConcurrent) {
      return {
        ok: false,
        reason: `too many sub-agents at once: agent "${parent.agentId}" already has ${agentRuns} running (subagents.maxConcurrent is ${limits.maxConcurrent}); wait for one to finish or do the task yourself`,
      };
    }
    const session = laneKey(parent.agentId, parent.sessionKey);
    const sessionRuns = this.perSession.get(session) ?? 0;
    if (sessionRuns >= limits.maxChildrenPerAgent) {
      return {
        ok: false,
        reason: `too many sub-agents for this session: ${parent.sessionKey} already has ${sessionRuns} running (subagents.maxChildrenPerAgent is ${limits.maxChildrenPerAgent})`,
      };
    }
    this.perAgent.set(parent.agentId, agentRuns + 1);
    this.perSession.set(session, sessionRuns + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        decrement(this.perAgent, parent.agentId);
        decrement(this.perSession, session);
      },
    };
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 0) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
