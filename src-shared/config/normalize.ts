// Turns a schema-valid raw config into the canonical SwitchboardConfig: ids lower-cased and
// checked, ArgentOS identity strings and channel shorthands mapped, accounts merged with their
// channel's base block. Rules that need the whole config at once live in validate.ts.
import {
  CHANNELS,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_AGENT_ID,
  DEFAULT_MAIN_KEY,
  DEFAULT_RESUME_WINDOW,
  ID_PATTERN,
  RESERVED_IDS,
  BUILTIN_TOOLS,
  SUBAGENT_DEFAULTS,
  TOOL_PROFILES,
  isChannelId,
  type ChannelId,
} from './constants.ts';
import { withAgentDefaults } from './agent-defaults.ts';
import type { IssueCollector } from './collector.ts';
import { parseDuration } from './duration.ts';
import { didYouMean, type JsonPath } from './issues.ts';
import type { RawAgent, RawBinding, RawConfig, SecretRef } from './schema.ts';
import type {
  AgentConfig,
  Binding,
  BindingMatch,
  BroadcastConfig,
  ChannelAccount,
  ChannelConfig,
  PeerKind,
  SessionConfig,
  SwitchboardConfig,
} from './types.ts';

/** Fields of a channel block that hold secrets; non-default accounts never inherit them. */
export const SECRET_FIELDS: Readonly<Record<ChannelId, readonly string[]>> = {
  telegram: ['botToken'],
  discord: ['token'],
  slack: ['appToken', 'botToken'],
  whatsapp: [],
  webchat: [],
};

const COMMON_ACCOUNT_KEYS = new Set([
  'enabled',
  'name',
  'dmPolicy',
  'allowFrom',
  'groupPolicy',
  'groupAllowFrom',
  'groups',
  'textChunkLimit',
  'mediaMaxMb',
]);

/** Account keys inherited from the base block only as a whole (DM access; group access). */
const ACCESS_GROUPS: readonly (readonly string[])[] = [
  ['dmPolicy', 'allowFrom'],
  ['groupPolicy', 'groupAllowFrom', 'groups'],
];

/** Checks an agent or account id; returns the lower-cased id, or undefined after reporting. */
export function checkId(raw: string, what: 'agent' | 'account', path: JsonPath, out: IssueCollector): string | undefined {
  const id = raw.trim().toLowerCase();
  if (!ID_PATTERN.test(id)) {
    out.error(
      path,
      `invalid_${what}_id`,
      `${what} id "${raw}" is not allowed: use 1-64 characters a-z, 0-9, "_" or "-", starting with a letter or digit`,
    );
    return undefined;
  }
  if (RESERVED_IDS.has(id)) {
    out.error(path, `invalid_${what}_id`, `${what} id "${raw}" is a reserved name on some systems; choose another`);
    return undefined;
  }
  return id;
}

export function normalizePeerKind(kind: string): PeerKind | undefined {
  const k = kind.trim().toLowerCase();
  if (k === 'dm' || k === 'direct') return 'direct';
  if (k === 'group' || k === 'channel') return k;
  return undefined;
}

function idString(value: string | number): string {
  return String(value).trim();
}

type RawSandbox = NonNullable<RawAgent['sandbox']>;

/** `own` already holds what the agent inherits from `agents.defaults.sandbox` (agent-defaults.ts). */
function normalizeSandbox(own: RawSandbox | undefined): AgentConfig['sandbox'] {
  const scope = own?.scope;
  const workspaceAccess = own?.workspaceAccess;
  const docker = own?.docker;
  return {
    mode: own?.mode ?? 'off',
    ...(scope ? { scope } : {}),
    ...(workspaceAccess ? { workspaceAccess } : {}),
    network: { allow: (own?.network?.allow ?? []).map((h) => h.trim().toLowerCase()) },
    ...(docker ? { docker } : {}),
  };
}

