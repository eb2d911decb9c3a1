// Baileys messages → InboundEnvelope, and peers back to JIDs. Pure (type-only Baileys imports, so
// the library loads lazily): LID lookups are resolved by the adapter beforehand and passed in.
// What users write in bindings and allowlists depends on these ids: DM peer = E.164, group = JID.
// checkMessage/readMessage are the adapter's map-or-quarantine boundary.
import type { WAMessage, proto } from '@whiskeysockets/baileys';
import { z } from 'zod';
import type { PeerRef } from '../../../src-shared/config/index.ts';
import type { InboundEnvelope, MediaItem } from '../../gateway/envelope.ts';
import { firstIssue, mapSafely, type MapOutcome } from '../map-boundary.ts';

/** Who this account is: its phone-number JID and LID, as Baileys reports them in `sock.user`. */
export interface SelfIds {
  pn?: string;
  lid?: string;
}

export interface MappingContext {
  accountId: string;
  self: SelfIds;
  /** LID user JID (`123@lid`) → phone-number JID, as far as the socket knows. */
  pnForLid: ReadonlyMap<string, string>;
  now?: number;
}

export type MappingResult = { envelope: InboundEnvelope; unresolvedLid?: string } | { skip: string };

const PN_SERVERS = new Set(['s.whatsapp.net', 'c.us', 'hosted']);
const LID_SERVERS = new Set(['lid', 'hosted.lid']);
// protocolMessage.type MESSAGE_EDIT (proto.Message.ProtocolMessage.Type; a runtime import would load Baileys).
const PROTOCOL_MESSAGE_EDIT = 14;

/** `user[:device][_agent]@server` → `{ user, server }` with device and agent dropped. */
export function splitJid(jid: string | null | undefined): { user: string; server: string } | undefined {
  if (!jid) return undefined;
  const at = jid.lastIndexOf('@');
  if (at <= 0) return undefined;
  const user = jid.slice(0, at).split(':')[0]!.split('_')[0]!;
  return user ? { user, server: jid.slice(at + 1) } : undefined;
}

/** The JID without device/agent parts (`1555:3@s.whatsapp.net` → `1555@s.whatsapp.net`). */
export function normalizeJid(jid: string | null | undefined): string | undefined {
  const parts = splitJid(jid);
  if (!parts) return undefined;
  return `${parts.user}@${parts.server === 'c.us' ? 's.whatsapp.net' : parts.server}`;
}

export function isLidJid(jid: string | null | undefined): boolean {
  const parts = splitJid(jid);
  return parts !== undefined && LID_SERVERS.has(parts.server);
}

export function isGroupJid(jid: string | null | undefined): boolean {
  return typeof jid === 'string' && jid.endsWith('@g.us');
}

/** `15551234567@s.whatsapp.net` → `+15551234567`; undefined for anything that is not a phone JID. */
export function jidToE164(jid: string | null | undefined): string | undefined {
  const parts = splitJid(jid);
  return parts && PN_SERVERS.has(parts.server) && /^\d{6,15}$/.test(parts.user) ? `+${parts.user}` : undefined;
}

/** Where to send for a peer id: E.164 → phone JID; a group or fallback JID is used as it is. */
export function peerToJid(peer: PeerRef): string {
  if (/^\+\d{6,15}$/.test(peer.id)) return `${peer.id.slice(1)}@s.whatsapp.net`;
  return peer.id;
}

/**
 * A person's identity: E.164 from a phone JID, from the alternate JID Baileys attaches, or from the
 * LID mapping; else the normalised LID JID itself (stable, but not yet an allowlistable number).
 */
function identityOf(
  jid: string | null | undefined,
  alt: string | null | undefined,
  ctx: MappingContext,
): { id: string; unresolvedLid?: string } | undefined {
  const direct = jidToE164(jid) ?? jidToE164(alt);
  if (direct) return { id: direct };
  const lid = isLidJid(jid) ? normalizeJid(jid) : isLidJid(alt) ? normalizeJid(alt) : undefined;
  if (!lid) return undefined;
  const mapped = jidToE164(ctx.pnForLid.get(lid));
  return mapped ? { id: mapped } : { id: lid, unresolvedLid: lid };
}

