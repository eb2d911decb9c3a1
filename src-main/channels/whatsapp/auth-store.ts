// The Baileys link state of one WhatsApp account (creds + signal keys), kept by us instead of
// Baileys' useMultiFileAuthState: every file AES-256-GCM encrypted at rest under
// <stateDir>/credentials/whatsapp/<account>/, written atomically and serialised per file.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AuthenticationCreds, AuthenticationState, SignalDataSet, SignalDataTypeMap } from '@whiskeysockets/baileys';
import { ID_PATTERN } from '../../../src-shared/config/index.ts';
import { atomicWrite } from '../../state/atomic-write.ts';

/** The link-state key: 32 bytes, from the keychain (`app:wa-auth:whatsapp:<account>`). */
export type AuthKeyProvider = () => Promise<Buffer>;

export interface EncryptedAuthState {
  state: AuthenticationState;
  /** Persists the current creds (call on every `creds.update`). */
  saveCreds(): Promise<void>;
  /** Deletes the link state (logout); later writes are ignored. */
  clear(): Promise<void>;
  readonly dir: string;
}

export class WhatsAppLinkStateError extends Error {
  readonly code = 'unavailable';
  constructor(
    readonly accountId: string,
    detail: string,
  ) {
    super(
      `WhatsApp link state for account ${accountId} cannot be decrypted (${detail}); re-link with switchboard channels login --channel whatsapp --account ${accountId}`,
    );
  }
}

const MAGIC = Buffer.from('SBWA1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CREDS_FILE = 'creds.enc';

export function whatsAppAuthDir(stateDir: string, accountId: string): string {
  // The folder name comes from a validated account id, never from a path the user typed.
  if (!ID_PATTERN.test(accountId)) throw new Error(`"${accountId}" is not a valid WhatsApp account id`);
  return path.join(stateDir, 'credentials', 'whatsapp', accountId);
}

/** The keychain account that holds the link-state key (`app:<purpose>:<ch>:<account>`, docs/credentials.md#what-lives-where). */
export function whatsAppAuthKeyName(accountId: string): string {
  return `app:wa-auth:whatsapp:${accountId}`;
}

const creating = new Map<string, Promise<Buffer>>();

/**
 * A key provider over a get/set secret pair: reads the stored key (base64), or creates and stores
 * a random one the first time. Concurrent first calls share one creation, so they get one key.
 */
export function whatsAppAuthKeyProvider(
  accountId: string,
  secrets: { get(name: string): Promise<string | null>; set(name: string, value: string): Promise<void> },
  name = whatsAppAuthKeyName(accountId),
): AuthKeyProvider {
  const load = async (): Promise<Buffer> => {
    const stored = await secrets.get(name);
    if (stored !== null) {
      const key = Buffer.from(stored, 'base64');
      if (key.length !== 32)
        throw new Error(`the keychain entry ${name} is not a 32-byte key; delete it and re-link WhatsApp account ${accountId}`);
      return key;
    }
    const key = randomBytes(32);
    await secrets.set(name, key.toString('base64'));
    return key;
  };
  return () => {
    let pending = creating.get(name);
    if (!pending) {
      pending = load().finally(() => creating.delete(name));
      creating.set(name, pending);
    }
    return pending;
  };
}

function encrypt(key: Buffer, aad: string, plain: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The logical name is authenticated too, so a file copied over another one is detected.
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]);
}

