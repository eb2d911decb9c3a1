// Edits of channel accounts in the raw (as-written) config, for the dashboard's Channels page
// (docs/channels.md#managing-accounts-in-the-dashboard): add, change, disable, remove an account,
// and point a whole account at one agent. Secrets are written only as `{ secret: NAME }` references.
import { DEFAULT_ACCOUNT_ID, type DmPolicy } from './constants.ts';
import { ConfigEditError } from './edits.ts';
import { SECRET_FIELDS } from './normalize.ts';
import type { RawBinding } from './schema.ts';
import { bindingTier } from './tiers.ts';
import type { Binding, SwitchboardConfig } from './types.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const lower = (v: unknown): string => String(v).trim().toLowerCase();

/** The channels an account can be added to from the dashboard (Slack joins once its connector exists). */
export type ManagedChannel = 'telegram' | 'discord' | 'whatsapp';

/** The config field holding the account's token; undefined for WhatsApp (linked by QR code). */
export function tokenField(channel: ManagedChannel): string | undefined {
  return SECRET_FIELDS[channel][0];
}

function channelBlock(raw: Obj, channel: string, create: boolean): Obj | undefined {
  if (!isObj(raw.channels)) {
    if (!create) return undefined;
    raw.channels = {};
  }
  const channels = raw.channels as Obj;
  if (!isObj(channels[channel])) {
    if (!create) return undefined;
    channels[channel] = {};
  }
  return channels[channel] as Obj;
}

/** The key under `accounts` naming this account as written (ids are compared lower-cased). */
function accountKey(block: Obj, accountId: string): string | undefined {
  return isObj(block.accounts) ? Object.keys(block.accounts).find((k) => lower(k) === accountId) : undefined;
}

/**
 * The object holding an account's own settings: `accounts.<id>`, or for the default account the
 * channel's base block when it has no `accounts.default`. `forWrite`: a default account that lives
 * in the base block beside other accounts gets an `accounts.default` of its own, so a setting
 * meant for it (enabled, dmPolicy) is not inherited by the others.
 */
function accountHolder(raw: Obj, channel: string, accountId: string, forWrite: boolean): Obj | undefined {
  const block = channelBlock(raw, channel, false);
  if (!block) return undefined;
  const key = accountKey(block, accountId);
  if (key !== undefined) return (block.accounts as Obj)[key] as Obj;
  if (accountId !== DEFAULT_ACCOUNT_ID) return undefined;
  const others = isObj(block.accounts) && Object.keys(block.accounts).length > 0;
  if (!forWrite || !others) return block;
  (block.accounts as Obj)[DEFAULT_ACCOUNT_ID] = {};
  return (block.accounts as Obj)[DEFAULT_ACCOUNT_ID] as Obj;
}

export interface NewChannelAccount {
  channel: ManagedChannel;
  accountId: string;
  name?: string;
  /** Keychain name of the token (telegram, discord). */
  secret?: string;
  /** Written only when given (otherwise the account inherits the channel's, or the platform's). */
  apiRoot?: string;
  dmPolicy?: DmPolicy;
}

/** Adds `channels.<channel>.accounts.<id>`; refused when the config already has that account. */
export function addChannelAccount(raw: Obj, account: NewChannelAccount, config: SwitchboardConfig): void {
  if (config.channels[account.channel]?.accounts[account.accountId]) {
    throw new ConfigEditError(`${account.channel} account "${account.accountId}" already exists; pick another account id`, 'conflict');
  }
  const block = channelBlock(raw, account.channel, true)!;
  if (!isObj(block.accounts)) block.accounts = {};
  const entry: Obj = {};
  if (account.name) entry.name = account.name;
  const field = tokenField(account.channel);
  if (field && account.secret) entry[field] = { secret: account.secret };
  if (account.apiRoot) entry.apiRoot = account.apiRoot;
  if (account.dmPolicy) entry.dmPolicy = account.dmPolicy;
  (block.accounts as Obj)[account.accountId] = entry;
}

export interface ChannelAccountPatch {
  /** null clears the display name. */
  name?: string | null;
  enabled?: boolean;
  dmPolicy?: DmPolicy;
  /** Points the token field at this keychain name. */
  secret?: string;
}

