// The gateway's control API: every method with its params and result schema, every event with its
// payload schema. Server handlers, the CLI client and the dashboard are all typed from this table.
import { z } from 'zod';
import { CHANNEL_ACCOUNT_METHODS } from './channel-account-methods.ts';
import { CONFIG_METHODS } from './config-methods.ts';
import { PERSONA_METHODS } from './persona-methods.ts';
import { defineEvent, defineMethod } from './contract.ts';
import { LOG_EVENTS, logMethods } from './log-methods.ts';
import { USAGE_METHODS } from './usage-methods.ts';

const agentId = z.string().min(1).max(64);
const sessionKey = z.string().min(1).max(512);
const peer = z.object({ kind: z.string(), id: z.union([z.string(), z.number()]) });

export const routeDecisionSchema = z.object({
  agentId: z.string(),
  channel: z.string(),
  accountId: z.string(),
  sessionKey: z.string(),
  mainSessionKey: z.string(),
  matchedBy: z.string(),
  bindingIndex: z.number().int().nullable(),
});

export const gatewayStateSchema = z.enum(['stopped', 'starting', 'running', 'stopping', 'error']);

const usageSchema = z.object({ inputTokens: z.number(), outputTokens: z.number() });

export const agentSummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  emoji: z.string().nullable(),
  default: z.boolean(),
  /** The primary model; `modelFallbacks` are tried after it, in order (docs/config.md#model-fallbacks). */
  model: z.string(),
  modelFallbacks: z.array(z.string()).optional(),
  workspace: z.string(),
  state: z.enum(['idle', 'thinking', 'error', 'paused', 'unavailable']),
  /** Why the agent is in error/unavailable, in words a user can act on. */
  reason: z.string().nullable(),
  bindings: z.array(z.object({ index: z.number(), channel: z.string(), accountId: z.string(), matchedBy: z.string() })),
  today: z.object({ messages: z.number(), inputTokens: z.number(), outputTokens: z.number() }),
  lastActivity: z.string().nullable(),
});

export const channelStatusSchema = z.object({
  channel: z.string(),
  accountId: z.string(),
  state: z.enum(['stopped', 'connecting', 'connected', 'linking', 'error']),
  reason: z.string().optional(),
  lastError: z.string().optional(),
  lastMessageAt: z.number().optional(),
  unreadable: z.number().optional(),
});

export const transcriptRecordSchema = z.object({ seq: z.number(), ts: z.string(), type: z.string() }).catchall(z.unknown());

export const sessionSummarySchema = z.object({
  key: z.string(),
  sessionKey: z.string(),
  sessionId: z.string(),
  created: z.string(),
  updated: z.string(),
  messages: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  archived: z.boolean(),
  title: z.string().optional(),
  /** A sub-agent session (sessions_spawn): the session whose turn spawned it, and that turn's inbound seq. */
  parent: z.object({ sessionKey: z.string(), inReplyTo: z.number(), label: z.string().optional() }).optional(),
});

/** What `sessions.export` says about the session besides its records: its index entry, and when/what was exported. */
export const sessionExportMetaSchema = sessionSummarySchema.extend({
  format: z.literal('switchboard.session'),
  version: z.number(),
  agentId: z.string(),
  exportedAt: z.string(),
  /** Transcript bytes on disk when exported (before redaction). */
  bytes: z.number(),
  lastRoute: z.record(z.string(), z.unknown()).optional(),
});

const pendingPairingSchema = z.object({
  channel: z.string(),
  account: z.string(),
  code: z.string(),
  senderId: z.string(),
  senderName: z.string().optional(),
  createdAt: z.number(),
  expiresAt: z.number(),
});

/** Whether the OS keychain answers, and what to do when it does not. */
export const keychainStatusSchema = z.object({ available: z.boolean(), reason: z.string().nullable() });

export const secretInfoSchema = z.object({
  name: z.string(),
  /** Whether the keychain holds it; null when the keychain cannot be asked. */
  stored: z.boolean().nullable(),
  /** Config paths that refer to it, e.g. `channels.telegram.botToken`. */
  usedAt: z.array(z.string()),
});

