// Turns transcript records (src-main/sessions: `message` user/assistant, `tool_call`/`tool_result`,
// `error`, `edit`/`reaction`, `session`/`meta`) plus the live turns and the operator's unconfirmed
// messages into the rows the transcript shows. Pure, so it is tested without a DOM. Row keys are
// stable across page loads and live updates: the virtual list anchors the scroll position on them.
import { conversationOrder, undeliveredInbounds } from '../../../src-shared/protocol/conversation.ts';
import type { LiveTurn, PendingMessage, TranscriptRecord, Usage } from '../../store/inspector.ts';

export interface RouteInfo {
  matchedBy: string;
  bindingIndex: number | null;
  sessionKey?: string;
  channel?: string;
  accountId?: string;
}

export type Item =
  | { kind: 'start'; key: string; ts: string | undefined }
  | { kind: 'day'; key: string; label: string }
  | {
      kind: 'user';
      key: string;
      ts: string;
      text: string;
      senderId: string;
      senderName: string | undefined;
      channel: string | undefined;
      accountId: string | undefined;
      route: RouteInfo | undefined;
      /** Not a person's message: a heartbeat's prompt, or the task a parent turn gave this sub-agent. */
      origin?: { kind: 'heartbeat' } | { kind: 'subagent'; parentSessionKey: string };
      pending?: { localId: string; status: PendingMessage['status']; error?: string };
      /** The model never got this message (its turn failed first, e.g. no API key): the failure kind. Later turns leave it out. */
      undelivered?: string;
    }
  | {
      kind: 'assistant';
      key: string;
      ts: string | undefined;
      text: string;
      usage: Usage | undefined;
      /** The usage covers every model call of the turn (tool rounds included). */
      turnUsage: boolean;
      incomplete: boolean;
      failure: string | undefined;
      model: string | undefined;
      /** The models that failed before `model` answered, and why (the record's `fallbackFrom`). */
      fallbackFrom?: { model: string; reason: string }[];
      streaming: boolean;
    }
  | {
      kind: 'tool';
      key: string;
      ts: string | undefined;
      id: string;
      name: string;
      hasInput: boolean;
      input: unknown;
      output: string | undefined;
      isError: boolean;
      status: 'running' | 'done';
      summary: string | undefined;
    }
  | { kind: 'error'; key: string; ts: string | undefined; errorKind: string; message: string; usage: Usage | undefined; live: boolean }
  | { kind: 'event'; key: string; ts: string; label: string; text: string | undefined }
  | { kind: 'typing'; key: string; label: string };

/** A row plus the inbound seq it belongs to, so live rows can be placed right after their conversation turn. */
export interface BaseItem {
  item: Item;
  anchor: number;
}

const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
/** `fallbackFrom` of an assistant record (docs/config.md#model-fallbacks); entries not shaped like one are skipped. */
function fallbacksOf(x: unknown): { fallbackFrom?: { model: string; reason: string }[] } {
  if (!Array.isArray(x)) return {};
  const list = x.flatMap((f: unknown) => {
    const o = typeof f === 'object' && f !== null ? (f as Record<string, unknown>) : {};
    return typeof o.model === 'string' ? [{ model: o.model, reason: typeof o.reason === 'string' ? o.reason : 'failed' }] : [];
  });
  return list.length ? { fallbackFrom: list } : {};
}
const obj = (x: unknown): Record<string, unknown> | undefined =>
  typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;

function usageOf(x: unknown): Usage | undefined {
  const u = obj(x);
  if (!u) return undefined;
  const inputTokens = typeof u.inputTokens === 'number' ? u.inputTokens : 0;
  const outputTokens = typeof u.outputTokens === 'number' ? u.outputTokens : 0;
  return inputTokens + outputTokens > 0 ? { inputTokens, outputTokens } : undefined;
}

function routeOf(x: unknown): RouteInfo | undefined {
  const r = obj(x);
  if (!r || typeof r.matchedBy !== 'string') return undefined;
  return {
    matchedBy: r.matchedBy,
    bindingIndex: typeof r.bindingIndex === 'number' ? r.bindingIndex : null,
    ...(str(r.sessionKey) ? { sessionKey: str(r.sessionKey)! } : {}),
    ...(str(r.channel) ? { channel: str(r.channel)! } : {}),
    ...(str(r.accountId) ? { accountId: str(r.accountId)! } : {}),
  };
}

const anchorOf = (r: TranscriptRecord): number => (typeof r.inReplyTo === 'number' ? r.inReplyTo : r.seq);

function localDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** "Today", "Yesterday", or the date, for the divider above a day's first message. */
export function dayLabel(d: Date, now = new Date()): string {
  const today = localDay(now);
  const day = localDay(d);
  if (day === today) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (day === localDay(yesterday)) return 'Yesterday';
  return d.toLocaleDateString([], {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    ...(d.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}),
  });
}

