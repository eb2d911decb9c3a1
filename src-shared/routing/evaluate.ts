// The routing rules read straight from docs/routing.md#bindings-and-tiers, one binding at a time.
// `route explain` uses it to say why each binding did or did not match, and the tests check
// the compiled index against it.
import { bindingTier, peerClass, type Binding, type PeerRef, type Tier } from '../config/index.ts';
import type { InboundRoute } from './inbound.ts';

export type Evaluation = { matched: true; tier: Tier } | { matched: false; reason: string };

function samePeer(a: PeerRef, b: PeerRef): boolean {
  return peerClass(a.kind) === peerClass(b.kind) && a.id === b.id;
}

function extraFieldsMatch(b: Binding, m: InboundRoute): string | undefined {
  const bm = b.match;
  if (bm.guildId !== undefined && bm.guildId !== m.guildId) return `guild ${m.guildId ?? '(none)'} is not ${bm.guildId}`;
  if (bm.roles && !bm.roles.some((r) => m.memberRoleIds.includes(r))) return `member has none of the roles ${bm.roles.join(', ')}`;
  if (bm.teamId !== undefined && bm.teamId !== m.teamId) return `team ${m.teamId ?? '(none)'} is not ${bm.teamId}`;
  return undefined;
}

export function evaluateBinding(b: Binding, m: InboundRoute): Evaluation {
  const bm = b.match;
  if (bm.channel !== m.channel) return { matched: false, reason: `channel is ${m.channel}, not ${bm.channel}` };
  if (bm.accountId !== '*' && bm.accountId !== m.accountId)
    return { matched: false, reason: `account is ${m.accountId}, not ${bm.accountId}` };
  const extra = extraFieldsMatch(b, m);
  if (extra) return { matched: false, reason: extra };
  const tier = bindingTier(b);
  if (!bm.peer) return { matched: true, tier };
  if (!m.peer) return { matched: false, reason: 'the message has no peer' };
  if (bm.peer.id === '*') {
    return peerClass(bm.peer.kind) === peerClass(m.peer.kind)
      ? { matched: true, tier: 3 }
      : { matched: false, reason: `peer kind ${m.peer.kind} does not match ${bm.peer.kind}` };
  }
  if (samePeer(bm.peer, m.peer)) return { matched: true, tier: 1 };
  if (m.parentPeer && samePeer(bm.peer, m.parentPeer)) return { matched: true, tier: 2 };
  return { matched: false, reason: `peer ${m.peer.kind}:${m.peer.id} is not ${bm.peer.kind}:${bm.peer.id}` };
}

/** The winning binding by the plain rules: lowest tier, then config order. */
export function resolveLinear(bindings: readonly Binding[], m: InboundRoute): { binding: Binding; tier: Tier } | undefined {
  let best: { binding: Binding; tier: Tier } | undefined;
  for (const binding of bindings) {
    const e = evaluateBinding(binding, m);
    if (!e.matched) continue;
    if (!best || e.tier < best.tier || (e.tier === best.tier && binding.index < best.binding.index)) best = { binding, tier: e.tier };
  }
  return best;
}
