// Tools only an agent's owners may use (OWNER_ONLY_TOOLS: write, edit, exec): in a turn whose sender
// is not an owner they are neither offered nor run, unless the agent lists them in
// `tools.nonOwners.allow` (docs/security.md). The registry asks this next to the allow/deny policy.
import { OWNER_ONLY_TOOLS, type AgentConfig } from '../../../src-shared/config/index.ts';
import type { TurnInbound } from '../turn-types.ts';

const OWNER_ONLY = new Set<string>(OWNER_ONLY_TOOLS);

/** Why `name` may not run for this turn's sender, or null. */
export function ownerOnlyRefusal(name: string, agent: Pick<AgentConfig, 'tools'>, inbound: Pick<TurnInbound, 'isOwner'>): string | null {
  if (inbound.isOwner || !OWNER_ONLY.has(name)) return null;
  if (agent.tools.nonOwners.allow.some((t) => t.trim().toLowerCase() === name)) return null;
  return `${name} refused: only this agent's owners may use it, and the sender of this message is not one of its owners.`;
}
