// Outcome records the disk refused (docs/architecture.md#unstored-reply): an acknowledged message
// gets exactly one outcome, so a turn whose error record could not be written is owed one. It is
// written once the disk takes writes again, and always before the session's next turn runs.
import type { AgentSessionStore } from '../sessions/index.ts';

interface Owed {
  store: AgentSessionStore;
  sessionKey: string;
  record: { type: 'error'; kind: string; message: string; inReplyTo: number };
}

export class OwedOutcomes {
  private readonly owed = new Map<string, Owed[]>();
  /** Writes run one at a time, so a record is never written twice. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (err: Error, owed: Owed) => void) {}

  owe(key: string, owed: Owed): void {
    const list = this.owed.get(key) ?? [];
    list.push(owed);
    this.owed.set(key, list);
  }

  get size(): number {
    let n = 0;
    for (const list of this.owed.values()) n += list.length;
    return n;
  }

  /** Writes what is owed in `key`'s session (every session without `key`); what the disk still refuses stays owed. */
  settle(key?: string): Promise<void> {
    const next = this.writing.then(() => this.write(key));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async write(key: string | undefined): Promise<void> {
    const keys = key === undefined ? [...this.owed.keys()] : [key];
    for (const k of keys) {
      const list = this.owed.get(k);
      if (!list) continue;
      while (list.length > 0) {
        const owed = list[0]!;
        try {
          await owed.store.append(owed.sessionKey, owed.record);
        } catch (err) {
          this.onError(err as Error, owed);
          break;
        }
        list.shift();
      }
      if (list.length === 0) this.owed.delete(k);
    }
  }
}