/** `allow` after `profile`: the profile's list, narrowed by `allow` when both are written (OpenClaw applies both). */
function toolAllowList(tools: RawAgent['tools'], path: JsonPath, out: IssueCollector): { allow?: string[] } {
  const allow = tools?.allow?.map((t) => t.trim());
  const name = tools?.profile?.trim().toLowerCase();
  if (name === undefined) return allow ? { allow } : {};
  const profile = TOOL_PROFILES[name];
  if (!profile) {
    const known = Object.keys(TOOL_PROFILES);
    out.error(
      path,
      'unknown_tool_profile',
      `unknown tool profile "${tools!.profile}"${didYouMean(name, known)}; profiles: ${known.join(', ')}`,
    );
    return allow ? { allow } : {};
  }
  // The narrowed list drops names the profile lacks, so the later unknown-tool check never sees a
  // misspelling here: say it now, and say when a real tool is left out by the profile itself.
  const allowPath = (i: number) => [...path.slice(0, -1), 'allow', i];
  const builtin: readonly string[] = BUILTIN_TOOLS;
  allow?.forEach((tool, i) => {
    if (!builtin.includes(tool))
      out.warn(
        allowPath(i),
        'unknown_tool',
        `unknown tool "${tool}"${didYouMean(tool, builtin)}; it is ignored (unknown tools are never available)`,
      );
    else if (!(profile as readonly string[]).includes(tool))
      out.warn(
        allowPath(i),
        'tool_outside_profile',
        `"${tool}" is not in the "${name}" profile, and allow only narrows a profile, so it stays off; choose a larger profile (${profilesWith(tool).join(', ')}) or drop the profile`,
      );
  });
  return { allow: allow ? profile.filter((t) => allow.includes(t)) : [...profile] };
}

function profilesWith(tool: string): string[] {
  return Object.entries(TOOL_PROFILES)
    .filter(([, list]) => (list as readonly string[]).includes(tool))
    .map(([name]) => name);
}

/**
 * `model` as a string or `{ primary, fallbacks }` → the primary in `model` (what every reader of a
 * model name already expects) plus `modelFallbacks` (docs/config.md#model-fallbacks).
 */
export function modelFields(
  model: RawAgent['model'],
  path: JsonPath,
  out: IssueCollector | undefined,
  inheritedPrimary?: string,
): { model?: string; modelFallbacks?: string[] } {
  if (model === undefined) return {};
  if (typeof model === 'string') return { model: model.trim() };
  const primary = model.primary === undefined ? inheritedPrimary?.trim() : model.primary.trim();
  if (!primary && out)
    out.error(
      [...path, 'primary'],
      'missing_primary_model',
      `${primary === undefined ? 'missing' : 'empty'}: model.primary names the model tried first (the fallbacks only answer when it fails)`,
    );
  return { ...(primary ? { model: primary } : {}), ...(model.fallbacks ? { modelFallbacks: model.fallbacks.map((m) => m.trim()) } : {}) };
}

/**
 * `inherited`: an agent's `{ fallbacks }` without a primary takes that of agents.defaults (written
 * as a string or an object), and a model it inherits whole is reported once, at agents.defaults.
 */
interface ModelInheritance {
  ownModel: boolean;
  defaultPrimary?: string;
}

