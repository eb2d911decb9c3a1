// Pure mapping of a Discord MESSAGE_CREATE payload (the wire shape, as discord.js hands it to the
// `raw` event) to the InboundEnvelope the router and access policy see. No discord.js at runtime:
// the adapter looks up what the payload lacks (channel type, thread parent, the bot's roles).
// checkMessage/readMessage are the adapter's map-or-quarantine boundary.
import { z } from 'zod';
import type { InboundEnvelope, MediaItem } from '../../gateway/envelope.ts';
import { firstIssue, mapSafely, type MapOutcome } from '../map-boundary.ts';

/** Discord channel types we distinguish (discord-api-types ChannelType values). */
export const CHANNEL_TYPE = { GuildText: 0, DM: 1, GroupDM: 3, AnnouncementThread: 10, PublicThread: 11, PrivateThread: 12 } as const;
const THREAD_TYPES: ReadonlySet<number> = new Set([CHANNEL_TYPE.AnnouncementThread, CHANNEL_TYPE.PublicThread, CHANNEL_TYPE.PrivateThread]);
/** Message types that are people talking (0 default, 19 reply); the rest are system notices. */
const CHAT_MESSAGE_TYPES: ReadonlySet<number> = new Set([0, 19]);

/** The subset of the gateway's MESSAGE_CREATE payload that the mapping reads. */
export interface DiscordRawMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  /** Sent by Discord on newer gateway versions; the adapter falls back to its channel cache. */
  channel_type?: number;
  author: { id: string; username: string; global_name?: string | null; bot?: boolean };
  member?: { roles?: string[]; nick?: string | null };
  webhook_id?: string;
  content: string;
  timestamp?: string;
  mentions?: { id: string }[];
  mention_roles?: string[];
  attachments?: { filename: string; content_type?: string; duration_secs?: number; url?: string; size?: number }[];
  type?: number;
}

export interface DiscordChannelInfo {
  type: number;
  parentId?: string | null;
}

export interface MappingContext {
  accountId: string;
  /** Our bot's user id (from READY). */
  botUserId: string;
  /** The bot's own role ids in this message's guild (a mention of one of them mentions the bot). */
  botRoleIds?: readonly string[];
  /** What the adapter knows about the message's channel (type, thread parent). */
  channel?: DiscordChannelInfo;
}

function mediaOf(attachments: DiscordRawMessage['attachments']): MediaItem[] {
  return (attachments ?? []).map((a) => {
    const mime = a.content_type ?? '';
    const kind: MediaItem['kind'] = mime.startsWith('image/')
      ? 'image'
      : mime.startsWith('audio/')
        ? a.duration_secs !== undefined
          ? 'voice'
          : 'audio'
        : mime.startsWith('video/')
          ? 'video'
          : 'file';
    return {
      kind,
      fileName: a.filename,
      ...(mime ? { mimeType: mime } : {}),
      ...(a.duration_secs !== undefined ? { duration: a.duration_secs } : {}),
    };
  });
}

/**
 * The envelope for one message, or undefined for messages nobody should answer (system notices,
 * empty messages — e.g. guild messages delivered without the Message Content intent).
 */
export function toEnvelope(msg: DiscordRawMessage, ctx: MappingContext): InboundEnvelope | undefined {
  if (msg.type !== undefined && !CHAT_MESSAGE_TYPES.has(msg.type)) return undefined;
  const media = mediaOf(msg.attachments);
  if (msg.content.trim() === '' && media.length === 0) return undefined;

  const channelType = ctx.channel?.type ?? msg.channel_type;
  let peer: InboundEnvelope['peer'];
  let parentPeer: InboundEnvelope['parentPeer'];
  if (msg.guild_id !== undefined) {
    // Guild text channels and threads are both `channel` peers; a thread carries its parent so
    // that bindings and guild channel settings written for the parent apply to it.
    peer = { kind: 'channel', id: msg.channel_id };
    const parent = ctx.channel?.parentId;
    if (channelType !== undefined && THREAD_TYPES.has(channelType) && parent) parentPeer = { kind: 'channel', id: parent };
  } else if (channelType === CHANNEL_TYPE.GroupDM) {
    peer = { kind: 'group', id: msg.channel_id };
  } else {
    peer = { kind: 'direct', id: msg.author.id };
  }

  const botRoles = new Set(ctx.botRoleIds ?? []);
  // @everyone/@here are not counted: they would wake every bot in the server at once.
  const mentioned = (msg.mentions ?? []).some((u) => u.id === ctx.botUserId) || (msg.mention_roles ?? []).some((r) => botRoles.has(r));
  const name = msg.member?.nick ?? msg.author.global_name ?? msg.author.username;
  const isSelf = msg.author.id === ctx.botUserId;
  const parsed = msg.timestamp ? Date.parse(msg.timestamp) : NaN;

  return {
    messageId: msg.id,
    channel: 'discord',
    accountId: ctx.accountId,
    peer,
    ...(parentPeer ? { parentPeer } : {}),
    ...(msg.guild_id !== undefined ? { guildId: msg.guild_id, memberRoleIds: [...(msg.member?.roles ?? [])] } : {}),
    sender: {
      id: msg.author.id,
      name,
      username: msg.author.username,
      // Discord authenticates every author; webhooks post as pseudo-users and count as bots.
      verified: true,
      ...(msg.author.bot === true || msg.webhook_id !== undefined ? { isBot: true } : {}),
      ...(isSelf ? { isSelf: true } : {}),
    },
    text: msg.content,
    mentioned,
    ...(media.length > 0 ? { media } : {}),
    kind: 'message',
    timestamp: Number.isFinite(parsed) ? parsed : Date.now(),
  };
}

// The fields read above and by the adapter, with the types they assume (others pass unchecked).
const id = z.string().min(1);
const messageShape = z.object({
  id,
  channel_id: id,
  guild_id: id.optional(),
  channel_type: z.number().optional(),
  author: z.object({ id, username: z.string(), global_name: z.string().nullish(), bot: z.boolean().optional() }),
  member: z.object({ roles: z.array(z.string()).optional(), nick: z.string().nullish() }).optional(),
  webhook_id: z.string().optional(),
  content: z.string(),
  timestamp: z.string().optional(),
  mentions: z.array(z.object({ id: z.string() })).optional(),
  mention_roles: z.array(z.string()).optional(),
  attachments: z
    .array(
      z.object({
        filename: z.string(),
        content_type: z.string().optional(),
        duration_secs: z.number().optional(),
        url: z.string().optional(),
        size: z.number().optional(),
      }),
    )
    .optional(),
  type: z.number().optional(),
});

/** A MESSAGE_CREATE payload the adapter can work with, or why it cannot. */
export function checkMessage(raw: unknown): { message: DiscordRawMessage } | { unreadable: string } {
  const checked = messageShape.safeParse(raw);
  return checked.success
    ? { message: raw as DiscordRawMessage }
    : { unreadable: `unreadable Discord message (${firstIssue(checked.error)})` };
}

/** The boundary for one raw payload: a checked envelope, `ignored` (system notice, empty) or `unreadable`. */
export function readMessage(raw: unknown, ctx: MappingContext): MapOutcome {
  const checked = checkMessage(raw);
  if ('unreadable' in checked) return checked;
  return mapSafely(() => {
    const envelope = toEnvelope(checked.message, ctx);
    return envelope ? { envelope } : { ignored: 'a system notice or an empty message' };
  });
}
