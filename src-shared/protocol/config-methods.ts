// Control methods that read and change the config (issue 6): the whole file (get, validate,
// apply) and the edits the dashboard's agent wizard and binding editor make. Every change takes
// the `baseHash` it was based on; plaintext secrets travel as REDACTED_SECRET, never as values.
import { z } from 'zod';
import { REDACTED_SECRET } from '../config/edits.ts';
import { defineMethod } from './contract.ts';

export { REDACTED_SECRET };

/** sha256 (hex) of the config file's bytes, as config.get returns it. */
export const baseHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected the config hash (sha256, hex) from config.get');

const agentId = z.string().min(1).max(64);
const idLike = z.union([z.string().min(1).max(256), z.number()]);

/** A config problem: `path` is a config path such as `bindings[2].agentId` ('' for the whole file). */
export const configIssueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  path: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});

/** The config as written (JSON5 parsed), in either the canonical or the ArgentOS shape. */
export const rawConfigSchema = z.record(z.string(), z.unknown());

export const toolPolicySchema = z.strictObject({
  allow: z.array(z.string().min(1)).optional(),
  deny: z.array(z.string().min(1)).optional(),
  /** Owner-only tools (write, edit, exec) also open to senders who are not owners (docs/security.md). */
  nonOwners: z.strictObject({ allow: z.array(z.string().min(1)).optional() }).optional(),
});

/**
 * The agent's exec sandbox as the wizard sets it (`agents.list[].sandbox`, docs/config.md). The hosts
 * are checked by the config validation when the file is written (an error names the bad entry).
 */
export const agentSandboxSchema = z.strictObject({
  mode: z.enum(['off', 'non-main', 'all']),
  network: z.strictObject({ allow: z.array(z.string().min(1).max(300)).max(256) }).optional(),
});

/** What a binding matches; strict, so a misspelt key is refused instead of silently widening it. */
export const bindingMatchSchema = z.strictObject({
  channel: z.string().min(1).max(64),
  accountId: idLike.optional(),
  peer: z.strictObject({ kind: z.string().min(1).max(32), id: idLike }).optional(),
  guildId: idLike.optional(),
  roles: z.array(idLike).max(256).optional(),
  teamId: idLike.optional(),
});

export const bindingSchema = z.strictObject({ agentId, match: bindingMatchSchema, comment: z.string().max(1000).optional() });

export const newAgentSchema = z.strictObject({
  id: agentId,
  name: z.string().min(1).max(200).optional(),
  emoji: z.string().min(1).max(32).optional(),
  persona: z.string().min(1).max(20_000).optional(),
  model: z.string().min(1).max(200).optional(),
  /** `~/…`, absolute, or relative to the config file's folder; default `<stateDir>/workspace-<id>`. */
  workspace: z.string().min(1).max(4096).optional(),
  default: z.boolean().optional(),
  tools: toolPolicySchema.optional(),
  sandbox: agentSandboxSchema.optional(),
});

/** A value sets, null clears (model: null = use agents.defaults.model; tools: null = the default tool set; sandbox: null = the defaults'). */
export const agentPatchSchema = z.strictObject({
  name: z.string().min(1).max(200).nullable().optional(),
  emoji: z.string().min(1).max(32).nullable().optional(),
  persona: z.string().min(1).max(20_000).nullable().optional(),
  model: z.string().min(1).max(200).nullable().optional(),
  tools: toolPolicySchema.nullable().optional(),
  /** Sets mode (and the network list when given), keeping the agent's other sandbox keys; null removes the block. */
  sandbox: agentSandboxSchema.nullable().optional(),
  /** `model.fallbacks` in order; null or [] writes the primary alone (docs/config.md#model-fallbacks). */
  fallbacks: z.array(z.string().min(1).max(200)).max(16).nullable().optional(),
  /** `<channel>:<sender id>` entries, checked by the config validation when written. */
  owners: z.array(z.string().min(1).max(300)).max(256).nullable().optional(),
  limits: z
    .strictObject({
      dailyTokens: z.number().int().positive().nullable().optional(),
      perSenderPerMinute: z.number().int().positive().nullable().optional(),
    })
    .nullable()
    .optional(),
  memory: z
    .strictObject({ scope: z.enum(['agent', 'shared']), pool: z.string().min(1).max(64).optional() })
    .nullable()
    .optional(),
  default: z.literal(true).optional(),
});

