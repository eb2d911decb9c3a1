// How code that needs a secret (a bot token, an API key) gets it: through a SecretResolver, never
// by reading the config's reference itself. `{ env }` reads the environment; `{ secret }` asks
// the OS keychain (SecretStore, credentials issue); a plaintext string is used as written (import
// leftovers, reported at config load) until `switchboard secrets migrate` moves it.
import type { SecretRef } from '../../src-shared/config/index.ts';

export class SecretUnavailableError extends Error {
  readonly code = 'unavailable';
  constructor(readonly what: string, reason: string) {
    super(`credentials unavailable for ${what}: ${reason}`);
  }
}

export interface SecretResolver {
  /** The secret's value; throws SecretUnavailableError with a reason a user can act on. */
  resolve(ref: SecretRef, what: string): Promise<string>;
}

/** Keychain look-up by name (`secret:<name>` account); absent until the credentials work lands. */
export type KeychainLookup = (name: string) => Promise<string | null>;

export function secretResolver(opts: { env?: NodeJS.ProcessEnv; keychain?: KeychainLookup }): SecretResolver {
  const env = opts.env ?? process.env;
  return {
    async resolve(ref, what) {
      if (typeof ref === 'string') return ref;
      if ('env' in ref) {
        const value = env[ref.env];
        if (!value) throw new SecretUnavailableError(what, `environment variable ${ref.env} is not set`);
        return value;
      }
      if (!opts.keychain) throw new SecretUnavailableError(what, `the OS keychain is not available in this build; set the value with "switchboard secrets set ${ref.secret}"`);
      const value = await opts.keychain(ref.secret);
      if (value === null) throw new SecretUnavailableError(what, `no keychain entry "${ref.secret}"; add it with "switchboard secrets set ${ref.secret}"`);
      return value;
    },
  };
}
