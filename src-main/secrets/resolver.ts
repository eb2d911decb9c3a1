// How code that needs a secret (a bot token, an API key) gets it: through a SecretResolver, never
// by reading the config's reference itself. `{ env }` reads the environment; `{ secret }` asks
// the OS keychain (SecretStore, credentials issue); a plaintext string is used as written (import
// leftovers, reported at config load) until `switchboard secrets migrate` moves it.
import { DEFAULT_ACCOUNT_ID, SECRET_FIELDS, type ChannelAccount, type SecretRef } from '../../src-shared/config/index.ts';
import { registerSecret } from './redact.ts';
import { SecretStoreUnavailableError, secretAccount, type SecretStore } from './store.ts';

export class SecretUnavailableError extends Error {
  readonly code = 'unavailable';
  constructor(
    readonly what: string,
    reason: string,
  ) {
    super(`credentials unavailable for ${what}: ${reason}`);
  }
}

export interface SecretResolver {
  /** The secret's value; throws SecretUnavailableError with a reason a user can act on. */
  resolve(ref: SecretRef, what: string): Promise<string>;
}

/** Keychain look-up by name (`secret:<name>` account). */
export type KeychainLookup = (name: string) => Promise<string | null>;

export function secretResolver(opts: { env?: NodeJS.ProcessEnv; keychain?: KeychainLookup }): SecretResolver {
  const env = opts.env ?? process.env;
  return {
    async resolve(ref, what) {
      if (typeof ref === 'string') {
        registerSecret(ref);
        return ref;
      }
      if ('env' in ref) {
        const value = env[ref.env];
        if (!value) throw new SecretUnavailableError(what, `environment variable ${ref.env} is not set`);
        registerSecret(value);
        return value;
      }
      if (!opts.keychain)
        throw new SecretUnavailableError(
          what,
          `the OS keychain is not available in this build; set the value with "switchboard secrets set ${ref.secret}"`,
        );
      let value: string | null;
      try {
        value = await opts.keychain(ref.secret);
      } catch (err) {
        if (err instanceof SecretStoreUnavailableError) throw new SecretUnavailableError(what, `keychain unavailable: ${err.reason}`);
        throw err;
      }
      if (value === null)
        throw new SecretUnavailableError(what, `no keychain entry "${ref.secret}"; add it with "switchboard secrets set ${ref.secret}"`);
      registerSecret(value);
      return value;
    },
  };
}

/** The resolver the gateway uses: `{ secret }` references read the given keychain. */
export function keychainResolver(store: SecretStore, env: NodeJS.ProcessEnv = process.env): SecretResolver {
  return secretResolver({ env, keychain: (name) => store.get(secretAccount(name)) });
}

/** Environment variables that stand in for a channel's token — for the default account only (docs/credentials.md#channel-tokens). */
export const CHANNEL_TOKEN_ENV: Partial<Record<ChannelAccount['channel'], string>> = {
  telegram: 'TELEGRAM_BOT_TOKEN',
  discord: 'DISCORD_BOT_TOKEN',
};

/**
 * Where a channel account's token comes from: its own secret field, else (default account only)
 * `{ env: TELEGRAM_BOT_TOKEN | DISCORD_BOT_TOKEN }`; undefined when the account has none.
 */
export function channelTokenRef(account: Pick<ChannelAccount, 'channel' | 'accountId' | 'secrets'>): SecretRef | undefined {
  const field = SECRET_FIELDS[account.channel][0];
  const own = field === undefined ? undefined : account.secrets[field];
  if (own !== undefined) return own;
  const envVar = CHANNEL_TOKEN_ENV[account.channel];
  return envVar && account.accountId === DEFAULT_ACCOUNT_ID ? { env: envVar } : undefined;
}
