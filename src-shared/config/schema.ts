// The strict zod schema of `switchboard.json` as written by people (before normalisation).
// Unknown keys are errors with a "did you mean"; every documented key is accepted from day one,
// even where the feature that reads it comes later (docs/config.md#checking).
import { z } from 'zod';
import { AGENT_ONLY_KEYS, CHANNELS, DM_POLICIES, DM_SCOPES, GROUP_POLICIES } from './constants.ts';
import { didYouMean } from './issues.ts';
import { parseDuration } from './duration.ts';
import { HEARTBEAT_MIN_MS, isTimeZone, parseClockTime } from './heartbeat.ts';

/** `hints`: what to write instead, for keys that users of OpenClaw's docs are likely to try. */
function strict<T extends z.ZodRawShape>(shape: T, what = 'key', hints: Record<string, string> = {}) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code !== 'unrecognized_keys') return undefined;
      const keys = iss.keys as string[];
      if (keys.length === 1 && hints[keys[0]!]) return `unknown ${what} "${keys[0]}": ${hints[keys[0]!]}`;
      if (keys.length === 1) return `unknown ${what} "${keys[0]}"${didYouMean(keys[0]!, known)}; expected one of: ${known.join(', ')}`;
      return `unknown ${what}s ${keys.map((k) => `"${k}"`).join(', ')}; expected one of: ${known.join(', ')}`;
    },
  });
}

/** Ids written as numbers (Telegram chat ids, Discord snowflakes) are accepted and become strings. */
const idLike = z.union([z.string(), z.number()], { error: 'expected an id (string or number)' });
const idList = z.array(idLike);
const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A secret field: a keychain reference, an environment variable, or (import only) plaintext. */
export const secretRefSchema = z.union([z.string(), strict({ secret: nonEmpty }), strict({ env: nonEmpty })], {
  error: 'expected { secret: "name" }, { env: "VAR" } or a string',
});

const scopeSchema = strict({ scope: z.enum(['agent', 'shared']).optional(), pool: nonEmpty.optional() });

const toolPolicySchema = strict({
  /** OpenClaw's presets (TOOL_PROFILES); checked with a did-you-mean in normalize.ts. */
  profile: z.string().optional(),
  allow: z.array(z.string()).optional(),
  deny: z.array(z.string()).optional(),
  /** Owner-only tools (write, edit, exec) that senders who are not owners may use too. */
  nonOwners: strict({ allow: z.array(z.string()).optional() }).optional(),
  /** `unsandboxed: true` accepts that exec runs without the OS sandbox (docs/security.md). */
  exec: strict({ unsandboxed: z.boolean().optional() }).optional(),
});

/**
 * A host the sandboxed `exec` may reach through the sandbox's proxy: a name (`api.github.com`),
 * every name under a domain (`*.github.com`), an IP literal, each optionally with `:port`.
 */
