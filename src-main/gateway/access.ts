// Who may reach an agent at all: sender access (dmPolicy / groupPolicy, allowlists, DM pairing),
// applied to every inbound envelope before routing, and the per-agent mention gate for groups,
// applied after routing. Pure decisions; the only state is the PairingStore.
import type { AgentConfig, ChannelAccount, GroupEntry } from '../../src-shared/config/index.ts';
import type { InboundEnvelope } from './envelope.ts';
import type { PairingStore } from './pairing.ts';

export type DropReason =
  | 'dm_disabled'
  | 'not_allowlisted'
  | 'pairing_pending'
  | 'pairing_limit'
  | 'group_disabled'
  | 'group_not_allowlisted'
  | 'sender_not_allowlisted'
  | 'self'
  | 'bot'
  | 'unverified_sender'
  | 'no_mention';

export type AccessDecision = { allowed: true } | { allowed: false; reason: DropReason; reply?: string };

const ALLOWED: AccessDecision = { allowed: true };

function drop(reason: DropReason, reply?: string): AccessDecision {
  return reply === undefined ? { allowed: false, reason } : { allowed: false, reason, reply };
}

/** Config lists may hold numbers (unquoted ids in JSON5); ids compare exactly after trimming. */
function listed(list: readonly unknown[] | undefined, id: string): boolean {
  const wanted = id.trim();
  return (list ?? []).some((entry) => String(entry).trim() === wanted);
}

function hasWildcard(list: readonly unknown[] | undefined): boolean {
  return (list ?? []).some((entry) => String(entry).trim() === '*');
}

function pairingReply(channel: string, account: string, senderId: string, code: string): string {
  return [
    `Hi! This assistant only talks to people its owner has approved.`,
    `Your pairing code: ${code} (your id: ${senderId}). It expires in 1 hour.`,
    `The owner can approve it in the Switchboard dashboard or with:`,
    `switchboard pairing approve ${channel} ${code} --account ${account}`,
  ].join('\n');
}

const LIMIT_REPLY = 'The owner of this assistant has too many pending pairing requests right now. Please try again later.';

/** Sender access for one inbound envelope. `now` defaults to the pairing store's clock. */
export async function checkSenderAccess(
  envelope: InboundEnvelope,
  account: ChannelAccount,
  pairing: PairingStore,
  now?: number,
): Promise<AccessDecision> {
  const { sender } = envelope;
  // Our own echoes and other bots never start a turn (loops between bots are the classic failure).
  if (sender.isSelf) return drop('self');
  if (sender.isBot) return drop('bot');
  return envelope.peer.kind === 'direct' ? dmAccess(envelope, account, pairing, now) : groupAccess(envelope, account);
}

async function dmAccess(envelope: InboundEnvelope, account: ChannelAccount, pairing: PairingStore, now?: number): Promise<AccessDecision> {
  const { sender } = envelope;
  if (account.dmPolicy === 'disabled') return drop('dm_disabled');
  if (account.dmPolicy === 'open') return ALLOWED;
  // "*" admits everyone whoever they are, so it does not depend on the platform vouching for the id.
  if (hasWildcard(account.allowFrom)) return ALLOWED;
  // An id the platform cannot vouch for never matches an allowlist or an approval, and gets no
  // pairing code either (the code would be bound to an id anyone could claim).
  if (!sender.verified) return drop('unverified_sender');
  if (listed(account.allowFrom, sender.id)) return ALLOWED;
  if (account.dmPolicy === 'allowlist') return drop('not_allowlisted');

  const channel = account.channel;
  if (await pairing.isApproved(channel, account.accountId, sender.id, now)) return ALLOWED;
  const request = await pairing.requestCode(
    channel,
    account.accountId,
    { id: sender.id, ...(sender.name ? { name: sender.name } : {}) },
    now,
  );
  if (request.limited) return drop('pairing_limit', request.notify ? LIMIT_REPLY : undefined);
  if (request.notify && request.code !== undefined) {
    return drop('pairing_pending', pairingReply(channel, account.accountId, sender.id.trim(), request.code));
  }
  return drop('pairing_pending');
}

