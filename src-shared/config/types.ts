// The canonical, normalised configuration every other layer reads. Whatever shape the file was
// written in (OpenClaw/CoderClaw list form, ArgentOS map form), it becomes this.
import type { ChannelId, DmPolicy, DmScope, GroupPolicy } from './constants.ts';
import type { SecretRef } from './schema.ts';

export type PeerKind = 'direct' | 'group' | 'channel';

export interface PeerRef {
  kind: PeerKind;
  id: string;
}

export interface AgentIdentity {
  name?: string;
  emoji?: string;
  avatar?: string;
  persona?: string;
  theme?: string;
}

export interface PoolScope {
  scope: 'agent' | 'shared';
  /** Pool name for shared scope; agents naming the same pool share it. Default pool: `shared`. */
  pool?: string;
}

/** Where the agent's `exec` runs: the OS sandbox (bubblewrap, sandbox-exec), or directly. */
export interface AgentSandbox {
  /** `non-main`: every session except the agent's main session. */
  mode: 'off' | 'non-main' | 'all';
  scope?: 'agent' | 'session' | 'shared';
  /** What the sandbox sees of the workspace: `rw` (default), `ro`, or `none` (a scratch folder instead). */
  workspaceAccess?: 'none' | 'ro' | 'rw';
  /** Hosts reachable from inside; empty = no network at all. */
  network: { allow: string[] };
  docker?: Record<string, unknown>;
}

export interface AgentHeartbeat {
  everyMs: number;
  activeHours?: { start: string; end: string; timezone?: string };
  /** As configured; the default is DEFAULT_HEARTBEAT_PROMPT. */
  prompt?: string;
  /** Where a reply with something to report goes; absent = recorded only (OpenClaw's "none"). */
  target?: { channel: ChannelId; accountId: string; to: string };
}

/** Bounds of `sessions_spawn` (docs/heartbeat-subagents.md#sub-agents-sessions_spawn), defaults filled in. */
export interface AgentSubagents {
  /** How deep spawns may nest: a turn at depth d may spawn only while d < maxSpawnDepth (the main turn is depth 0). */
  maxSpawnDepth: number;
  /** Sub-agent runs of this agent at once, over all its sessions. */
  maxConcurrent: number;
  /** Sub-agent runs one session may have at once. */
  maxChildrenPerAgent: number;
}

export interface AgentConfig {
  id: string;
  default: boolean;
  name?: string;
  identity: AgentIdentity;
  /** As written (may start with `~` or be relative to the config file); resolved in src-main. */
  workspace?: string;
  agentDir?: string;
  /** The primary model as written (`model`, or `model.primary`); unset = the built-in default. */
  model?: string;
  /** `model.fallbacks`: tried in order when the primary is overloaded, failing or unknown (docs/config.md#model-fallbacks). */
  modelFallbacks?: string[];
  groupChat: { mentionPatterns: string[]; historyLimit?: number };
  /** `nonOwners.allow`: owner-only tools (OWNER_ONLY_TOOLS) also offered to senders who are not owners. */
  /** `exec.unsandboxed`: exec may run outside the OS sandbox on Linux and macOS (docs/security.md). */
  tools: { allow?: string[]; deny: string[]; nonOwners: { allow: string[] }; exec: { unsandboxed: boolean } };
  memory: PoolScope;
  tasks: PoolScope;
  skills?: string[];
  sandbox: AgentSandbox;
  authProfiles: { scope: 'agent' | 'shared' };
  owners: string[];
  limits: { dailyTokens?: number; perSenderPerMinute?: number };
  reset: { dailyHour?: number; idleMinutes?: number };
  /** Absent when heartbeats are off (no `heartbeat.every`, or "0m"). docs/heartbeat-subagents.md */
  heartbeat?: AgentHeartbeat;
  subagents: AgentSubagents;
  /** True for the `main` agent that exists when the config lists none. */
  implicit?: boolean;
}

export interface BindingMatch {
  channel: ChannelId;
  /** Lower-cased; `default` when the binding did not name one; `*` for every account. */
  accountId: string;
  peer?: PeerRef;
  guildId?: string;
  roles?: string[];
  teamId?: string;
}

export interface Binding {
  /** Position in the combined list (explicit bindings first, then channel shorthands). */
  index: number;
  /** `bindings` for `bindings[i]`, `shorthand` for a `channels.<ch>.agent` entry. */
  source: 'bindings' | 'shorthand';
  agentId: string;
  match: BindingMatch;
  comment?: string;
}

export interface GroupEntry {
  requireMention?: boolean;
  allow?: boolean;
  allowFrom?: string[];
}

export interface ChannelAccount {
  channel: ChannelId;
  accountId: string;
  enabled: boolean;
  name?: string;
  dmPolicy: DmPolicy;
  allowFrom: string[];
  groupPolicy: GroupPolicy;
  groupAllowFrom: string[];
  groups: Record<string, GroupEntry>;
  textChunkLimit?: number;
  mediaMaxMb?: number;
  /** Channel-specific settings (botToken, token, apiRoot, guilds, authDir, …), merged from the base block. */
  settings: Record<string, unknown>;
  /** Secret fields of this account (never inherited from the base block by non-default accounts). */
  secrets: Record<string, SecretRef>;
}

export interface ChannelConfig {
  accounts: Record<string, ChannelAccount>;
  /** ArgentOS `channels.<ch>.agent` shorthand, kept for display. */
  agent?: string;
}

export interface SessionConfig {
  dmScope: DmScope;
  /**
   * Whether the file sets `session.dmScope`. Only an explicit `"main"` puts direct messages from
   * senders who are not owners into the main session; the default gives them their own sessions.
   */
  dmScopeExplicit: boolean;
  mainKey: string;
  /** `<channel>:<id>` (lower-cased) → canonical peer name. */
  identityLinks: Record<string, string>;
  /**
   * `session.resumeWindow` in ms (default 10 minutes): a message a crash left unanswered gets its
   * turn on the next start while younger than this; older, it is closed and the sender told.
   */
  resumeWindowMs: number;
}

export interface BroadcastConfig {
  strategy: 'parallel' | 'sequential';
  groups: Record<string, string[]>;
}

export interface SwitchboardConfig {
  agents: {
    defaults: { model?: string; modelFallbacks?: string[]; sandbox?: { docker?: unknown } } & Record<string, unknown>;
    list: AgentConfig[];
  };
  bindings: Binding[];
  channels: Partial<Record<ChannelId, ChannelConfig>>;
  session: SessionConfig;
  tools: { agentToAgent: { enabled: boolean; allow: string[]; maxTurns: number } };
  broadcast?: BroadcastConfig;
  models: { anthropic: { baseUrl?: string } };
  gateway: { maxConcurrentSessions: number; queueLimit: number; port?: number; remoteAccess: boolean };
  logging: { level?: string };
}
