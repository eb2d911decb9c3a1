// The inbound record of a message as the transcript keeps it (durable through the inbound journal,
// with its images stored in the agent's media folder first), the `message.inbound` event that
// announces it, and the record of an edit or reaction, which is kept but never answered.
import { releaseInboundMedia, storeInboundMedia } from '../agents/media.ts';
import type { AgentSessionStore, TranscriptRecord } from '../sessions/index.ts';
import { senderOf, type Delivery, type Emit } from './delivery.ts';
import type { InboundEnvelope } from './envelope.ts';

/** Stores the message's images, then appends its inbound record durably; resolves with the record. */
export async function appendInbound(
  store: AgentSessionStore,
  stateDir: string,
  { agentId, decision, envelope, clientId, heartbeat, subagent }: Delivery,
): Promise<TranscriptRecord> {
  // Downloaded images go to this agent's own media folder first; the record keeps references.
  const media = await storeInboundMedia(stateDir, agentId, envelope.media);
  // Durable through the state dir's inbound journal: one fdatasync shared by every message that
  // arrives meanwhile, whatever its session; the transcript itself is synced by a checkpoint.
  try {
    return await store.append(
      decision.sessionKey,
      {
        type: 'message',
        role: 'user',
        text: envelope.text,
        messageId: envelope.messageId,
        ...(clientId ? { clientId } : {}),
        ...(heartbeat ? { heartbeat: true } : {}),
        // A sub-agent's task: written by its parent turn, on behalf of the sender below.
        ...(subagent ? { subagent: { parentSessionKey: subagent.parentSessionKey, depth: subagent.depth } } : {}),
        sender: senderOf(envelope),
        verified: envelope.sender.verified,
        channel: envelope.channel,
        accountId: envelope.accountId,
        // Where the reply goes: enough to answer a turn a crash cut off on the next start.
        peer: envelope.peer,
        route: { ...decision },
        ...(media.length > 0 ? { media } : {}),
      },
      { durable: true },
    );
  } finally {
    // The record now names the files (a session delete's scan sees them), or never will.
    if (media.length > 0) releaseInboundMedia(stateDir, agentId, media);
  }
}

/** Tells clients a message is stored (`message.inbound`). */
export function emitInbound(emit: Emit, { agentId, decision, envelope }: Delivery, inbound: TranscriptRecord): void {
  emit('message.inbound', {
    agentId,
    sessionKey: decision.sessionKey,
    messageId: envelope.messageId,
    channel: envelope.channel,
    accountId: envelope.accountId,
    sender: senderOf(envelope),
    text: envelope.text,
    route: { ...decision },
    seq: inbound.seq,
  });
}

/** Edits and reactions are part of the conversation's record, but are never answered. */
export async function appendChatEvent(store: AgentSessionStore, sessionKey: string, envelope: InboundEnvelope): Promise<void> {
  await store.append(sessionKey, {
    type: envelope.kind!,
    text: envelope.text,
    messageId: envelope.messageId,
    channel: envelope.channel,
    accountId: envelope.accountId,
    sender: senderOf(envelope),
  });
}
