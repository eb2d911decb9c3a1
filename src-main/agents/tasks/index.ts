// Public surface of agent task lists: the per-pool store (agent or shared scope, same rule as
// memory) and the dashboard's view of one agent's list.
export {
  checkDue,
  isTaskStatus,
  TaskInputError,
  TaskNotFoundError,
  TaskPool,
  TASK_STATUSES,
  TASKS_FILE,
  type Task,
  type TaskPatch,
  type TaskStatus,
} from './store.ts';
export { agentTaskPool, listAgentTasks, updateAgentTask, type AgentTaskList } from './control.ts';