const tokens = z.object({ inputTokens: z.number(), outputTokens: z.number() });
/** `models`: the same tokens by the model that spent them (after a fallback, more than one). */
const usageCounts = tokens.extend({ messages: z.number(), models: z.record(z.string(), tokens).optional() });

/** One agent's turns and tokens per local day, oldest first (days without activity are zeros). */
export const agentUsageSchema = z.object({
  agentId: z.string(),
  days: z.array(usageCounts.extend({ date: z.string() })),
  total: usageCounts,
});

export const CONFIG_METHODS = {
  /** The file as it is on disk now (even when invalid), plaintext secrets replaced by REDACTED_SECRET. */
  'config.get': defineMethod({
    params: z.object({}).optional(),
    result: z.object({
      configPath: z.string(),
      exists: z.boolean(),
      hash: z.string(),
      /** null when the file does not parse (see issues for where). */
      raw: rawConfigSchema.nullable(),
      issues: z.array(configIssueSchema),
      /**
       * What each `$include` site in `raw` brings in (secrets redacted), so a client can check a
       * draft of the main file as the gateway will see it. Absent when the file includes nothing.
       */
      includes: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), value: z.unknown() })).optional(),
    }),
  }),
  /**
   * Opens the config file in the user's default editor, on the machine the gateway runs on (the
   * user's own: the gateway is loopback-only). `unavailable` when there is no file yet or no opener.
   */
  'config.open': defineMethod({ params: z.object({}).optional(), result: z.object({ path: z.string() }) }),
  /** Checks a candidate config with the loader's rules without writing it. */
  'config.validate': defineMethod({
    params: z.object({ config: rawConfigSchema }),
    result: z.object({ ok: z.boolean(), issues: z.array(configIssueSchema) }),
  }),
  /** Replaces the config (comments of unchanged parts kept); REDACTED_SECRET keeps the current secret. */
  'config.apply': defineMethod({
    params: z.object({ config: rawConfigSchema, baseHash: baseHashSchema }),
    result: z.object({ hash: z.string(), issues: z.array(configIssueSchema) }),
    mutating: true,
  }),
  /** Adds an agent with its folders and persona files; bindings are appended after the existing ones. */
  'agents.create': defineMethod({
    params: z.object({ baseHash: baseHashSchema, agent: newAgentSchema, bindings: z.array(bindingMatchSchema).max(1000).optional() }),
    result: z.object({ agentId: z.string(), workspace: z.string(), agentDir: z.string(), hash: z.string() }),
    mutating: true,
  }),
  'agents.update': defineMethod({
    params: z.object({ agentId, baseHash: baseHashSchema, patch: agentPatchSchema }),
    result: z.object({ agentId: z.string(), hash: z.string() }),
    mutating: true,
  }),
  /** Data is kept unless `purge`; refused while bindings name the agent unless `dropBindings`. */
  'agents.delete': defineMethod({
    params: z.object({ agentId, baseHash: baseHashSchema, dropBindings: z.boolean().optional(), purge: z.boolean().optional() }),
    result: z.object({
      agentId: z.string(),
      /** Route-table indices (bindingIndex) of the bindings removed with it. */
      removedBindings: z.array(z.number()),
      purged: z.boolean(),
      hash: z.string(),
      /** What purge could not finish (e.g. keychain entries left behind), in words a user can act on. */
      warnings: z.array(z.string()),
    }),
    mutating: true,
  }),
  /** Replaces the explicit `bindings` list, in order (channel shorthands stay as they are). */
  'bindings.set': defineMethod({
    params: z.object({ baseHash: baseHashSchema, bindings: z.array(bindingSchema).max(10_000) }),
    result: z.object({ hash: z.string(), shadowed: z.array(z.object({ index: z.number(), by: z.number() })) }),
    mutating: true,
  }),
  'usage.summary': defineMethod({
    params: z.object({ agentId: agentId.optional(), days: z.number().int().min(1).max(90).optional() }).optional(),
    result: z.object({ agents: z.array(agentUsageSchema) }),
  }),
};
