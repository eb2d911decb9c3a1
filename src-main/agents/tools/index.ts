// Public surface of the agent tools: the registry with its allow/deny policy, the ToolDef contract
// for new tool families, and the built-in implementations.
export {
  builtinToolDefs,
  enabledToolNames,
  ToolRegistry,
  TOOL_OUTPUT_MAX,
  type ApiToolDefinition,
  type ToolExecution,
} from './registry.ts';
export {
  capText,
  optInt,
  reqString,
  ToolInputError,
  type JsonSchemaObject,
  type ToolContext,
  type ToolDef,
  type ToolOutcome,
} from './types.ts';
export { editTool, readTool, writeTool, FILE_TOOLS, MAX_FILE_BYTES } from './files.ts';
export { execEnv, execTool, runArgv, sandboxRefusal, EXEC_DEFAULT_TIMEOUT_MS, EXEC_OUTPUT_MAX } from './exec.ts';
export { sessionKeyAgent, sessionsHistoryTool, sessionsListTool, sessionsSendTool, sessionStatusTool, SESSION_TOOLS } from './sessions.ts';
export { skillSources, skillTool } from './skill.ts';
export { sessionsSpawnTool } from './spawn.ts';
export { subagentRefusal } from './subagent-policy.ts';
export { memoryTools, MEMORY_TOOLS } from './memory.ts';
export { formatTask, taskAddTool, taskListTool, taskUpdateTool, TASK_TOOLS } from './tasks.ts';
