// The tool restrictions of a sub-agent turn, on top of the agent's own allow/deny and owner-only
// rules (docs/heartbeat-subagents.md#sub-agents-sessions_spawn), as in OpenClaw: a sub-agent never
// messages other agents (sessions_send), and one at the depth limit also loses the tools that
// manage sessions (sessions_spawn, sessions_list, sessions_history). A turn at depth 0 is unaffected.
import type { ToolContext } from './types.ts';

const AT_DEPTH_LIMIT = new Set(['sessions_spawn', 'sessions_list', 'sessions_history']);

/** Why `name` may not run in this turn because of its sub-agent depth, or null. */
export function subagentRefusal(name: string, ctx: Pick<ToolContext, 'agent' | 'spawnDepth'>): string | null {
  const depth = ctx.spawnDepth ?? 0;
  const max = ctx.agent.subagents.maxSpawnDepth;
  if (name === 'sessions_spawn' && depth >= max)
    return `sessions_spawn refused: this turn is a sub-agent at depth ${depth} and subagents.maxSpawnDepth is ${max}, so it cannot start sub-agents of its own; do the task yourself.`;
  if (depth === 0) return null;
  if (name === 'sessions_send')
    return 'sessions_send refused: a sub-agent does not message other agents; return your result to the turn that started you.';
  if (depth >= max && AT_DEPTH_LIMIT.has(name))
    return `${name} refused: a sub-agent at the depth limit (subagents.maxSpawnDepth ${max}) works only on its own task.`;
  return null;
}
