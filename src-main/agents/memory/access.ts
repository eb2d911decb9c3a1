// Who may use which memory (docs/memory-tasks.md#memory): private memory — MEMORY.md and
// agent-scope memory tools — only in turns from the agent's owners, and MEMORY.md only in the
// agent's main session (never a group, a per-peer DM session or an agent-to-agent session,
// where others read the replies).
import type { AgentConfig } from '../../../src-shared/config/index.ts';
import type { TurnInbound } from '../turn-types.ts';

export const MEMORY_FILE = 'MEMORY.md';

/** Whether MEMORY.md goes into the system prompt of this turn. */
export function mayLoadPrivateMemory(sessionKey: string, inbound: Pick<TurnInbound, 'isOwner' | 'route'>): boolean {
  return inbound.isOwner && sessionKey.toLowerCase() === inbound.route.mainSessionKey.toLowerCase();
}

/** Null when the memory tools may run in this turn, otherwise why not. */
export function memoryRefusal(agent: Pick<AgentConfig, 'memory'>, inbound: Pick<TurnInbound, 'isOwner'>): string | null {
  if (agent.memory.scope === 'agent' && !inbound.isOwner) return 'private memory is only available in conversations with your owners';
  return null;
}
