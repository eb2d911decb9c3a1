// Storage floor for the gateway benchmark (DESIGN §9 Runtime): pushes `messages` inbound records
// over `sessions` session keys through the real stores with the gateway's policy — one durable
// append per inbound message through the state dir's journal (group commit across sessions,
// transcripts synced by checkpoints), sessions in parallel, each session's messages in order.
import { SessionStores } from './stores.ts';

export interface StorageFloorOptions {
  messages: number;
  sessions: number;
  /** Agent whose folder receives the transcripts (default "bench"). */
  agentId?: string;
  /** Characters of text per message (default 200). */
  textLength?: number;
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
  const stores = await SessionStores.open(stateDir);
  try {
    const store = await stores.store(opts.agentId ?? 'bench');
    const start = process.hrtime.bigint();
    // One lane per session, like the gateway's per-session queues: message i goes to session i % n.
    const lane = async (s: number): Promise<void> => {
      const key = `agent:bench:webchat:dm:user-${s}`;
      for (let i = s; i < messages; i += sessions) {
        await store.append(
          key,
          { type: 'message', role: 'user', text, route: { channel: 'webchat', peer: `user-${s}` }, msgId: i },
          { durable: true },
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(sessions, Math.max(messages, 1)) }, (_, s) => lane(s)));
    const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    return { msgsPerSec: elapsedMs > 0 ? (messages * 1000) / elapsedMs : 0, messages, sessions, elapsedMs };
  } finally {
    await stores.close(); // the final checkpoint syncs the transcripts (not timed, like the gateway's stop)
  }
}
