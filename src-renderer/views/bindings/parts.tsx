// Small pieces the binding list, the editor dialog and the route tester share: the tier badge,
// an agent's label, a binding's match in words, and the agents and accounts the pickers offer.
import { TIER_NAMES, type ChannelId, type SwitchboardConfig, type Tier } from '../../../src-shared/config/index.ts';
import type { AgentSummary } from '../../store/gateway.ts';
import { channelName } from '../../ui/format.ts';
import type { RawBinding } from './draft.ts';

/** Short words for a tier, most specific first. */
export const TIER_LABELS: Record<Tier, string> = {
  1: 'Peer',
  2: 'Parent peer',
  3: 'Any peer',
  4: 'Guild + roles',
  5: 'Guild',
  6: 'Team',
  7: 'Account',
  8: 'Channel',
  9: 'Default',
};

/** The tier as a badge, coloured by specificity (strong = specific, pale = broad). */
export function TierBadge({ tier }: { tier: Tier }) {
  return (
    <span className="badge bnd-tier-badge" data-tier={tier} title={`Tier ${tier}: ${TIER_NAMES[tier]}`}>
      <span className="bnd-tier-num" aria-hidden="true">
        {tier}
      </span>
      <span className="sr-only">Tier {tier}:</span>
      {TIER_LABELS[tier]}
    </span>
  );
}

export interface AgentChoice {
  id: string;
  name: string | undefined;
  emoji: string | undefined;
  default: boolean;
}

/** The agents a binding may name: from the config being edited, else from the running gateway. */
export function agentChoices(config: SwitchboardConfig | undefined, running: readonly AgentSummary[]): AgentChoice[] {
  if (config) {
    const defaultId = (config.agents.list.find((a) => a.default) ?? config.agents.list[0])?.id;
    return config.agents.list.map((a) => ({
      id: a.id,
      name: a.name ?? a.identity.name,
      emoji: a.identity.emoji,
      default: a.id === defaultId,
    }));
  }
  return running.map((a) => ({ id: a.id, name: a.name ?? undefined, emoji: a.emoji ?? undefined, default: a.default }));
}

/** Account ids configured for a channel (lower-cased, as the router compares them). */
export function accountsOf(config: SwitchboardConfig | undefined, raw: Record<string, unknown> | undefined, channel: string): string[] {
  const fromConfig = config?.channels[channel as ChannelId]?.accounts;
  if (fromConfig) return Object.keys(fromConfig);
  const block = (raw?.channels as Record<string, { accounts?: Record<string, unknown> }> | undefined)?.[channel];
  return block?.accounts ? Object.keys(block.accounts).map((k) => k.toLowerCase()) : [];
}

export function AgentLabel({ agentId, agents, compact }: { agentId: string; agents: readonly AgentChoice[]; compact?: boolean }) {
  const id = agentId.trim().toLowerCase();
  const agent = agents.find((a) => a.id === id);
  if (!agent) {
    return (
      <span className="bnd-agent-label bnd-unknown">
        <span className="bnd-agent-emoji" aria-hidden="true">
          ?
        </span>
        <span className="bnd-agent-text">
          <strong className="ellipsis">{agentId || '(no agent)'}</strong>
          {!compact && <span className="small">unknown agent</span>}
        </span>
      </span>
    );
  }
  return (
    <span className="bnd-agent-label">
      <span className="bnd-agent-emoji" aria-hidden="true">
        {agent.emoji ?? (agent.name ?? agent.id).slice(0, 1).toUpperCase()}
      </span>
      <span className="bnd-agent-text">
        <strong className="ellipsis">{agent.name ?? agent.id}</strong>
        {!compact && <code className="small muted">{agent.id}</code>}
      </span>
    </span>
  );
}

export function agentName(agentId: string, agents: readonly AgentChoice[]): string {
  const agent = agents.find((a) => a.id === agentId);
  return agent?.name ?? agentId;
}

const PEER_WORDS: Record<string, string> = { direct: 'direct chat', dm: 'direct chat', group: 'group', channel: 'channel' };

export function accountWords(accountId: string | number | undefined): string {
  const id = accountId === undefined ? '' : String(accountId).trim().toLowerCase();
  if (id === '*') return 'every account';
  if (id === '' || id === 'default') return 'default account';
  return `account ${id}`;
}

/** What a binding matches, as short chips. */
export function matchChips(b: RawBinding): { key: string; label: string; title: string }[] {
  const m = b.match;
  const chips = [
    { key: 'channel', label: channelName(String(m.channel).trim().toLowerCase()), title: `channel: ${m.channel}` },
    { key: 'account', label: accountWords(m.accountId), title: `accountId: ${m.accountId ?? '(not set: default)'}` },
  ];
  if (m.peer) {
    const kind = PEER_WORDS[String(m.peer.kind).trim().toLowerCase()] ?? String(m.peer.kind);
    const id = String(m.peer.id).trim();
    chips.push({ key: 'peer', label: id === '*' ? `any ${kind}` : `${kind} ${id}`, title: `peer: ${m.peer.kind} ${m.peer.id}` });
  }
  if (m.guildId !== undefined) chips.push({ key: 'guild', label: `guild ${m.guildId}`, title: `guildId: ${m.guildId}` });
  if (m.roles && m.roles.length > 0)
    chips.push({
      key: 'roles',
      label: `role${m.roles.length === 1 ? '' : 's'} ${m.roles.join(', ')}`,
      title: `roles (any of): ${m.roles.join(', ')}`,
    });
  if (m.teamId !== undefined) chips.push({ key: 'team', label: `team ${m.teamId}`, title: `teamId: ${m.teamId}` });
  return chips;
}

/** One line for accessible names and announcements: "Ops ← Telegram, default account". */
export function bindingSummary(b: RawBinding, agents: readonly AgentChoice[]): string {
  return `${agentName(b.agentId.trim().toLowerCase(), agents)} ← ${matchChips(b)
    .map((c) => c.label)
    .join(', ')}`;
}