function normalizeAgent(raw: RawAgent, path: JsonPath, out: IssueCollector, inherited: ModelInheritance): AgentConfig | undefined {
  const id = checkId(raw.id, 'agent', [...path, 'id'], out);
  if (id === undefined) return undefined;
  const identity = typeof raw.identity === 'string' ? { persona: raw.identity } : { ...raw.identity };
  return {
    id,
    default: raw.default === true,
    ...(raw.name !== undefined ? { name: raw.name } : identity.name !== undefined ? { name: identity.name } : {}),
    identity,
    ...(raw.workspace !== undefined ? { workspace: raw.workspace } : {}),
    ...(raw.agentDir !== undefined ? { agentDir: raw.agentDir } : {}),
    ...modelFields(raw.model, [...path, 'model'], inherited.ownModel ? out : undefined, inherited.defaultPrimary),
    groupChat: {
      mentionPatterns: raw.groupChat?.mentionPatterns ?? [],
      ...(raw.groupChat?.historyLimit !== undefined ? { historyLimit: raw.groupChat.historyLimit } : {}),
    },
    tools: {
      ...toolAllowList(raw.tools, [...path, 'tools', 'profile'], out),
      deny: (raw.tools?.deny ?? []).map((t) => t.trim()),
      nonOwners: { allow: (raw.tools?.nonOwners?.allow ?? []).map((t) => t.trim()) },
      exec: { unsandboxed: raw.tools?.exec?.unsandboxed === true },
    },
    memory: { scope: raw.memory?.scope ?? (raw.memory?.pool ? 'shared' : 'agent'), ...(raw.memory?.pool ? { pool: raw.memory.pool } : {}) },
    tasks: { scope: raw.tasks?.scope ?? (raw.tasks?.pool ? 'shared' : 'agent'), ...(raw.tasks?.pool ? { pool: raw.tasks.pool } : {}) },
    ...(raw.skills ? { skills: raw.skills } : {}),
    sandbox: normalizeSandbox(raw.sandbox),
    authProfiles: { scope: raw.authProfiles?.scope ?? 'agent' },
    owners: raw.owners ?? [],
    limits: { ...raw.limits },
    reset: { ...raw.reset },
    ...heartbeatOf(raw.heartbeat, [...path, 'heartbeat'], out),
    subagents: subagentsOf(raw.subagents),
  };
}

/** OpenClaw sub-agent keys Switchboard reads but does not act on, and why (the checker says so). */
const UNSUPPORTED_SUBAGENT_KEYS: Record<string, string> = {
  model: "a sub-agent runs on its agent's own model",
  thinking: "a sub-agent runs with its agent's own settings",
  allowAgents: 'a sub-agent is always a run of the same agent; use sessions_send to reach another agent',
  runTimeoutSeconds: 'a sub-agent run ends with its parent turn (stop it with /stop or turn.cancel)',
  archiveAfterMinutes: 'sub-agent sessions are kept like any other session',
  announceTimeoutMs: 'the result is returned to the parent turn, not announced later',
};

/** Reported where the key is written (once for agents.defaults, not again for every agent inheriting it). */
function warnUnsupportedSubagentKeys(raw: RawAgent['subagents'], path: JsonPath, out: IssueCollector): void {
  for (const [key, value] of Object.entries(raw ?? {}))
    if (value !== undefined && key in UNSUPPORTED_SUBAGENT_KEYS)
      out.warn(
        [...path, key],
        'subagents_key_unsupported',
        `subagents.${key} is not supported and has no effect: ${UNSUPPORTED_SUBAGENT_KEYS[key]}`,
      );
}

function subagentsOf(raw: RawAgent['subagents']): AgentConfig['subagents'] {
  return {
    maxSpawnDepth: raw?.maxSpawnDepth ?? SUBAGENT_DEFAULTS.maxSpawnDepth,
    maxConcurrent: raw?.maxConcurrent ?? SUBAGENT_DEFAULTS.maxConcurrent,
    maxChildrenPerAgent: raw?.maxChildrenPerAgent ?? SUBAGENT_DEFAULTS.maxChildrenPerAgent,
  };
}

function heartbeatOf(raw: RawAgent['heartbeat'], path: JsonPath, out: IssueCollector): { heartbeat?: AgentConfig['heartbeat'] } {
  const target = raw?.target?.toLowerCase();
  if (target === 'last')
    out.warn(
      [...path, 'target'],
      'heartbeat_target_unsupported',
      'heartbeat target "last" (the last contact) is not supported yet; heartbeat replies are only recorded. Name a channel and `to` instead',
    );
  else if (target && target !== 'none' && (!isChannelId(target) || target === 'webchat'))
    out.error(
      [...path, 'target'],
      'invalid_heartbeat_target',
      `heartbeat target "${raw!.target}" is not "none" or a chat channel (${CHANNELS.filter((c) => c !== 'webchat').join(', ')})`,
    );
  else if (target && target !== 'none' && raw?.to === undefined)
    out.error([...path, 'to'], 'missing_heartbeat_to', `heartbeat target "${target}" needs \`to\`: the chat or user id to send to`);
  const everyMs = raw?.every !== undefined ? (parseDuration(raw.every) ?? 0) : 0;
  if (!raw || everyMs === 0) return {};
  return {
    heartbeat: {
      everyMs,
      ...(raw.activeHours ? { activeHours: { ...raw.activeHours } } : {}),
      ...(raw.prompt !== undefined ? { prompt: raw.prompt } : {}),
      // Checked by validate.ts (a channel id and a `to`); anything else records only.
      ...(target && isChannelId(target) && raw.to !== undefined
        ? { target: { channel: target, accountId: (raw.accountId ?? DEFAULT_ACCOUNT_ID).toLowerCase(), to: String(raw.to).trim() } }
        : {}),
    },
  };
}

