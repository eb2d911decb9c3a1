// Telegram update → InboundEnvelope, pure (no grammy at run time, only its types): the peer ids
// users write in bindings, who the sender is and whether Telegram vouches for them, mentions, and
// media as short placeholder lines (docs/channels.md#images). Also the reverse: a peer id → chat + topic.
// readUpdate is the adapter's boundary: it checks the fields read here before mapping.
import type { Message, MessageEntity, Update, User } from 'grammy/types';
import { z } from 'zod';
import type { PeerRef } from '../../../src-shared/config/index.ts';
import type { InboundEnvelope, MediaItem, SenderInfo } from '../../gateway/envelope.ts';
import { firstIssue, mapSafely, type MapOutcome } from '../map-boundary.ts';

export interface BotIdentity {
  accountId: string;
  /** The bot's own user id and username, from getMe. */
  id: number;
  username: string;
}

/** The updates the adapter asks for; everything else is ignored. */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'channel_post', 'edited_channel_post'] as const;

const TOPIC_MARK = ':topic:';

/** Where to send for a peer: `<chatId>:topic:<threadId>` carries the forum topic. */
export function chatTarget(peer: PeerRef): { chatId: string; threadId?: number } {
  const at = peer.id.indexOf(TOPIC_MARK);
  if (at === -1) return { chatId: peer.id };
  const threadId = Number(peer.id.slice(at + TOPIC_MARK.length));
  return Number.isSafeInteger(threadId) ? { chatId: peer.id.slice(0, at), threadId } : { chatId: peer.id.slice(0, at) };
}

