// Tool permissions as the wizard offers them: the presets of docs/agents.md#tools over the built-in tool
// names from src-shared (the same list the gateway's tool registry enforces), and what an
// allow/deny pair means in effect (no allow list: every tool but exec and sessions_send; deny wins),
// and which owner-only tools are opened to senders who are not owners (none in every preset).
import { BUILTIN_TOOLS, DEFAULT_DENIED_TOOLS, OWNER_ONLY_TOOLS } from '../../../../src-shared/config/index.ts';

export interface ToolPolicy {
  /** Undefined: the default set. An empty list: no tools at all. */
  allow?: string[];
  deny: string[];
  /** `tools.nonOwners.allow`: owner-only tools (write, edit, exec) also open to non-owners; absent = none. */
  nonOwners?: string[];
}

export const OWNER_ONLY: readonly string[] = OWNER_ONLY_TOOLS;

export type ToolPreset = 'standard' | 'full' | 'read-only' | 'chat-only' | 'custom';

const READ_ONLY = ['read', 'sessions_list', 'sessions_history', 'session_status', 'memory_search', 'task_list'];

export const TOOL_PRESETS: {
  id: Exclude<ToolPreset, 'custom'>;
  label: string;
  description: string;
  allow: readonly string[] | undefined;
}[] = [
  {
    id: 'standard',
    label: 'Standard',
    description:
      'Every built-in tool except running commands (exec) and messaging other agents (sessions_send); writing and editing files only when an owner asks. What an agent gets when the config says nothing.',
    allow: undefined,
  },
  {
    id: 'full',
    label: 'Full',
    description:
      'Every built-in tool, including exec (runs commands on this machine) and sessions_send. write, edit and exec still only when an owner asks.',
    allow: BUILTIN_TOOLS,
  },
  {
    id: 'read-only',
    label: 'Read-only',
    description: 'Can read its workspace, sessions, memory and tasks, but change nothing.',
    allow: READ_ONLY,
  },
  { id: 'chat-only', label: 'Chat only', description: 'No tools: the agent only talks.', allow: [] },
];

/** What each built-in tool does, in a few words (shown on its chip). */
export const TOOL_DESCRIPTIONS: Readonly<Record<string, string>> = {
  read: 'read files in its workspace',
  write: 'create and overwrite files in its workspace',
  edit: 'edit files in its workspace',
  exec: 'run commands (in the OS sandbox on Linux and macOS)',
  sessions_list: 'list its conversations',
  sessions_history: 'read its past conversations',
  session_status: 'see the current session',
  sessions_send: 'message other agents',
  sessions_spawn: 'hand a task to a sub-agent of itself',
  memory_save: 'save to its memory',
  memory_search: 'search its memory',
  task_add: 'add tasks',
  task_list: 'list tasks',
  task_update: 'update tasks',
  skill: 'use its skills',
};

export const KNOWN_TOOLS: readonly string[] = BUILTIN_TOOLS;

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * Which preset a policy is (anything with a deny list or another allow list is custom). The
 * non-owner list is set apart (below the presets) and does not make a policy custom.
 */
export function presetOf(policy: ToolPolicy): ToolPreset {
  if (policy.deny.length > 0) return 'custom';
  for (const p of TOOL_PRESETS) {
    if (p.allow === undefined ? policy.allow === undefined : policy.allow !== undefined && sameSet(policy.allow, p.allow)) return p.id;
  }
  return 'custom';
}

/** A preset's policy: none of them opens an owner-only tool to non-owners (a group or team agent gets nothing extra). */
export function policyOfPreset(preset: Exclude<ToolPreset, 'custom'>): ToolPolicy {
  const p = TOOL_PRESETS.find((x) => x.id === preset)!;
  return { ...(p.allow !== undefined ? { allow: [...p.allow] } : {}), deny: [] };
}

/** The owner-only tools a sender who is not an owner may use under `policy` (enabled and opened). */
export function nonOwnerTools(policy: ToolPolicy): string[] {
  const effective = effectiveTools(policy);
  return OWNER_ONLY.filter((t) => effective.includes(t) && (policy.nonOwners ?? []).includes(t));
}