function normalizeAgents(raw: RawConfig, out: IssueCollector): SwitchboardConfig['agents'] {
  const list: AgentConfig[] = [];
  const seen = new Map<string, number>();
  const dm = raw.agents?.defaults?.model;
  const defaultPrimary = typeof dm === 'string' ? dm : dm?.primary;
  warnUnsupportedSubagentKeys(raw.agents?.defaults?.subagents, ['agents', 'defaults', 'subagents'], out);
  (raw.agents?.list ?? []).forEach((entry, i) => {
    warnUnsupportedSubagentKeys(entry.subagents, ['agents', 'list', i, 'subagents'], out);
    const inherited = { ownModel: entry.model !== undefined, ...(defaultPrimary ? { defaultPrimary } : {}) };
    const agent = normalizeAgent(withAgentDefaults(raw.agents?.defaults, entry), ['agents', 'list', i], out, inherited);
    if (!agent) return;
    const earlier = seen.get(agent.id);
    if (earlier !== undefined) {
      out.error(
        ['agents', 'list', i, 'id'],
        'duplicate_agent',
        `agent id "${entry.id}" is already used by agents.list[${earlier}] (ids compare case-insensitively)`,
      );
      return;
    }
    seen.set(agent.id, i);
    list.push(agent);
  });
  if (list.length === 0 && (raw.agents?.list ?? []).length === 0) {
    list.push(normalizeAgent(withAgentDefaults(raw.agents?.defaults, { id: DEFAULT_AGENT_ID }), ['agents'], out, { ownModel: false })!);
    list[0]!.implicit = true;
    list[0]!.default = true;
  }
  const defaults = list.filter((a) => a.default);
  if (defaults.length > 1) {
    const [first, ...rest] = defaults;
    for (const extra of rest) {
      const i = (raw.agents?.list ?? []).findIndex((a) => a.id.trim().toLowerCase() === extra.id);
      out.warn(
        ['agents', 'list', i, 'default'],
        'multiple_defaults',
        `several agents have default: true; "${first!.id}" (the first) is the default, "${extra.id}" is not`,
      );
      extra.default = false;
    }
  }
  const { model, ...otherDefaults } = raw.agents?.defaults ?? {};
  return { defaults: { ...otherDefaults, ...modelFields(model, ['agents', 'defaults', 'model'], out) }, list };
}

function normalizeAccountId(raw: string | number | undefined, path: JsonPath, out: IssueCollector): string | undefined {
  if (raw === undefined) return DEFAULT_ACCOUNT_ID;
  const id = idString(raw).toLowerCase();
  if (id === '') return DEFAULT_ACCOUNT_ID;
  if (id === '*') return '*';
  return checkId(id, 'account', path, out);
}

/** Telegram peers are numeric: a user id, a (negative) chat id, or `<chatId>:topic:<threadId>`. */
function isTelegramPeerId(id: string): boolean {
  return id === '*' || /^-?\d+(:topic:\d+)?$/.test(id);
}

function telegramPeerHint(id: string, kind: PeerKind): string {
  const what = id.startsWith('@')
    ? `Telegram usernames like "${id}" can be changed or handed to someone else`
    : `"${id}" is not a Telegram id`;
  const find =
    kind === 'direct'
      ? 'the numeric user id: have them message the bot, and it shows in "switchboard pairing list" and in the pairing reply they get ("your id: …")'
      : `the numeric chat id (groups and channels are negative, e.g. -1001234567890; a forum topic is "<chatId>:topic:<n>"): add the bot, send a message there, and read the id from that session in the dashboard's Chats view (its key ends in telegram:${kind}:<id>)`;
  return `${what}; Telegram peer bindings take ${find}`;
}

