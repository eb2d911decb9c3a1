// How agents reach each other (docs/heartbeat-subagents.md, docs/skills-a2a-reset.md): sessions_send
// delivers a message into the target agent's a2a session and waits for its reply; sessions_spawn runs
// a task as a sub-agent turn in a new session. Both run on lane pools of their own.
import { randomUUID } from 'node:crypto';
import type { AgentConfig, SwitchboardConfig } from '../../src-shared/config/index.ts';
import { laneKey, subagentSessionKey, type Router } from '../../src-shared/routing/index.ts';
import type { TurnResult } from '../agents/turn-types.ts';
import type { ModuleLogger } from '../log.ts';
import type { AgentSessionStore, TranscriptRecord } from '../sessions/index.ts';
import { nextHop, type A2AChains } from './a2a-chain.ts';
import type { Delivery } from './delivery.ts';
import type { InboundEnvelope } from './envelope.ts';
import { SessionLanes } from './lanes.ts';
import type { SubagentRuns } from './subagent-runs.ts';

export interface AgentLinksDeps {
  agent(agentId: string): AgentConfig | undefined;
  config(): SwitchboardConfig;
  router(): Router;
  /** Whether the gateway runs (a sub-agent is not started while it stops). */
  running(): boolean;
  a2aChains: A2AChains;
  subagents: SubagentRuns;
  storeFor(agentId: string): Promise<AgentSessionStore>;
  cancelTurn(agentId: string, sessionKey: string): boolean;
  /** Queues a delivery in `lanes` (the gateway's submit: persisted, then its turn). */
  submit(
    delivery: Delivery,
    lanes: SessionLanes,
  ): { persisted: Promise<TranscriptRecord | undefined>; done: Promise<TurnResult | undefined> };
  log: ModuleLogger;
}

export class AgentLinks {
  constructor(private readonly deps: AgentLinksDeps) {}

  /** Whether an a2a or sub-agent turn of this lane runs or waits. */
  hasWork(key: string): boolean {
    return this.a2aLanes.hasWork(key) || this.subagentLanes.hasWork(key);
  }

  /** Agent-to-agent lanes are separate so an agent waiting on another never blocks the pool. */
  readonly a2aLanes = new SessionLanes({ maxConcurrent: 16, maxQueuedPerSession: 20, maxQueuedTotal: 200 });