/** The envelope's messageId is `<chatId>:<messageId>`, since Telegram message ids are per chat. */
export function telegramMessageId(envelopeMessageId: string): number | undefined {
  const n = Number(envelopeMessageId.split(':')[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function displayName(user: Pick<User, 'first_name' | 'last_name'>): string {
  return [user.first_name, user.last_name].filter(Boolean).join(' ');
}

function conversation(m: Message): { peer: PeerRef; parentPeer?: PeerRef } {
  const chatId = String(m.chat.id);
  switch (m.chat.type) {
    case 'private':
      // A DM's peer is the person (their user id), which equals the private chat's id.
      return { peer: { kind: 'direct', id: m.from ? String(m.from.id) : chatId } };
    case 'channel':
      return { peer: { kind: 'channel', id: chatId } };
    default:
      // Only real forum topics get their own peer; in ordinary supergroups message_thread_id
      // marks a reply thread, which is not a separate conversation.
      if (m.chat.is_forum && m.is_topic_message && m.message_thread_id !== undefined) {
        return { peer: { kind: 'group', id: `${chatId}${TOPIC_MARK}${m.message_thread_id}` }, parentPeer: { kind: 'group', id: chatId } };
      }
      return { peer: { kind: 'group', id: chatId } };
  }
}

function sender(m: Message, bot: BotIdentity): SenderInfo {
  if (m.sender_chat) {
    // Anonymous admins (sender_chat = the group), channel posts and linked-channel forwards:
    // no person is identified, so the id is the chat's and never counts as an allowlisted user.
    return { id: String(m.sender_chat.id), ...(m.sender_chat.title ? { name: m.sender_chat.title } : {}), verified: false };
  }
  if (!m.from) return { id: String(m.chat.id), verified: false };
  return {
    id: String(m.from.id),
    name: displayName(m.from),
    ...(m.from.username ? { username: m.from.username } : {}),
    ...(m.from.is_bot ? { isBot: true } : {}),
    ...(m.from.id === bot.id ? { isSelf: true } : {}),
    // Text written through an inline bot or forwarded from elsewhere is not the sender's own words.
    verified: m.via_bot === undefined && m.forward_origin === undefined,
  };
}

function entityText(text: string, e: MessageEntity): string {
  return text.slice(e.offset, e.offset + e.length);
}

function isMentioned(m: Message, bot: BotIdentity): boolean {
  if (m.reply_to_message?.from?.id === bot.id) return true;
  const handle = `@${bot.username}`.toLowerCase();
  const text = m.text ?? m.caption ?? '';
  for (const e of m.entities ?? m.caption_entities ?? []) {
    if (e.type === 'mention' && entityText(text, e).toLowerCase() === handle) return true;
    if (e.type === 'text_mention' && e.user.id === bot.id) return true;
    if (e.type === 'bot_command' && entityText(text, e).toLowerCase().endsWith(handle)) return true;
  }
  return false;
}

const seconds = (n: number | undefined): string => (n !== undefined ? `, ${n} s` : '');

/** Media as placeholder lines plus MediaItems; the adapter downloads the photo afterwards. */
function media(m: Message): { lines: string[]; items: MediaItem[] } {
  const lines: string[] = [];
  const items: MediaItem[] = [];
  if (m.photo) {
    lines.push('[photo]');
    items.push({ kind: 'image', mimeType: 'image/jpeg' });
  }
  if (m.voice) {
    lines.push(`[voice note${seconds(m.voice.duration)}]`);
    items.push({ kind: 'voice', duration: m.voice.duration, ...(m.voice.mime_type ? { mimeType: m.voice.mime_type } : {}) });
  }
  if (m.audio) {
    lines.push(`[audio${m.audio.title ? `: ${m.audio.title}` : ''}${seconds(m.audio.duration)}]`);
    items.push({ kind: 'audio', duration: m.audio.duration, ...(m.audio.mime_type ? { mimeType: m.audio.mime_type } : {}) });
  }
  if (m.video || m.video_note) {
    const duration = m.video?.duration ?? m.video_note?.duration;
    lines.push(`[${m.video ? 'video' : 'video note'}${seconds(duration)}]`);
    items.push({ kind: 'video', ...(duration !== undefined ? { duration } : {}) });
  }
  if (m.animation) {
    lines.push('[GIF]');
    items.push({ kind: 'video', ...(m.animation.mime_type ? { mimeType: m.animation.mime_type } : {}) });
  } else if (m.document) {
    // An animation also carries `document` for backward compatibility; it was handled above.
    const name = m.document.file_name;
    lines.push(name ? `[file: ${name}]` : '[file]');
    items.push({ kind: 'file', ...(name ? { fileName: name } : {}), ...(m.document.mime_type ? { mimeType: m.document.mime_type } : {}) });
  }
  if (m.sticker) {
    lines.push(m.sticker.emoji ? `[sticker ${m.sticker.emoji}]` : '[sticker]');
    items.push({ kind: 'sticker' });
  }
  return { lines, items };
}

// The fields the mapping and the adapter read, with the types they assume. Telegram adds fields
// all the time: unknown ones are let through; only a read field of the wrong shape is refused.
const int = z.number().int();
const userShape = z.object({
  id: int,
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  is_bot: z.boolean().optional(),
});
const entityShape = z
  .object({ type: z.string(), offset: int, length: int, user: z.object({ id: int }).optional() })
  .refine((e) => e.type !== 'text_mention' || e.user !== undefined, { message: 'a text_mention entity without user', path: ['user'] });
const duration = z.object({ duration: z.number(), mime_type: z.string().optional() });
const messageShape = z.object({
  message_id: int,
  date: z.number(),
  edit_date: z.number().optional(),
  chat: z.object({ id: int, type: z.string(), is_forum: z.boolean().optional() }),
  from: userShape.optional(),
  sender_chat: z.object({ id: int, title: z.string().optional() }).optional(),
  is_topic_message: z.boolean().optional(),
  message_thread_id: int.optional(),
  reply_to_message: z.object({ from: z.object({ id: int }).optional() }).optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(entityShape).optional(),
  caption_entities: z.array(entityShape).optional(),
  photo: z.array(z.object({ file_id: z.string(), width: z.number(), height: z.number(), file_size: z.number().optional() })).optional(),
  voice: duration.optional(),
  audio: duration.extend({ title: z.string().optional() }).optional(),
  video: duration.optional(),
  video_note: duration.optional(),
  animation: z.object({ mime_type: z.string().optional() }).optional(),
  document: z.object({ file_name: z.string().optional(), mime_type: z.string().optional() }).optional(),
  sticker: z.object({ emoji: z.string().optional() }).optional(),
});
const updateShape = z.object({
  update_id: int,
  message: messageShape.optional(),
  edited_message: messageShape.optional(),
  channel_post: messageShape.optional(),
  edited_channel_post: messageShape.optional(),
});

/**
 * The adapter's map-or-quarantine boundary for one raw update: an envelope, `ignored` for an
 * update that carries no conversation message, or `unreadable` naming the field that is wrong.
 */
export function readUpdate(raw: unknown, bot: BotIdentity): MapOutcome {
  const checked = updateShape.safeParse(raw);
  if (!checked.success) return { unreadable: `unreadable Telegram update (${firstIssue(checked.error)})` };
  return mapSafely(() => {
    const envelope = updateToEnvelope(raw as Update, bot);
    return envelope ? { envelope } : { ignored: 'no conversation message in the update' };
  });
}

/** The envelope for one update, or undefined for updates that carry no conversation message. */
export function updateToEnvelope(update: Update, bot: BotIdentity): InboundEnvelope | undefined {
  const edited = update.edited_message ?? update.edited_channel_post;
  const m: Message | undefined = update.message ?? update.channel_post ?? edited;
  if (!m) return undefined;
  const { lines, items } = media(m);
  const body = m.text ?? m.caption ?? '';
  const text = [...lines, ...(body ? [body] : [])].join('\n');
  const where = conversation(m);
  return {
    messageId: edited ? `${m.chat.id}:${m.message_id}:edit:${m.edit_date ?? 0}` : `${m.chat.id}:${m.message_id}`,
    channel: 'telegram',
    accountId: bot.accountId,
    peer: where.peer,
    ...(where.parentPeer ? { parentPeer: where.parentPeer } : {}),
    sender: sender(m, bot),
    text,
    mentioned: isMentioned(m, bot),
    ...(items.length > 0 ? { media: items } : {}),
    kind: edited ? 'edit' : 'message',
    timestamp: (edited ? (m.edit_date ?? m.date) : m.date) * 1000,
  };
}
