// Human descriptions of bindings and agents, shared by the list commands.
import { DEFAULT_MODEL, TIER_NAMES, bindingTier, type Binding } from '../../../src-shared/config/index.ts';

export function describeMatch(b: Binding): string {
  const m = b.match;
  const parts = [m.channel, m.accountId === '*' ? 'any account' : `account ${m.accountId}`];
  if (m.peer) parts.push(m.peer.id === '*' ? `any ${m.peer.kind}` : `${m.peer.kind} ${m.peer.id}`);
  if (m.guildId !== undefined) parts.push(`guild ${m.guildId}`);
  if (m.roles) parts.push(`roles ${m.roles.join(',')}`);
  if (m.teamId !== undefined) parts.push(`team ${m.teamId}`);
  return parts.join(' · ');
}

export function bindingJson(b: Binding) {
  return {
    index: b.index,
    source: b.source,
    agentId: b.agentId,
    tier: bindingTier(b),
    tierName: TIER_NAMES[bindingTier(b)],
    match: b.match,
  };
}

export function effectiveModel(agentModel: string | undefined, defaults: { model?: string }): string {
  return agentModel ?? defaults.model ?? DEFAULT_MODEL;
}

/** The fallbacks after effectiveModel (docs/config.md#model-fallbacks): the agent's own, else those of agents.defaults when it names no model. */
export function effectiveFallbacks(
  agent: { model?: string; modelFallbacks?: string[] },
  defaults: { modelFallbacks?: string[] },
): string[] {
  return agent.modelFallbacks ?? (agent.model ? [] : (defaults.modelFallbacks ?? []));
}