export const authProfileInfoSchema = z.object({
  profileId: z.string(),
  provider: z.string(),
  kind: z.string(),
  label: z.string().optional(),
  scope: z.enum(['agent', 'shared']),
  createdAt: z.string(),
  lastUsedAt: z.string().optional(),
  lastError: z.object({ kind: z.string(), message: z.string(), at: z.string() }).optional(),
  order: z.number(),
  /** Whether the keychain holds its key; null when the keychain cannot be asked. */
  keyStored: z.boolean().nullable(),
});

const secretName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_./:-]*$/, 'letters, digits and _ . / : - only');
const profileId = z.string().min(1).max(64);

/** Whether the state dir can store messages (a full disk, a read-only state folder); `reason` names the folder. */
export const storageStatusSchema = z.object({ ok: z.boolean(), reason: z.string().optional(), since: z.string().optional() });

/**
 * A client's idempotency key for `webchat.send`: a retry with the same key (after a cut connection)
 * is answered with the original message id instead of storing the message twice.
 */
export const CLIENT_ID_MAX = 128;

/** The longest session title (characters, after trimming); a longer one is refused, not cut. */
export const SESSION_TITLE_MAX = 120;

export const statusSchema = z.object({
  version: z.string(),
  state: gatewayStateSchema,
  startedAt: z.string().nullable(),
  configPath: z.string(),
  stateDir: z.string(),
  configHash: z.string(),
  configErrors: z.array(z.object({ message: z.string(), path: z.string(), line: z.number().optional(), column: z.number().optional() })),
  agents: z.number(),
  /** Agents that do not start, and why (e.g. their sandbox cannot run on this machine). */
  unavailableAgents: z.array(z.object({ agentId: z.string(), reason: z.string() })).optional(),
  channels: z.array(channelStatusSchema),
  inFlight: z.number(),
  queued: z.number(),
  processed: z.number(),
  dropped: z.record(z.string(), z.number()),
  keychain: keychainStatusSchema,
  storage: storageStatusSchema,
});

const channelAccountParams = z.object({ channel: z.string().min(1), accountId: z.string().min(1).optional() });

export const CHANNEL_METHODS = {
  'channels.status': defineMethod({ params: z.object({}).optional(), result: z.object({ channels: z.array(channelStatusSchema) }) }),
  'channels.probe': defineMethod({
    params: channelAccountParams,
    result: z.object({
      channel: z.string(),
      accountId: z.string(),
      ok: z.boolean(),
      identity: z.string().optional(),
      error: z.string().optional(),
    }),
  }),
  /** Stops and starts one account (a fresh connection) without touching the others; `channel.state` events follow. */
  'channels.restart': defineMethod({
    params: channelAccountParams,
    result: z.object({
      channel: z.string(),
      accountId: z.string(),
      state: z.enum(['stopped', 'connecting', 'connected', 'linking', 'error']),
    }),
    mutating: true,
  }),
  /** Links a WhatsApp account: QR codes arrive as `channel.qr` events; resolves once linked. */
  'channels.login': defineMethod({
    params: channelAccountParams.extend({ timeoutMs: z.number().int().min(10_000).max(600_000).optional() }),
    result: z.object({ channel: z.string(), accountId: z.string(), phone: z.string().optional(), alreadyLinked: z.boolean() }),
    mutating: true,
  }),
};

export const taskSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['open', 'done', 'cancelled']),
  due: z.string().optional(),
  notes: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  author: z.string(),
});

