// `switchboard secrets set | list | delete | migrate`: named secrets in the OS keychain (account
// `secret:<NAME>`) that the config refers to with `{ secret: NAME }`. Values come from a hidden
// prompt or stdin, never from argv, and are never printed.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseJson5 } from '../../../src-shared/json5/index.ts';
import {
  checkSecretName,
  findPlaintextSecrets,
  listSecrets,
  setPath,
  storeSecret,
  type PlaintextSecret,
} from '../../secrets/credentials.ts';
import { registerSecret } from '../../secrets/redact.ts';
import { SecretStoreUnavailableError, openSecretStore, secretAccount, type SecretStore } from '../../secrets/store.ts';
import { flagString, type Command } from '../command.ts';
import { CliError, emit, out, type CliContext } from '../io.ts';
import { convertForeignConfig } from './import.ts';
import { withRunningGateway } from './live.ts';
import { TMP_NAME } from '../../state/atomic-write.ts';

/** Reads a secret: a hidden prompt on a terminal, else all of stdin (one trailing newline dropped). */
export async function readSecretInput(ctx: CliContext, what: string): Promise<string> {
  const value = ctx.stdin.isTTY ? await hiddenPrompt(ctx, `${what}: `) : await readAll(ctx.stdin);
  const trimmed = value.replace(/\r?\n$/, '');
  if (trimmed.trim() === '')
    throw new CliError(
      `no ${what} given (type it at the prompt or pipe it on stdin; it is never taken from the command line)`,
      'bad_request',
      {},
      2,
    );
  registerSecret(trimmed);
  return trimmed;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Raw-mode prompt that echoes nothing, so the secret is neither on screen nor in scrollback. */
function hiddenPrompt(ctx: CliContext, question: string): Promise<string> {
  const input = ctx.stdin as NodeJS.ReadStream;
  ctx.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      ctx.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('cancelled', 'bad_request', {}, 130));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.setRawMode?.(true);
    input.resume();
    input.on('data', onData);
  });
}

/** The keychain, or a CliError saying why it cannot be used and what to do. */
export async function availableStore(): Promise<SecretStore> {
  const store = openSecretStore();
  const status = await store.status();
  if (!status.available) throw new CliError(`keychain unavailable: ${status.reason ?? 'unknown reason'}`, 'unavailable');
  return store;
}

/** Runs a keychain operation, turning "unavailable" into a message a user can act on. */
export async function keychain<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SecretStoreUnavailableError) throw new CliError(err.message, 'unavailable');
    throw err;
  }
}

const set: Command = {
  name: 'secrets set',
  usage: 'secrets set NAME',
  // A value given as a second word gets its own message below, which never echoes it.
  positionals: [1, Infinity],
  summary: 'Store a secret in the OS keychain (value from a hidden prompt or stdin) for config references { secret: "NAME" }.',
  async run(ctx, _flags, args) {
    if (args.length !== 1)
      throw new CliError(
        'secrets set takes exactly one NAME; the value is read from a prompt or stdin, never from the command line',
        'bad_request',
        {},
        2,
      );
    const name = checkName(args[0]!);
    const value = await readSecretInput(ctx, `value for "${name}"`);
    // A running gateway stores it itself, so the channel that waits for it hears about it.
    const viaGateway = await withRunningGateway(ctx, (client) => client.request('secrets.set', { name, value }));
    if (!viaGateway) await keychain(() => storeSecret(openSecretStore(), name, value));
    emit(ctx, { name, stored: true, via: viaGateway ? 'gateway' : 'keychain' }, () =>
      out(ctx, `Stored secret "${name}" in the OS keychain (account secret:${name}).`),
    );
    return 0;
  },
};

const list: Command = {
  name: 'secrets list',
  usage: 'secrets list',
  summary: 'Secret names in the keychain and where the config uses them (never the values).',
  async run(ctx) {
    const loaded = await ctx.store.load();
    const result = await listSecrets(openSecretStore(), loaded.check.raw ?? {});
    const plaintext = findPlaintextSecrets(loaded.check.raw ?? {}).map((p) => p.path.join('.'));
    emit(ctx, { ...result, plaintext }, () => {
      if (!result.keychain.available) out(ctx, `keychain unavailable: ${result.keychain.reason}`);
      if (result.secrets.length === 0) out(ctx, 'no secrets');
      for (const s of result.secrets) {
        const state = s.stored === null ? 'unknown' : s.stored ? 'stored' : 'MISSING';
        out(ctx, `${s.name}  ${state}  ${s.usedAt.length ? `used by ${s.usedAt.join(', ')}` : 'not used by the config'}`);
      }
      for (const p of plaintext) out(ctx, `plaintext in the config: ${p} (run "switchboard secrets migrate")`);
    });
    return 0;
  },
};

const del: Command = {
  name: 'secrets delete',
  usage: 'secrets delete NAME',
  positionals: [1, 1],
  summary: 'Delete a secret from the OS keychain.',
  async run(ctx, _flags, args) {
    if (args.length !== 1) throw new CliError('secrets delete takes exactly one NAME', 'bad_request', {}, 2);
    const name = checkName(args[0]!);
    const viaGateway = await withRunningGateway(ctx, (client) => client.request('secrets.delete', { name }));
    const deleted = viaGateway ? viaGateway.deleted : await keychain(() => openSecretStore().delete(secretAccount(name)));
    const loaded = await ctx.store.load();
    const usedAt =
      (
        await listSecrets(openSecretStore(), loaded.check.raw ?? {}).catch(() => ({ secrets: [] as { name: string; usedAt: string[] }[] }))
      ).secrets.find((s) => s.name === name)?.usedAt ?? [];
    emit(ctx, { name, deleted, usedAt }, () => {
      out(ctx, deleted ? `Deleted secret "${name}".` : `There was no secret "${name}".`);
      if (usedAt.length) out(ctx, `  still referred to by ${usedAt.join(', ')}: those will report "credentials unavailable"`);
    });
    if (!deleted) return 1;
    return 0;
  },
};

