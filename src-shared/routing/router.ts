// The compiled router: bindings indexed once per config by channel, account scope, peer, guild,
// role and team, so a resolution costs a few map look-ups whatever the number of bindings. No
// cache: the cost of a message never depends on the messages before it.
import {
  DEFAULT_AGENT_ID,
  TIER_NAMES,
  bindingTier,
  peerClass,
  type Binding,
  type MatchedBy,
  type PeerKind,
  type SwitchboardConfig,
  type Tier,
} from '../config/index.ts';
import { evaluateBinding, type Evaluation } from './evaluate.ts';
import { emptyInboundRoute, normalizeInbound, normalizeInto, type InboundInput, type InboundRoute } from './inbound.ts';
import { mainSessionKey, sessionKeyFor } from './session-key.ts';

export interface RouteDecision {
  agentId: string;
  channel: string;
  accountId: string;
  sessionKey: string;
  mainSessionKey: string;
  matchedBy: MatchedBy;
  /** Position in `bindings` (channel shorthands count after the explicit list); null for `default`. */
  bindingIndex: number | null;
}

export interface RouteExplanation {
  decision: RouteDecision;
  tier: Tier;
  candidates: { bindingIndex: number; source: Binding['source']; agentId: string; tier: Tier; evaluation: Evaluation }[];
}

/** A binding in a look-up list, with the constraints the list key does not already imply. */
interface Candidate {
  binding: Binding;
  guildId?: string;
  roles?: Set<string>;
  teamId?: string;
}

type PeerSlot = Binding | Candidate[];

interface WildcardList {
  any: Candidate[];
  byGuild: Map<string, Candidate[]>;
}

/** Everything one account scope (a named account, or `*`) of one channel can match. */
interface ScopeIndex {
  /**
   * Exact peers by class (`d` direct, `g` group/channel), then by id: the id string is the key.
   * A peer with one unconstrained binding maps straight to it (the common case: one look-up and
   * no list to walk, which matters once 10,000 bindings no longer fit in the CPU caches).
   */
  peers: { d: Map<string, PeerSlot>; g: Map<string, PeerSlot> };
  wildcards: { d: WildcardList; g: WildcardList };
  guildRoles: Map<string, Map<string, Binding>>;
  guilds: Map<string, Binding>;
  teams: Map<string, Binding>;
  /** Tier 7 for a named account, tier 8 for the `*` scope. */
  account?: Binding;
}

interface ChannelIndex {
  accounts: Map<string, ScopeIndex>;
  any: ScopeIndex;
}

const newScope = (): ScopeIndex => ({
  peers: { d: new Map(), g: new Map() },
  wildcards: { d: { any: [], byGuild: new Map() }, g: { any: [], byGuild: new Map() } },
  guildRoles: new Map(),
  guilds: new Map(),
  teams: new Map(),
});

function candidateOf(b: Binding): Candidate {
  const c: Candidate = { binding: b };
  if (b.match.guildId !== undefined) c.guildId = b.match.guildId;
  if (b.match.roles) c.roles = new Set(b.match.roles);
  if (b.match.teamId !== undefined) c.teamId = b.match.teamId;
  return c;
}

const unconstrained = (c: Candidate) => c.guildId === undefined && c.roles === undefined && c.teamId === undefined;

/** Appends in config order; after an unconstrained candidate nothing later can ever win. */
function pushCandidate(list: Candidate[], c: Candidate): void {
  const last = list[list.length - 1];
  if (last && unconstrained(last)) return;
  list.push(c);
}

function firstOf(list: Candidate[] | undefined, m: InboundRoute): Binding | undefined {
  if (!list) return undefined;
  for (const c of list) {
    if (c.guildId !== undefined && c.guildId !== m.guildId) continue;
    if (c.teamId !== undefined && c.teamId !== m.teamId) continue;
    if (c.roles && !m.memberRoleIds.some((r) => c.roles!.has(r))) continue;
    return c.binding;
  }
  return undefined;
}

function slotMatch(slot: PeerSlot | undefined, m: InboundRoute): Binding | undefined {
  if (slot === undefined) return undefined;
  return Array.isArray(slot) ? firstOf(slot, m) : slot;
}

const earlier = (a: Binding | undefined, b: Binding | undefined) => (a && (!b || a.index < b.index) ? a : b);

function setFirst<K>(map: Map<K, Binding>, key: K, b: Binding): void {
  if (!map.has(key)) map.set(key, b);
}

