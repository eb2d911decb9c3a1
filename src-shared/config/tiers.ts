// The routing tier a binding belongs to (docs/routing.md#bindings-and-tiers). Shared by the router,
// the shadow check and the binding editor's badges, so the three can never disagree.
import type { Binding, PeerKind } from './types.ts';

export const TIER_NAMES = {
  1: 'binding.peer',
  2: 'binding.peer.parent',
  3: 'binding.peer.wildcard',
  4: 'binding.guild+roles',
  5: 'binding.guild',
  6: 'binding.team',
  7: 'binding.account',
  8: 'binding.channel',
  9: 'default',
} as const;
export type Tier = keyof typeof TIER_NAMES;
export type MatchedBy = (typeof TIER_NAMES)[Tier] | 'direct';

/** Tier of a binding's own match (an exact-peer binding also matches at tier 2 through parents). */
export function bindingTier(b: Binding): Tier {
  const m = b.match;
  if (m.peer) return m.peer.id === '*' ? 3 : 1;
  if (m.guildId !== undefined) return m.roles && m.roles.length > 0 ? 4 : 5;
  if (m.teamId !== undefined) return 6;
  return m.accountId === '*' ? 8 : 7;
}

/** `direct` peers only match direct peers; `group` and `channel` match each other. */
export function peerClass(kind: PeerKind): 'd' | 'g' {
  return kind === 'direct' ? 'd' : 'g';
}
