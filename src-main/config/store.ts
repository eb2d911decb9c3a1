// Reads and writes switchboard.json. Writes are atomic (temp + fsync + rename), guarded by the
// sha256 of the bytes the writer started from (a stale writer gets a conflict, never a lost
// update) and by a lock file beside the config. Edits keep the user's comments (json5/edit).
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import { checkConfigText, type ConfigCheck, type ConfigIssue, type Env, type SwitchboardConfig } from '../../src-shared/config/index.ts';
import { changedIncludes, includeReader } from './includes.ts';
import { editJson5 } from '../../src-shared/json5/index.ts';
import { caseFolded, checkFolderContainment } from './folder-rules.ts';
import { atomicWrite } from '../state/atomic-write.ts';
import { LockBusyError, withLock } from '../state/lock.ts';
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

/** An edit would change a part of the config that lives in an `$include`d file (docs/config.md#include). */
export class ConfigIncludeEditError extends Error {
  readonly code = 'bad_request';
  constructor(readonly sites: { path: string; files: string }[]) {
    super(
      `this change touches settings kept in an included file (${sites.map((s) => `${s.path || '(root)'} → ${s.files}`).join('; ')}); Switchboard does not edit included files: make the change in that file by hand`,
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
    /** Values for `${VAR}` in the config (docs/config.md#environment-variables). */
    private readonly env: Env = process.env,
  ) {
    this.configPath = loc.configPath;
    this.lockPath = `${loc.configPath}.lock`;
  }

  /** Checks text as if it were the config file (the loader's rules, including on-disk paths). */
  check(text: string): ConfigCheck {
    const check = checkConfigText(text, this.configPath, { env: this.env, readInclude: includeReader(this.configPath) });
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
      // `next` is the as-written shape (pre-`${VAR}`, pre-`$include`), so edits keep both in the file;
      // a part that comes from an included file is not edited through the main one.
      const touched = changedIncludes(current.check.raw, next);
      if (touched.length > 0) throw new ConfigIncludeEditError(touched);
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

  /** The state dir's one lock (state/lock.ts) beside the config; a live holder is waited for up to 3 s, never taken over. */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await withLock(this.lockPath, fn, { waitMs: 3000 });
    } catch (err) {
      if (err instanceof LockBusyError) throw new ConfigConflictError(this.configPath);
      throw err;
    }
  }
}