/** Changes an account's own settings (see accountHolder for where they are written). */
export function updateChannelAccount(raw: Obj, channel: ManagedChannel, accountId: string, patch: ChannelAccountPatch): void {
  const holder = accountHolder(raw, channel, accountId, true);
  if (!holder) throw new ConfigEditError(`${channel} account "${accountId}" is not written in the config`, 'not_found');
  if (patch.name === null) delete holder.name;
  else if (patch.name !== undefined) holder.name = patch.name;
  // enabled: true is the default; writing it out would only add noise.
  if (patch.enabled === true) delete holder.enabled;
  else if (patch.enabled === false) holder.enabled = false;
  if (patch.dmPolicy !== undefined) holder.dmPolicy = patch.dmPolicy;
  const field = tokenField(channel);
  if (patch.secret !== undefined && field) holder[field] = { secret: patch.secret };
}

/** The explicit bindings (not shorthands) that name this very account: removing it leaves them pointing at nothing. */
export function accountBindings(config: SwitchboardConfig, channel: string, accountId: string): Binding[] {
  return config.bindings.filter((b) => b.source === 'bindings' && b.match.channel === channel && b.match.accountId === accountId);
}

/**
 * Removes an account. Refused while bindings name it unless `dropBindings`. The default account
 * written in the base block loses its token (the base's other settings stay while other accounts
 * inherit them); a channel left with no account is removed whole.
 */
export function removeChannelAccount(
  raw: Obj,
  channel: ManagedChannel,
  accountId: string,
  config: SwitchboardConfig,
  dropBindings: boolean,
  dropHint = 'set dropBindings to remove them with the account',
): number[] {
  if (!config.channels[channel]?.accounts[accountId])
    throw new ConfigEditError(`${channel} account "${accountId}" does not exist`, 'not_found');
  const dependents = accountBindings(config, channel, accountId);
  if (dependents.length > 0 && !dropBindings) {
    throw new ConfigEditError(
      `${channel} account "${accountId}" is still used by ${dependents.map((b) => `bindings[${b.index}]`).join(', ')}; remove those first or ${dropHint}`,
      'conflict',
    );
  }
  const block = channelBlock(raw, channel, false)!;
  const key = accountKey(block, accountId);
  if (key !== undefined) delete (block.accounts as Obj)[key];
  if (accountId === DEFAULT_ACCOUNT_ID) for (const field of SECRET_FIELDS[channel]) delete block[field];
  if (isObj(block.accounts) && Object.keys(block.accounts).length === 0) delete block.accounts;
  // A base block without accounts and without a token would come back as a "default" account that
  // cannot connect; with no account left, the channel's block goes whole (docs/channels.md).
  if (!isObj(block.accounts) && !SECRET_FIELDS[channel].some((f) => block[f] !== undefined)) delete (raw.channels as Obj)[channel];
  if (dependents.length > 0 && Array.isArray(raw.bindings)) {
    const drop = new Set(dependents.map((b) => b.index));
    raw.bindings = (raw.bindings as unknown[]).filter((_, i) => !drop.has(i));
  }
  return dependents.map((b) => b.index);
}

/**
 * "Answer with…": every message of the account goes to `agentId`. An account-wide binding for it
 * is re-pointed (the first one; later duplicates are dropped), else one is appended. Narrower
 * bindings (one chat, one server) keep winning for their chats, as routing says.
 */
export function bindAccount(raw: Obj, channel: string, accountId: string, agentId: string, config: SwitchboardConfig): number {
  const whole = config.bindings.filter(
    (b) => b.source === 'bindings' && b.match.channel === channel && b.match.accountId === accountId && bindingTier(b) === 7,
  );
  if (!Array.isArray(raw.bindings)) raw.bindings = [];
  const list = raw.bindings as RawBinding[];
  if (whole.length === 0) {
    list.push({ agentId, match: { channel, accountId } });
    return list.length - 1;
  }
  const [first, ...extra] = whole;
  list[first!.index] = { ...list[first!.index]!, agentId };
  const drop = new Set(extra.map((b) => b.index));
  raw.bindings = list.filter((_, i) => !drop.has(i));
  return first!.index;
}
