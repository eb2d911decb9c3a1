// Rebuilds the Messages API conversation from a session's transcript records: user and assistant
// messages (with their stored images), tool_use/tool_result pairs (dangling halves dropped so the
// API never sees an invalid sequence), same-role turns merged, trimmed oldest-first to a token
// budget. Pure apart from paging and reading the agent's media files.
import path from 'node:path';
import { undeliveredInbounds } from '../../src-shared/protocol/conversation.ts';
import type { AgentSessionStore, TranscriptRecord } from '../sessions/index.ts';
import { isMediaRef, readMedia, type MediaRef } from './media.ts';
import type { TurnInbound } from './turn-types.ts';

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
type ImageType = (typeof IMAGE_TYPES)[number];

export interface WireText {
  type: 'text';
  text: string;
}
export interface WireImage {
  type: 'image';
  source: { type: 'base64'; media_type: ImageType; data: string };
}
export interface WireToolUse {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}
export interface WireToolResult {
  type: 'tool_result';
  tool_use_id: string;
  content: string;
  is_error?: boolean;
}
export type WireBlock = WireText | WireImage | WireToolUse | WireToolResult;
export interface WireMessage {
  role: 'user' | 'assistant';
  content: WireBlock[];
}

/**
 * ~4 characters per token; an image counts as a fixed ~1,600 tokens (Anthropic: width × height /
 * 750, and a picture is scaled to at most ~1.15 megapixels, so ~1,600 is the usual upper end).
 */
export const CHARS_PER_TOKEN = 4;
export const IMAGE_TOKENS = 1600;
/**
 * Images per request, newest first: the current message's (≤ 4 from the adapters) always, earlier
 * messages' while both caps hold. 20 images keeps the API's full resolution allowance (more than
 * 20 in one request lowers the per-image limit); 20 MB of raw bytes (~27 MB as base64) keeps the
 * request under its 32 MB limit. Older images are left out with a placeholder line.
 */
export const HISTORY_IMAGE_LIMITS = { count: 20, bytes: 20 * 1024 * 1024 };
export const IMAGE_MISSING_NOTE = '[image no longer available]';
export const IMAGE_OMITTED_NOTE = '[earlier image, not included again]';

/** A stored message's images as blocks, plus placeholder lines for those that cannot be sent. */
export interface RecordImages {
  blocks: WireImage[];
  notes: string[];
}
const CUT_OFF_NOTE = '\n[this reply was cut off]';

export interface CurrentInbound {
  text: string;
  images?: TurnInbound['images'];
  /** Placeholder lines for images of the current message that could not be loaded. */
  imageNotes?: string[];
  sender: TurnInbound['sender'];
}

export interface HistoryOptions {
  budgetTokens: number;
  current: CurrentInbound;
  /**
   * `seq` of the current inbound record (TurnRequest.inboundSeq). User records after it are
   * queued for later turns and left out; records with `inReplyTo` are put back after their message.
   */
  inboundSeq?: number;
  /**
   * Group chats: earlier user turns are prefixed with their sender's name so the model can tell
   * speakers apart. The current message stays verbatim (the system prompt names its sender).
   */
  groupChat?: boolean;
  pageSize?: number;
  maxPages?: number;
}

export function estimateTokens(m: WireMessage): number {
  let chars = 0;
  let images = 0;
  for (const b of m.content) {
    if (b.type === 'text') chars += b.text.length;
    else if (b.type === 'image') images++;
    else if (b.type === 'tool_use') chars += b.name.length + JSON.stringify(b.input ?? {}).length;
    else chars += b.content.length;
  }
  return Math.ceil(chars / CHARS_PER_TOKEN) + images * IMAGE_TOKENS + 4;
}

function senderLabel(sender: unknown): string | null {
  if (typeof sender !== 'object' || sender === null) return null;
  const s = sender as { name?: unknown; id?: unknown };
  return typeof s.name === 'string' && s.name ? s.name : typeof s.id === 'string' && s.id ? s.id : null;
}

const nonBlank = (s: string): boolean => s.trim() !== '';

