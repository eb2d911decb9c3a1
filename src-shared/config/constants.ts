// Names and limits the whole product agrees on: channels, id rules, built-in tools, models.
// Pure data, shared by the config checker, the router, the gateway and the dashboard.

export const CHANNELS = ['telegram', 'discord', 'slack', 'whatsapp', 'webchat'] as const;
export type ChannelId = (typeof CHANNELS)[number];

export function isChannelId(value: string): value is ChannelId {
  return (CHANNELS as readonly string[]).includes(value);
}

/** Agent ids and account ids, after lower-casing. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const DEFAULT_AGENT_ID = 'main';
export const DEFAULT_ACCOUNT_ID = 'default';
export const DEFAULT_MAIN_KEY = 'main';
/** `session.resumeWindow` when the config sets none (docs/config.md). */
export const DEFAULT_RESUME_WINDOW = '10m';

/** Names an agent id may not take even though they match ID_PATTERN (Windows device names). */
export const RESERVED_IDS = new Set([
  'con',
  'prn',
  'aux',
  'nul',
  'com1',
  'com2',
  'com3',
  'com4',
  'com5',
  'com6',
  'com7',
  'com8',
  'com9',
  'lpt1',
  'lpt2',
  'lpt3',
  'lpt4',
  'lpt5',
  'lpt6',
  'lpt7',
  'lpt8',
  'lpt9',
]);

export const DM_POLICIES = ['pairing', 'allowlist', 'open', 'disabled'] as const;
export type DmPolicy = (typeof DM_POLICIES)[number];
export const GROUP_POLICIES = ['allowlist', 'open', 'disabled'] as const;
export type GroupPolicy = (typeof GROUP_POLICIES)[number];
export const DM_SCOPES = ['main', 'per-peer', 'per-channel-peer', 'per-account-channel-peer'] as const;
export type DmScope = (typeof DM_SCOPES)[number];

/** Built-in agent tools. Tools with no `tools.allow` list: all of these except DEFAULT_DENIED_TOOLS. */
export const BUILTIN_TOOLS = [
  'read',
  'write',
  'edit',
  'exec',
  'sessions_list',
  'sessions_history',
  'session_status',
  'sessions_send',
  'sessions_spawn',
  'memory_save',
  'memory_search',
  'task_add',
  'task_list',
  'task_update',
  'skill',
] as const;
export type ToolName = (typeof BUILTIN_TOOLS)[number];
export const DEFAULT_DENIED_TOOLS: readonly ToolName[] = ['exec', 'sessions_send'];
/**
 * `tools.profile`: OpenClaw's presets as allow lists over the built-in tools (docs/config.md#tool-profiles).
 * `full` and `coding` are every built-in tool: coding in OpenClaw is files, runtime, sessions and memory,
 * which is all Switchboard has. A profile is a base list: `tools.allow` narrows it further, `deny` wins.
 */
export const TOOL_PROFILES: Readonly<Record<string, readonly ToolName[]>> = {
  minimal: ['session_status'],
  coding: BUILTIN_TOOLS,
  messaging: ['sessions_list', 'sessions_history', 'sessions_send', 'session_status'],
  full: BUILTIN_TOOLS,
};
/**
 * Tools that change the workspace or run programs: in a turn whose sender is not one of the
 * agent's owners they are neither offered nor run, unless `tools.nonOwners.allow` names them.
 */
export const OWNER_ONLY_TOOLS: readonly ToolName[] = ['write', 'edit', 'exec'];

/**
 * `subagents` defaults (docs/heartbeat-subagents.md#sub-agents-sessions_spawn). Depth 1: a sub-agent
 * cannot spawn its own (OpenClaw's first default; its later one, 5, nests further than a tray app needs).
 * maxConcurrent and maxChildrenPerAgent are OpenClaw's defaults, counted per agent and per session here.
 */
export const SUBAGENT_DEFAULTS = { maxSpawnDepth: 1, maxConcurrent: 8, maxChildrenPerAgent: 5 } as const;

/** The model used when neither the agent nor `agents.defaults` names one: a current Sonnet. */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

/**
 * Models the installed Anthropic SDK lists (its `Model` type). Kept here because src-shared must
 * not import the SDK; test/unit/models.test.ts checks this table against the installed SDK.
 */
export const KNOWN_MODELS: readonly string[] = [
  'claude-fable-5-2',
  'claude-mythos-5-2',
  'claude-haiku-5-5',
  'claude-sonnet-5-5',
  'claude-fable-5-1',
  'claude-opus-5-5',
  'claude-mythos-5-1',
  'claude-sonnet-5',
  'claude-fable-5',
  'claude-mythos-5',
  'claude-opus-5',
  'claude-opus-4-8',
  'claude-opus-4-7',
  'claude-mythos-preview',
  'claude-opus-4-6',
  'claude-sonnet-4-6',
  'claude-haiku-4-5',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-5',
  'claude-opus-4-5-20251101',
  'claude-sonnet-4-5',
  'claude-sonnet-4-5-20250929',
];

/** Models the SDK marks deprecated, with their end-of-life dates (same test checks it). */
export const DEPRECATED_MODELS: Readonly<Record<string, string>> = {
  'claude-mythos-preview': 'June 30th, 2026',
  'claude-sonnet-4-5': 'November 30th, 2026',
  'claude-sonnet-4-5-20250929': 'November 30th, 2026',
};

/** `anthropic/claude-x` (OpenClaw style) names the same model as `claude-x`. */
export function canonicalModelName(model: string): string {
  const trimmed = model.trim();
  return trimmed.startsWith('anthropic/') ? trimmed.slice('anthropic/'.length) : trimmed;
}

/** Agent keys that name one agent (who it is, where its folders are): they have no meaning under `agents.defaults`. */
export const AGENT_ONLY_KEYS = ['id', 'default', 'name', 'identity', 'workspace', 'agentDir'] as const;