export function normalizeBinding(
  raw: RawBinding,
  index: number,
  source: Binding['source'],
  path: JsonPath,
  out: IssueCollector,
): Binding | undefined {
  const m = raw.match;
  let ok = true;
  const channel = m.channel.trim().toLowerCase();
  if (!isChannelId(channel)) {
    out.error(
      [...path, 'match', 'channel'],
      'unknown_channel',
      `unknown channel "${m.channel}"${didYouMean(channel, CHANNELS)}; Switchboard supports ${CHANNELS.join(', ')}`,
    );
    ok = false;
  }
  const accountId = normalizeAccountId(m.accountId, [...path, 'match', 'accountId'], out);
  if (accountId === undefined) ok = false;
  const match: Partial<BindingMatch> = { channel: channel as ChannelId, accountId: accountId ?? DEFAULT_ACCOUNT_ID };
  if (m.peer) {
    const kind = normalizePeerKind(m.peer.kind);
    const id = idString(m.peer.id);
    if (!kind) {
      out.error(
        [...path, 'match', 'peer', 'kind'],
        'unknown_peer_kind',
        `unknown peer kind "${m.peer.kind}"; use direct (or dm), group or channel`,
      );
      ok = false;
    }
    if (id === '') {
      out.error([...path, 'match', 'peer', 'id'], 'empty_peer_id', 'peer id must not be empty (use "*" for any peer of this kind)');
      ok = false;
    }
    if (kind && id !== '' && channel === 'telegram' && !isTelegramPeerId(id)) {
      out.error([...path, 'match', 'peer', 'id'], 'invalid_peer_id', telegramPeerHint(id, kind));
      ok = false;
    }
    if (kind) match.peer = { kind, id };
  }
  for (const key of ['guildId', 'teamId'] as const) {
    const value = m[key];
    if (value === undefined) continue;
    const id = idString(value);
    if (id === '') {
      out.error([...path, 'match', key], 'empty_id', `${key} must not be empty`);
      ok = false;
    }
    match[key] = id;
  }
  if (m.roles && m.roles.length > 0) match.roles = m.roles.map(idString);
  if (match.roles && match.guildId === undefined) {
    out.error([...path, 'match', 'roles'], 'roles_without_guild', 'roles only apply inside a guild: add match.guildId');
    ok = false;
  }
  if (match.guildId !== undefined && match.teamId !== undefined) {
    out.error(
      [...path, 'match', 'teamId'],
      'guild_and_team',
      'a binding cannot match both a Discord guild and a team; split it in two bindings',
    );
    ok = false;
  }
  if (!ok) return undefined;
  return {
    index,
    source,
    agentId: raw.agentId.trim().toLowerCase(),
    match: match as BindingMatch,
    ...(raw.comment ? { comment: raw.comment } : {}),
  };
}

const ALLOW_FROM_RULES: Partial<Record<ChannelId, { normalize: (v: string) => string | undefined; hint: (v: string) => string }>> = {
  telegram: {
    normalize: (v) => {
      const s = v.replace(/^(tg|telegram):/i, '');
      return /^-?\d+$/.test(s) ? s : undefined;
    },
    hint: (v) =>
      v.startsWith('@')
        ? `Telegram usernames like "${v}" can be recycled by someone else; use the numeric user id (optionally "tg:<id>")`
        : `"${v}" is not a Telegram user id; use the numeric id (optionally "tg:<id>")`,
  },
  discord: {
    normalize: (v) => {
      const s = v.replace(/^(discord|user):/i, '');
      return /^\d+$/.test(s) ? s : undefined;
    },
    hint: (v) => `"${v}" is not a Discord user id; names and tags can collide, so allowlists take numeric user ids`,
  },
  slack: {
    // Member ids are U… (W… on Enterprise Grid); display names are not unique and can be changed.
    normalize: (v) => {
      const s = v.replace(/^(slack|user):/i, '').toUpperCase();
      return /^[UW][A-Z0-9]{2,}$/.test(s) ? s : undefined;
    },
    hint: (v) => `"${v}" is not a Slack member id; allowlists take member ids like "U012AB3CD" (profile → ⋮ → Copy member ID), not names`,
  },
  whatsapp: {
    normalize: (v) => {
      const s = v.replace(/^whatsapp:/i, '').replace(/[\s()-]/g, '');
      return /^\+[1-9]\d{6,14}$/.test(s) ? s : undefined;
    },
    hint: (v) => `"${v}" is not an E.164 phone number; write it like "+15551234567"`,
  },
};

