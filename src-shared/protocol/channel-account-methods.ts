// Control methods that add and manage channel accounts from the dashboard (docs/channels.md#managing-accounts-in-the-dashboard).
// A token travels one way only: in `channels.validate`/`add`/`update` params, to the gateway, which
// checks it with the platform, stores it in the keychain and writes a `{ secret }` reference. No
// result carries it back. Config changes take the `baseHash` they were based on.
import { z } from 'zod';
import { DM_POLICIES } from '../config/constants.ts';
import { baseHashSchema } from './config-methods.ts';
import { defineMethod } from './contract.ts';

/** Channels whose accounts the dashboard adds. Slack joins here once its connector exists. */
export const MANAGED_CHANNELS = ['telegram', 'discord', 'whatsapp'] as const;
const managedChannel = z.enum(MANAGED_CHANNELS);
const tokenChannel = z.enum(['telegram', 'discord']);
const accountId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, _ and - only, starting with a letter or digit');
const token = z.string().trim().min(1).max(4096);
const apiRoot = z.string().url('expected a URL such as https://api.telegram.org').max(2048);

/** Who the token signs in as, as the platform says it. */
export const botIdentitySchema = z.object({
  id: z.string(),
  /** Display name (Telegram first_name, Discord global name or username). */
  name: z.string(),
  username: z.string().optional(),
});

/** What the token check found; `problem` lets the dashboard point at the right fix. */
export const tokenCheckSchema = z.object({
  ok: z.boolean(),
  bot: botIdentitySchema.optional(),
  problem: z.enum(['token_rejected', 'missing_intent', 'unreachable', 'other']).optional(),
  /** What failed and what to do about it, when not ok. */
  error: z.string().optional(),
});

export const CHANNEL_ACCOUNT_METHODS = {
  /**
   * Checks a token with the platform (Telegram getMe; Discord /users/@me and the application's
   * Message Content intent) through the account's apiRoot: that of `accountId` when it exists, else
   * `apiRoot`, else the channel's. Nothing is stored.
   */
  'channels.validate': defineMethod({
    params: z.object({ channel: tokenChannel, token, accountId: accountId.optional(), apiRoot: apiRoot.optional() }),
    result: tokenCheckSchema,
  }),
  /** Adds an account: the token is checked, stored in the keychain, and the account written and started. WhatsApp takes no token. */
  'channels.add': defineMethod({
    params: z.object({
      baseHash: baseHashSchema,
      channel: managedChannel,
      accountId,
      name: z.string().trim().min(1).max(200).optional(),
      token: token.optional(),
      apiRoot: apiRoot.optional(),
      dmPolicy: z.enum(DM_POLICIES).optional(),
    }),
    result: z.object({
      channel: z.string(),
      accountId: z.string(),
      hash: z.string(),
      bot: botIdentitySchema.optional(),
      /** The keychain entry holding the token. */
      secret: z.string().optional(),
    }),
    mutating: true,
  }),
  /** Changes an account: name (null clears), enabled, DM policy, a new token (checked first). */
  'channels.update': defineMethod({
    params: z.object({
      baseHash: baseHashSchema,
      channel: managedChannel,
      accountId,
      name: z.string().trim().min(1).max(200).nullable().optional(),
      enabled: z.boolean().optional(),
      dmPolicy: z.enum(DM_POLICIES).optional(),
      token: token.optional(),
    }),
    result: z.object({ channel: z.string(), accountId: z.string(), hash: z.string(), bot: botIdentitySchema.optional() }),
    mutating: true,
  }),
  /** Removes an account; refused while bindings name it unless `dropBindings`. Its keychain token goes too unless another account uses it. */
  'channels.remove': defineMethod({
    params: z.object({ baseHash: baseHashSchema, channel: managedChannel, accountId, dropBindings: z.boolean().optional() }),
    result: z.object({
      channel: z.string(),
      accountId: z.string(),
      hash: z.string(),
      removedBindings: z.array(z.number()),
      /** The keychain entry deleted with it, if any. */
      deletedSecret: z.string().optional(),
      warnings: z.array(z.string()),
    }),
    mutating: true,
  }),
  /** "Answer with…": every message of the account goes to the agent (an account-wide binding). */
  'channels.bind': defineMethod({
    params: z.object({ baseHash: baseHashSchema, channel: managedChannel, accountId, agentId: z.string().min(1).max(64) }),
    result: z.object({ channel: z.string(), accountId: z.string(), agentId: z.string(), bindingIndex: z.number(), hash: z.string() }),
    mutating: true,
  }),
};