/** Rows for the loaded records, in conversation order (each reply right after what it answers). */
export function recordItems(records: readonly TranscriptRecord[], hasMore: boolean): BaseItem[] {
  const ordered = conversationOrder(records);
  // Usage per turn, and which assistant record is a turn's last: tool rounds without text are
  // folded into it, so a turn shows one usage line.
  const turnUsage = new Map<number, Usage & { calls: number }>();
  const lastAssistant = new Map<number, number>();
  for (const r of ordered) {
    if (r.type !== 'message' || r.role !== 'assistant') continue;
    const a = anchorOf(r);
    lastAssistant.set(a, r.seq);
    const u = usageOf(r.usage);
    if (!u) continue;
    const t = turnUsage.get(a) ?? { inputTokens: 0, outputTokens: 0, calls: 0 };
    t.inputTokens += u.inputTokens;
    t.outputTokens += u.outputTokens;
    t.calls++;
    turnUsage.set(a, t);
  }

  const undelivered = undeliveredInbounds(ordered);
  const out: BaseItem[] = [];
  const tools = new Map<string, number>();
  if (!hasMore && ordered.length > 0) out.push({ item: { kind: 'start', key: 'start', ts: ordered[0]?.ts }, anchor: 0 });
  const now = new Date();
  let lastDay: string | undefined;
  const days = new Set<string>();
  for (const r of ordered) {
    const anchor = anchorOf(r);
    const key = `r:${r.seq}`;
    if (r.type !== 'session' && r.type !== 'meta') {
      const d = new Date(r.ts);
      const day = Number.isNaN(d.getTime()) ? lastDay : localDay(d);
      // Only between two loaded records: a row above the oldest one would move when the previous
      // page comes in, and the list anchors the reader on the row at the top. The start row names the first day.
      if (day !== undefined && lastDay !== undefined && day !== lastDay) {
        // A late reply can cross midnight and back: keys stay unique.
        const dayKey = days.has(day) ? `day:${day}:${r.seq}` : `day:${day}`;
        days.add(day);
        out.push({ item: { kind: 'day', key: dayKey, label: dayLabel(d, now) }, anchor });
      }
      lastDay = day;
    }
    switch (r.type) {
      case 'session':
      case 'meta':
        break;
      case 'message': {
        const text = str(r.text) ?? '';
        if (r.role === 'assistant') {
          const isLast = lastAssistant.get(anchor) === r.seq;
          if (!isLast && text.trim() === '' && r.incomplete !== true) break;
          const turn = turnUsage.get(anchor);
          const useTurn = isLast && turn !== undefined && turn.calls > 1;
          out.push({
            item: {
              kind: 'assistant',
              key,
              ts: r.ts,
              text,
              usage: useTurn ? { inputTokens: turn.inputTokens, outputTokens: turn.outputTokens } : usageOf(r.usage),
              turnUsage: useTurn,
              incomplete: r.incomplete === true,
              failure: undefined,
              model: str(r.model),
              ...fallbacksOf(r.fallbackFrom),
              streaming: false,
            },
            anchor,
          });
        } else if (r.role === 'user') {
          const sender = obj(r.sender);
          const spawned = str(obj(r.subagent)?.parentSessionKey);
          const origin =
            r.heartbeat === true
              ? { kind: 'heartbeat' as const }
              : spawned
                ? { kind: 'subagent' as const, parentSessionKey: spawned }
                : undefined;
          out.push({
            item: {
              kind: 'user',
              key,
              ts: r.ts,
              text,
              senderId: str(sender?.id) ?? 'unknown',
              senderName: str(sender?.name),
              channel: str(r.channel),
              accountId: str(r.accountId),
              route: routeOf(r.route),
              ...(origin ? { origin } : {}),
              ...(undelivered.has(r.seq) ? { undelivered: undelivered.get(r.seq)! } : {}),
            },
            anchor,
          });
        } else {
          out.push({ item: { kind: 'event', key, ts: r.ts, label: String(r.role ?? 'system'), text }, anchor });
        }
        break;
      }
      case 'tool_call':
      case 'tool_result': {
        const id = str(r.id) ?? key;
        const at = tools.get(id);
        const prev = at !== undefined ? out[at]!.item : undefined;
        const base =
          prev?.kind === 'tool'
            ? prev
            : {
                kind: 'tool' as const,
                key: `t:${id}`,
                ts: r.ts,
                id,
                name: str(r.name) ?? 'tool',
                hasInput: false,
                input: undefined,
                output: undefined,
                isError: false,
                status: 'running' as const,
                summary: undefined,
              };
        const next =
          r.type === 'tool_call'
            ? { ...base, hasInput: true, input: r.input, ts: r.ts }
            : { ...base, output: str(r.output) ?? '', isError: r.isError === true, status: 'done' as const };
        if (at !== undefined) out[at] = { item: next, anchor: out[at]!.anchor };
        else {
          tools.set(id, out.length);
          out.push({ item: next, anchor });
        }
        break;
      }
      case 'error':
        out.push({
          item: {
            kind: 'error',
            key,
            ts: r.ts,
            errorKind: str(r.kind) ?? 'error',
            message: str(r.message) ?? '',
            usage: usageOf(r.usage),
            live: false,
          },
          anchor,
        });
        break;
      case 'edit':
      case 'reaction': {
        const sender = obj(r.sender);
        const who = str(sender?.name) ?? str(sender?.id) ?? 'someone';
        out.push({
          item: {
            kind: 'event',
            key,
            ts: r.ts,
            label: r.type === 'edit' ? `${who} edited a message` : `${who} reacted`,
            text: str(r.text),
          },
          anchor,
        });
        break;
      }
      default:
        out.push({ item: { kind: 'event', key, ts: r.ts, label: r.type, text: str(r.text) ?? str(r.message) }, anchor });
    }
  }
  return out;
}