function normalizeAllowList(channel: ChannelId, list: (string | number)[] | undefined, path: JsonPath, out: IssueCollector): string[] {
  const rule = ALLOW_FROM_RULES[channel];
  const result: string[] = [];
  (list ?? []).forEach((entry, i) => {
    const value = idString(entry);
    if (value === '*' || !rule) {
      result.push(value);
      return;
    }
    const normalized = rule.normalize(value);
    if (normalized === undefined) out.error([...path, i], 'invalid_sender_id', rule.hint(value));
    else result.push(normalized);
  });
  return result;
}

function isPlaintextSecret(value: SecretRef): value is string {
  return typeof value === 'string';
}

function buildAccount(
  channel: ChannelId,
  accountId: string,
  base: Record<string, unknown>,
  own: Record<string, unknown>,
  path: JsonPath,
  out: IssueCollector,
): ChannelAccount {
  const secretFields = SECRET_FIELDS[channel];
  // The base block is the default account; other accounts inherit its settings but never its secrets.
  const inherited = Object.fromEntries(Object.entries(base).filter(([k]) => accountId === DEFAULT_ACCOUNT_ID || !secretFields.includes(k)));
  // Who may talk to the account is decided as a whole: an account that sets any key of a group
  // gets none of that group from the base block (its dmPolicy "pairing" is not opened by a
  // channel-level allowFrom ["*"]).
  for (const group of ACCESS_GROUPS) if (group.some((k) => k in own)) for (const k of group) delete inherited[k];
  const merged: Record<string, unknown> = { ...inherited, ...own };
  const ownOrBase = (key: string): JsonPath => (key in own ? [...path, key] : ['channels', channel, key]);
  const isNamedAccount = path[2] === 'accounts';
  for (const key of ['allowFrom', 'groupAllowFrom'] as const) {
    const list = inherited[key];
    if (isNamedAccount && Array.isArray(list) && list.some((v) => String(v).trim() === '*')) {
      out.warn(
        path,
        'inherited_wildcard',
        `account "${accountId}" inherits ${key}: ["*"] from channels.${channel}, so anyone can ${key === 'allowFrom' ? 'message it directly' : 'use it in groups'}; if that is not meant, give the account its own ${key === 'allowFrom' ? 'dmPolicy/allowFrom' : 'groupPolicy/groupAllowFrom'}`,
      );
    }
  }
  const secrets: Record<string, SecretRef> = {};
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(merged)) {
    if (COMMON_ACCOUNT_KEYS.has(key)) continue;
    if (secretFields.includes(key)) {
      secrets[key] = value as SecretRef;
      if (isPlaintextSecret(value as SecretRef)) {
        out.warn(
          ownOrBase(key),
          'plaintext_secret',
          `plaintext secret in the config; move it into the OS keychain with "switchboard secrets migrate"`,
        );
      }
    } else settings[key] = value;
  }
  const account: ChannelAccount = {
    channel,
    accountId,
    enabled: merged.enabled !== false,
    ...(typeof merged.name === 'string' ? { name: merged.name } : {}),
    dmPolicy: (merged.dmPolicy as ChannelAccount['dmPolicy'] | undefined) ?? 'pairing',
    allowFrom: normalizeAllowList(channel, merged.allowFrom as (string | number)[] | undefined, ownOrBase('allowFrom'), out),
    groupPolicy: (merged.groupPolicy as ChannelAccount['groupPolicy'] | undefined) ?? 'allowlist',
    groupAllowFrom: normalizeAllowList(channel, merged.groupAllowFrom as (string | number)[] | undefined, ownOrBase('groupAllowFrom'), out),
    groups: (merged.groups as ChannelAccount['groups'] | undefined) ?? {},
    ...(typeof merged.textChunkLimit === 'number' ? { textChunkLimit: merged.textChunkLimit } : {}),
    ...(typeof merged.mediaMaxMb === 'number' ? { mediaMaxMb: merged.mediaMaxMb } : {}),
    settings,
    secrets,
  };
  if (account.dmPolicy === 'open' && !account.allowFrom.includes('*')) {
    out.error(
      ownOrBase('dmPolicy'),
      'open_without_wildcard',
      `dmPolicy "open" lets anyone talk to your agents; confirm it by adding "*" to allowFrom (account "${accountId}")`,
    );
  }
  return account;
}

