// What the gateway does at its first start with the turns a crash cut off (found by turn-resume.ts):
// each is queued in its session lane before any new message, then run again or closed with a note
// to the sender, its reply target rebuilt from the inbound record.
import { laneKey, type RouteDecision, type Router } from '../../src-shared/routing/index.ts';
import type { SwitchboardConfig } from '../../src-shared/config/index.ts';
import type { ModuleLogger } from '../log.ts';
import type { AgentSessionStore, TranscriptRecord } from '../sessions/index.ts';
import { emitOwnReply, type Delivery, type Emit } from './delivery.ts';
import type { InboundEnvelope } from './envelope.ts';
import { LaneOverflowError, type SessionLanes } from './lanes.ts';
import { cutOffNote, findCutOffTurns, type CutOffTurn } from './turn-resume.ts';

export interface CutOffDeps {
  config: SwitchboardConfig;
  router: Router;
  lanes: SessionLanes;
  storeFor(agentId: string): Promise<AgentSessionStore>;
  /** Sends a text to the chat an envelope came from. */
  send(envelope: InboundEnvelope, text: string): Promise<void>;
  /** Runs the turn of a stored inbound record again. */
  runTurn(delivery: Delivery, inbound: TranscriptRecord): Promise<unknown>;
  emit: Emit;
  log: ModuleLogger;
}

/**
 * Queues, per session and in seq order, what to do with each turn the last run left unanswered.
 * The turns wait for `channelsUp`: their replies go out through the channel accounts.
 */
export async function queueCutOffTurns(deps: CutOffDeps, channelsUp: Promise<void>): Promise<void> {
  const { config, log } = deps;
  const now = Date.now();
  for (const agent of config.agents.list) {
    let turns: CutOffTurn[];
    try {
      turns = await findCutOffTurns(await deps.storeFor(agent.id), agent.id, { now, resumeWindowMs: config.session.resumeWindowMs });
    } catch (err) {
      log.error('could not check for turns cut off by a crash', { agentId: agent.id, error: (err as Error).message });
      continue;
    }
    for (const turn of turns) {
      const delivery = deliveryOf(turn, deps.router, deps.send);
      log.warn('turn cut off by a crash', { agentId: agent.id, sessionKey: turn.sessionKey, seq: turn.inbound.seq, action: turn.action });
      try {
        deps.lanes
          .run(laneKey(agent.id, turn.sessionKey), async () => {
            await channelsUp;
            if (turn.action === 'resume') return deps.runTurn(delivery, turn.inbound);
            return closeCutOffTurn(deps, delivery, turn);
          })
          .catch((err: Error) =>
            log.error('a cut-off turn failed', { agentId: agent.id, sessionKey: turn.sessionKey, error: err.message }),
          );
      } catch (err) {
        if (!(err instanceof LaneOverflowError)) throw err;
        log.error('too many cut-off turns to queue; left unanswered', { agentId: agent.id, sessionKey: turn.sessionKey });
      }
    }
  }
}

/** The delivery a cut-off turn's inbound record stands for, with its reply target rebuilt from the record. */
function deliveryOf({ agentId, sessionKey, inbound }: CutOffTurn, router: Router, send: CutOffDeps['send']): Delivery {
  const sender = (inbound.sender ?? {}) as { id?: string; name?: string };
  const channel = String(inbound.channel ?? 'webchat') as InboundEnvelope['channel'];
  const peer = inbound.peer as InboundEnvelope['peer'] | undefined;
  const envelope: InboundEnvelope = {
    messageId: String(inbound.messageId ?? `seq-${inbound.seq}`),
    channel,
    accountId: String(inbound.accountId ?? 'default'),
    peer: peer ?? { kind: 'direct', id: String(sender.id ?? '') },
    sender: { id: String(sender.id ?? ''), ...(sender.name ? { name: sender.name } : {}), verified: inbound.verified === true },
    text: String(inbound.text ?? ''),
    mentioned: true,
    timestamp: Date.parse(inbound.ts),
  };
  const route = (inbound.route ?? {}) as Partial<RouteDecision>;
  const decision = { ...router.direct(agentId), ...route, agentId, sessionKey } as RouteDecision;
  // Records written before the peer was stored cannot be answered on their channel.
  const reply = channel !== 'webchat' && peer ? (text: string) => send(envelope, text) : undefined;
  return { agentId, decision, envelope, ...(reply ? { reply } : {}) };
}

/**
 * Closes a cut-off turn that must not run: the note is recorded first, so a second crash can
 * never make the sender hear it twice; then it goes to the chat and the dashboard.
 */
async function closeCutOffTurn(deps: CutOffDeps, { agentId, decision, envelope, reply }: Delivery, turn: CutOffTurn): Promise<undefined> {
  const text = cutOffNote(turn);
  const store = await deps.storeFor(agentId);
  await store.append(decision.sessionKey, {
    type: 'error',
    kind: 'interrupted',
    message: text,
    ...(turn.action === 'tool_in_doubt' ? { tools: turn.tools } : {}),
    told: turn.tell,
    inReplyTo: turn.inbound.seq,
  });
  if (!turn.tell) return undefined;
  await reply?.(text).catch(async (err: Error) => {
    deps.log.warn('sending the cut-off note failed', { agentId, channel: envelope.channel, error: err.message });
    await store.append(decision.sessionKey, { type: 'error', kind: 'send_failed', message: err.message, inReplyTo: turn.inbound.seq });
  });
  emitOwnReply(deps.emit, agentId, decision.sessionKey, envelope, text, { failure: 'interrupted', incomplete: true });
  return undefined;
}
