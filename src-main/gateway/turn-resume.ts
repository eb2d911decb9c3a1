// Turns a crash cut off (docs/architecture.md#cut-off-turns): at start, the inbound records of an
// agent's live sessions that no outcome answers, and what to do with each — run the turn again,
// or close it with a note to the sender. Reads transcripts only; the gateway acts on the result.
import { isSubagentSessionKey } from '../../src-shared/routing/index.ts';
import type { AgentSessionStore, TranscriptRecord } from '../sessions/index.ts';

/** What the gateway does with an inbound record no outcome answers. */
export type CutOffAction =
  /** Never started a tool and younger than `session.resumeWindow`: the turn runs (again). */
  | 'resume'
  /** Older than the window: closed, the sender asked to send it again. */
  | 'lost'
  /** A tool was started: never run twice, so the turn is closed and the sender asked to check. */
  | 'tool_in_doubt'
  /** Agent-to-agent or a sub-agent: the asking turn died with the crash, so nobody waits for an answer. */
  | 'orphaned';

export interface CutOffTurn {
  agentId: string;
  sessionKey: string;
  inbound: TranscriptRecord;
  action: CutOffAction;
  /** tool_in_doubt: the tools started without a recorded result (or, if all have one, those that ran). */
  tools: string[];
  /** tool_in_doubt: every started tool has its result; the turn died after them, before its answer. */
  toolsFinished: boolean;
  /** Whether the sender hears about a closed turn (a note days late would only confuse). */
  tell: boolean;
}

/** A note reaches the sender only for messages younger than this; older ones are closed quietly. */
export const TELL_HORIZON_MS = 24 * 3_600_000;
/** Records read from the end of each transcript first; more only when that page starts unanswered. */
const FIRST_PAGE = 64;
const FULL_PAGE = 1000;
/** Transcripts the start-up scan reads at once. */
const SCAN_CONCURRENCY = 8;

interface Pending {
  inbound: TranscriptRecord;
  answered: boolean;
  /** tool_call id → name, removed when its tool_result is recorded. */
  open: Map<string, string>;
  ran: string[];
}

const isInbound = (r: TranscriptRecord): boolean => r.type === 'message' && r.role === 'user' && typeof r.inReplyTo !== 'number';

/**
 * Whether `r` ends the turn it answers: an error (including `interrupted`) or the final assistant
 * message. An assistant message asking for tools is not: the turn was still going on.
 */
function isOutcome(r: TranscriptRecord): boolean {
  if (r.type === 'error' || r.type === 'interrupted') return true;
  return r.type === 'message' && r.role === 'assistant' && r.stopReason !== 'tool_use';
}

/** The unanswered inbound records of `records` (oldest first), with the tool calls their turns started. */
function unanswered(records: TranscriptRecord[]): Pending[] {
  const bySeq = new Map<number, Pending>();
  for (const r of records) {
    if (isInbound(r)) {
      bySeq.set(r.seq, { inbound: r, answered: false, open: new Map(), ran: [] });
      continue;
    }
    const p = typeof r.inReplyTo === 'number' ? bySeq.get(r.inReplyTo) : undefined;
    if (!p) continue;
    if (isOutcome(r)) p.answered = true;
    else if (r.type === 'tool_call' && typeof r.id === 'string') p.open.set(r.id, String(r.name ?? 'a tool'));
    else if (r.type === 'tool_result' && typeof r.id === 'string' && p.open.delete(r.id)) p.ran.push(String(r.name ?? 'a tool'));
  }
  return [...bySeq.values()].filter((p) => !p.answered);
}

async function sessionRecords(store: AgentSessionStore, key: string): Promise<TranscriptRecord[]> {
  const first = await store.history(key, { limit: FIRST_PAGE });
  const oldest = first.records.find(isInbound);
  // Many messages queued behind a cut-off turn can reach past the first page.
  if (!first.hasMore || !oldest || unanswered(first.records)[0]?.inbound !== oldest) return first.records;
  return (await store.history(key, { limit: FULL_PAGE })).records;
}

/** Every cut-off turn of the agent's live sessions, in seq order per session. */
export async function findCutOffTurns(
  store: AgentSessionStore,
  agentId: string,
  opts: { now: number; resumeWindowMs: number },
): Promise<CutOffTurn[]> {
  const live = store.list().filter((e) => !e.archived);
  // Read SCAN_CONCURRENCY transcripts at a time (each read waits on the disk, not the CPU), with
  // the results kept in list order: 1,000 sessions one after another took seconds (bench resume.scan).
  const pages: TranscriptRecord[][] = new Array<TranscriptRecord[]>(live.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < live.length) {
      const i = next++;
      pages[i] = await sessionRecords(store, live[i]!.key);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, live.length) }, worker));
  const found: CutOffTurn[] = [];
  for (const [i, entry] of live.entries()) {
    for (const p of unanswered(pages[i]!)) {
      const age = opts.now - Date.parse(p.inbound.ts);
      const orphan = entry.sessionKey.includes(':a2a:') || isSubagentSessionKey(entry.sessionKey);
      const started = p.open.size > 0 || p.ran.length > 0;
      const action: CutOffAction = orphan ? 'orphaned' : started ? 'tool_in_doubt' : age > opts.resumeWindowMs ? 'lost' : 'resume';
      found.push({
        agentId,
        sessionKey: entry.sessionKey,
        inbound: p.inbound,
        action,
        tools: [...new Set(p.open.size > 0 ? p.open.values() : p.ran)],
        toolsFinished: p.open.size === 0,
        tell: !orphan && age <= TELL_HORIZON_MS,
      });
    }
  }
  return found;
}

/** `14:02` for a time today, `2025-05-03 14:02` otherwise — the gateway's local time. */
export function localTimeOf(ts: string, now = new Date()): string {
  const d = new Date(ts);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** What the sender is told when a cut-off turn is closed instead of run. */
export function cutOffNote(turn: Pick<CutOffTurn, 'action' | 'tools' | 'toolsFinished' | 'inbound'>, now = new Date()): string {
  const when = localTimeOf(turn.inbound.ts, now);
  if (turn.action !== 'tool_in_doubt') return `I was restarted and lost track of your message from ${when} — please send it again`;
  const tools = turn.tools.join(', ') || 'a tool';
  if (turn.toolsFinished)
    return `I was restarted in the middle of working on your message from ${when}, after ${tools} had run — please check what it did and ask again`;
  return `I was restarted in the middle of working on your message from ${when} and can't tell whether ${tools} finished — please check and ask again`;
}