function normalizeChannel(channel: ChannelId, block: Record<string, unknown>, out: IssueCollector): ChannelConfig {
  const {
    accounts: rawAccounts,
    agent,
    ...base
  } = block as { accounts?: Record<string, Record<string, unknown>>; agent?: string } & Record<string, unknown>;
  const accounts: Record<string, ChannelAccount> = {};
  const ownAccounts = new Map<string, { key: string; value: Record<string, unknown> }>();
  for (const [key, value] of Object.entries(rawAccounts ?? {})) {
    const path: JsonPath = ['channels', channel, 'accounts', key];
    const id = key === '*' ? undefined : checkId(key, 'account', path, out);
    if (key === '*') out.error(path, 'invalid_account_id', '"*" is reserved for bindings that match every account; name the account');
    if (id === undefined) continue;
    const earlier = ownAccounts.get(id);
    if (earlier) {
      out.error(path, 'duplicate_account', `account "${key}" is the same as "${earlier.key}" (account ids are lower-cased)`);
      continue;
    }
    ownAccounts.set(id, { key, value });
  }
  const secretFields = SECRET_FIELDS[channel];
  const baseHasSecret = secretFields.some((f) => base[f] !== undefined);
  // The base block is the default account when no accounts are listed, when it carries a
  // credential, or when accounts.default refines it.
  if (ownAccounts.size === 0 || baseHasSecret || ownAccounts.has(DEFAULT_ACCOUNT_ID)) {
    const own = ownAccounts.get(DEFAULT_ACCOUNT_ID);
    accounts[DEFAULT_ACCOUNT_ID] = buildAccount(
      channel,
      DEFAULT_ACCOUNT_ID,
      base,
      own?.value ?? {},
      own ? ['channels', channel, 'accounts', own.key] : ['channels', channel],
      out,
    );
  }
  for (const [id, { key, value }] of ownAccounts) {
    if (id === DEFAULT_ACCOUNT_ID) continue;
    accounts[id] = buildAccount(channel, id, base, value, ['channels', channel, 'accounts', key], out);
  }
  return { accounts, ...(agent !== undefined ? { agent: agent.trim().toLowerCase() } : {}) };
}

function normalizeSession(raw: RawConfig, out: IssueCollector): SessionConfig {
  const identityLinks: Record<string, string> = {};
  for (const [canonical, entries] of Object.entries(raw.session?.identityLinks ?? {})) {
    entries.forEach((entry, i) => {
      const path: JsonPath = ['session', 'identityLinks', canonical, i];
      const colon = entry.indexOf(':');
      const channel = colon > 0 ? entry.slice(0, colon).trim().toLowerCase() : '';
      const id = colon > 0 ? entry.slice(colon + 1).trim() : '';
      if (!isChannelId(channel) || id === '') {
        out.error(
          path,
          'invalid_identity_link',
          `identity link "${entry}" must be "<channel>:<id>" with channel one of ${CHANNELS.join(', ')}`,
        );
        return;
      }
      const key = `${channel}:${id}`.toLowerCase();
      const other = identityLinks[key];
      if (other !== undefined && other !== canonical) {
        out.error(path, 'duplicate_identity_link', `"${entry}" is already linked to "${other}"`);
        return;
      }
      identityLinks[key] = canonical.trim();
    });
  }
  const mainKey = (raw.session?.mainKey ?? '').trim().toLowerCase() || DEFAULT_MAIN_KEY;
  const dmScope = raw.session?.dmScope;
  if (dmScope === 'main')
    out.warn(
      ['session', 'dmScope'],
      'dm_scope_main',
      'session.dmScope is "main": direct messages from senders who are not owners go into the main session too, so strangers share the owner\'s context (the model answers them with the owner\'s conversation in view); remove the key to give each of them a session of their own',
    );
  const rawWindow = raw.session?.resumeWindow;
  let resumeWindowMs = parseDuration(rawWindow ?? DEFAULT_RESUME_WINDOW);
  if (resumeWindowMs === null) {
    out.error(
      ['session', 'resumeWindow'],
      'invalid_duration',
      `session.resumeWindow ${JSON.stringify(rawWindow)} is not a duration: write a number of milliseconds or a string like "90s", "10m" or "2h"`,
    );
    resumeWindowMs = parseDuration(DEFAULT_RESUME_WINDOW)!;
  }
  return { dmScope: dmScope ?? 'main', dmScopeExplicit: dmScope !== undefined, mainKey, identityLinks, resumeWindowMs };
}

