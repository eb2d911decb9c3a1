// Journal replay at startup: every entry of the segments an earlier run left behind is checked
// against its transcript, and the acknowledged records a crash or power loss kept out of the
// transcript are appended again (new seq, `recovered: true`). Then the transcripts are fsync'ed
// and the segments deleted. Idempotent: replaying the same segments twice appends nothing new.
import { isTombstone, type InboundJournal, type JournalEntry, type JournalNotice, type RecoveredSession } from './journal.ts';
import { AGENT_ID_RE } from './paths.ts';
import type { TranscriptRecord } from './records.ts';
import type { AgentSessionStore, RecoveryTarget } from './store.ts';

const REPLAY_CONCURRENCY = 8;

/** What identifies a record's content, whatever seq it ended up with. */
function fingerprint(rec: TranscriptRecord): string {
  const { v: _v, seq: _seq, recovered: _recovered, ...rest } = rec;
  return JSON.stringify(rest);
}

/** Appends the entries of one session its transcript lacks; returns how many it appended. */
async function replaySession(target: RecoveryTarget, entries: JournalEntry[]): Promise<number> {
  const { transcript } = target;
  // Records at the entries' seqs, and copies appended by an earlier replay (always later in the file).
  const fromSeq = entries.reduce((min, e) => Math.min(min, e.seq), Infinity);
  const atSeq = new Map<number, string>();
  const recovered = new Set<string>();
  for await (const rec of transcript.readAll(fromSeq)) {
    atSeq.set(rec.seq, fingerprint(rec));
    if (rec.recovered === true) recovered.add(fingerprint(rec));
  }
  let appended = 0;
  for (const { seq, record } of entries) {
    const fp = fingerprint(record);
    if (atSeq.get(seq) === fp || recovered.has(fp)) continue;
    const { v: _v, seq: _seq, ...input } = record;
    await transcript.append({ ...input, recovered: true });
    recovered.add(fp);
    appended++;
  }
  return appended;
}

/**
 * Replays the journal's leftover segments through the stores (`storeFor` opens an agent's store),
 * reports the outcome as a notice, and deletes the segments only if every session was repaired.
 */
export async function replayJournal(
  journal: InboundJournal,
  storeFor: (agentId: string) => Promise<AgentSessionStore>,
  onNotice?: (notice: JournalNotice) => void,
): Promise<void> {
  const segments = journal.replaySegments.length;
  if (segments === 0) return;
  try {
    const lines = await journal.readReplay();
    const deleted = new Set(lines.filter(isTombstone).map((t) => `${t.agentId}\n${t.sessionId}`));
    // agent → session → entries, in journal order (which is each session's seq order).
    const byAgent = new Map<string, Map<string, JournalEntry[]>>();
    let entries = 0;
    for (const line of lines) {
      if (isTombstone(line) || deleted.has(`${line.agentId}\n${line.sessionId}`)) continue;
      entries++;
      const sessions = byAgent.get(line.agentId) ?? new Map<string, JournalEntry[]>();
      byAgent.set(line.agentId, sessions);
      const list = sessions.get(line.sessionId);
      if (list) list.push(line);
      else sessions.set(line.sessionId, [line]);
    }
    const report: RecoveredSession[] = [];
    const failures: string[] = [];
    for (const [agentId, sessions] of byAgent) {
      if (!AGENT_ID_RE.test(agentId)) {
        failures.push(`invalid agent id ${JSON.stringify(agentId)}`);
        continue;
      }
      try {
        const store = await storeFor(agentId);
        const touched: RecoveryTarget[] = [];
        const queue = [...sessions];
        const worker = async (): Promise<void> => {
          for (let job = queue.shift(); job; job = queue.shift()) {
            const [sessionId, list] = job;
            const first = list[0]!;
            const target = await store.recoveryTarget(first.sessionKey, sessionId, first.record.ts);
            touched.push(target);
            const appended = await replaySession(target, list);
            if (appended > 0) report.push({ agentId, sessionKey: first.sessionKey, sessionId, appended });
          }
        };
        try {
          // A few sessions at a time: after a crash there may be a thousand of them to check.
          const done = await Promise.allSettled(Array.from({ length: Math.min(REPLAY_CONCURRENCY, queue.length) }, worker));
          for (const d of done) if (d.status === 'rejected') throw d.reason;
          // Durable before the segments go: this is the checkpoint of the replayed records.
          // Forced: a transcript that already had every record may hold them only in the page cache.
          await Promise.all(touched.map((t) => t.transcript.sync({ force: true })));
        } finally {
          await Promise.allSettled(touched.map((t) => t.release()));
        }
      } catch (err) {
        failures.push(`agent ${agentId}: ${(err as Error).message}`);
      }
    }
    if (failures.length > 0) throw new Error(failures.join('; '));
    await journal.completeReplay();
    const appended = report.reduce((n, s) => n + s.appended, 0);
    onNotice?.({ kind: 'journal-recovered', segments, entries, appended, sessions: report });
  } catch (err) {
    // The segments stay for the next start; replay is idempotent.
    onNotice?.({ kind: 'journal-replay-failed', error: (err as Error).message, segments });
  }
}
