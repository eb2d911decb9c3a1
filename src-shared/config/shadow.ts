// Finds bindings that can never decide a route: an earlier binding (by tier, then config order)
// matches every message they would match. Subsumption, computed with buckets so that a config of
// 10,000 overlapping bindings is checked without comparing every pair.
import { bindingTier, peerClass } from './tiers.ts';
import type { Binding } from './types.ts';

interface Entry {
  binding: Binding;
  tier: number;
}

function peerKey(b: Binding): string {
  const p = b.match.peer;
  if (!p) return 'none';
  return p.id === '*' ? `w:${peerClass(p.kind)}` : `e:${peerClass(p.kind)}:${p.id}`;
}

function precedes(a: Entry, b: Entry): boolean {
  return a.tier < b.tier || (a.tier === b.tier && a.binding.index < b.binding.index);
}

/** Does `a` match every message `b` matches (peer and guild already agree by bucket)? */
function covers(a: Binding, b: Binding): boolean {
  const am = a.match;
  const bm = b.match;
  if (am.accountId !== '*' && am.accountId !== bm.accountId) return false;
  if (am.teamId !== undefined && am.teamId !== bm.teamId) return false;
  if (am.roles) {
    if (!bm.roles) return false;
    const allowed = new Set(am.roles);
    if (!bm.roles.every((r) => allowed.has(r))) return false;
  }
  return true;
}

/** Returns, for each shadowed binding, the binding that shadows it. */
export function findShadowedBindings(bindings: readonly Binding[]): { shadowed: Binding; by: Binding }[] {
  // bucket key: channel | peerKey | guild ('' = any guild) → entries in precedence order
  const entries = bindings.map((binding) => ({ binding, tier: bindingTier(binding) }));
  const ordered = [...entries].sort((x, y) => x.tier - y.tier || x.binding.index - y.binding.index);
  const buckets = Map.groupBy(ordered, (e) => `${e.binding.match.channel}|${peerKey(e.binding)}|${e.binding.match.guildId ?? ''}`);
  const result: { shadowed: Binding; by: Binding }[] = [];
  for (const e of entries) {
    const b = e.binding;
    const peerKeys = ['none'];
    if (b.match.peer) {
      peerKeys.push(`w:${peerClass(b.match.peer.kind)}`);
      if (b.match.peer.id !== '*') peerKeys.push(peerKey(b));
    }
    const guilds = b.match.guildId !== undefined ? ['', b.match.guildId] : [''];
    let by: Binding | undefined;
    for (const pk of peerKeys) {
      for (const g of guilds) {
        for (const a of buckets.get(`${b.match.channel}|${pk}|${g}`) ?? []) {
          if (!precedes(a, e)) break;
          if (
            covers(a.binding, b) &&
            (!by || precedes({ binding: a.binding, tier: bindingTier(a.binding) }, { binding: by, tier: bindingTier(by) }))
          ) {
            by = a.binding;
            break;
          }
        }
      }
    }
    if (by) result.push({ shadowed: b, by });
  }
  return result;
}
