// The chat inspector's cache: the selected agent's sessions, the open transcript (only the pages
// the user has scrolled to, so a 100,000-message session costs what is on screen), the turns that
// are streaming right now, and messages the operator sent that the gateway has not echoed yet.
// Main owns the transcripts; this store is filled by `sessions.*` requests and kept live by events.
import { create } from 'zustand';
import type { z } from 'zod';
import type { sessionSummarySchema, transcriptRecordSchema } from '../../src-shared/protocol/methods.ts';
import { laneKey } from '../../src-shared/routing/session-key.ts';
import { errorText, type EventData, type GatewayClient, type Result } from '../gateway/client.ts';
import { useGateway } from './gateway.ts';

export type SessionSummary = z.output<typeof sessionSummarySchema>;
export type TranscriptRecord = z.output<typeof transcriptRecordSchema>;
export type Usage = { inputTokens: number; outputTokens: number };

/** Records per `sessions.history` page. */
export const PAGE_SIZE = 200;
/** How many pages a catch-up after a turn may read before it gives up on the gap and starts from the tail. */
const SYNC_MAX_PAGES = 5;

export interface SessionsState {
  agentId: string | undefined;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error?: string;
  list: SessionSummary[];
}

export interface TranscriptState {
  agentId: string;
  /** The `key` of sessions.list: the live session key, or `<sessionKey>#<sessionId>` for an archived one. */
  key: string;
  /** Which transcript file the records came from (sessions.history says); a change means the session was reset or deleted. */
  sessionId: string | null | undefined;
  status: 'loading' | 'ready' | 'error';
  error?: string;
  /** Loaded records, ascending by seq, unique. Records echoed by `message.inbound` are kept until a read replaces them. */
  records: TranscriptRecord[];
  /** The highest seq read from the gateway (not echoed by an event): where a catch-up starts. */
  fetchedTo: number;
  hasMore: boolean;
  older: 'idle' | 'loading' | 'error';
  olderError?: string;
}

export type LiveSegment =
  | { kind: 'text'; text: string }
  | {
      kind: 'tool';
      id: string;
      name: string;
      done: boolean;
      isError?: boolean;
      summary?: string;
      /** JSON, possibly cut (ends in "…"). */ input?: string;
    };

/** A reply being produced right now, from `agent.delta` / `agent.tool`, until the records replace it. */
export interface LiveTurn {
  messageId: string;
  segments: LiveSegment[];
  /** Set by `message.outbound`: the turn is over. */
  final?: { text: string; incomplete: boolean; failure?: string; usage: Usage };
}

export interface PendingMessage {
  localId: string;
  /**
   * The send's idempotency key (webchat.send `clientId`): a retry after a cut connection reuses it,
   * so the gateway answers with the original message instead of storing it twice.
   */
  clientId: string;
  text: string;
  ts: string;
  status: 'sending' | 'sent' | 'failed';
  messageId?: string;
  error?: string;
}

export interface InspectorStore {
  sessions: SessionsState;
  transcript: TranscriptState | undefined;
  /** Live turns per `agentId\nsessionKey`, in arrival order. */
  turns: Record<string, LiveTurn[]>;
  /** Operator messages not yet echoed by `message.inbound`, per `agentId\nsessionKey`. */
  pending: Record<string, PendingMessage[]>;
  attach(client: GatewayClient): () => void;
  loadSessions(agentId: string): Promise<void>;
  open(agentId: string, key: string): Promise<void>;
  reload(): Promise<void>;
  loadOlder(): Promise<void>;
  /** Reads what the gateway stored since the last read (after a turn) and merges it. */
  sync(): Promise<void>;
  send(agentId: string, sessionKey: string, text: string, explicitKey: boolean): Promise<Result<'webchat.send'> | undefined>;
  retry(agentId: string, sessionKey: string, localId: string, explicitKey: boolean): Promise<void>;
  discard(agentId: string, sessionKey: string, localId: string): void;
  cancel(agentId: string, sessionKey: string): Promise<boolean>;
  /** The session's transcript (JSONL) and index entry; throws the gateway's error (e.g. too large, with the file to copy). */
  exportSession(agentId: string, key: string): Promise<Result<'sessions.export'>>;
  /** Deletes the session on the gateway and forgets it here (list row, open transcript, live turns, pending messages). */
  deleteSession(agentId: string, key: string): Promise<boolean>;
  /** Sets (or, with an empty title, clears) the session's display title; the list row follows at once. */
  renameSession(agentId: string, key: string, title: string): Promise<string | null>;
  /** The agent's sessions whose title, key or message text contains `query` (the gateway reads the transcripts). */
  searchSessions(agentId: string, query: string): Promise<Result<'sessions.search'>>;
}