export class Router {
  private readonly channels = new Map<string, ChannelIndex>();
  readonly defaultAgentId: string;

  constructor(private readonly config: SwitchboardConfig) {
    const agents = config.agents.list;
    this.defaultAgentId = (agents.find((a) => a.default) ?? agents[0])?.id ?? DEFAULT_AGENT_ID;
    const ordered = [...config.bindings].sort((a, b) => a.index - b.index);
    for (const b of ordered) this.add(b);
  }

  private scopeFor(b: Binding): ScopeIndex {
    let ch = this.channels.get(b.match.channel);
    if (!ch) this.channels.set(b.match.channel, (ch = { accounts: new Map(), any: newScope() }));
    if (b.match.accountId === '*') return ch.any;
    let scope = ch.accounts.get(b.match.accountId);
    if (!scope) ch.accounts.set(b.match.accountId, (scope = newScope()));
    return scope;
  }

  private add(b: Binding): void {
    const scope = this.scopeFor(b);
    const m = b.match;
    switch (bindingTier(b)) {
      case 1: {
        const byId = scope.peers[peerClass(m.peer!.kind)];
        const slot = byId.get(m.peer!.id);
        const c = candidateOf(b);
        if (slot === undefined) byId.set(m.peer!.id, unconstrained(c) ? b : [c]);
        // A direct binding is unconstrained: nothing after it can win.
        else if (Array.isArray(slot)) pushCandidate(slot, c);
        break;
      }
      case 3: {
        const wl = scope.wildcards[peerClass(m.peer!.kind)];
        if (m.guildId === undefined) pushCandidate(wl.any, candidateOf(b));
        else {
          let list = wl.byGuild.get(m.guildId);
          if (!list) wl.byGuild.set(m.guildId, (list = []));
          pushCandidate(list, candidateOf(b));
        }
        break;
      }
      case 4: {
        let roles = scope.guildRoles.get(m.guildId!);
        if (!roles) scope.guildRoles.set(m.guildId!, (roles = new Map()));
        for (const role of m.roles!) setFirst(roles, role, b);
        break;
      }
      case 5:
        setFirst(scope.guilds, m.guildId!, b);
        break;
      case 6:
        setFirst(scope.teams, m.teamId!, b);
        break;
      default:
        scope.account ??= b;
    }
  }

  /** The first match in an exact-peer list of either scope (lowest config index wins). */
  private exact(acc: ScopeIndex | undefined, any: ScopeIndex, kind: PeerKind, id: string, m: InboundRoute): Binding | undefined {
    const cls = kind === 'direct' ? 'd' : 'g';
    const own = acc ? slotMatch(acc.peers[cls].get(id), m) : undefined;
    return earlier(own, slotMatch(any.peers[cls].get(id), m));
  }

  private wildcard(scope: ScopeIndex | undefined, cls: 'd' | 'g', m: InboundRoute): Binding | undefined {
    if (!scope) return undefined;
    const wl = scope.wildcards[cls];
    const anyGuild = wl.any.length > 0 ? firstOf(wl.any, m) : undefined;
    return m.guildId !== undefined && wl.byGuild.size > 0 ? earlier(anyGuild, firstOf(wl.byGuild.get(m.guildId), m)) : anyGuild;
  }

  private roles(scope: ScopeIndex | undefined, m: InboundRoute, hit: Binding | undefined): Binding | undefined {
    const roles = scope?.guildRoles.get(m.guildId!);
    if (!roles) return hit;
    for (const role of m.memberRoleIds) hit = earlier(roles.get(role), hit);
    return hit;
  }

  /** Tier of the last match() result; a field rather than a result object keeps the hot path allocation-free. */
  private tier: Tier = 9;