/** An agent's task list for the dashboard (issue 8): the pool it uses, read and edited per agent. */
export const TASK_METHODS = {
  'tasks.list': defineMethod({
    params: z.object({ agentId, status: z.enum(['open', 'done', 'cancelled']).optional() }),
    result: z.object({ agentId: z.string(), scope: z.enum(['agent', 'shared']), pool: z.string(), tasks: z.array(taskSchema) }),
  }),
  /** `due`/`notes`: a string sets, null or "" clears. */
  'tasks.update': defineMethod({
    params: z.object({
      agentId,
      id: z.string().min(1).max(32),
      status: z.enum(['open', 'done', 'cancelled']).optional(),
      due: z.string().max(40).nullable().optional(),
      notes: z.string().max(4000).nullable().optional(),
    }),
    result: z.object({ agentId: z.string(), task: taskSchema }),
    mutating: true,
  }),
};

export const AGENT_CONTROL_METHODS = {
  /** A paused agent keeps receiving (and recording) messages but runs no turns until resumed. */
  'agents.pause': defineMethod({
    params: z.object({ agentId }),
    result: z.object({ agentId: z.string(), paused: z.boolean() }),
    mutating: true,
  }),
  'agents.resume': defineMethod({
    params: z.object({ agentId }),
    result: z.object({ agentId: z.string(), paused: z.boolean() }),
    mutating: true,
  }),
};