/** LID JIDs in a message whose phone number the adapter should look up before mapping. */
export function lidsToResolve(msg: WAMessage): string[] {
  const key = msg.key;
  const candidates = isGroupJid(key.remoteJid) ? [[key.participant, key.participantAlt]] : [[key.remoteJid, key.remoteJidAlt]];
  const out: string[] = [];
  for (const [jid, alt] of candidates) {
    if (jidToE164(jid) || jidToE164(alt)) continue;
    const lid = normalizeJid(isLidJid(jid) ? jid : isLidJid(alt) ? alt : undefined);
    if (lid) out.push(lid);
  }
  return out;
}

const WRAPPERS = [
  'ephemeralMessage',
  'viewOnceMessage',
  'viewOnceMessageV2',
  'viewOnceMessageV2Extension',
  'documentWithCaptionMessage',
  'groupMentionedMessage',
  'editedMessage',
] as const;

/** Strips the future-proof wrappers (disappearing, view-once, captioned document…). */
export function unwrap(message: proto.IMessage | null | undefined): proto.IMessage | undefined {
  let m = message ?? undefined;
  for (let depth = 0; m && depth < 5; depth++) {
    const inner = WRAPPERS.map((w) => m![w]?.message).find((x) => x);
    if (!inner) break;
    m = inner;
  }
  return m;
}

function seconds(value: number | null | undefined): string {
  return value ? `, ${Math.round(value)} s` : '';
}

/** Text and media placeholders of a message ("[voice note, 12 s]", "[photo]"…; docs/channels.md#images). */
function contentOf(m: proto.IMessage): { text: string; media: MediaItem[]; contextInfo?: proto.IContextInfo | null } | undefined {
  const line = (placeholder: string, caption?: string | null) => (caption ? `${placeholder}\n${caption}` : placeholder);
  const opt = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as T;
  if (m.conversation) return { text: m.conversation, media: [] };
  if (m.extendedTextMessage) return { text: m.extendedTextMessage.text ?? '', media: [], contextInfo: m.extendedTextMessage.contextInfo };
  if (m.imageMessage) {
    const i = m.imageMessage;
    return {
      text: line('[photo]', i.caption),
      media: [opt({ kind: 'image' as const, mimeType: i.mimetype ?? undefined })],
      contextInfo: i.contextInfo,
    };
  }
  if (m.audioMessage) {
    const a = m.audioMessage;
    const kind = a.ptt ? ('voice' as const) : ('audio' as const);
    return {
      text: `[${a.ptt ? 'voice note' : 'audio'}${seconds(a.seconds)}]`,
      media: [opt({ kind, mimeType: a.mimetype ?? undefined, duration: a.seconds ?? undefined })],
      contextInfo: a.contextInfo,
    };
  }
  if (m.videoMessage) {
    const v = m.videoMessage;
    return {
      text: line(`[video${seconds(v.seconds)}]`, v.caption),
      media: [opt({ kind: 'video' as const, mimeType: v.mimetype ?? undefined, duration: v.seconds ?? undefined })],
      contextInfo: v.contextInfo,
    };
  }
  if (m.stickerMessage)
    return {
      text: '[sticker]',
      media: [opt({ kind: 'sticker' as const, mimeType: m.stickerMessage.mimetype ?? undefined })],
      contextInfo: m.stickerMessage.contextInfo,
    };
  if (m.documentMessage) {
    const d = m.documentMessage;
    const name = d.fileName ?? d.title ?? 'document';
    return {
      text: line(`[file: ${name}]`, d.caption),
      media: [opt({ kind: 'file' as const, mimeType: d.mimetype ?? undefined, fileName: name })],
      contextInfo: d.contextInfo,
    };
  }
  if (m.locationMessage)
    return {
      text: `[location: ${m.locationMessage.degreesLatitude ?? '?'}, ${m.locationMessage.degreesLongitude ?? '?'}]`,
      media: [],
      contextInfo: m.locationMessage.contextInfo,
    };
  if (m.contactMessage)
    return { text: `[contact: ${m.contactMessage.displayName ?? 'unnamed'}]`, media: [], contextInfo: m.contactMessage.contextInfo };
  return undefined;
}

function timestampOf(msg: WAMessage, now: number): number {
  const t = msg.messageTimestamp;
  const secs = typeof t === 'number' ? t : t && typeof t === 'object' && 'toNumber' in t ? t.toNumber() : undefined;
  return secs ? secs * 1000 : now;
}

