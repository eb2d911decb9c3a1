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