const emptySessions: SessionsState = { agentId: undefined, status: 'idle', list: [] };

// Every request that fills the open transcript carries the generation it was started for, so a
// reply to a transcript the user already left is dropped instead of mixed in.
let generation = 0;
let nextLocalId = 1;
let sessionsTimer: ReturnType<typeof setTimeout> | undefined;
let syncTimer: ReturnType<typeof setTimeout> | undefined;
let syncing: Promise<void> | undefined;
let syncAgain = false;
/** Message ids whose turn ended recently: `/new` is answered before `webchat.send` returns. */
const finished: string[] = [];

function client(): GatewayClient | undefined {
  return useGateway.getState().client;
}

/** Union by seq (the later list wins), ascending. */
export function mergeRecords(a: readonly TranscriptRecord[], b: readonly TranscriptRecord[]): TranscriptRecord[] {
  if (a.length === 0) return [...b];
  if (b.length === 0) return [...a];
  const bySeq = new Map<number, TranscriptRecord>();
  for (const r of a) bySeq.set(r.seq, r);
  for (const r of b) bySeq.set(r.seq, r);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

function maxSeq(records: readonly TranscriptRecord[]): number {
  return records.length === 0 ? 0 : records[records.length - 1]!.seq;
}

function sortSessions(list: SessionSummary[]): SessionSummary[] {
  return [...list].sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : 0));
}