function mentionsSelf(contextInfo: proto.IContextInfo | null | undefined, self: SelfIds): boolean {
  const mine = new Set([normalizeJid(self.pn), normalizeJid(self.lid)].filter((j): j is string => j !== undefined));
  return (contextInfo?.mentionedJid ?? []).some((jid) => mine.has(normalizeJid(jid) ?? ''));
}

/** Maps one `messages.upsert` message; `{ skip }` says why a message is not for the gateway. */
export function toEnvelope(msg: WAMessage, ctx: MappingContext): MappingResult {
  const key = msg.key;
  const chat = key.remoteJid;
  if (!chat || !key.id) return { skip: 'no chat or id' };
  if (chat === 'status@broadcast' || chat.endsWith('@broadcast') || chat.endsWith('@newsletter'))
    return { skip: 'status, broadcast list or channel' };
  const edited = Boolean(msg.message?.editedMessage);
  let message = unwrap(msg.message);
  if (!message) return { skip: msg.messageStubType ? 'group notification' : 'no content' };

  let kind: InboundEnvelope['kind'] = 'message';
  if (message.reactionMessage) kind = 'reaction';
  else if (message.protocolMessage) {
    const p = message.protocolMessage;
    if (p.type !== PROTOCOL_MESSAGE_EDIT || !p.editedMessage) return { skip: 'protocol message' };
    kind = 'edit';
    message = unwrap(p.editedMessage);
  } else if (edited) {
    kind = 'edit';
  }
  const content =
    kind === 'reaction'
      ? {
          text: message?.reactionMessage?.text ? `[reaction: ${message.reactionMessage.text}]` : '[reaction removed]',
          media: [] as MediaItem[],
        }
      : message && contentOf(message);
  if (!content) return { skip: 'unsupported message type' };

  const group = isGroupJid(chat);
  const who = group ? identityOf(key.participant, key.participantAlt, ctx) : identityOf(chat, key.remoteJidAlt, ctx);
  if (!who) return { skip: 'unknown sender' };
  const selfE164 = jidToE164(ctx.self.pn);
  const selfLid = normalizeJid(ctx.self.lid);
  // fromMe covers messages sent from the phone or echoed back; the id check covers self-chat.
  const isSelf = key.fromMe === true || (selfE164 !== undefined && who.id === selfE164) || (selfLid !== undefined && who.id === selfLid);
  const peer: PeerRef = group ? { kind: 'group', id: normalizeJid(chat)! } : { kind: 'direct', id: who.id };
  const envelope: InboundEnvelope = {
    messageId: key.id,
    channel: 'whatsapp',
    accountId: ctx.accountId,
    peer,
    sender: { id: who.id, verified: true, ...(msg.pushName ? { name: msg.pushName } : {}), ...(isSelf ? { isSelf: true } : {}) },
    text: content.text,
    mentioned: mentionsSelf(content.contextInfo, ctx.self),
    ...(content.media.length > 0 ? { media: content.media } : {}),
    kind,
    timestamp: timestampOf(msg, ctx.now ?? Date.now()),
  };
  return who.unresolvedLid ? { envelope, unresolvedLid: who.unresolvedLid } : { envelope };
}

// The message's outer fields the adapter and the mapping read before looking inside `message`
// (whose odd shapes the mapper meets inside the boundary's try, and the envelope check catches).
const jid = z.string().nullish();
const messageShape = z.object({
  key: z.object({ remoteJid: jid, remoteJidAlt: jid, participant: jid, participantAlt: jid, id: jid, fromMe: z.boolean().nullish() }),
  // A proto.Message instance (not a plain record): any non-array object.
  message: z.custom<object>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object').nullish(),
  messageStubType: z.number().nullish(),
  pushName: z.string().nullish(),
});

/** A message the adapter can work with, or why it cannot. */
export function checkMessage(raw: unknown): { message: WAMessage } | { unreadable: string } {
  const checked = messageShape.safeParse(raw);
  return checked.success ? { message: raw as WAMessage } : { unreadable: `unreadable WhatsApp message (${firstIssue(checked.error)})` };
}

/** The boundary for one message: a checked envelope (plus an unresolved LID), `ignored` with why, or `unreadable`. */
export function readMessage(raw: unknown, ctx: MappingContext): MapOutcome | { envelope: InboundEnvelope; unresolvedLid?: string } {
  const checked = checkMessage(raw);
  if ('unreadable' in checked) return checked;
  return mapSafely(() => {
    const result = toEnvelope(checked.message, ctx);
    return 'skip' in result ? { ignored: result.skip } : result;
  });
}
