// SecretStore: the OS keychain (keytar, service `switchboard`) behind a small interface. keytar is
// optional and loaded lazily; every call goes through one queue with a timeout, so a hanging or
// missing keychain becomes an error with a reason a user can act on — never a hang, never plaintext.
import { createRequire } from 'node:module';
import { registerSecret } from './redact.ts';

export const KEYCHAIN_SERVICE = 'switchboard';
export const KEYCHAIN_TIMEOUT_MS = 5000;

export interface KeychainStatus {
  available: boolean;
  reason: string | null;
}

export interface SecretStore {
  /** null when there is no such entry; throws SecretStoreUnavailableError when the keychain cannot answer. */
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  /** true when an entry was deleted. */
  delete(account: string): Promise<boolean>;
  /** Account names (never values), optionally only those starting with `prefix`. */
  list(prefix?: string): Promise<string[]>;
  /** Whether the keychain answers right now, and why not. */
  status(): Promise<KeychainStatus>;
}

export class SecretStoreUnavailableError extends Error {
  readonly code = 'unavailable';
  constructor(readonly reason: string) {
    super(`keychain unavailable: ${reason}`);
  }
}

// Account names (docs/credentials.md#what-lives-where). Ids are validated elsewhere
// (agent/profile ids cannot hold ":").
export const secretAccount = (name: string): string => `secret:${name}`;
export const agentAuthAccount = (agentId: string, profileId: string): string => `agent:${agentId}:auth:${profileId}`;
export const agentAuthPrefix = (agentId: string): string => `agent:${agentId}:auth:`;
export const sharedAuthAccount = (profileId: string): string => `shared:auth:${profileId}`;
export const appAccount = (purpose: string, channel: string, account: string): string => `app:${purpose}:${channel}:${account}`;
/** The key that encrypts a WhatsApp account's link state at rest. */
export const whatsappLinkKeyAccount = (account: string): string => appAccount('link-state-key', 'whatsapp', account);

const NO_SECRET_SERVICE =
  'no Secret Service (D-Bus session) is running — on Linux install gnome-keyring (or KeePassXC with its Secret Service enabled) and run Switchboard inside your desktop session';

/** Turns keytar/libsecret errors into what the user should do. */
export function explainKeychainError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/autolaunch D-Bus|Could not connect|DBUS_SESSION_BUS_ADDRESS|connection is closed|was not provided by any \.service/i.test(message))
    return NO_SECRET_SERVICE;
  if (/locked|unlock|dismiss|cancel|denied|not allowed|user interaction/i.test(message))
    return `the keychain is locked or access was denied (${message}) — unlock it and try again`;
  return `the keychain failed: ${message}`;
}

type Keytar = {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<{ account: string; password: string }[]>;
};

export class UnavailableSecretStore implements SecretStore {
  constructor(readonly reason: string) {}
  private fail(): never {
    throw new SecretStoreUnavailableError(this.reason);
  }
  async get(): Promise<string | null> {
    return this.fail();
  }
  async set(): Promise<void> {
    return this.fail();
  }
  async delete(): Promise<boolean> {
    return this.fail();
  }
  async list(): Promise<string[]> {
    return this.fail();
  }
  async status(): Promise<KeychainStatus> {
    return { available: false, reason: this.reason };
  }
}

export class KeytarSecretStore implements SecretStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly keytar: Keytar,
    private readonly opts: { service?: string; timeoutMs?: number } = {},
  ) {}

  private get service(): string {
    return this.opts.service ?? KEYCHAIN_SERVICE;
  }

  /** One call at a time (libsecret prompts and locks do not like concurrency), each with a deadline. */
  private run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const timeoutMs = this.opts.timeoutMs ?? KEYCHAIN_TIMEOUT_MS;
    const next = this.queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new SecretStoreUnavailableError(
                  `the keychain did not answer within ${Math.round(timeoutMs / 100) / 10} s (${what}) — it may be locked or waiting for a prompt; unlock it and try again`,
                ),
              ),
            timeoutMs,
          );
          timer.unref();
          fn().then(
            (v) => {
              clearTimeout(timer);
              resolve(v);
            },
            (err: unknown) => {
              clearTimeout(timer);
              reject(err instanceof SecretStoreUnavailableError ? err : new SecretStoreUnavailableError(explainKeychainError(err)));
            },
          );
        }),
    );
    // A failed call must not block the ones queued after it.
    this.queue = next.catch(() => undefined);
    return next;
  }

  async get(account: string): Promise<string | null> {
    const value = await this.run('read', () => this.keytar.getPassword(this.service, account));
    registerSecret(value);
    return value;
  }

  async set(account: string, value: string): Promise<void> {
    registerSecret(value);
    await this.run('write', () => this.keytar.setPassword(this.service, account, value));
  }

  async delete(account: string): Promise<boolean> {
    return this.run('delete', () => this.keytar.deletePassword(this.service, account));
  }

  async list(prefix = ''): Promise<string[]> {
    // keytar can only list with the passwords; they are registered for redaction and dropped here.
    const creds = await this.run('list', () => this.keytar.findCredentials(this.service));
    for (const c of creds) registerSecret(c.password);
    return creds
      .map((c) => c.account)
      .filter((a) => a.startsWith(prefix))
      .sort();
  }

  async status(): Promise<KeychainStatus> {
    try {
      await this.run('probe', () => this.keytar.getPassword(this.service, 'probe:availability'));
      return { available: true, reason: null };
    } catch (err) {
      return { available: false, reason: err instanceof SecretStoreUnavailableError ? err.reason : explainKeychainError(err) };
    }
  }
}

/**
 * The keychain of this machine, or an UnavailableSecretStore saying why not. keytar is required
 * here, not at module load, so a machine without it (or without its native build) still runs.
 */
export function openSecretStore(opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; service?: string } = {}): SecretStore {
  const env = opts.env ?? process.env;
  // libsecret would try to autolaunch a bus and fail anyway; say why without loading anything.
  if (process.platform === 'linux' && !env.DBUS_SESSION_BUS_ADDRESS && !env.DISPLAY) return new UnavailableSecretStore(NO_SECRET_SERVICE);
  let keytar: Keytar;
  try {
    const loaded = createRequire(import.meta.url)('keytar') as Keytar & { default?: Keytar };
    keytar = typeof loaded.getPassword === 'function' ? loaded : loaded.default!;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    return new UnavailableSecretStore(
      missing
        ? 'keytar is not installed (an optional dependency) — reinstall Switchboard with optional dependencies (npm install --include=optional; on Linux it needs libsecret-1-dev to build)'
        : `keytar could not be loaded (${(err as Error).message}) — reinstall Switchboard; on Linux install libsecret-1 first`,
    );
  }
  return new KeytarSecretStore(keytar, {
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.service ? { service: opts.service } : {}),
  });
}
