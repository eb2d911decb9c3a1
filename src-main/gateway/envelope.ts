// What every channel adapter hands the gateway (InboundEnvelope) and takes back (OutboundMessage),
// and the ChannelAdapter interface itself. Telegram, Discord, WhatsApp and webchat all speak it.
import type { ChannelId, PeerRef } from '../../src-shared/config/index.ts';

export interface SenderInfo {
  /** Channel-native sender id: Telegram user id, Discord user id, WhatsApp E.164, webchat `operator`. */
  id: string;
  name?: string;
  username?: string;
  isBot?: boolean;
  /** The message came from this account itself (WhatsApp self-chat echo, our own bot). */
  isSelf?: boolean;
  /**
   * False when the platform cannot vouch that `id` wrote the message (Telegram anonymous admins,
   * channel posts, via_bot, forwards): such a sender never counts as allowlisted.
   */
  verified: boolean;
}

export type MediaKind = 'image' | 'voice' | 'audio' | 'video' | 'file' | 'sticker';

export interface MediaItem {
  kind: MediaKind;
  mimeType?: string;
  /** Seconds, for voice/audio/video. */
  duration?: number;
  fileName?: string;
  /**
   * Image bytes the adapter downloaded (size-capped, a sniffed JPEG/PNG/GIF/WebP: `mimeType` is then
   * the sniffed type). The gateway stores them under the routed agent's media folder before the
   * inbound record is written; they never reach the transcript or an event themselves.
   */
  data?: Buffer;
  /** Why an image was not passed on (`too large: 12 MB`); the text's placeholder line says it too. */
  note?: string;
}

export interface InboundEnvelope {
  /**
   * Work the adapter defers until the gateway has let the sender in (downloading images): a
   * stranger's photos are never fetched. Returns the envelope to use from then on (without `prepare`).
   */
  prepare?: () => Promise<InboundEnvelope>;
  /** Adapter-unique id, for de-duplication and for replies. */
  messageId: string;
  channel: ChannelId;
  accountId: string;
  /** The conversation: a direct peer is the sender; a group/channel peer is the chat. */
  peer: PeerRef;
  parentPeer?: PeerRef;
  guildId?: string;
  memberRoleIds?: string[];
  teamId?: string;
  sender: SenderInfo;
  text: string;
  /** The platform says this account was mentioned (entity, mentioned JID list, reply to the bot). */
  mentioned: boolean;
  media?: MediaItem[];
  /** Edits and reactions are recorded, not answered. */
  kind?: 'message' | 'edit' | 'reaction';
  timestamp: number;
}

export interface OutboundMessage {
  channel: ChannelId;
  accountId: string;
  /** Where to send: the conversation peer of the inbound message. */
  peer: PeerRef;
  text: string;
  replyToMessageId?: string;
}

export type ChannelState = 'stopped' | 'connecting' | 'connected' | 'linking' | 'error';

export interface ChannelStatus {
  channel: ChannelId;
  accountId: string;
  state: ChannelState;
  /** Why it stopped or failed, in words a user can act on. */
  reason?: string;
  lastError?: string;
  lastMessageAt?: number;
  /** Updates/events the adapter could not read: kept in <stateDir>/quarantine/<channel>/<account>.jsonl and skipped. */
  unreadable?: number;
}

export interface ChannelAdapter {
  readonly channel: ChannelId;
  readonly accountId: string;
  /**
   * Starts the connection. `sink` resolves once the gateway holds the message durably (or has
   * deliberately dropped it): only then may an adapter confirm it to the platform (e.g. advance
   * a Telegram getUpdates offset), so nothing acknowledged is lost in a crash.
   * `onStatusChange` is called whenever what status() returns may have changed (state, reason,
   * last error, last message): the gateway reports statuses on that, never by polling them.
   */
  start(sink: (envelope: InboundEnvelope) => Promise<void>, onStatusChange?: () => void): Promise<void>;
  stop(): Promise<void>;
  send(message: OutboundMessage): Promise<void>;
  /** Typing indicator while a turn runs; optional. */
  setTyping?(peer: PeerRef, on: boolean): Promise<void>;
  status(): ChannelStatus;
  /** Checks the credentials against the platform (Telegram getMe, Discord users/@me). */
  probe?(): Promise<ProbeResult>;
}

export interface ProbeResult {
  ok: boolean;
  /** The account's identity on the platform (bot username, user id) when ok. */
  identity?: string;
  /** The bot the token signs in as, for the dashboard's "Add account" (display name, handle). */
  bot?: { id: string; name: string; username?: string };
  /** Which fix applies, when not ok: a rejected token, a missing Discord intent, an unreachable API. */
  problem?: 'token_rejected' | 'missing_intent' | 'unreachable' | 'other';
  /** What failed, in words a user can act on, when not ok. */
  error?: string;
}