interface DiscordGuild {
  channels?: Record<string, { allow?: boolean; requireMention?: boolean }>;
  requireMention?: boolean;
  users?: unknown[];
  roles?: unknown[];
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function own<T>(map: Record<string, T> | undefined, key: string | undefined): T | undefined {
  return map !== undefined && key !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}

/** The conversation id first, then (threads, topics) its parent. */
function groupIds(envelope: InboundEnvelope): string[] {
  return envelope.parentPeer ? [envelope.peer.id, envelope.parentPeer.id] : [envelope.peer.id];
}

interface GroupMatch {
  /** `groups[<id>]` or `groups[<parent>]`, the first present. */
  specific?: GroupEntry;
  wildcard?: GroupEntry;
  /** Discord only: `settings.guilds[<guildId>]`, else `settings.guilds["*"]`. */
  guild?: DiscordGuild;
  guildIsWildcard: boolean;
  /** Discord only: the guild's `channels[<id>]`, `channels[<parent>]`, else `channels["*"]`. */
  discordChannel?: { allow?: boolean; requireMention?: boolean };
  discordChannelIsWildcard: boolean;
}

function matchGroup(envelope: InboundEnvelope, account: ChannelAccount): GroupMatch {
  const ids = groupIds(envelope);
  const groups = account.groups;
  const specificKey = ids.find((id) => own(groups, id) !== undefined);
  const specific = own(groups, specificKey);
  const wildcard = own(groups, '*');
  const match: GroupMatch = {
    ...(specific !== undefined ? { specific } : {}),
    ...(wildcard !== undefined ? { wildcard } : {}),
    guildIsWildcard: false,
    discordChannelIsWildcard: false,
  };
  if (envelope.channel !== 'discord' || envelope.guildId === undefined) return match;
  const guilds = asRecord(account.settings.guilds);
  const exactGuild = asRecord(own(guilds, envelope.guildId));
  const guild = exactGuild ?? asRecord(own(guilds, '*'));
  if (guild === undefined) return match;
  match.guild = guild as DiscordGuild;
  match.guildIsWildcard = exactGuild === undefined;
  const channels = asRecord(guild.channels) as DiscordGuild['channels'];
  const channelKey = ids.find((id) => own(channels, id) !== undefined);
  const channel = own(channels, channelKey ?? '*');
  if (channel !== undefined) {
    match.discordChannel = channel;
    match.discordChannelIsWildcard = channelKey === undefined;
  }
  return match;
}

/**
 * Whether the conversation itself is allowlisted. Entries naming this conversation (or its
 * parent, or its Discord guild) beat wildcards; among entries of the same strength an explicit
 * `allow: false` wins.
 */
function groupListed(m: GroupMatch): boolean {
  const specific: boolean[] = [];
  const wildcard: boolean[] = [];
  if (m.specific) specific.push(m.specific.allow !== false);
  if (m.wildcard) wildcard.push(m.wildcard.allow !== false);
  if (m.discordChannel) {
    // Discord channel ids are global, so a channel named under the "*" guild is still specific.
    (m.discordChannelIsWildcard ? wildcard : specific).push(m.discordChannel.allow !== false);
  } else if (m.guild && m.guild.channels === undefined) {
    // A Discord guild entry without a `channels` map admits all of the guild's channels.
    (m.guildIsWildcard ? wildcard : specific).push(true);
  }
  const decisive = specific.length > 0 ? specific : wildcard;
  return decisive.length > 0 && decisive.every(Boolean);
}

function senderRestrictionsPass(envelope: InboundEnvelope, account: ChannelAccount, m: GroupMatch): AccessDecision {
  const { sender } = envelope;
  // A group's own list overrides the account-wide groupAllowFrom; an empty list restricts nobody.
  const entryList = m.specific?.allowFrom ?? m.wildcard?.allowFrom;
  const list = entryList !== undefined && entryList.length > 0 ? entryList : account.groupAllowFrom;
  const checks: ((id: string) => boolean)[] = [];
  if (list.length > 0 && !hasWildcard(list)) checks.push((id) => listed(list, id));
  const users = Array.isArray(m.guild?.users) ? m.guild.users : [];
  const roles = Array.isArray(m.guild?.roles) ? m.guild.roles : [];
  if ((users.length > 0 || roles.length > 0) && !hasWildcard(users)) {
    // Discord guild: the sender is one of `users` or holds one of `roles`.
    checks.push((id) => listed(users, id) || (envelope.memberRoleIds ?? []).some((r) => listed(roles, r)));
  }
  if (checks.length === 0) return ALLOWED;
  if (!sender.verified) return drop('unverified_sender');
  return checks.every((check) => check(sender.id)) ? ALLOWED : drop('sender_not_allowlisted');
}

function groupAccess(envelope: InboundEnvelope, account: ChannelAccount): AccessDecision {
  if (account.groupPolicy === 'disabled') return drop('group_disabled');
  const match = matchGroup(envelope, account);
  // `open` admits every group, except one the owner explicitly switched off.
  if (account.groupPolicy === 'open') return match.specific?.allow === false ? drop('group_not_allowlisted') : ALLOWED;
  if (!groupListed(match)) return drop('group_not_allowlisted');
  // Note: the DM pairing store is never consulted here: pairing never grants group access.
  return senderRestrictionsPass(envelope, account, match);
}

/** Longer patterns are ignored: a mention is a name, not a paragraph. */
const MAX_PATTERN_LENGTH = 200;
/** Only the start of a very long message is searched for a mention pattern. */
const MAX_SCAN_LENGTH = 16_384;
const WORD_BEFORE = /[\p{L}\p{N}_]$/u;
const WORD_AFTER = /^[\p{L}\p{N}_]/u;

/**
 * Literal, case-insensitive search with word-ish boundaries (no letter, digit or `_` right before
 * or after). No regex is ever built from the pattern, so metacharacters stay literal and no
 * pattern can be catastrophic.
 */
export function matchesMentionPattern(text: string, pattern: string): boolean {
  const needle = pattern.trim().toLowerCase();
  if (needle.length === 0 || needle.length > MAX_PATTERN_LENGTH) return false;
  const haystack = text.slice(0, MAX_SCAN_LENGTH).toLowerCase();
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const end = at + needle.length;
    if (!WORD_BEFORE.test(haystack.slice(Math.max(0, at - 2), at)) && !WORD_AFTER.test(haystack.slice(end, end + 2))) return true;
  }
  return false;
}

/** `requireMention` for a group conversation: most specific entry first, default true. */
export function requiresMention(envelope: InboundEnvelope, account: ChannelAccount): boolean {
  const ids = groupIds(envelope);
  for (const id of ids) {
    const entry = own(account.groups, id);
    if (entry?.requireMention !== undefined) return entry.requireMention;
  }
  const m = matchGroup(envelope, account);
  if (m.discordChannel?.requireMention !== undefined) return m.discordChannel.requireMention;
  if (typeof m.guild?.requireMention === 'boolean') return m.guild.requireMention;
  return m.wildcard?.requireMention ?? true;
}

/** The mention gate for one routed agent; direct messages always pass. */
export function passesMentionGate(envelope: InboundEnvelope, account: ChannelAccount, agent: AgentConfig): boolean {
  if (envelope.peer.kind === 'direct') return true;
  if (!requiresMention(envelope, account)) return true;
  if (envelope.mentioned) return true;
  return agent.groupChat.mentionPatterns.some((p) => typeof p === 'string' && matchesMentionPattern(envelope.text, p));
}