function normalizeBroadcast(raw: RawConfig): BroadcastConfig | undefined {
  if (!raw.broadcast) return undefined;
  const { strategy, ...groups } = raw.broadcast as { strategy?: BroadcastConfig['strategy'] } & Record<string, string[]>;
  const normalized: Record<string, string[]> = {};
  for (const [peerId, agents] of Object.entries(groups)) {
    normalized[peerId.trim()] = (agents as string[]).map((a) => a.trim().toLowerCase());
  }
  return { strategy: strategy ?? 'parallel', groups: normalized };
}

export function normalizeConfig(raw: RawConfig, out: IssueCollector): SwitchboardConfig {
  const agents = normalizeAgents(raw, out);
  const bindings: Binding[] = [];
  (raw.bindings ?? []).forEach((b, i) => {
    const binding = normalizeBinding(b, i, 'bindings', ['bindings', i], out);
    if (binding) bindings.push(binding);
  });
  const channels: SwitchboardConfig['channels'] = {};
  let next = raw.bindings?.length ?? 0;
  for (const channel of CHANNELS) {
    const block = raw.channels?.[channel];
    if (!block) continue;
    const normalized = normalizeChannel(channel, block as Record<string, unknown>, out);
    channels[channel] = normalized;
    if (normalized.agent !== undefined) {
      bindings.push({ index: next++, source: 'shorthand', agentId: normalized.agent, match: { channel, accountId: '*' } });
    }
  }
  const a2a = raw.tools?.agentToAgent;
  if (raw.tools?.elevated !== undefined)
    out.warn(
      ['tools', 'elevated'],
      'tools_elevated_unsupported',
      'tools.elevated is not supported and has no effect: there is no elevated mode; who may use write, edit and exec is set per agent (agents.list[].owners, tools.nonOwners.allow) and where exec runs by its sandbox (agents.list[].sandbox)',
    );
  return {
    agents,
    bindings,
    channels,
    session: normalizeSession(raw, out),
    tools: {
      agentToAgent: {
        enabled: a2a?.enabled === true,
        allow: (a2a?.allow ?? []).map((a) => a.trim().toLowerCase()),
        maxTurns: a2a?.maxTurns ?? 5,
      },
    },
    ...(raw.broadcast ? { broadcast: normalizeBroadcast(raw)! } : {}),
    models: { anthropic: { ...(raw.models?.anthropic?.baseUrl ? { baseUrl: raw.models.anthropic.baseUrl } : {}) } },
    gateway: {
      maxConcurrentSessions: raw.gateway?.maxConcurrentSessions ?? 4,
      queueLimit: raw.gateway?.queueLimit ?? 1000,
      ...(raw.gateway?.port !== undefined ? { port: raw.gateway.port } : {}),
      remoteAccess: raw.gateway?.remoteAccess === true,
    },
    logging: { ...raw.logging },
  };
}

/** Where a binding lives in the file: `bindings[i]`, or the channel block of a shorthand. */
export function bindingPath(binding: Binding): JsonPath {
  return binding.source === 'bindings' ? ['bindings', binding.index] : ['channels', binding.match.channel, 'agent'];
}
