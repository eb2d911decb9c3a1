// Reads and writes switchboard.json. Writes are atomic (temp + fsync + rename), guarded by the
// sha256 of the bytes the writer started from (a stale writer gets a conflict, never a lost
// update) and by a lock file beside the config. Edits keep the user's comments (json5/edit).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkConfigText, type ConfigCheck, type ConfigIssue, type SwitchboardConfig } from '../../src-shared/config/index.ts';
import { editJson5 } from '../../src-shared/json5/index.ts';
import { caseFolded, checkFolderContainment } from './folder-rules.ts';
import { agentPaths, type Locations } from './paths.ts';

export class ConfigConflictError extends Error {
  readonly code = 'conflict';
  constructor(readonly configPath: string) {
    super(`${configPath} changed since it was read (someone else edited it); reload and try again`);
  }
}

export class ConfigInvalidError extends Error {
  readonly code = 'bad_request';
  constructor(readonly issues: ConfigIssue[]) {
    super(
      `the new configuration is invalid: ${issues
        .filter((i) => i.severity === 'error')
        .map((i) => i.message)
        .join('; ')}`,
    );
  }
}

export interface LoadedConfig {
  configPath: string;
  exists: boolean;
  text: string;
  /** sha256 (hex) of the file's bytes; of zero bytes when there is no file. */
  hash: string;
  check: ConfigCheck;
}

export function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Two agents may not share a workspace or an agentDir (real paths, case-folded); nesting and the like: folder-rules.ts. */
function checkSharedPaths(config: SwitchboardConfig, loc: Locations, homeDir: string, argentos: boolean): ConfigIssue[] {
  const owners = new Map<string, { agent: string; field: string }>();
  const issues: ConfigIssue[] = [];
  config.agents.list.forEach((agent, i) => {
    const paths = agentPaths(agent, config, loc, homeDir);
    for (const field of ['workspace', 'agentDir'] as const) {
      const key = caseFolded(paths[field]);
      const other = owners.get(key);
      if (other) {
        issues.push({
          severity: 'error',
          code: 'shared_path',
          path: argentos ? ['agents', agent.id, field] : ['agents', 'list', i, field],
          message: `agent "${agent.id}" would use ${paths[field]} as its ${field}, which is already the ${other.field} of agent "${other.agent}"; each agent needs its own folders`,
        });
      } else owners.set(key, { agent: agent.id, field });
    }
  });
  return issues;
}

export class ConfigStore {
  readonly configPath: string;
  private readonly lockPath: string;

  constructor(
    readonly loc: Locations,
    private readonly homeDir = os.homedir(),
  ) {
    this.configPath = loc.configPath;
    this.lockPath = `${loc.configPath}.lock`;
  }

  /** Checks text as if it were the config file (the loader's rules, including on-disk paths). */
  check(text: string): ConfigCheck {
    const check = checkConfigText(text, this.configPath);
    if (check.config) {
      const extra = [
        ...checkSharedPaths(check.config, this.loc, this.homeDir, check.argentos),
        ...checkFolderContainment(check.config, this.loc, this.homeDir, check.argentos),
      ];
      if (extra.length > 0) {
        const { config: _dropped, ...rest } = check;
        return { ...rest, ok: false, issues: [...check.issues, ...extra.map((i) => ({ ...i, file: this.configPath }))] };
      }
    }
    return check;
  }

  async load(): Promise<LoadedConfig> {
    let text = '';
    let exists = true;
    try {
      text = await fs.readFile(this.configPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      exists = false;
    }
    return { configPath: this.configPath, exists, text, hash: hashText(text), check: this.check(exists ? text : '{}') };
  }

  /**
   * Replaces the config with `next` (the raw, as-written shape), keeping comments of the parts
   * that did not change. Refuses an invalid result and a stale `baseHash`.
   */
  async write(next: unknown, baseHash: string): Promise<LoadedConfig> {
    return this.withLock(async () => {
      const current = await this.load();
      if (current.hash !== baseHash) throw new ConfigConflictError(this.configPath);
      const text = editJson5(current.exists ? current.text : '', next);
      const check = this.check(text);
      if (!check.ok) throw new ConfigInvalidError(check.issues);
      await atomicWrite(this.configPath, text);
      return { configPath: this.configPath, exists: true, text, hash: hashText(text), check };
    });
  }

  /** Load, change the raw config, write back against the loaded hash. */
  async update(mutate: (raw: Record<string, unknown>, loaded: LoadedConfig) => void | Promise<void>): Promise<LoadedConfig> {
    const loaded = await this.load();
    if (!loaded.check.raw && loaded.exists) throw new ConfigInvalidError(loaded.check.issues);
    const raw = structuredClone((loaded.check.raw ?? {}) as Record<string, unknown>);
    await mutate(raw, loaded);
    return this.write(raw, loaded.hash);
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await fs.mkdir(path.dirname(this.lockPath), { recursive: true });
    const deadline = Date.now() + 3000;
    for (;;) {
      try {
        const handle = await fs.open(this.lockPath, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (await this.lockIsStale()) {
          await fs.rm(this.lockPath, { force: true });
          continue;
        }
        if (Date.now() > deadline) throw new ConfigConflictError(this.configPath);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    try {
      return await fn();
    } finally {
      await fs.rm(this.lockPath, { force: true });
    }
  }

  /** A lock left by a process that no longer runs (or older than a minute) is stale. */
  private async lockIsStale(): Promise<boolean> {
    try {
      const [text, stat] = await Promise.all([fs.readFile(this.lockPath, 'utf8'), fs.stat(this.lockPath)]);
      if (Date.now() - stat.mtimeMs > 60_000) return true;
      const pid = Number.parseInt(text, 10);
      if (!Number.isInteger(pid) || pid <= 0) return Date.now() - stat.mtimeMs > 1000;
      process.kill(pid, 0);
      return false;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ESRCH' || code === 'ENOENT';
    }
  }
}

/** temp file in the same folder + fsync + rename + fsync of the folder. */
export async function atomicWrite(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  // Unique per call: two writes in the same process and millisecond must not share a temp file.
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    // A failed write (disk full, …) or rename leaves neither a temp file nor a changed target.
    await fs.rm(tmp, { force: true });
    throw err;
  }
  if (process.platform !== 'win32') {
    const dirHandle = await fs.open(dir, 'r');
    try {
      await dirHandle.sync();
    } catch {
      // Some file systems cannot sync a directory; the rename is still atomic.
    } finally {
      await dirHandle.close();
    }
  }
}