function decrypt(key: Buffer, aad: string, data: Buffer): Buffer {
  if (data.length < MAGIC.length + IV_BYTES + TAG_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error('not an encrypted link-state file');
  const iv = data.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
  const tag = data.subarray(MAGIC.length + IV_BYTES, MAGIC.length + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data.subarray(MAGIC.length + IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/**
 * Opens (or starts) the link state of `accountId`. Throws WhatsAppLinkStateError when the stored
 * creds cannot be decrypted (wrong key, tampered or truncated file).
 */
export async function openWhatsAppAuthState(opts: {
  stateDir: string;
  accountId: string;
  keyProvider: AuthKeyProvider;
}): Promise<EncryptedAuthState> {
  const { accountId } = opts;
  const dir = whatsAppAuthDir(opts.stateDir, accountId);
  const master = await opts.keyProvider();
  if (master.length !== 32) throw new Error(`the WhatsApp link-state key for account ${accountId} must be 32 bytes`);
  // Separate subkeys: one encrypts, one names the key files (their ids hold phone numbers).
  const encKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'switchboard wa-auth enc', 32));
  const nameKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'switchboard wa-auth names', 32));
  const { BufferJSON, initAuthCreds, proto } = await import('@whiskeysockets/baileys');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });

  const fileOf = (logical: string) =>
    path.join(dir, logical === 'creds' ? CREDS_FILE : `${createHmac('sha256', nameKey).update(logical).digest('hex').slice(0, 40)}.enc`);
  const queues = new Map<string, Promise<unknown>>();
  let cleared = false;
  /** Runs `op` after every earlier operation on the same file (reads see the latest write). */
  const serial = <T>(logical: string, op: () => Promise<T>): Promise<T> => {
    const run = (queues.get(logical) ?? Promise.resolve()).catch(() => undefined).then(op);
    queues.set(logical, run);
    void run
      .catch(() => undefined)
      .then(() => {
        if (queues.get(logical) === run) queues.delete(logical);
      });
    return run;
  };

  const write = (logical: string, value: unknown) =>
    serial(logical, async () => {
      if (cleared) return;
      await atomicWrite(fileOf(logical), encrypt(encKey, logical, Buffer.from(JSON.stringify(value, BufferJSON.replacer))));
    });
  const remove = (logical: string) =>
    serial(logical, async () => {
      if (!cleared) await fs.rm(fileOf(logical), { force: true });
    });
  const read = (logical: string) =>
    serial(logical, async (): Promise<unknown> => {
      let data: Buffer;
      try {
        data = await fs.readFile(fileOf(logical));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      try {
        return JSON.parse(decrypt(encKey, logical, data).toString('utf8'), BufferJSON.reviver) as unknown;
      } catch (err) {
        throw new WhatsAppLinkStateError(accountId, `${logical === 'creds' ? 'creds' : 'a signal key'}: ${(err as Error).message}`);
      }
    });

  const creds = ((await read('creds')) as AuthenticationCreds | null) ?? initAuthCreds();
  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        await Promise.all(
          ids.map(async (id) => {
            let value = await read(`${type}-${id}`);
            if (type === 'app-state-sync-key' && value)
              value = proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>);
            // Baileys' own store leaves missing ids as null entries; keep that contract.
            out[id] = value as SignalDataTypeMap[T];
          }),
        );
        return out;
      },
      async set(data: SignalDataSet) {
        const tasks: Promise<void>[] = [];
        for (const [category, entries] of Object.entries(data)) {
          for (const [id, value] of Object.entries(entries ?? {})) {
            tasks.push(value ? write(`${category}-${id}`, value) : remove(`${category}-${id}`));
          }
        }
        await Promise.all(tasks);
      },
    },
  };
  return {
    state,
    dir,
    saveCreds: () => write('creds', state.creds),
    async clear() {
      cleared = true;
      await Promise.all([...queues.values()].map((q) => q.catch(() => undefined)));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Deletes an account's link state without opening it (logout while the key is unavailable). */
export async function clearWhatsAppAuthState(stateDir: string, accountId: string): Promise<void> {
  await fs.rm(whatsAppAuthDir(stateDir, accountId), { recursive: true, force: true });
}

/** Whether link state exists on disk for the account (nothing is decrypted). */
export async function hasWhatsAppAuthState(stateDir: string, accountId: string): Promise<boolean> {
  try {
    await fs.access(path.join(whatsAppAuthDir(stateDir, accountId), CREDS_FILE));
    return true;
  } catch {
    return false;
  }
}
