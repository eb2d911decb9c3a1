// A message on its way through the gateway (Delivery: route, envelope, how to answer) and the
// replies the gateway gives itself without a model turn (refusals, `/stop`, cut-off notes), which
// clients see as `message.outbound` like any answer.
import type { ControlEvents } from '../../src-shared/protocol/methods.ts';
import type { EventDataOf } from '../../src-shared/protocol/contract.ts';
import type { RouteDecision } from '../../src-shared/routing/index.ts';
import type { A2AChain } from './a2a-chain.ts';
import type { InboundEnvelope } from './envelope.ts';

export type Emit = <K extends keyof ControlEvents>(event: K, data: EventDataOf<ControlEvents[K]>) => void;

/** What the gateway needs to know about a message besides the text. */
export interface Delivery {
  agentId: string;
  decision: RouteDecision;
  envelope: InboundEnvelope;
  /**
   * Sends a text back to the channel (absent for the dashboard's webchat). `outcome` is given for
   * the text of a turn that ran (`failed`: it is, or ends with, the note that the turn did not
   * complete); the gateway's own notes (refusals, "can't store", stop) come without.
   */
  reply?: (text: string, outcome?: { failed: boolean }) => Promise<void>;
  /** Set for a delivery made by sessions_send: the exchange it belongs to. */
  a2a?: A2AChain;
  /** The client's idempotency key of a `webchat.send`, stored with the inbound record. */
  clientId?: string;
  /** A heartbeat turn: its inbound record is marked so the inspector can tell it apart. */
  heartbeat?: boolean;
  /**
   * A sub-agent turn (sessions_spawn): its depth, the owner status it inherits from its parent
   * (never more), and its abort controller, made before it queues so the parent can cancel it at any point.
   */
  subagent?: { depth: number; isOwner: boolean; controller: AbortController; parentSessionKey: string };
}

/** What a sender hears when the agent they reached cannot run (never a silent drop). */
export function unavailableReply(reason: string): string {
  return `this agent is not available: ${reason}`;
}

/** The sender's fields a transcript record and an event keep (never the `verified` flag). */
export function senderOf(envelope: Pick<InboundEnvelope, 'sender'>): { id: string; name?: string } {
  return { id: envelope.sender.id, ...(envelope.sender.name ? { name: envelope.sender.name } : {}) };
}

/** A reply the gateway gives itself, without a model turn: clients see it like any answer. */
export function emitOwnReply(
  emit: Emit,
  agentId: string,
  sessionKey: string,
  envelope: Pick<InboundEnvelope, 'messageId' | 'channel' | 'accountId'>,
  text: string,
  opts: { failure?: string; incomplete?: boolean } = {},
): void {
  emit('message.outbound', {
    agentId,
    sessionKey,
    messageId: envelope.messageId,
    channel: envelope.channel,
    accountId: envelope.accountId,
    text,
    incomplete: opts.incomplete ?? false,
    ...(opts.failure ? { failure: opts.failure } : {}),
    usage: { inputTokens: 0, outputTokens: 0 },
  });
}
