// Transcripts are logs in arrival order: an inbound message is stored when it arrives, possibly
// before the reply to an earlier one. Records a turn writes carry `inReplyTo: <inbound seq>`;
// this puts every reply right after the message it answers, for display and for history.

export interface OrderedRecord {
  seq: number;
  inReplyTo?: unknown;
}

export function conversationOrder<T extends OrderedRecord>(records: readonly T[]): T[] {
  const anchor = (r: T) => (typeof r.inReplyTo === 'number' ? r.inReplyTo : r.seq);
  return [...records].sort((a, b) => anchor(a) - anchor(b) || a.seq - b.seq);
}

/**
 * Failures recorded before the model saw the message (no key, key rejected, the agent unavailable,
 * the API unreachable…); a pause is not one: what arrives while paused is answered on resume. An inbound answered only by one of these was never part of
 * the conversation: the transcript marks it "not delivered" and later turns leave it out instead
 * of merging it into the next message (docs/architecture.md#undelivered-messages). A stop, a cut
 * stream or a tool-loop limit are not here: the model had the message and answered part of it.
 */
export const UNDELIVERED_KINDS: ReadonlySet<string> = new Set([
  'no_api_key',
  'auth',
  'rate_limited',
  'spend_limit',
  'overloaded',
  'model_not_found',
  'server',
  'network',
  'proxy',
  'internal',
  'agent_unavailable',
  'daily_budget',
  // The reply was sent but the disk refused to keep it: without its answer the question is left
  // out too, rather than merged into the next one (docs/architecture.md#unstored-reply).
  'storage_unavailable',
]);

export interface ReplyRecord extends OrderedRecord {
  type: string;
  kind?: unknown;
  role?: unknown;
}

/**
 * Inbound seq → the failure kind, for every inbound whose replies (records with `inReplyTo`) are
 * only an undelivered failure: no assistant message, no tool call.
 */
export function undeliveredInbounds(records: readonly ReplyRecord[]): Map<number, string> {
  const failed = new Map<number, string>();
  for (const r of records) {
    if (r.type === 'error' && typeof r.inReplyTo === 'number' && typeof r.kind === 'string' && UNDELIVERED_KINDS.has(r.kind))
      failed.set(r.inReplyTo, r.kind);
  }
  // Every turn's history asks, and almost every transcript has no such failure: the second pass
  // (and its garbage) only when one was found.
  if (failed.size === 0) return failed;
  for (const r of records) if (r.type !== 'error' && typeof r.inReplyTo === 'number') failed.delete(r.inReplyTo);
  return failed;
}