/** The JSON an `agent.tool` event carries, as a value; a cut one (not valid JSON) stays text. */
function liveInput(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}

function liveItems(turn: LiveTurn, queued: boolean): Item[] {
  const items: Item[] = [];
  const base = `live:${turn.messageId}`;
  let streamed = '';
  let lastText = -1;
  turn.segments.forEach((seg, i) => {
    if (seg.kind === 'text') {
      streamed += seg.text;
      lastText = items.length;
      items.push({
        kind: 'assistant',
        key: `${base}:${i}`,
        ts: undefined,
        text: seg.text,
        usage: undefined,
        turnUsage: false,
        incomplete: false,
        failure: undefined,
        model: undefined,
        streaming: !turn.final,
      });
    } else {
      items.push({
        kind: 'tool',
        key: `t:${seg.id}`,
        ts: undefined,
        id: seg.id,
        name: seg.name,
        hasInput: seg.input !== undefined,
        input: liveInput(seg.input),
        output: undefined,
        isError: seg.isError === true,
        status: seg.done ? 'done' : 'running',
        summary: seg.summary,
      });
    }
  });
  const final = turn.final;
  if (!final) {
    const last = turn.segments[turn.segments.length - 1];
    if (!last || last.kind === 'tool')
      items.push({ kind: 'typing', key: `${base}:typing`, label: queued ? 'waiting for the previous reply…' : 'thinking…' });
    return items;
  }
  const usage = final.usage.inputTokens + final.usage.outputTokens > 0 ? final.usage : undefined;
  if (final.failure) {
    // The outbound text is what was streamed plus the line the sender got about the failure.
    const told = final.text.startsWith(streamed) ? final.text.slice(streamed.length).trim() : final.text;
    if (lastText >= 0) items[lastText] = { ...(items[lastText] as Extract<Item, { kind: 'assistant' }>), incomplete: final.incomplete };
    items.push({
      kind: 'error',
      key: `${base}:failure`,
      ts: new Date().toISOString(),
      errorKind: final.failure,
      message: told,
      usage,
      live: true,
    });
  } else if (lastText >= 0) {
    items[lastText] = {
      ...(items[lastText] as Extract<Item, { kind: 'assistant' }>),
      usage,
      turnUsage: true,
      incomplete: final.incomplete,
      streaming: false,
    };
  } else if (final.text) {
    items.push({
      kind: 'assistant',
      key: `${base}:final`,
      ts: new Date().toISOString(),
      text: final.text,
      usage,
      turnUsage: true,
      incomplete: final.incomplete,
      failure: undefined,
      model: undefined,
      streaming: false,
    });
  }
  return items;
}

/**
 * The full row list: record rows, each live turn right after the message it answers (at the end
 * when that message is not loaded), then the operator's unconfirmed messages.
 */
export function transcriptItems(
  base: readonly BaseItem[],
  records: readonly TranscriptRecord[],
  turns: readonly LiveTurn[],
  pending: readonly PendingMessage[],
): Item[] {
  const items = base.map((b) => b.item);
  if (turns.length > 0) {
    const seqOf = new Map<string, number>();
    // Live turns belong to recent messages: look at the newest records only.
    for (let i = records.length - 1, n = 0; i >= 0 && n < 2000; i--, n++) {
      const r = records[i]!;
      if (r.type === 'message' && r.role === 'user' && typeof r.messageId === 'string') seqOf.set(r.messageId, r.seq);
    }
    const anchors = base.map((b) => b.anchor);
    // Tool rows already read from the records are not shown twice.
    const known = new Set(items.filter((x) => x.kind === 'tool').map((x) => x.key));
    let running = 0;
    for (const turn of turns) {
      const rows = liveItems(turn, !turn.final && running++ > 0);
      const seq = seqOf.get(turn.messageId);
      let at = items.length;
      if (seq !== undefined) {
        const last = anchors.lastIndexOf(seq);
        if (last >= 0) at = last + 1;
      }
      const fresh = rows.filter((x) => !known.has(x.key));
      items.splice(at, 0, ...fresh);
      anchors.splice(at, 0, ...fresh.map(() => seq ?? Number.MAX_SAFE_INTEGER));
    }
  }
  for (const p of pending) {
    items.push({
      kind: 'user',
      key: `pending:${p.localId}`,
      ts: p.ts,
      text: p.text,
      senderId: 'operator',
      senderName: 'Dashboard',
      channel: 'webchat',
      accountId: 'default',
      route: { matchedBy: 'direct', bindingIndex: null },
      pending: { localId: p.localId, status: p.status, ...(p.error ? { error: p.error } : {}) },
    });
  }
  return items;
}