  /** The winning binding by the compiled index (its tier in `this.tier`). */
  private match(m: InboundRoute): Binding | undefined {
    const ch = this.channels.get(m.channel);
    if (!ch) return undefined;
    const acc = ch.accounts.get(m.accountId);
    const any = ch.any;
    let hit: Binding | undefined;
    const peer = m.peer;
    if (peer) {
      hit = this.exact(acc, any, peer.kind, peer.id, m);
      if (hit) return this.found(hit, 1);
      const parent = m.parentPeer;
      if (parent) {
        hit = this.exact(acc, any, parent.kind, parent.id, m);
        if (hit) return this.found(hit, 2);
      }
      const cls = peer.kind === 'direct' ? 'd' : 'g';
      hit = earlier(this.wildcard(acc, cls, m), this.wildcard(any, cls, m));
      if (hit) return this.found(hit, 3);
    }
    if (m.guildId !== undefined) {
      if (m.memberRoleIds.length > 0) {
        hit = this.roles(any, m, this.roles(acc, m, undefined));
        if (hit) return this.found(hit, 4);
      }
      hit = earlier(acc?.guilds.get(m.guildId), any.guilds.get(m.guildId));
      if (hit) return this.found(hit, 5);
    }
    if (m.teamId !== undefined) {
      hit = earlier(acc?.teams.get(m.teamId), any.teams.get(m.teamId));
      if (hit) return this.found(hit, 6);
    }
    if (acc?.account) return this.found(acc.account, 7);
    if (any.account) return this.found(any.account, 8);
    return undefined;
  }

  private found(binding: Binding, tier: Tier): Binding {
    this.tier = tier;
    return binding;
  }

  /** Per agent: its main session key and, per channel and kind, the lower-cased key prefix. */
  private readonly keys = new Map<string, { main: string; prefixes: Map<string, string> }>();

  private sessionKeys(agentId: string): { main: string; prefixes: Map<string, string> } {
    let k = this.keys.get(agentId);
    if (!k) this.keys.set(agentId, (k = { main: mainSessionKey(agentId, this.config.session), prefixes: new Map() }));
    return k;
  }

  private decide(m: InboundRoute, hit: Binding | undefined, tier: Tier): RouteDecision {
    const agentId = hit ? hit.agentId : this.defaultAgentId;
    const keys = this.sessionKeys(agentId);
    let sessionKey: string;
    const peer = m.peer;
    if (peer && peer.kind !== 'direct' && peer.id !== '') {
      // Group/channel sessions: a cached prefix plus the id, the common case on the hot path.
      const slot = peer.kind === 'group' ? m.channel : `${m.channel}#`;
      let prefix = keys.prefixes.get(slot);
      if (prefix === undefined) keys.prefixes.set(slot, (prefix = `agent:${agentId}:${m.channel}:${peer.kind}:`.toLowerCase()));
      sessionKey = prefix + peer.id.toLowerCase();
    } else if (!peer || (peer.kind === 'direct' && this.config.session.dmScope === 'main')) {
      sessionKey = keys.main;
    } else {
      sessionKey = sessionKeyFor(agentId, m.channel, m.accountId, peer, this.config.session);
    }
    return {
      agentId,
      channel: m.channel,
      accountId: m.accountId,
      sessionKey,
      mainSessionKey: keys.main,
      matchedBy: hit ? TIER_NAMES[tier] : 'default',
      bindingIndex: hit ? hit.index : null,
    };
  }

  /** Routes an already-normalised message (the gateway's hot path). */
  resolveNormalized(m: InboundRoute): RouteDecision {
    const hit = this.match(m);
    return this.decide(m, hit, hit ? this.tier : 9);
  }

  private readonly scratch = emptyInboundRoute();

  /** Routes a message as adapters or the CLI write it; throws RouteInputError on bad input. */
  resolve(input: InboundInput): RouteDecision {
    return this.resolveNormalized(normalizeInto(input, this.scratch));
  }

  /** The decision plus every binding of the message's channel and why it did or did not match. */
  explain(input: InboundInput): RouteExplanation {
    const m = normalizeInbound(input);
    const hit = this.match(m);
    const tier = hit ? this.tier : 9;
    const candidates = this.config.bindings
      .filter((b) => b.match.channel === m.channel)
      .map((b) => ({
        bindingIndex: b.index,
        source: b.source,
        agentId: b.agentId,
        tier: bindingTier(b),
        evaluation: evaluateBinding(b, m),
      }));
    return { decision: this.decide(m, hit, tier), tier, candidates };
  }

  /** Decision for a message the operator sends from the dashboard: never routed. */
  direct(agentId: string, sessionKey?: string): RouteDecision {
    const main = mainSessionKey(agentId, this.config.session);
    return {
      agentId,
      channel: 'webchat',
      accountId: 'default',
      sessionKey: sessionKey ?? main,
      mainSessionKey: main,
      matchedBy: 'direct',
      bindingIndex: null,
    };
  }
}

export function compileRouter(config: SwitchboardConfig): Router {
  return new Router(config);
}
