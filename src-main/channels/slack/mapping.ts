// Slack Events API payload (a Socket Mode `events_api` envelope's payload) → InboundEnvelope, pure:
// the team the router's teamId tier reads, the peer (a thread is `<channel>:thread:<ts>` with its
// channel as parentPeer), who wrote it, and whether the app was mentioned. Also the reverse: a peer
// id → channel + thread. readEvent is the adapter's map-or-quarantine boundary.
import { z } from 'zod';
import type { PeerRef } from '../../../src-shared/config/index.ts';
import type { MediaItem } from '../../gateway/envelope.ts';
import { firstIssue, mapSafely, type MapOutcome } from '../map-boundary.ts';

export interface SlackIdentity {
  accountId: string;
  /** The bot user's member id (auth.test `user_id`): `<@id>` in a text mentions the app. */
  botUserId: string;
  /** The bot's id (auth.test `bot_id`): our own posts carry it. */
  botId?: string;
}

/** The event types the adapter reads; every other event is acknowledged and ignored. */
export const READ_EVENTS: ReadonlySet<string> = new Set(['message', 'app_mention']);
/** Message subtypes that are someone talking; the rest (edits, joins, topic changes) are ignored. */
const TALK_SUBTYPES: ReadonlySet<string> = new Set(['file_share', 'thread_broadcast', 'me_message', 'bot_message']);

const THREAD_MARK = ':thread:';

/** Where to send for a peer: `<channel>:thread:<thread_ts>` carries the thread. */
export function slackTarget(peer: PeerRef): { channel: string; threadTs?: string } {
  const at = peer.id.indexOf(THREAD_MARK);
  if (at === -1) return { channel: peer.id };
  return { channel: peer.id.slice(0, at), threadTs: peer.id.slice(at + THREAD_MARK.length) };
}

/** The envelope's messageId is `<channel>:<ts>`: a ts is unique within its channel only. */
export function slackMessageId(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

// The fields read below, with the types they assume (others pass unchecked).
const id = z.string().min(1);
const ts = z.string().regex(/^\d{1,12}(\.\d{1,9})?$/, 'not a Slack timestamp');
const eventShape = z.object({
  type: z.string(),
  channel: id,
  ts,
  thread_ts: ts.optional(),
  user: id.optional(),
  bot_id: id.optional(),
  username: z.string().optional(),
  text: z.string().optional(),
  subtype: z.string().optional(),
  channel_type: z.string().optional(),
  team: z.string().optional(),
  user_profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).optional(),
  files: z.array(z.object({ name: z.string().nullish(), mimetype: z.string().optional() })).optional(),
});
const payloadShape = z.object({ team_id: z.string().optional(), event: z.object({ type: z.string() }) });

export type SlackEvent = z.infer<typeof eventShape>;
export interface SlackPayload {
  team_id?: string;
  event: SlackEvent;
}

function mediaOf(files: SlackEvent['files']): MediaItem[] {
  return (files ?? []).map((f) => {
    const mime = f.mimetype ?? '';
    const kind: MediaItem['kind'] = mime.startsWith('image/')
      ? 'image'
      : mime.startsWith('audio/')
        ? 'audio'
        : mime.startsWith('video/')
          ? 'video'
          : 'file';
    return { kind, ...(f.name ? { fileName: f.name } : {}), ...(mime ? { mimeType: mime } : {}) };
  });
}

/** The conversation: DMs by sender, group DMs and channels by id, a thread under its channel. */
function peersOf(e: SlackEvent, senderId: string): { peer: PeerRef; parentPeer?: PeerRef } {
  // app_mention carries no channel_type; its channel id's first letter says (D = DM, G = group DM or legacy private).
  const type = e.channel_type ?? (e.channel.startsWith('D') ? 'im' : 'channel');
  if (type === 'im') return { peer: { kind: 'direct', id: senderId } };
  const kind = type === 'mpim' ? 'group' : 'channel';
  // A reply in a thread (thread_ts differs from its own ts) is its own conversation that
  // inherits the channel's binding and group settings through parentPeer.
  if (e.thread_ts !== undefined && e.thread_ts !== e.ts) {
    return { peer: { kind, id: `${e.channel}${THREAD_MARK}${e.thread_ts}` }, parentPeer: { kind, id: e.channel } };
  }
  return { peer: { kind, id: e.channel } };
}

/** `<@U123>` or `<@U123|name>`: Slack's markup for a mention of that member. */
function mentions(text: string, userId: string): boolean {
  return userId !== '' && (text.includes(`<@${userId}>`) || text.includes(`<@${userId}|`));
}

/** The envelope for one event, `ignored` for events nobody should answer, `unreadable` when it lacks a sender. */
export function toEnvelope(payload: SlackPayload, ctx: SlackIdentity): MapOutcome {
  const e = payload.event;
  if (!READ_EVENTS.has(e.type)) return { ignored: `a ${e.type} event` };
  if (e.subtype !== undefined && !TALK_SUBTYPES.has(e.subtype)) return { ignored: `a ${e.subtype} message` };
  const text = e.text ?? '';
  const media = mediaOf(e.files);
  if (text.trim() === '' && media.length === 0) return { ignored: 'an empty message' };
  const senderId = e.user ?? e.bot_id;
  if (senderId === undefined) return { unreadable: 'unreadable Slack event (event.user: missing, and no bot_id)' };

  const isBot = e.bot_id !== undefined || e.subtype === 'bot_message';
  const isSelf = (e.user !== undefined && e.user === ctx.botUserId) || (ctx.botId !== undefined && e.bot_id === ctx.botId);
  const name = e.user_profile?.display_name || e.user_profile?.real_name || e.username;
  const teamId = payload.team_id || e.team;
  const seconds = Number(e.ts);
  return {
    envelope: {
      messageId: slackMessageId(e.channel, e.ts),
      channel: 'slack',
      accountId: ctx.accountId,
      ...peersOf(e, senderId),
      ...(teamId ? { teamId } : {}),
      sender: {
        id: senderId,
        ...(name ? { name } : {}),
        // Slack authenticates every author of a message event.
        verified: true,
        ...(isBot ? { isBot: true } : {}),
        ...(isSelf ? { isSelf: true } : {}),
      },
      text,
      mentioned: e.type === 'app_mention' || mentions(text, ctx.botUserId),
      ...(media.length > 0 ? { media } : {}),
      kind: 'message',
      timestamp: Number.isFinite(seconds) ? Math.round(seconds * 1000) : Date.now(),
    },
  };
}

/** An events_api payload the adapter can work with (its event's type read), or why it cannot. */
export function checkPayload(raw: unknown): { payload: SlackPayload } | { unreadable: string } {
  const outer = payloadShape.safeParse(raw);
  if (!outer.success) return { unreadable: `unreadable Slack event (${firstIssue(outer.error)})` };
  // Events we do not read (reactions, channel renames) are not checked against the message shape.
  if (!READ_EVENTS.has(outer.data.event.type)) return { payload: raw as SlackPayload };
  // The raw event, not outer.data's (zod strips the keys it was not told about).
  const event = eventShape.safeParse((raw as { event: unknown }).event);
  return event.success ? { payload: raw as SlackPayload } : { unreadable: `unreadable Slack event (event.${firstIssue(event.error)})` };
}

/** The boundary for one raw payload: a checked envelope, `ignored` or `unreadable`. */
export function readEvent(raw: unknown, ctx: SlackIdentity): MapOutcome {
  const checked = checkPayload(raw);
  if ('unreadable' in checked) return checked;
  return mapSafely(() => toEnvelope(checked.payload, ctx));
}
