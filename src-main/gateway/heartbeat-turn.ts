// What one heartbeat turn is made of (docs/heartbeat-subagents.md): the prompt with the agent's
// HEARTBEAT.md (or why there is nothing to do), the inbound envelope it runs as, and the rule for
// which of its answers reach the configured target chat. The timers are in heartbeat.ts.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_HEARTBEAT_PROMPT, stripHeartbeatOk, type AgentConfig } from '../../src-shared/config/index.ts';
import type { Delivery } from './delivery.ts';
import type { InboundEnvelope, OutboundMessage } from './envelope.ts';

/** The sender id of heartbeat turns: the operator's own schedule, so it counts as an owner. */
export const HEARTBEAT_SENDER = 'heartbeat';
const HEARTBEAT_FILE_MAX = 16 * 1024;

type Heartbeat = NonNullable<AgentConfig['heartbeat']>;

/** The beat's prompt, or why it is skipped: a HEARTBEAT.md that exists but holds no task. */
export async function heartbeatPrompt(hb: Heartbeat, workspace: string): Promise<{ text: string } | { skip: string }> {
  const file = await readFile(path.join(workspace, 'HEARTBEAT.md'), 'utf8').catch(() => null);
  // As in OpenClaw: a HEARTBEAT.md of only headings and blank lines means "nothing to check", no paid turn.
  if (file !== null && file.split('\n').every((l) => l.trim() === '' || /^#+(\s|$)/.test(l.trim()))) {
    return { skip: 'HEARTBEAT.md is empty' };
  }
  const prompt = hb.prompt ?? DEFAULT_HEARTBEAT_PROMPT;
  return { text: file === null ? prompt : `${prompt}\n\nHEARTBEAT.md:\n${file.slice(0, HEARTBEAT_FILE_MAX)}` };
}

/** The heartbeat's message, from the operator's own schedule (an owner) in the main session. */
export function heartbeatEnvelope(text: string): InboundEnvelope {
  return {
    messageId: randomUUID(),
    channel: 'webchat',
    accountId: 'default',
    peer: { kind: 'direct', id: HEARTBEAT_SENDER },
    sender: { id: HEARTBEAT_SENDER, name: 'Heartbeat', verified: true },
    text,
    mentioned: true,
    timestamp: Date.now(),
  };
}

/**
 * Where a beat's answer goes. "Nothing to report" (HEARTBEAT_OK) stays in the transcript and is
 * never sent; with no target, nothing is. Neither is a failed beat or a note of the gateway's own:
 * nobody there asked, and the failure is in the transcript, the agent's state and the log for the owner.
 */
export function heartbeatReply(
  target: Heartbeat['target'],
  post: (message: Omit<OutboundMessage, 'replyToMessageId'>) => Promise<void>,
): NonNullable<Delivery['reply']> {
  return async (answer, outcome) => {
    const news = stripHeartbeatOk(answer);
    if (!target || news === '' || outcome?.failed !== false) return;
    await post({ channel: target.channel, accountId: target.accountId, peer: { kind: 'direct', id: target.to }, text: news });
  };
}