/** The current inbound as a user turn: its images (supported types only), then its text. */
export function currentUserTurn(cur: CurrentInbound): WireMessage {
  const content: WireBlock[] = [];
  const notes: string[] = [];
  for (const img of cur.images ?? []) {
    if ((IMAGE_TYPES as readonly string[]).includes(img.mediaType))
      content.push({ type: 'image', source: { type: 'base64', media_type: img.mediaType as ImageType, data: img.dataBase64 } });
    else notes.push(`[an image of type ${img.mediaType} was sent; it cannot be shown to you]`);
  }
  const text = [cur.text, ...notes, ...(cur.imageNotes ?? [])].filter(nonBlank).join('\n');
  if (text) content.push({ type: 'text', text });
  if (content.length === 0) content.push({ type: 'text', text: '(empty message)' });
  return { role: 'user', content };
}

/** The media references of a user record (records written before images were stored have none). */
export function mediaRefsOf(r: TranscriptRecord): MediaRef[] {
  return Array.isArray(r.media) ? r.media.filter(isMediaRef) : [];
}

/**
 * Conversation order: messages arrive (and are persisted) while an earlier turn still runs, so a
 * reply can sit after later user messages in the file. A reply (`inReplyTo: n`) sorts right after
 * user record n; records without it (older transcripts) keep their file position. Sorts
 * `records` (a fresh array) in place.
 */
function conversationOrder(records: TranscriptRecord[]): TranscriptRecord[] {
  // Sort key (anchor, rank, seq): a reply ranks after the user message it answers.
  const anchor = (r: TranscriptRecord): number => (typeof r.inReplyTo === 'number' ? r.inReplyTo : r.seq);
  const rank = (r: TranscriptRecord): number => (typeof r.inReplyTo !== 'number' && r.type === 'message' && r.role === 'user' ? 0 : 1);
  return records.sort((a, b) => anchor(a) - anchor(b) || rank(a) - rank(b) || a.seq - b.seq);
}

/** Transcript records (oldest first, the current inbound among them) → a valid conversation. */
export function recordsToMessages(
  input: readonly TranscriptRecord[],
  opts: Pick<HistoryOptions, 'current' | 'groupChat' | 'inboundSeq'> & { images?: ReadonlyMap<number, RecordImages> },
): WireMessage[] {
  const isUser = (r: TranscriptRecord): boolean => r.type === 'message' && r.role === 'user';
  let records: TranscriptRecord[];
  let currentIdx = -1;
  if (opts.inboundSeq !== undefined) {
    const cur = opts.inboundSeq;
    // The inbound itself is rebuilt from `current` (with its images); later user messages wait
    // their turn, and records already answering it (an earlier, interrupted run) are left out.
    records = conversationOrder(
      input.filter((r) => !(isUser(r) && r.seq >= cur) && !(typeof r.inReplyTo === 'number' && r.inReplyTo >= cur)),
    );
  } else {
    // No seq given: the inbound is the last user message, if its text matches.
    records = [...input];
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i]!;
      if (!isUser(r)) continue;
      if (typeof r.text === 'string' && r.text.trim() === opts.current.text.trim()) currentIdx = i;
      break;
    }
  }
  // A message the model never saw (no API key, agent paused…) is not merged into the next turn.
  const undelivered = undeliveredInbounds(input);
  const out: WireMessage[] = [];
  records.forEach((r, i) => {
    if (i === currentIdx) return;
    if (undelivered.size > 0 && isUser(r) && undelivered.has(r.seq)) return;
    const images = isUser(r) ? opts.images?.get(r.seq) : undefined;
    if (images && typeof r.text === 'string') {
      // Images first, then the text (Anthropic's advice); notes stand in for images not sent.
      const label = opts.groupChat ? senderLabel(r.sender) : null;
      const text = [r.text, ...images.notes].filter(nonBlank).join('\n');
      const content: WireBlock[] = [...images.blocks];
      if (text || label) content.push({ type: 'text', text: label ? (text ? `${label}: ${text}` : `${label}:`) : text });
      if (content.length > 0) out.push({ role: 'user', content });
    } else if (r.type === 'message' && typeof r.text === 'string' && nonBlank(r.text)) {
      if (r.role === 'user') {
        const label = opts.groupChat ? senderLabel(r.sender) : null;
        out.push({ role: 'user', content: [{ type: 'text', text: label ? `${label}: ${r.text}` : r.text }] });
      } else if (r.role === 'assistant') {
        out.push({ role: 'assistant', content: [{ type: 'text', text: r.incomplete ? r.text + CUT_OFF_NOTE : r.text }] });
      }
    } else if (r.type === 'tool_call' && typeof r.id === 'string' && typeof r.name === 'string') {
      out.push({
        role: 'assistant',
        content: [{ type: 'tool_use', id: r.id, name: r.name, input: typeof r.input === 'object' && r.input !== null ? r.input : {} }],
      });
    } else if (r.type === 'tool_result' && typeof r.id === 'string') {
      out.push({
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: r.id,
            content: typeof r.output === 'string' ? r.output : '',
            ...(r.isError ? { is_error: true } : {}),
          },
        ],
      });
    }
  });
  out.push(currentUserTurn(opts.current));
  return normalize(out);
}

