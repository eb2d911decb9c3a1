// Bindings as the wizard edits them: plain form rows that become `bindings[]` match blocks, with
// the routing tier each one lands in (the same bindingTier the router uses) and the channel
// accounts a binding can name. Pure, so the rules are tested without rendering anything.
import {
  bindingTier,
  normalizePeerKind,
  TIER_NAMES,
  type Binding,
  type BindingMatch,
  type ConfigCheck,
  type RawBinding,
  type Tier,
} from '../../../../src-shared/config/index.ts';

/** Who on the account the binding is for: everyone, or one kind of chat (id `*` = any of that kind). */
export type PeerMode = 'any' | 'direct' | 'group' | 'channel';

export interface DraftBinding {
  /** Stable React key. */
  key: string;
  /** Index in the file's `bindings` list when the row is an existing binding (edit mode). */
  origin?: number;
  channel: string;
  accountId: string;
  peerKind: PeerMode;
  peerId: string;
  guildId: string;
  /** Comma- or space-separated role ids. */
  roles: string;
  /** Kept from an existing binding; the wizard offers no team field (a Slack team binding is made in the Bindings view). */
  teamId: string;
  comment?: string;
}

/** Channels a binding can route from; webchat messages are never routed (`direct`, docs/routing.md#decisions). */
export const BINDABLE_CHANNELS = ['telegram', 'discord', 'slack', 'whatsapp'] as const;

let nextKey = 1;
export function bindingKey(): string {
  return `b${nextKey++}`;
}

export function emptyBinding(channel = '', accountId = ''): DraftBinding {
  return { key: bindingKey(), channel, accountId, peerKind: 'any', peerId: '', guildId: '', roles: '', teamId: '' };
}

export function splitRoles(roles: string): string[] {
  return roles
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter(Boolean);
}

/** The `match` block written to the config. */
export function bindingMatch(b: DraftBinding): RawBinding['match'] {
  const roles = splitRoles(b.roles);
  return {
    channel: b.channel,
    ...(b.accountId ? { accountId: b.accountId } : {}),
    ...(b.peerKind !== 'any' ? { peer: { kind: b.peerKind, id: b.peerId.trim() } } : {}),
    ...(b.guildId.trim() ? { guildId: b.guildId.trim() } : {}),
    ...(roles.length > 0 ? { roles } : {}),
    ...(b.teamId.trim() ? { teamId: b.teamId.trim() } : {}),
  };
}

export function rawBinding(agentId: string, b: DraftBinding): RawBinding {
  return { agentId, match: bindingMatch(b), ...(b.comment ? { comment: b.comment } : {}) };
}

/** A form row from a binding written in the file. */
export function draftFromRaw(raw: RawBinding, origin: number): DraftBinding {
  const m = raw.match;
  const kind = m.peer ? normalizePeerKind(String(m.peer.kind)) : undefined;
  return {
    key: bindingKey(),
    origin,
    channel: String(m.channel).trim().toLowerCase(),
    accountId: m.accountId === undefined ? 'default' : String(m.accountId).trim().toLowerCase(),
    peerKind: kind ?? 'any',
    peerId: m.peer ? String(m.peer.id) : '',
    guildId: m.guildId !== undefined ? String(m.guildId) : '',
    roles: (m.roles ?? []).map(String).join(', '),
    teamId: m.teamId !== undefined ? String(m.teamId) : '',
    ...(raw.comment ? { comment: raw.comment } : {}),
  };
}

/** The routing tier of a form row, computed exactly as the router does. */
export function draftTier(b: DraftBinding): Tier {
  const roles = splitRoles(b.roles);
  const match: BindingMatch = {
    channel: b.channel as BindingMatch['channel'],
    accountId: b.accountId || 'default',
    ...(b.peerKind !== 'any' ? { peer: { kind: normalizePeerKind(b.peerKind) ?? 'direct', id: b.peerId.trim() } } : {}),
    ...(b.guildId.trim() ? { guildId: b.guildId.trim() } : {}),
    ...(roles.length > 0 ? { roles } : {}),
    ...(b.teamId.trim() ? { teamId: b.teamId.trim() } : {}),
  };
  const binding: Binding = { index: 0, source: 'bindings', agentId: '', match };
  return bindingTier(binding);
}

