// Storage floor for the gateway benchmark (docs/testing.md#benchmarks): the stream the gateway
// bench measures — `messages` messages over `sessions` session keys, arriving at once — through the
// real stores with the gateway's policy and only the appends a plain turn makes. As in the gateway,
// every inbound record is appended when its message arrives, durable through the state dir's
// journal (group commit across sessions, transcripts synced by checkpoints); each session's replies
// (with usage, not fsync'ed, like the turn's) follow in order, each once its inbound is durable. As
// in the gateway bench, every session already exists (one untimed exchange each), so the timed part
// creates no files.
import { SessionStores } from './stores.ts';
import type { AgentSessionStore } from './store.ts';

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
  const agentId = opts.agentId ?? 'bench';
  const text = 'x'.repeat(opts.textLength ?? 200);
  const reply = 'y'.repeat(opts.replyLength ?? text.length + 6);
  const keyOf = (s: number): string => `agent:${agentId}:webchat:dm:user-${s}`;
  const inbound = (store: AgentSessionStore, i: number, s: number) =>
    store.append(
      keyOf(s),
      {
        type: 'message',
        role: 'user',
        text,
        messageId: String(i),
        sender: { id: `user-${s}` },
        channel: 'webchat',
        accountId: 'default',
        route: { agentId, sessionKey: keyOf(s), matchedBy: 'default' },
      },
      { durable: true },
    );
  const answer = (store: AgentSessionStore, s: number, inReplyTo: number) =>
    store.append(keyOf(s), {
      type: 'message',
      role: 'assistant',
      text: reply,
      model: 'claude-bench',
      stopReason: 'end_turn',
      usage: { inputTokens: 100, outputTokens: 20 },
      inReplyTo,
    });
  const stores = await SessionStores.open(stateDir);
  try {
    const store = await stores.store(agentId);
    // Untimed: one exchange per session creates its transcript, as the gateway bench's warm-up turn does.
    await Promise.all(Array.from({ length: sessions }, async (_, s) => answer(store, s, (await inbound(store, -1 - s, s)).seq)));
    const start = process.hrtime.bigint();
    // Message i goes to session i % sessions; all arrive at once.
    const persisted = Array.from({ length: messages }, (_, i) => inbound(store, i, i % sessions));
    const lane = async (s: number): Promise<void> => {
      for (let i = s; i < messages; i += sessions) await answer(store, s, (await persisted[i]!).seq);
    };
    // Awaiting `persisted` too makes a failed append the error reported, never an unhandled one.
    await Promise.all([Promise.all(persisted), ...Array.from({ length: Math.min(sessions, messages) }, (_, s) => lane(s))]);
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    return { msgsPerSec: elapsedMs > 0 ? (messages * 1000) / elapsedMs : 0, messages, sessions, elapsedMs };
  } finally {
    await stores.close(); // the final checkpoint syncs the transcripts (not timed, like the gateway's stop)
  }
}