/**
 * Same-role neighbours joined, empty turns dropped. The messages are new objects; their content
 * arrays may be the input's (nothing here changes an array in place: a change assigns a new one).
 */
function merge(messages: WireMessage[]): WireMessage[] {
  const out: WireMessage[] = [];
  for (const m of messages) {
    if (m.content.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content = [...last.content, ...m.content];
    else out.push({ role: m.role, content: m.content });
  }
  return out;
}

const hasBlock = (m: WireMessage, type: WireBlock['type']): boolean => m.content.some((b) => b.type === type);

/**
 * Makes the sequence valid for the API: every tool_use is answered by a tool_result in the very
 * next user turn and vice versa (unpaired halves dropped, ids de-duplicated), tool_results lead
 * their user turn, same-role turns are merged, and the conversation starts with a user turn.
 */
export function normalize(messages: WireMessage[]): WireMessage[] {
  let ms = merge(messages);
  // Each round drops at least one turn (an emptied one), so this ends; the result is a fixed
  // point: normalizing it again changes nothing.
  for (;;) {
    while (ms.length > 1 && ms[0]!.role !== 'user') ms.shift();
    if (!pairToolBlocks(ms)) return ms;
    ms = merge(ms);
  }
}

/**
 * One pass of normalize over merged turns: keeps a tool_use only when the next turn answers it
 * (and its id was not used before), a tool_result only when the turn before asked for it, and
 * puts the results first. True when a turn was left empty (so neighbours must be merged again).
 */
function pairToolBlocks(ms: WireMessage[]): boolean {
  const seen = new Set<string>();
  let emptied = false;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    // A turn without tool blocks (most of them) has nothing to pair or reorder.
    if (!hasBlock(m, m.role === 'assistant' ? 'tool_use' : 'tool_result')) continue;
    if (m.role === 'assistant') {
      const next = ms[i + 1];
      const answered = new Set(next?.role === 'user' ? next.content.flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : [])) : []);
      m.content = m.content.filter((b) => {
        if (b.type !== 'tool_use') return true;
        if (seen.has(b.id) || !answered.has(b.id)) return false;
        seen.add(b.id);
        return true;
      });
    } else {
      const prev = ms[i - 1];
      const asked = new Set(prev?.role === 'assistant' ? prev.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])) : []);
      const results: WireBlock[] = [];
      const rest: WireBlock[] = [];
      for (const b of m.content) {
        if (b.type !== 'tool_result') rest.push(b);
        else if (asked.delete(b.tool_use_id)) results.push(b); // delete: a duplicate result is dropped
      }
      m.content = [...results, ...rest];
    }
    if (m.content.length === 0) emptied = true;
  }
  return emptied;
}

/**
 * Drops the oldest turns of a normalized conversation (recordsToMessages) until the estimate fits
 * the budget; the last (current) turn always stays.
 */
export function trimToBudget(messages: WireMessage[], budgetTokens: number): { messages: WireMessage[]; dropped: number } {
  let ms = messages;
  let total = ms.reduce((n, m) => n + estimateTokens(m), 0);
  let dropped = 0;
  while (total > budgetTokens && ms.length > 1) {
    total -= estimateTokens(ms[0]!);
    ms = ms.slice(1);
    dropped++;
    // Never start on an assistant turn or on tool results whose tool_use was just dropped.
    while (ms.length > 1 && (ms[0]!.role === 'assistant' || ms[0]!.content.some((b) => b.type === 'tool_result'))) {
      total -= estimateTokens(ms[0]!);
      ms = ms.slice(1);
      dropped++;
    }
  }
  // Untouched, the conversation is still as normalize left it.
  return { messages: dropped > 0 ? normalize(ms) : ms, dropped };
}

/**
 * A record's size for the page loop: its text fields plus a fixed allowance for the rest. Cheap
 * on purpose — stringifying every record of every turn cost more than the turn's own work.
 */