/** "Tier 7 · binding.account" plus what it means, for the badge and its caption. */
export function describeTier(b: DraftBinding): { tier: Tier; name: string; meaning: string } {
  const tier = draftTier(b);
  const account = b.accountId === '*' ? 'any account' : `account "${b.accountId || 'default'}"`;
  const chats = b.peerKind === 'direct' ? 'direct chat' : b.peerKind === 'channel' ? 'channel' : 'group';
  const meaning: Record<Tier, string> = {
    1: `only this ${chats} (${b.peerId.trim() || '…'}) on ${account} — the most specific kind of binding`,
    2: `this ${chats} and its threads or topics`,
    3: `every ${chats} on ${account} that no exact-chat binding claims`,
    4: `members with one of these roles in guild ${b.guildId.trim() || '…'}`,
    5: `everything in guild ${b.guildId.trim() || '…'} that no more specific binding claims`,
    6: `everything in team ${b.teamId.trim() || '…'}`,
    7: `every message to ${account} that no more specific binding claims`,
    8: 'every account of this channel, after all account bindings',
    9: 'messages no binding claims',
  };
  return { tier, name: TIER_NAMES[tier], meaning: meaning[tier] };
}

export interface AccountOption {
  channel: string;
  accountId: string;
  /** Display name from the config, if any. */
  name?: string;
  enabled: boolean;
}

/** The channel accounts the config defines (what a binding can name), per bindable channel. */
export function configuredAccounts(check: ConfigCheck | undefined, raw: Record<string, unknown> | undefined): AccountOption[] {
  const out: AccountOption[] = [];
  if (check?.config) {
    for (const channel of BINDABLE_CHANNELS) {
      for (const account of Object.values(check.config.channels[channel]?.accounts ?? {})) {
        out.push({ channel, accountId: account.accountId, enabled: account.enabled, ...(account.name ? { name: account.name } : {}) });
      }
    }
    return out;
  }
  // An invalid config has no normalised view: read the account keys as written.
  const channels = (raw?.channels ?? {}) as Record<string, { accounts?: Record<string, { enabled?: boolean; name?: string }> } | undefined>;
  for (const channel of BINDABLE_CHANNELS) {
    const block = channels[channel];
    if (!block) continue;
    const accounts = Object.entries(block.accounts ?? {});
    if (accounts.length === 0) out.push({ channel, accountId: 'default', enabled: true });
    for (const [id, value] of accounts)
      out.push({ channel, accountId: id.toLowerCase(), enabled: value?.enabled !== false, ...(value?.name ? { name: value.name } : {}) });
  }
  return out;
}

/** One line for a binding row in lists and the delete dialog: `Telegram · alerts · group -100123`. */
export function bindingSummary(match: {
  channel: string;
  accountId?: string | number;
  peer?: { kind: string; id: string | number };
  guildId?: string | number;
  roles?: (string | number)[];
  teamId?: string | number;
}): string {
  const parts: string[] = [match.accountId === undefined ? 'default' : match.accountId === '*' ? 'every account' : String(match.accountId)];
  if (match.peer) parts.push(match.peer.id === '*' ? `any ${match.peer.kind}` : `${match.peer.kind} ${match.peer.id}`);
  if (match.guildId !== undefined) parts.push(`guild ${match.guildId}`);
  if (match.roles && match.roles.length > 0) parts.push(`roles ${match.roles.join(', ')}`);
  if (match.teamId !== undefined) parts.push(`team ${match.teamId}`);
  return parts.join(' · ');
}