  /**
   * Delivers `text` from one agent into the target's dedicated session `agent:<to>:a2a:<from>`
   * and returns its reply (sessions_send; the runner has already checked agentToAgent policy).
   */
  async agentMessage(
    from: string,
    to: string,
    text: string,
    signal: AbortSignal,
  ): Promise<{ ok: true; reply: string } | { ok: false; reason: string }> {
    const target = this.deps.agent(to.toLowerCase());
    if (!target) return { ok: false, reason: `agent "${to}" does not exist` };
    if (target.id === from) return { ok: false, reason: 'an agent cannot message itself' };
    const a2a = this.deps.config().tools.agentToAgent;
    if (!a2a.enabled || !a2a.allow.includes(from.toLowerCase()) || !a2a.allow.includes(target.id))
      return { ok: false, reason: 'agent-to-agent messaging between these agents is not allowed by tools.agentToAgent' };
    const sessionKey = `agent:${target.id}:a2a:${from}`.toLowerCase();
    const hop = nextHop(this.deps.a2aChains.of(signal), laneKey(target.id, sessionKey), a2a.maxTurns);
    if (!hop.ok) return { ok: false, reason: hop.reason };
    const decision = { ...this.deps.router().direct(target.id), sessionKey };
    const envelope: InboundEnvelope = {
      messageId: randomUUID(),
      channel: 'webchat',
      accountId: 'default',
      peer: { kind: 'direct', id: `agent:${from}` },
      sender: { id: `agent:${from}`, name: `agent ${from}`, verified: true },
      text,
      mentioned: true,
      timestamp: Date.now(),
    };
    const onAbort = () => this.deps.cancelTurn(target.id, sessionKey);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await this.deps.submit({ agentId: target.id, decision, envelope, a2a: hop.chain }, this.a2aLanes).done;
      if (!result) return { ok: false, reason: `agent "${target.id}" is not available` };
      if (result.failure && !result.text) return { ok: false, reason: result.failure.message };
      return { ok: true, reply: result.text };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Sub-agent lanes: every child has a session of its own, and a parent waits for its child, so
   * children must not queue behind the pool their parents hold. Their number is bounded per agent
   * by `subagents.maxConcurrent` (at most 20), so this pool never makes one wait on another.
   */
  readonly subagentLanes = new SessionLanes({ maxConcurrent: 256, maxQueuedPerSession: 1, maxQueuedTotal: 1000 });

  /**
   * sessions_spawn (docs/heartbeat-subagents.md#sub-agents-sessions_spawn): runs `task` as a turn
   * of the same agent in a new session `agent:<id>:subagent:<uuid>` whose header names the parent
   * session and turn, and resolves with its final text. The child inherits the parent turn's sender
   * and owner status (found by `signal`, never taken from the tool's input) and is cancelled with it.
   */
  async spawnSubagent(
    task: string,
    label: string | undefined,
    signal: AbortSignal,
  ): Promise<{ ok: true; sessionKey: string; text: string } | { ok: false; sessionKey?: string; reason: string }> {
    const parent = this.deps.subagents.of(signal);
    const agent = parent && this.deps.agent(parent.agentId);
    if (!parent || !agent) return { ok: false, reason: 'sub-agents can only be started from a running agent turn' };
    if (signal.aborted) return { ok: false, reason: 'the turn was cancelled' };
    if (!this.deps.running()) return { ok: false, reason: 'the gateway is stopping' };
    const admitted = this.deps.subagents.admit(parent, agent.subagents);
    if (!admitted.ok) return { ok: false, reason: admitted.reason };
    const sessionKey = subagentSessionKey(agent.id, randomUUID());
    const controller = new AbortController();
    const onAbort = () => controller.abort(new Error('cancelled with its parent turn'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const store = await this.deps.storeFor(agent.id);
      await store.getOrCreate(sessionKey, {
        parent: { sessionKey: parent.sessionKey, inReplyTo: parent.seq, ...(label ? { label } : {}) },
      });
      this.deps.log.info('sub-agent started', { agentId: agent.id, parent: parent.sessionKey, sessionKey, depth: parent.depth + 1 });
      const envelope: InboundEnvelope = {
        messageId: randomUUID(),
        channel: 'webchat',
        accountId: 'default',
        peer: { kind: 'direct', id: parent.sessionKey },
        // The parent's sender, so the record says whose request this work serves; owner status is passed on explicitly.
        sender: { ...parent.sender, verified: false },
        text: task,
        mentioned: true,
        timestamp: Date.now(),
      };
      const delivery: Delivery = {
        agentId: agent.id,
        decision: { ...this.deps.router().direct(agent.id), sessionKey },
        envelope,
        subagent: { depth: parent.depth + 1, isOwner: parent.isOwner, controller, parentSessionKey: parent.sessionKey },
        ...(parent.a2a ? { a2a: parent.a2a } : {}),
      };
      const result = await this.deps.submit(delivery, this.subagentLanes).done;
      if (!result) return { ok: false, sessionKey, reason: 'the sub-agent could not run; its session says why' };
      if (result.failure?.kind === 'cancelled') return { ok: false, sessionKey, reason: 'the sub-agent was cancelled' };
      if (result.failure) {
        const partial = result.text ? `; what it had written so far:\n${result.text}` : '';
        return { ok: false, sessionKey, reason: `the sub-agent failed (${result.failure.kind}): ${result.failure.message}${partial}` };
      }
      return { ok: true, sessionKey, text: result.text };
    } finally {
      signal.removeEventListener('abort', onAbort);
      admitted.release();
    }
  }
}