export function toggleNonOwner(policy: ToolPolicy, tool: string): ToolPolicy {
  const current = policy.nonOwners ?? [];
  const next = current.includes(tool) ? current.filter((t) => t !== tool) : [...current, tool];
  const { nonOwners: _drop, ...rest } = policy;
  return next.length > 0 ? { ...rest, nonOwners: next } : rest;
}

/** The tools the agent can actually use under `policy` (unknown names never count). */
export function effectiveTools(policy: ToolPolicy): string[] {
  const base = policy.allow ?? KNOWN_TOOLS.filter((t) => !(DEFAULT_DENIED_TOOLS as readonly string[]).includes(t));
  return KNOWN_TOOLS.filter((t) => base.includes(t) && !policy.deny.includes(t));
}

/** Toggling a tool on the allow list turns the default set into an explicit list first. */
export function toggleAllowed(policy: ToolPolicy, tool: string): ToolPolicy {
  const current = policy.allow ?? KNOWN_TOOLS.filter((t) => !(DEFAULT_DENIED_TOOLS as readonly string[]).includes(t));
  const allow = current.includes(tool) ? current.filter((t) => t !== tool) : [...current, tool];
  return { ...policy, allow: KNOWN_TOOLS.filter((t) => allow.includes(t)).concat(allow.filter((t) => !KNOWN_TOOLS.includes(t))) };
}

export function toggleDenied(policy: ToolPolicy, tool: string): ToolPolicy {
  const deny = policy.deny.includes(tool) ? policy.deny.filter((t) => t !== tool) : [...policy.deny, tool];
  return { ...policy, deny };
}

/** The `tools` block for the config: undefined when the policy is the default set. */
export function toolsConfig(policy: ToolPolicy): { allow?: string[]; deny?: string[]; nonOwners?: { allow: string[] } } | undefined {
  const nonOwners = policy.nonOwners ?? [];
  if (policy.allow === undefined && policy.deny.length === 0 && nonOwners.length === 0) return undefined;
  return {
    ...(policy.allow !== undefined ? { allow: policy.allow } : {}),
    ...(policy.deny.length > 0 ? { deny: policy.deny } : {}),
    ...(nonOwners.length > 0 ? { nonOwners: { allow: nonOwners } } : {}),
  };
}

/**
 * Where the OS sandbox exists (Linux: bubblewrap, macOS: sandbox-exec), the wizard lets an agent
 * have exec only when its config sandboxes it (docs/security.md: unconfined exec reaches every
 * file and secret of the user). The dashboard runs on the gateway's machine, so its platform is
 * the gateway's.
 */
export function execNeedsSandbox(platform: string = hostPlatform()): boolean {
  return !/Win/i.test(platform) && /Linux|Mac|X11/i.test(platform);
}

export function hostPlatform(): string {
  return typeof navigator === 'undefined' ? '' : `${navigator.platform} ${navigator.userAgent}`;
}

export const EXEC_NEEDS_SANDBOX_MESSAGE =
  'exec runs commands only inside the OS sandbox here: choose "Every conversation" or "All but the main conversation" under Sandbox below, or take exec off.';

/** What the wizard says about each sandbox mode next to exec (docs/security.md, "The exec tool"). */
export const SANDBOX_CHOICES: { mode: 'all' | 'non-main' | 'off'; label: string; description: string }[] = [
  {
    mode: 'all',
    label: 'Every conversation',
    description:
      "Commands run in the OS sandbox: they can change only this agent's workspace, cannot read your other files or secrets, and reach no network host unless the config allows it.",
  },
  {
    mode: 'non-main',
    label: 'All but the main conversation',
    description: 'Sandboxed everywhere except your own main conversation with it, where commands run as you, unconfined.',
  },
  {
    mode: 'off',
    label: 'No sandbox',
    description: 'Commands run as you and can read every file you can, including the config and its tokens.',
  },
];