function checkName(name: string): string {
  try {
    return checkSecretName(name);
  } catch (err) {
    throw new CliError((err as Error).message, 'bad_request', {}, 2);
  }
}

/** Our own atomic-write temp files (`<name>.tmp-<pid>-<hex>`, state/atomic-write.ts) left by a crash are safe to remove. */
const OWN_TEMP = TMP_NAME;
const MAX_SCAN_BYTES = 8 * 1024 * 1024;

/** Files under `dirs` holding any of `values`; our own stale temp files among them are deleted. */
async function sweepPlaintext(dirs: string[], values: string[]): Promise<{ removed: string[]; remaining: string[] }> {
  const removed: string[] = [];
  const remaining: string[] = [];
  const seen = new Set<string>();
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 8 || seen.has(dir)) return;
    seen.add(dir);
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (e.isFile()) {
        const stat = await fs.stat(p).catch(() => undefined);
        if (!stat || stat.size > MAX_SCAN_BYTES) continue;
        const text = await fs.readFile(p, 'utf8').catch(() => '');
        if (!values.some((v) => text.includes(v))) continue;
        if (OWN_TEMP.test(e.name)) {
          await fs.rm(p, { force: true });
          removed.push(p);
        } else remaining.push(p);
      }
    }
  };
  for (const d of dirs) await walk(d, 0);
  return { removed, remaining };
}

const migrate: Command = {
  name: 'secrets migrate',
  usage: 'secrets migrate [--from FILE]',
  summary:
    'Move plaintext secrets from the config (or a foreign config such as openclaw.json) into the OS keychain and write { secret } references.',
  options: { from: { type: 'string' } },
  async run(ctx, flags) {
    const store = await availableStore();
    const stored: { name: string; from: string }[] = [];
    const values: string[] = [];
    const from = flagString(flags, 'from');
    if (from) {
      const file = path.resolve(from);
      const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 'not_found');
      });
      const { plaintext } = convertForeignConfig(parseJson5(text).value, { stateDir: ctx.loc.stateDir, homeDir: ctx.homeDir });
      for (const p of plaintext) {
        await keychain(() => storeSecret(store, p.name, p.value));
        stored.push({ name: p.name, from: `${file}: ${p.path}` });
        values.push(p.value);
      }
    }
    const loaded = await ctx.store.load();
    if (loaded.exists && !loaded.check.raw)
      throw new CliError(
        `${loaded.configPath} cannot be read as JSON5; fix it (switchboard config validate) before migrating`,
        'bad_request',
        {},
        1,
        loaded.check.issues,
      );
    let moved: PlaintextSecret[] = [];
    if (loaded.exists && findPlaintextSecrets(loaded.check.raw ?? {}).length > 0) {
      // Inside the update: the secrets stored are exactly those replaced, against the bytes read.
      await ctx.store.update(async (raw) => {
        moved = findPlaintextSecrets(raw);
        for (const p of moved) await keychain(() => storeSecret(store, p.name, p.value));
        for (const p of moved) setPath(raw, p.path, { secret: p.name });
      });
      for (const p of moved) {
        stored.push({ name: p.name, from: `${ctx.loc.configPath}: ${p.path.join('.')}` });
        values.push(p.value);
      }
    }
    const sweep = values.length
      ? await sweepPlaintext([...new Set([ctx.loc.stateDir, path.dirname(ctx.loc.configPath)])], values)
      : { removed: [], remaining: [] };
    const after = await ctx.store.load();
    const refs = (await listSecrets(store, after.check.raw ?? {})).secrets.filter((s) => s.usedAt.length > 0);
    emit(
      ctx,
      {
        stored,
        rewritten: moved.map((p) => p.path.join('.')),
        removedFiles: sweep.removed,
        plaintextFiles: sweep.remaining,
        references: refs,
      },
      () => {
        if (stored.length === 0) out(ctx, 'No plaintext secrets found; nothing to migrate.');
        for (const s of stored) out(ctx, `stored "${s.name}" in the keychain (from ${s.from})`);
        if (moved.length) out(ctx, `rewrote ${ctx.loc.configPath} with { secret } references`);
        for (const f of sweep.removed) out(ctx, `deleted leftover temp file ${f}`);
        for (const f of sweep.remaining) out(ctx, `WARNING: ${f} still holds a plaintext secret; delete it`);
        for (const r of refs.filter((x) => x.stored === false))
          out(ctx, `WARNING: "${r.name}" (used by ${r.usedAt.join(', ')}) is not in the keychain; run "switchboard secrets set ${r.name}"`);
        if (from) out(ctx, `${path.resolve(from)} itself still holds the plaintext; delete it once you no longer need it`);
      },
    );
    return sweep.remaining.length ? 1 : 0;
  },
};

export const secretCommands = [set, list, del, migrate];