export const CONTROL_METHODS = {
  ...AGENT_CONTROL_METHODS,
  ...CONFIG_METHODS,
  ...PERSONA_METHODS,
  ...CHANNEL_METHODS,
  ...CHANNEL_ACCOUNT_METHODS,
  ...TASK_METHODS,
  ...logMethods(statusSchema),
  ...USAGE_METHODS,
  status: defineMethod({ params: z.object({}).optional(), result: statusSchema }),
  'gateway.start': defineMethod({ params: z.object({}).optional(), result: z.object({ state: gatewayStateSchema }), mutating: true }),
  'gateway.stop': defineMethod({ params: z.object({}).optional(), result: z.object({ state: gatewayStateSchema }), mutating: true }),
  'route.explain': defineMethod({
    params: z.object({
      channel: z.string().min(1),
      accountId: z.string().optional(),
      peer: peer.optional(),
      parentPeer: peer.optional(),
      guildId: z.string().optional(),
      memberRoleIds: z.array(z.string()).optional(),
      teamId: z.string().optional(),
    }),
    result: z.object({
      decision: routeDecisionSchema,
      tier: z.number(),
      candidates: z.array(
        z.object({
          bindingIndex: z.number(),
          source: z.string(),
          agentId: z.string(),
          tier: z.number(),
          matched: z.boolean(),
          matchTier: z.number().optional(),
          reason: z.string().optional(),
        }),
      ),
    }),
  }),
  'agents.list': defineMethod({ params: z.object({}).optional(), result: z.object({ agents: z.array(agentSummarySchema) }) }),
  'sessions.list': defineMethod({
    params: z.object({ agentId }),
    result: z.object({ agentId: z.string(), sessions: z.array(sessionSummarySchema) }),
  }),
  'sessions.history': defineMethod({
    params: z.object({
      agentId,
      sessionKey,
      before: z.number().int().positive().optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    result: z.object({
      agentId: z.string(),
      sessionKey: z.string(),
      /** The transcript the records come from (null: no such session); a new id under the same key means it was reset. */
      sessionId: z.string().nullable(),
      records: z.array(transcriptRecordSchema),
      hasMore: z.boolean(),
    }),
  }),
  /**
   * The whole transcript as JSONL (redacted like every result) plus its index entry. Refused with
   * `bad_request` when it would not fit in one frame (≤ 8 MiB); the message names the file to copy instead.
   */
  'sessions.export': defineMethod({
    params: z.object({ agentId, sessionKey }),
    result: z.object({
      agentId: z.string(),
      sessionKey: z.string(),
      sessionId: z.string(),
      meta: sessionExportMetaSchema,
      jsonl: z.string(),
    }),
  }),
  /** Deletes one session (`key` of sessions.list; transcript included); `conflict` while a turn runs or waits in it. */
  'sessions.delete': defineMethod({
    params: z.object({ agentId, sessionKey }),
    result: z.object({ deleted: z.boolean() }),
    mutating: true,
  }),
  /**
   * Sets a session's display title (the key never changes); an empty title clears it. Stored as a
   * `meta` record in the transcript, so a rebuilt index keeps it. Live sessions only: `bad_request`
   * for an archived one, `not_found` for one that does not exist.
   */
  'sessions.rename': defineMethod({
    params: z.object({ agentId, sessionKey, title: z.string().max(1000) }),
    result: z.object({ agentId: z.string(), sessionKey: z.string(), title: z.string().nullable() }),
    mutating: true,
  }),
  /**
   * The agent's sessions whose title, key or message text contains `query` (case-insensitive),
   * newest first, each with where it matched and, for text, a snippet around the first match.
   * `truncated`: the scan budget ran out before every transcript was read (the oldest are left).
   */
  'sessions.search': defineMethod({
    params: z.object({ agentId, query: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(500).optional() }),
    result: z.object({
      agentId: z.string(),
      query: z.string(),
      matches: z.array(
        z.object({ key: z.string(), field: z.enum(['title', 'key', 'text']), snippet: z.string().optional(), seq: z.number().optional() }),
      ),
      truncated: z.boolean(),
    }),
  }),
  'webchat.send': defineMethod({
    params: z.object({
      agentId,
      text: z.string().min(1).max(100_000),
      sessionKey: sessionKey.optional(),
      clientId: z
        .string()
        .min(1)
        .max(CLIENT_ID_MAX)
        .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
        .optional(),
    }),
    /** `duplicate`: a retry of a send already stored under the same clientId (nothing new was stored). */
    result: z.object({ agentId: z.string(), sessionKey: z.string(), messageId: z.string(), duplicate: z.boolean().optional() }),
    mutating: true,
  }),
  'turn.cancel': defineMethod({ params: z.object({ agentId, sessionKey }), result: z.object({ cancelled: z.boolean() }), mutating: true }),
  'pairing.list': defineMethod({
    params: z.object({ channel: z.string().optional(), account: z.string().optional() }).optional(),
    result: z.object({ pending: z.array(pendingPairingSchema) }),
  }),
  'pairing.approve': defineMethod({
    params: z.object({ channel: z.string().min(1), code: z.string().min(4).max(16), account: z.string().optional() }),
    result: z.object({ channel: z.string(), account: z.string(), senderId: z.string() }),
    mutating: true,
  }),
  'secrets.list': defineMethod({
    params: z.object({}).optional(),
    result: z.object({ keychain: keychainStatusSchema, secrets: z.array(secretInfoSchema) }),
  }),
  'secrets.set': defineMethod({
    params: z.object({ name: secretName, value: z.string().min(1).max(16_384), baseHash: z.string().optional() }),
    result: z.object({ name: z.string(), stored: z.boolean() }),
    mutating: true,
  }),
  'secrets.delete': defineMethod({
    params: z.object({ name: secretName, baseHash: z.string().optional() }),
    result: z.object({ name: z.string(), deleted: z.boolean() }),
    mutating: true,
  }),
  'auth.list': defineMethod({
    params: z.object({ agentId: agentId.optional() }).optional(),
    result: z.object({
      keychain: keychainStatusSchema,
      /** Whether the gateway has ANTHROPIC_API_KEY, the key agents without a profile fall back to (never its value). */
      envKey: z.boolean(),
      agents: z.array(
        z.object({
          agentId: z.string(),
          scope: z.enum(['agent', 'shared']),
          envFallback: z.boolean(),
          profiles: z.array(authProfileInfoSchema),
        }),
      ),
    }),
  }),
  'auth.add': defineMethod({
    params: z.object({
      agentId,
      profileId: profileId.optional(),
      shared: z.boolean().optional(),
      label: z.string().max(200).optional(),
      apiKey: z.string().min(1).max(4096),
      baseHash: z.string().optional(),
    }),
    result: z.object({ agentId: z.string(), profileId: z.string(), scope: z.enum(['agent', 'shared']) }),
    mutating: true,
  }),
  'auth.remove': defineMethod({
    params: z.object({ agentId, profileId, shared: z.boolean().optional(), baseHash: z.string().optional() }),
    result: z.object({ removed: z.boolean() }),
    mutating: true,
  }),
  /**
   * Copies an agent's own profiles (all, or `profileIds`) to another agent, key by key inside the
   * keychain: the keys never cross the control plane. A profile the target already has is skipped.
   */
  'auth.copy': defineMethod({
    params: z.object({
      fromAgentId: agentId,
      toAgentId: agentId,
      profileIds: z.array(profileId).min(1).max(64).optional(),
      baseHash: z.string().optional(),
    }),
    result: z.object({
      toAgentId: z.string(),
      copied: z.array(z.object({ profileId: z.string(), from: z.string() })),
      skipped: z.array(z.object({ profileId: z.string(), reason: z.string() })),
    }),
    mutating: true,
  }),
  'auth.test': defineMethod({
    params: z.object({ agentId, profileId: z.string().optional() }),
    result: z.object({
      agentId: z.string(),
      results: z.array(z.object({ profileId: z.string(), ok: z.boolean(), status: z.number().optional(), message: z.string() })),
    }),
  }),
};

export const CONTROL_EVENTS = {
  ...LOG_EVENTS,
  'channel.state': defineEvent(channelStatusSchema),
  'channel.qr': defineEvent(z.object({ channel: z.string(), accountId: z.string(), qr: z.string() })),
  'gateway.state': defineEvent(z.object({ state: gatewayStateSchema, reason: z.string().optional() })),
  'storage.state': defineEvent(storageStatusSchema),
  'message.inbound': defineEvent(
    z.object({
      agentId: z.string(),
      sessionKey: z.string(),
      messageId: z.string(),
      channel: z.string(),
      accountId: z.string(),
      sender: z.object({ id: z.string(), name: z.string().optional() }),
      text: z.string(),
      route: routeDecisionSchema,
      seq: z.number(),
    }),
  ),
  'agent.delta': defineEvent(z.object({ agentId: z.string(), sessionKey: z.string(), messageId: z.string(), text: z.string() })),
  'agent.tool': defineEvent(
    z.object({
      agentId: z.string(),
      sessionKey: z.string(),
      messageId: z.string(),
      phase: z.enum(['call', 'result']),
      id: z.string(),
      name: z.string(),
      isError: z.boolean().optional(),
      summary: z.string().optional(),
      /** `call` only: the tool's input as JSON, redacted, cut to TOOL_INPUT_EVENT_MAX characters (ending in "…" when cut). */
      input: z.string().optional(),
    }),
  ),
  'message.outbound': defineEvent(
    z.object({
      agentId: z.string(),
      sessionKey: z.string(),
      messageId: z.string(),
      channel: z.string(),
      accountId: z.string(),
      text: z.string(),
      incomplete: z.boolean(),
      failure: z.string().optional(),
      usage: usageSchema,
    }),
  ),
  'message.dropped': defineEvent(
    z.object({
      channel: z.string(),
      accountId: z.string(),
      reason: z.string(),
      senderId: z.string().optional(),
      agentId: z.string().optional(),
      /** The dropped message, when it got one (webchat sends: the id `webchat.send` answered with). */
      messageId: z.string().optional(),
    }),
  ),
  'agent.state': defineEvent(
    z.object({ agentId: z.string(), state: z.enum(['idle', 'thinking', 'error', 'paused', 'unavailable']), reason: z.string().optional() }),
  ),
  'config.changed': defineEvent(
    z.object({
      hash: z.string(),
      ok: z.boolean(),
      errors: z.array(z.string()),
      /** What changed that the owner should see (e.g. the model endpoint), one sentence each. */
      notices: z.array(z.string()).optional(),
    }),
  ),
};

/** Longest `agent.tool` input (characters) an event carries; the full input is in the transcript's tool_call record. */
export const TOOL_INPUT_EVENT_MAX = 2000;

export type ControlMethods = typeof CONTROL_METHODS;
export type ControlEvents = typeof CONTROL_EVENTS;
export const PROTOCOL_VERSION = '1';
