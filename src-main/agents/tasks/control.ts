// Task lists as the dashboard sees them (control methods tasks.list / tasks.update): the pool of
// one named agent, resolved from the live config exactly as that agent's own tools resolve it.
import type { SwitchboardConfig } from '../../../src-shared/config/index.ts';
import { resolvePool } from '../memory/pools.ts';
import { TaskPool, type Task, type TaskPatch, type TaskStatus } from './store.ts';

export interface AgentTaskList {
  agentId: string;
  scope: 'agent' | 'shared';
  pool: string;
  tasks: Task[];
}

/** The task pool of agent `agentId` (which must exist in `config`). */
export function agentTaskPool(config: SwitchboardConfig, stateDir: string, agentId: string, now?: () => Date): TaskPool {
  const agent = config.agents.list.find((a) => a.id === agentId.toLowerCase());
  if (!agent) throw new Error(`agent "${agentId}" does not exist`);
  return new TaskPool(resolvePool('tasks', agent, stateDir), now);
}

export async function listAgentTasks(
  config: SwitchboardConfig,
  stateDir: string,
  agentId: string,
  status?: TaskStatus,
): Promise<AgentTaskList> {
  const pool = agentTaskPool(config, stateDir, agentId);
  return { agentId: agentId.toLowerCase(), scope: pool.ref.scope, pool: pool.ref.name, tasks: await pool.list(status) };
}

export function updateAgentTask(config: SwitchboardConfig, stateDir: string, agentId: string, id: string, patch: TaskPatch): Promise<Task> {
  return agentTaskPool(config, stateDir, agentId).update(id, patch);
}
