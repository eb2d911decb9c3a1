// Storage floor for the gateway benchmark (DESIGN §9 Runtime): pushes `messages` messages over
// `sessions` session keys through the real stores with the gateway's policy and the same appends
// a plain turn makes — the inbound record, durable through the state dir's journal (group commit
// across sessions, transcripts synced by checkpoints), then the assistant reply with its usage
// (not fsync'ed, like the turn's) — sessions in parallel, each session's messages in order.
import { SessionStores } from './stores.ts';

export interface StorageFloorOptions {
  messages: number;
  sessions: number;
  /** Agent whose folder receives the transcripts (default "bench"). */
  agentId?: string;
  /** Characters of text per message (default 200). */
  textLength?: number;
  /** Characters of each reply (default: the text length plus 6, like the bench peer's "echo: …"). */
  replyLength?: number;
}

export interface StorageFloorResult {
  msgsPerSec: number;
  messages: number;
  sessions: number;
  elapsedMs: number;
}

export async function benchStorageFloor(stateDir: string, opts: StorageFloorOptions): Promise<StorageFloorResult> {
  const messages = Math.max(0, Math.floor(opts.messages));
  const sessions = Math.max(1, Math.floor(opts.sessions));
  const text = 'x'.repeat(opts.textLength ?? 200);
  const reply = 'y'.repeat(opts.replyLength ?? text.length + 6);
  const stores = await SessionStores.open(stateDir);
  try {
    const store = await stores.store(opts.agentId ?? 'bench');
    const start = process.hrtime.bigint();
    // One lane per session, like the gateway's per-session queues: message i goes to session i % n.
    const lane = async (s: number): Promise<void> => {
      const key = `agent:bench:webchat:dm:user-${s}`;
      for (let i = s; i < messages; i += sessions) {
        const inbound = await store.append(
          key,
          { type: 'message', role: 'user', text, messageId: String(i), sender: { id: `user-${s}` }, channel: 'webchat', accountId: 'default', route: { agentId: 'bench', sessionKey: key, matchedBy: 'default' } },
          { durable: true },
        );
        await store.append(key, {
          type: 'message', role: 'assistant', text: reply, model: 'claude-bench', stopReason: 'end_turn',
          usage: { inputTokens: 100, outputTokens: 20 }, inReplyTo: inbound.seq,
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(sessions, Math.max(messages, 1)) }, (_, s) => lane(s)));
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    return { msgsPerSec: elapsedMs > 0 ? (messages * 1000) / elapsedMs : 0, messages, sessions, elapsedMs };
  } finally {
    await stores.close(); // the final checkpoint syncs the transcripts (not timed, like the gateway's stop)
  }
}