export const useInspector = create<InspectorStore>()((set, get) => {
  const scheduleSessionsRefresh = (delay = 250): void => {
    if (sessionsTimer) clearTimeout(sessionsTimer);
    sessionsTimer = setTimeout(() => {
      sessionsTimer = undefined;
      const agentId = get().sessions.agentId;
      if (agentId) void get().loadSessions(agentId);
    }, delay);
  };

  const scheduleSync = (delay = 120): void => {
    if (syncTimer) clearTimeout(syncTimer);
    syncTimer = setTimeout(() => {
      syncTimer = undefined;
      void get().sync();
    }, delay);
  };

  const isOpen = (agentId: string, sessionKey: string): boolean => {
    const t = get().transcript;
    return t !== undefined && t.agentId === agentId && t.key === sessionKey;
  };

  const updateTurn = (path: string, messageId: string, fn: (turn: LiveTurn) => LiveTurn): void => {
    set((s) => {
      const list = s.turns[path] ?? [];
      const at = list.findIndex((t) => t.messageId === messageId);
      const next = list.slice();
      if (at < 0) next.push(fn({ messageId, segments: [] }));
      else next[at] = fn(list[at]!);
      return { turns: { ...s.turns, [path]: next } };
    });
  };

  const onInbound = (d: EventData<'message.inbound'>): void => {
    const path = laneKey(d.agentId, d.sessionKey);
    const now = new Date().toISOString();
    set((s) => {
      const patch: Partial<InspectorStore> = {};
      // The operator's own message came back: its optimistic bubble has done its job.
      const pending = s.pending[path];
      if (pending?.length) {
        let at = pending.findIndex((p) => p.messageId === d.messageId);
        if (at < 0 && d.channel === 'webchat' && d.sender.id === 'operator')
          at = pending.findIndex((p) => p.status === 'sending' && p.text === d.text);
        if (at >= 0) patch.pending = { ...s.pending, [path]: pending.filter((_, i) => i !== at) };
      }
      const turns = s.turns[path] ?? [];
      if (!turns.some((t) => t.messageId === d.messageId))
        patch.turns = { ...s.turns, [path]: [...turns, { messageId: d.messageId, segments: [] }] };
      if (s.sessions.agentId === d.agentId) {
        const row = s.sessions.list.find((r) => r.key === d.sessionKey);
        const list = row
          ? s.sessions.list.map((r) => (r === row ? { ...r, messages: r.messages + 1, updated: now } : r))
          : [
              ...s.sessions.list,
              {
                key: d.sessionKey,
                sessionKey: d.sessionKey,
                sessionId: '',
                created: now,
                updated: now,
                messages: 1,
                inputTokens: 0,
                outputTokens: 0,
                archived: false,
              },
            ];
        patch.sessions = { ...s.sessions, list: sortSessions(list) };
      }
      const t = s.transcript;
      if (t && t.agentId === d.agentId && t.key === d.sessionKey) {
        const echoed: TranscriptRecord = {
          seq: d.seq,
          ts: now,
          type: 'message',
          role: 'user',
          text: d.text,
          messageId: d.messageId,
          sender: d.sender,
          channel: d.channel,
          accountId: d.accountId,
          route: d.route,
        };
        // A record already read from the gateway is the better copy; never replace it with the echo.
        if (!t.records.some((r) => r.seq === d.seq)) patch.transcript = { ...t, records: mergeRecords(t.records, [echoed]) };
      }
      return patch;
    });
    if (get().sessions.agentId === d.agentId) scheduleSessionsRefresh();
  };

  const onDelta = (d: EventData<'agent.delta'>): void => {
    updateTurn(laneKey(d.agentId, d.sessionKey), d.messageId, (turn) => {
      const segments = turn.segments.slice();
      const last = segments[segments.length - 1];
      if (last?.kind === 'text') {
        segments[segments.length - 1] = { kind: 'text', text: last.text + d.text };
      } else {
        // A round after a tool call starts with a paragraph break: the tool row already separates it.
        const text = d.text.replace(/^\n+/, '');
        if (text) segments.push({ kind: 'text', text });
      }
      return { ...turn, segments };
    });
  };

  const onTool = (d: EventData<'agent.tool'>): void => {
    updateTurn(laneKey(d.agentId, d.sessionKey), d.messageId, (turn) => {
      const segments = turn.segments.slice();
      const at = segments.findIndex((x) => x.kind === 'tool' && x.id === d.id);
      const done = d.phase === 'result';
      // The input comes with the call; the result event does not repeat it.
      const prev = at >= 0 ? segments[at] : undefined;
      const input = d.input ?? (prev?.kind === 'tool' ? prev.input : undefined);
      const seg: LiveSegment = {
        kind: 'tool',
        id: d.id,
        name: d.name,
        done,
        ...(d.isError !== undefined ? { isError: d.isError } : {}),
        ...(d.summary !== undefined ? { summary: d.summary } : {}),
        ...(input !== undefined ? { input } : {}),
      };
      if (at < 0) segments.push(seg);
      else segments[at] = seg;
      return { ...turn, segments };
    });
  };

  const onOutbound = (d: EventData<'message.outbound'>): void => {
    const path = laneKey(d.agentId, d.sessionKey);
    finished.push(d.messageId);
    if (finished.length > 50) finished.shift();
    const open = isOpen(d.agentId, d.sessionKey);
    set((s) => {
      const patch: Partial<InspectorStore> = {};
      // `/new` answers without an inbound echo: the outbound closes the operator's bubble too.
      const pending = s.pending[path];
      if (pending?.some((p) => p.messageId === d.messageId))
        patch.pending = { ...s.pending, [path]: pending.filter((p) => p.messageId !== d.messageId) };
      const turns = s.turns[path] ?? [];
      if (!open) {
        patch.turns = { ...s.turns, [path]: turns.filter((t) => t.messageId !== d.messageId) };
      } else {
        const final = { text: d.text, incomplete: d.incomplete, usage: d.usage, ...(d.failure ? { failure: d.failure } : {}) };
        const at = turns.findIndex((t) => t.messageId === d.messageId);
        const next = turns.slice();
        if (at < 0) next.push({ messageId: d.messageId, segments: [], final });
        else next[at] = { ...turns[at]!, final };
        patch.turns = { ...s.turns, [path]: next };
      }
      return patch;
    });
    if (open) scheduleSync();
    if (get().sessions.agentId === d.agentId) scheduleSessionsRefresh();
  };

  const onDropped = (d: EventData<'message.dropped'>): void => {
    if (!d.agentId) return;
    // An unavailable agent records an error and sends no outbound: end its waiting turns here.
    if (d.reason === 'agent_unavailable') {
      set((s) => {
        const turns: Record<string, LiveTurn[]> = {};
        for (const [path, list] of Object.entries(s.turns)) {
          turns[path] = path.startsWith(`${d.agentId}\n`) ? list.filter((t) => t.final || t.segments.length > 0) : list;
        }
        return { turns };
      });
    }
    const t = get().transcript;
    if (t && t.agentId === d.agentId) scheduleSync(300);
  };

  return {
    sessions: emptySessions,
    transcript: undefined,
    turns: {},
    pending: {},

    attach(c) {
      const offs = [
        c.on('message.inbound', onInbound),
        c.on('agent.delta', onDelta),
        c.on('agent.tool', onTool),
        c.on('message.outbound', onOutbound),
        c.on('message.dropped', onDropped),
        // Events sent while we were away are lost: read again what is on screen.
        c.onState((state) => {
          if (state.kind !== 'open') return;
          const agentId = get().sessions.agentId;
          if (agentId) void get().loadSessions(agentId);
          if (get().transcript) void get().sync();
        }),
      ];
      return () => {
        offs.forEach((off) => off());
        // Without events the cache goes stale: the next visit reads afresh.
        resetInspector();
      };
    },

    async loadSessions(agentId) {
      const c = client();
      if (!c) return;
      set((s) => ({
        sessions:
          s.sessions.agentId === agentId && s.sessions.status !== 'idle'
            ? { ...s.sessions, status: s.sessions.status === 'error' ? 'loading' : s.sessions.status }
            : { agentId, status: 'loading', list: [] },
      }));
      try {
        const res = await c.request('sessions.list', { agentId });
        if (get().sessions.agentId !== agentId) return;
        const list = sortSessions(res.sessions);
        set({ sessions: { agentId, status: 'ready', list } });
        // A reset (`/new`, daily reset) starts a new transcript under the same key: show the new one.
        const t = get().transcript;
        // (A transcript read before the session existed has no id yet: the catch-up adopts the new one.)
        if (t && t.agentId === agentId && t.status === 'ready' && typeof t.sessionId === 'string') {
          const row = list.find((r) => r.key === t.key);
          if (row?.sessionId !== t.sessionId) void get().reload();
        }
      } catch (err) {
        if (get().sessions.agentId !== agentId) return;
        set((s) => ({ sessions: { ...s.sessions, status: 'error', error: errorText(err) } }));
      }
    },

    async open(agentId, key) {
      const cur = get().transcript;
      if (cur && cur.agentId === agentId && cur.key === key && cur.status !== 'error') return;
      await loadTail(agentId, key);
    },

    async reload() {
      const t = get().transcript;
      if (t) await loadTail(t.agentId, t.key);
    },

    async loadOlder() {
      const c = client();
      const t = get().transcript;
      if (!c || !t || t.status !== 'ready' || !t.hasMore || t.older === 'loading' || t.records.length === 0) return;
      const gen = generation;
      set({ transcript: { ...t, older: 'loading', olderError: undefined } });
      try {
        const page = await c.request('sessions.history', {
          agentId: t.agentId,
          sessionKey: t.key,
          before: t.records[0]!.seq,
          limit: PAGE_SIZE,
        });
        if (gen !== generation) return;
        const now = get().transcript!;
        set({ transcript: { ...now, records: mergeRecords(page.records, now.records), hasMore: page.hasMore, older: 'idle' } });
      } catch (err) {
        if (gen !== generation) return;
        set({ transcript: { ...get().transcript!, older: 'error', olderError: errorText(err) } });
      }
    },

    sync() {
      if (syncing) {
        syncAgain = true;
        return syncing;
      }
      syncing = (async () => {
        try {
          do {
            syncAgain = false;
            await catchUp();
          } while (syncAgain);
        } finally {
          syncing = undefined;
        }
      })();
      return syncing;
    },

    async send(agentId, sessionKey, text, explicitKey) {
      const path = laneKey(agentId, sessionKey);
      const localId = `local-${nextLocalId++}`;
      const clientId = newClientId();
      set((s) => ({
        pending: {
          ...s.pending,
          [path]: [...(s.pending[path] ?? []), { localId, clientId, text, ts: new Date().toISOString(), status: 'sending' }],
        },
      }));
      return deliver(agentId, sessionKey, localId, text, explicitKey, clientId);
    },

    async retry(agentId, sessionKey, localId, explicitKey) {
      const p = get().pending[laneKey(agentId, sessionKey)]?.find((x) => x.localId === localId);
      if (!p) return;
      patchPending(laneKey(agentId, sessionKey), localId, { status: 'sending', error: undefined });
      await deliver(agentId, sessionKey, localId, p.text, explicitKey, p.clientId);
    },

    discard(agentId, sessionKey, localId) {
      const path = laneKey(agentId, sessionKey);
      set((s) => ({ pending: { ...s.pending, [path]: (s.pending[path] ?? []).filter((p) => p.localId !== localId) } }));
    },

    async cancel(agentId, sessionKey) {
      const c = client();
      if (!c) return false;
      const res = await c.request('turn.cancel', { agentId, sessionKey });
      if (!res.cancelled) {
        // Nothing runs there any more (the outbound may have been missed): stop showing "thinking".
        set((s) => ({
          turns: { ...s.turns, [laneKey(agentId, sessionKey)]: (s.turns[laneKey(agentId, sessionKey)] ?? []).filter((t) => t.final) },
        }));
        if (isOpen(agentId, sessionKey)) scheduleSync(0);
      }
      return res.cancelled;
    },

    async exportSession(agentId, key) {
      const c = client();
      if (!c) throw new Error('not connected to the gateway');
      return c.request('sessions.export', { agentId, sessionKey: key });
    },

    async deleteSession(agentId, key) {
      const c = client();
      if (!c) throw new Error('not connected to the gateway');
      const res = await c.request('sessions.delete', { agentId, sessionKey: key });
      const path = laneKey(agentId, key);
      set((s) => {
        const turns = { ...s.turns };
        const pending = { ...s.pending };
        delete turns[path];
        delete pending[path];
        const t = s.transcript;
        const gone = t !== undefined && t.agentId === agentId && t.key === key;
        if (gone) generation++; // a read of the deleted transcript still on its way is dropped
        return {
          turns,
          pending,
          sessions: s.sessions.agentId === agentId ? { ...s.sessions, list: s.sessions.list.filter((r) => r.key !== key) } : s.sessions,
          ...(gone ? { transcript: undefined } : {}),
        };
      });
      return res.deleted;
    },

    async renameSession(agentId, key, title) {
      const c = client();
      if (!c) throw new Error('not connected to the gateway');
      const res = await c.request('sessions.rename', { agentId, sessionKey: key, title });
      set((s) => {
        if (s.sessions.agentId !== agentId) return {};
        const list = s.sessions.list.map((r) => {
          if (r.key !== key) return r;
          const { title: _old, ...rest } = r;
          return res.title === null ? rest : { ...rest, title: res.title };
        });
        return { sessions: { ...s.sessions, list } };
      });
      return res.title;
    },

    async searchSessions(agentId, query) {
      const c = client();
      if (!c) throw new Error('not connected to the gateway');
      return c.request('sessions.search', { agentId, query });
    },
  };

  function patchPending(path: string, localId: string, patch: Partial<PendingMessage>): void {
    set((s) => {
      const list = s.pending[path];
      if (!list?.some((p) => p.localId === localId)) return {};
      return { pending: { ...s.pending, [path]: list.map((p) => (p.localId === localId ? { ...p, ...patch } : p)) } };
    });
  }

  async function deliver(
    agentId: string,
    sessionKey: string,
    localId: string,
    text: string,
    explicitKey: boolean,
    clientId: string,
  ): Promise<Result<'webchat.send'> | undefined> {
    const c = client();
    const path = laneKey(agentId, sessionKey);
    if (!c) {
      patchPending(path, localId, { status: 'failed', error: 'not connected to the gateway' });
      return undefined;
    }
    try {
      const res = await c.request('webchat.send', { agentId, text, clientId, ...(explicitKey ? { sessionKey } : {}) });
      const echoed =
        finished.includes(res.messageId) || get().turns[laneKey(res.agentId, res.sessionKey)]?.some((t) => t.messageId === res.messageId);
      if (echoed) {
        get().discard(agentId, sessionKey, localId);
      } else if (res.sessionKey !== sessionKey || res.agentId !== agentId) {
        // The gateway picked another key than we guessed (a custom main key): follow it.
        const p = get().pending[path]?.find((x) => x.localId === localId);
        get().discard(agentId, sessionKey, localId);
        if (p) {
          const to = laneKey(res.agentId, res.sessionKey);
          set((s) => ({ pending: { ...s.pending, [to]: [...(s.pending[to] ?? []), { ...p, status: 'sent', messageId: res.messageId }] } }));
        }
      } else {
        patchPending(path, localId, { status: 'sent', messageId: res.messageId });
      }
      return res;
    } catch (err) {
      patchPending(path, localId, { status: 'failed', error: errorText(err) });
      return undefined;
    }
  }

  async function loadTail(agentId: string, key: string): Promise<void> {
    const gen = ++generation;
    const row = get().sessions.agentId === agentId ? get().sessions.list.find((r) => r.key === key) : undefined;
    set({
      transcript: {
        agentId,
        key,
        sessionId: row?.sessionId || undefined,
        status: 'loading',
        records: [],
        fetchedTo: 0,
        hasMore: false,
        older: 'idle',
      },
    });
    const c = client();
    if (!c) {
      set({ transcript: { ...get().transcript!, status: 'error', error: 'not connected to the gateway' } });
      return;
    }
    try {
      const page = await c.request('sessions.history', { agentId, sessionKey: key, limit: PAGE_SIZE });
      if (gen !== generation) return;
      const now = get().transcript!;
      // Inbound echoes that arrived while the page was on its way are kept (the page wins on overlap).
      set({
        transcript: {
          ...now,
          sessionId: page.sessionId,
          status: 'ready',
          records: mergeRecords(now.records, page.records),
          fetchedTo: maxSeq(page.records),
          hasMore: page.hasMore,
        },
      });
      // Replies that finished before this read are in the records now.
      set((s) => ({ turns: { ...s.turns, [laneKey(agentId, key)]: (s.turns[laneKey(agentId, key)] ?? []).filter((t) => !t.final) } }));
    } catch (err) {
      if (gen !== generation) return;
      set({ transcript: { ...get().transcript!, status: 'error', error: errorText(err) } });
    }
  }

  async function catchUp(): Promise<void> {
    const c = client();
    const t = get().transcript;
    if (!c || !t || t.status !== 'ready') return;
    const gen = generation;
    const path = laneKey(t.agentId, t.key);
    const settled = new Set((get().turns[path] ?? []).filter((x) => x.final).map((x) => x.messageId));
    let got: TranscriptRecord[] = [];
    let hasMore = false;
    let before: number | undefined;
    let sessionId = t.sessionId;
    for (let i = 0; i < SYNC_MAX_PAGES; i++) {
      let page: Result<'sessions.history'>;
      try {
        page = await c.request('sessions.history', {
          agentId: t.agentId,
          sessionKey: t.key,
          limit: PAGE_SIZE,
          ...(before !== undefined ? { before } : {}),
        });
      } catch {
        return; // the next event or reconnect tries again; the live bubbles stay meanwhile
      }
      if (gen !== generation) return;
      if (typeof t.sessionId === 'string' && page.sessionId !== t.sessionId) {
        // Another transcript under this key (`/new`, a daily reset, a delete): its seqs start
        // again at 1, so nothing of it can be merged with what is on screen. Read it afresh.
        await loadTail(t.agentId, t.key);
        return;
      }
      sessionId = page.sessionId;
      got = mergeRecords(page.records, got);
      hasMore = page.hasMore;
      const first = page.records[0];
      if (!page.hasMore || !first || first.seq <= t.fetchedTo + 1) break;
      before = first.seq;
    }
    const now = get().transcript!;
    const top = maxSeq(got);
    const gap = got.length > 0 && got[0]!.seq > now.fetchedTo + 1 && hasMore;
    set((s) => ({
      transcript: gap
        ? { ...now, sessionId, records: got, fetchedTo: top, hasMore: true, older: 'idle' }
        : { ...now, sessionId, records: mergeRecords(now.records, got), fetchedTo: Math.max(top, now.fetchedTo) },
      turns: { ...s.turns, [path]: (s.turns[path] ?? []).filter((x) => !settled.has(x.messageId)) },
    }));
  }
});

/** For tests: back to the state of a fresh page. */
export function resetInspector(): void {
  generation++;
  if (sessionsTimer) clearTimeout(sessionsTimer);
  if (syncTimer) clearTimeout(syncTimer);
  sessionsTimer = undefined;
  syncTimer = undefined;
  useInspector.setState({ sessions: emptySessions, transcript: undefined, turns: {}, pending: {} });
}

/** A random idempotency key for one send (crypto.randomUUID needs a secure context: app:// and loopback are). */
function newClientId(): string {
  return `dash-${globalThis.crypto.randomUUID()}`;
}
