// SessionStores: every agent's session store of one state dir, sharing the state dir's
// InboundJournal. open() replays what an earlier run left in the journal before anything new is
// appended; store() opens each agent's store once; close() closes the stores, then the journal.
import type { FdPool } from './fd-pool.ts';
import { InboundJournal, type JournalNotice, type JournalOptions } from './journal.ts';
import { replayJournal } from './journal-recovery.ts';
import { AgentSessionStore, type StoreNotice, type StoreOptions } from './store.ts';

export interface SessionStoresOptions {
  pool?: FdPool;
  /** Store notices (with their agent) and journal notices (agentId null), for the gateway log. */
  onNotice?: (agentId: string | null, notice: StoreNotice | JournalNotice) => void;
  journal?: Omit<JournalOptions, 'onNotice'>;
  indexDebounceMs?: number;
  /** Told whether the stores' writes worked (see StoreOptions.storage). */
  storage?: StoreOptions['storage'];
  /** Tests only: see TranscriptOptions.skipWriteForTests. */
  skipWriteForTests?: StoreOptions['skipWriteForTests'];
}

export class SessionStores {
  readonly stateDir: string;
  readonly journal: InboundJournal;
  private readonly opts: SessionStoresOptions;
  private readonly stores = new Map<string, Promise<AgentSessionStore>>();
  private closed = false;
  private closeDone: Promise<void> | null = null;

  private constructor(stateDir: string, journal: InboundJournal, opts: SessionStoresOptions) {
    this.stateDir = stateDir;
    this.journal = journal;
    this.opts = opts;
  }

  static async open(stateDir: string, opts: SessionStoresOptions = {}): Promise<SessionStores> {
    const onJournalNotice = (n: JournalNotice): void => opts.onNotice?.(null, n);
    const journal = await InboundJournal.open(stateDir, { ...opts.journal, onNotice: onJournalNotice });
    const stores = new SessionStores(stateDir, journal, opts);
    try {
      // Before any store is handed out: recovered records must precede new ones in a transcript.
      await replayJournal(journal, (agentId) => stores.open(agentId), onJournalNotice);
    } catch (err) {
      await stores.close().catch(() => undefined);
      throw err;
    }
    return stores;
  }

  /** The store of `agentId`, opened on first use (a failed open is retried on the next call). */
  store(agentId: string): Promise<AgentSessionStore> {
    if (this.closed) return Promise.reject(new Error(`session stores of ${this.stateDir} are closed`));
    return this.open(agentId);
  }

  /** Closes every store (their transcripts are synced), then the journal with a final checkpoint. */
  close(): Promise<void> {
    this.closed = true;
    return (this.closeDone ??= (async () => {
      try {
        const opened = await Promise.allSettled(this.stores.values());
        await Promise.allSettled(opened.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
        this.stores.clear();
      } finally {
        await this.journal.close();
      }
    })());
  }

  private open(agentId: string): Promise<AgentSessionStore> {
    let store = this.stores.get(agentId);
    if (!store) {
      const { onNotice, pool, indexDebounceMs, skipWriteForTests, storage } = this.opts;
      store = AgentSessionStore.open(this.stateDir, agentId, {
        journal: this.journal,
        ...(onNotice ? { onNotice: (n: StoreNotice) => onNotice(agentId, n) } : {}),
        ...(pool ? { pool } : {}),
        ...(indexDebounceMs !== undefined ? { indexDebounceMs } : {}),
        ...(skipWriteForTests ? { skipWriteForTests } : {}),
        ...(storage ? { storage } : {}),
      });
      this.stores.set(agentId, store);
      const opening = store;
      opening.catch(() => {
        if (this.stores.get(agentId) === opening) this.stores.delete(agentId);
      });
    }
    return store;
  }
}