const networkHost = z
  .string()
  .trim()
  .regex(
    /^(?:(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/,
    'expected a host like "api.github.com", "*.github.com" or "example.com:443" (no scheme, no path)',
  );

const sandboxSchema = strict({
  mode: z.enum(['off', 'non-main', 'all']).optional(),
  scope: z.enum(['session', 'agent', 'shared']).optional(),
  workspaceAccess: z.enum(['none', 'ro', 'rw']).optional(),
  network: strict({ allow: z.array(networkHost).optional() }).optional(),
  /** CoderClaw's container settings: accepted so its configs load, reported as not supported. */
  docker: z.record(z.string(), z.unknown()).optional(),
});

const limitsSchema = strict({
  dailyTokens: z.number().int().positive().optional(),
  perSenderPerMinute: z.number().int().positive().optional(),
});

const resetSchema = strict({
  dailyHour: z.number().int().min(0).max(23).optional(),
  idleMinutes: z.number().int().positive().optional(),
});

const clockTime = z.string().refine((t) => parseClockTime(t) !== null, 'expected a local time "HH:MM" from 00:00 to 24:00');

/** OpenClaw's heartbeat keys (docs/heartbeat-subagents.md). */
const heartbeatSchema = strict({
  every: z
    .string()
    .refine((t) => {
      const ms = parseDuration(t);
      return ms !== null && (ms === 0 || ms >= HEARTBEAT_MIN_MS);
    }, 'expected a duration of at least 1m like "30m", "2h" or "1d", or "0m" to turn heartbeats off')
    .optional(),
  activeHours: strict({
    start: clockTime,
    end: clockTime,
    timezone: z
      .string()
      .refine((t) => t === 'local' || isTimeZone(t), 'expected an IANA time zone like "Europe/Berlin", or "local"')
      .optional(),
  }).optional(),
  prompt: z.string().trim().min(1, 'must not be empty').optional(),
  /** "none" (record only), or a channel id to send non-empty replies to (with `to`). */
  target: z.string().trim().min(1).optional(),
  to: idLike.optional(),
  accountId: z.string().trim().min(1).optional(),
});

/**
 * OpenClaw's `subagents` keys (docs/heartbeat-subagents.md#sub-agents-sessions_spawn): the bounds of
 * sessions_spawn. OpenClaw's other sub-agent keys are accepted so its configs load; normalize.ts
 * reports them as not supported.
 */
const subagentsSchema = strict({
  maxSpawnDepth: z
    .number({ error: 'expected a whole number from 1 to 5' })
    .int('expected a whole number from 1 to 5')
    .min(1, 'expected a whole number from 1 to 5 (1: a sub-agent cannot spawn its own)')
    .max(5, 'expected a whole number from 1 to 5')
    .optional(),
  maxConcurrent: z
    .number({ error: 'expected a whole number from 1 to 20' })
    .int('expected a whole number from 1 to 20')
    .min(1, 'expected a whole number from 1 to 20 (remove sessions_spawn from tools to turn sub-agents off)')
    .max(20, 'expected a whole number from 1 to 20')
    .optional(),
  maxChildrenPerAgent: z
    .number({ error: 'expected a whole number from 1 to 20' })
    .int('expected a whole number from 1 to 20')
    .min(1, 'expected a whole number from 1 to 20')
    .max(20, 'expected a whole number from 1 to 20')
    .optional(),
  model: z.unknown().optional(),
  thinking: z.unknown().optional(),
  allowAgents: z.unknown().optional(),
  runTimeoutSeconds: z.unknown().optional(),
  archiveAfterMinutes: z.unknown().optional(),
  announceTimeoutMs: z.unknown().optional(),
});

const groupChatSchema = strict({
  mentionPatterns: z.array(z.string()).optional(),
  historyLimit: z.number().int().nonnegative().optional(),
});

export const identitySchema = strict({
  name: z.string().optional(),
  emoji: z.string().optional(),
  avatar: z.string().optional(),
  persona: z.string().optional(),
  theme: z.string().optional(),
});

/**
 * `model`: a name (the primary, no fallbacks), or OpenClaw's `{ primary, fallbacks }` chain tried in
 * order when a model is overloaded, failing or unknown (docs/config.md#model-fallbacks).
 */
// `primary` may be left out here: an agent's `{ fallbacks }` can inherit the primary of
// agents.defaults; one still missing after that is an error of normalize.ts (one issue, not a union's two).
export const modelSchema = z.union([nonEmpty, strict({ primary: z.string().trim().optional(), fallbacks: z.array(nonEmpty).optional() })], {
  error: (iss) => (iss.code === 'invalid_union' ? 'expected a model name or { primary: "<model>", fallbacks: ["<model>", …] }' : undefined),
});

const agentFields = {
  default: z.boolean().optional(),
  name: z.string().optional(),
  /** ArgentOS writes the persona as a string. */
  identity: z.union([z.string(), identitySchema]).optional(),
  workspace: nonEmpty.optional(),
  agentDir: nonEmpty.optional(),
  model: modelSchema.optional(),
  groupChat: groupChatSchema.optional(),
  tools: toolPolicySchema.optional(),
  memory: scopeSchema.optional(),
  tasks: scopeSchema.optional(),
  skills: z.array(z.string()).optional(),
  sandbox: sandboxSchema.optional(),
  authProfiles: strict({ scope: z.enum(['agent', 'shared']) }).optional(),
  owners: z.array(z.string()).optional(),
  limits: limitsSchema.optional(),
  reset: resetSchema.optional(),
  heartbeat: heartbeatSchema.optional(),
  subagents: subagentsSchema.optional(),
};

export const agentSchema = strict({ id: nonEmpty, ...agentFields });
/** An entry of the ArgentOS map form `agents: { <id>: {...} }`: the key is the id. */
export const mapAgentSchema = strict({ id: nonEmpty.optional(), ...agentFields });

/**
 * `agents.defaults`: every agent key except the ones that name one agent (AGENT_ONLY_KEYS), each
 * inherited by every agent (agent-defaults.ts). Those keys are errors here, saying why.
 */
const {
  id: _id,
  default: _default,
  name: _name,
  identity: _identity,
  workspace: _workspace,
  agentDir: _agentDir,
  ...inheritableFields
} = {
  id: nonEmpty,
  ...agentFields,
};
export const agentDefaultsSchema = z.strictObject(inheritableFields, {
  error: (iss) => {
    if (iss.code !== 'unrecognized_keys') return undefined;
    const keys = iss.keys as string[];
    const known = Object.keys(inheritableFields);
    const explain = (k: string) =>
      (AGENT_ONLY_KEYS as readonly string[]).includes(k)
        ? `"${k}" has no meaning under agents.defaults: it belongs to one agent (every agent needs its own); set it on each agent`
        : `unknown key "${k}"${didYouMean(k, known)}; agents.defaults takes: ${known.join(', ')}`;
    return keys.map(explain).join('; ');
  },
});

export const agentsSchema = strict({
  defaults: agentDefaultsSchema.optional(),
  list: z.array(agentSchema).optional(),
});

export const peerSchema = strict({ kind: z.string(), id: idLike });

export const bindingSchema = strict({
  agentId: nonEmpty,
  match: strict(
    {
      channel: nonEmpty,
      accountId: idLike.optional(),
      peer: peerSchema.optional(),
      guildId: idLike.optional(),
      roles: idList.optional(),
      teamId: idLike.optional(),
    },
    'key',
    {
      // OpenClaw's routing tier 2 is about the inbound message's parent, not a binding key (docs/routing.md).
      parentPeer:
        'a thread or forum topic already inherits the binding of the channel or group it belongs to (routing tier 2); bind that channel or group with match.peer',
    },
  ),
  comment: z.string().optional(),
});

const groupEntrySchema = strict({
  requireMention: z.boolean().optional(),
  allow: z.boolean().optional(),
  allowFrom: idList.optional(),
});

const discordGuildSchema = strict({
  channels: z.record(z.string(), strict({ allow: z.boolean().optional(), requireMention: z.boolean().optional() })).optional(),
  requireMention: z.boolean().optional(),
  users: idList.optional(),
  roles: idList.optional(),
  slug: z.string().optional(),
});

/** Settings every channel account has; the base block of a channel is the `default` account. */
const commonAccountFields = {
  enabled: z.boolean().optional(),
  name: z.string().optional(),
  dmPolicy: z.enum(DM_POLICIES).optional(),
  allowFrom: idList.optional(),
  groupPolicy: z.enum(GROUP_POLICIES).optional(),
  groupAllowFrom: idList.optional(),
  groups: z.record(z.string(), groupEntrySchema).optional(),
  textChunkLimit: z.number().int().positive().optional(),
  mediaMaxMb: z.number().positive().optional(),
};

const channelSpecificFields = {
  telegram: { botToken: secretRefSchema.optional(), apiRoot: nonEmpty.optional() },
  discord: { token: secretRefSchema.optional(), apiRoot: nonEmpty.optional(), guilds: z.record(z.string(), discordGuildSchema).optional() },
  // Socket Mode needs both: the app-level token (xapp-…) opens the WebSocket, the bot token (xoxb-…) calls the Web API.
  slack: { appToken: secretRefSchema.optional(), botToken: secretRefSchema.optional(), apiRoot: nonEmpty.optional() },
  whatsapp: { authDir: nonEmpty.optional(), selfChatMode: z.boolean().optional(), sendReadReceipts: z.boolean().optional() },
  webchat: {},
} as const;

function channelBlock<C extends keyof typeof channelSpecificFields>(channel: C) {
  const accountFields = { ...commonAccountFields, ...channelSpecificFields[channel] };
  const account = strict(accountFields);
  return strict({
    ...accountFields,
    /** ArgentOS shorthand: every account of this channel goes to this agent. */
    agent: nonEmpty.optional(),
    accounts: z.record(z.string(), account).optional(),
  });
}

export const channelSchemas = {
  telegram: channelBlock('telegram'),
  discord: channelBlock('discord'),
  slack: channelBlock('slack'),
  whatsapp: channelBlock('whatsapp'),
  webchat: channelBlock('webchat'),
};

export const channelsSchema = strict(
  {
    telegram: channelSchemas.telegram.optional(),
    discord: channelSchemas.discord.optional(),
    slack: channelSchemas.slack.optional(),
    whatsapp: channelSchemas.whatsapp.optional(),
    webchat: channelSchemas.webchat.optional(),
  },
  'channel',
);

export const sessionSchema = strict({
  dmScope: z.enum(DM_SCOPES).optional(),
  mainKey: z.string().optional(),
  identityLinks: z.record(z.string(), z.array(z.string())).optional(),
  /** How old an unanswered message may be and still get its turn after a crash: "10m", "90s", or ms. */
  resumeWindow: z.union([z.string(), z.number()]).optional(),
});

export const toolsSchema = strict({
  /** OpenClaw's sender-based elevated mode: accepted so its configs load, reported as having no effect (normalize.ts). */
  elevated: z.unknown().optional(),
  agentToAgent: strict({
    enabled: z.boolean().optional(),
    allow: z.array(z.string()).optional(),
    maxTurns: z.number().int().positive().optional(),
  }).optional(),
});

/** `broadcast: { strategy, "<peerId>": ["a", "b"] }` — `strategy` is reserved. */
export const broadcastSchema = z
  .object({ strategy: z.enum(['parallel', 'sequential']).optional() })
  .catchall(z.array(z.string(), { error: 'expected a list of agent ids' }));

export const modelsSchema = strict({
  anthropic: strict({ baseUrl: nonEmpty.optional() }).optional(),
});

export const gatewaySchema = strict({
  maxConcurrentSessions: z.number().int().positive().max(256).optional(),
  queueLimit: z.number().int().positive().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  remoteAccess: z.boolean().optional(),
});

export const loggingSchema = strict({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).optional(),
});

/** The whole file, in the canonical shape (agents already converted from the ArgentOS map form). */
export const rawConfigSchema = strict({
  $schema: z.string().optional(),
  agents: agentsSchema.optional(),
  bindings: z.array(bindingSchema).optional(),
  channels: channelsSchema.optional(),
  session: sessionSchema.optional(),
  tools: toolsSchema.optional(),
  broadcast: broadcastSchema.optional(),
  models: modelsSchema.optional(),
  gateway: gatewaySchema.optional(),
  logging: loggingSchema.optional(),
});

export type RawConfig = z.infer<typeof rawConfigSchema>;
export type RawAgent = z.infer<typeof agentSchema>;
export type RawBinding = z.infer<typeof bindingSchema>;
export type RawChannelBlock = z.infer<(typeof channelSchemas)['telegram']> &
  z.infer<(typeof channelSchemas)['discord']> &
  z.infer<(typeof channelSchemas)['slack']> &
  z.infer<(typeof channelSchemas)['whatsapp']>;
export type SecretRef = z.infer<typeof secretRefSchema>;
export const KNOWN_CHANNELS = CHANNELS;