function approxChars(r: TranscriptRecord): number {
  let n = 120;
  if (typeof r.text === 'string') n += r.text.length;
  if (typeof r.output === 'string') n += r.output.length;
  if (Array.isArray(r.media)) n += r.media.length * IMAGE_TOKENS * CHARS_PER_TOKEN;
  if (r.type === 'tool_call') n += JSON.stringify(r.input ?? null).length;
  return n;
}

/**
 * Reads the session backwards in pages until the records cover the budget, then rebuilds and
 * trims the conversation. The current inbound comes from `opts.current` (with its images).
 */
export async function buildHistory(
  store: AgentSessionStore,
  sessionKey: string,
  opts: HistoryOptions,
): Promise<{ messages: WireMessage[]; dropped: number; records: number }> {
  const pageSize = opts.pageSize ?? 200;
  const maxPages = opts.maxPages ?? 50;
  const records: TranscriptRecord[] = [];
  let chars = 0;
  let before: number | undefined;
  for (let page = 0; page < maxPages; page++) {
    const p = await store.history(sessionKey, { limit: pageSize, ...(before !== undefined ? { before } : {}) });
    records.unshift(...p.records);
    for (const r of p.records) chars += approxChars(r);
    // Raw JSON over-counts the content, so once it exceeds the budget we have read enough.
    if (!p.hasMore || p.records.length === 0 || chars / CHARS_PER_TOKEN > opts.budgetTokens) break;
    before = p.records[0]!.seq;
  }
  const { images, current } = await loadImages(store, records, opts);
  const all = recordsToMessages(records, { ...opts, current, images });
  const { messages, dropped } = trimToBudget(all, opts.budgetTokens);
  return { messages, dropped, records: records.length };
}

const imageBlock = (ref: MediaRef, data: Buffer): WireImage => ({
  type: 'image',
  source: { type: 'base64', media_type: ref.mimeType as ImageType, data: data.toString('base64') },
});

/**
 * Reads the stored images of the records' user messages, newest first (the current inbound's
 * first of all), within HISTORY_IMAGE_LIMITS. A file that is gone or damaged becomes a placeholder
 * line, never an error. The current inbound's images go into `current` unless the caller gave some.
 */
async function loadImages(
  store: AgentSessionStore,
  records: readonly TranscriptRecord[],
  opts: HistoryOptions,
): Promise<{ images: Map<number, RecordImages>; current: CurrentInbound }> {
  const images = new Map<number, RecordImages>();
  const withMedia = records.filter((r) => r.type === 'message' && r.role === 'user' && mediaRefsOf(r).length > 0);
  if (withMedia.length === 0) return { images, current: opts.current };
  const dir = path.join(path.dirname(store.dir), 'media');
  const cur = opts.inboundSeq;
  const ordered = [...withMedia].sort((a, b) => (a.seq === cur ? -1 : b.seq === cur ? 1 : b.seq - a.seq));
  let count = 0;
  let bytes = 0;
  for (const r of ordered) {
    // Queued messages (after the current one) are not part of this turn.
    if (cur !== undefined && r.seq > cur) continue;
    // The caller already has the current message's images in hand.
    if (r.seq === cur && opts.current.images) continue;
    const entry: RecordImages = { blocks: [], notes: [] };
    for (const ref of mediaRefsOf(r)) {
      const isCurrent = r.seq === cur;
      if (!isCurrent && (count + 1 > HISTORY_IMAGE_LIMITS.count || bytes + ref.bytes > HISTORY_IMAGE_LIMITS.bytes)) {
        entry.notes.push(IMAGE_OMITTED_NOTE);
        continue;
      }
      const data = await readMedia(dir, ref);
      if (!data) {
        entry.notes.push(IMAGE_MISSING_NOTE);
        continue;
      }
      entry.blocks.push(imageBlock(ref, data));
      count++;
      bytes += data.length;
    }
    images.set(r.seq, entry);
  }
  const mine = cur !== undefined ? images.get(cur) : undefined;
  if (!mine || opts.current.images) return { images, current: opts.current };
  const current: CurrentInbound = {
    ...opts.current,
    images: mine.blocks.map((b) => ({ mediaType: b.source.media_type, dataBase64: b.source.data })),
    ...(mine.notes.length > 0 ? { imageNotes: mine.notes } : {}),
  };
  return { images, current };
}
