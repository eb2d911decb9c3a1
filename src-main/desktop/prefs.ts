// Desktop preferences (window bounds, start at login, start the gateway on launch, theme, last
// view, remote access), kept by electron-store (conf underneath) in `<stateDir>/desktop/prefs.json`. The
// gateway's own configuration stays in switchboard.json; nothing here is a secret.
// One zod schema is the source of truth: conf validates with the JSON Schema generated from it,
// and the same schema (every field with a fall-back) repairs a file that no longer validates.
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

export const PREFS_FILE_NAME = 'prefs';

const boundsSchema = z.object({
  x: z.number().int().min(-100_000).max(100_000),
  y: z.number().int().min(-100_000).max(100_000),
  width: z.number().int().min(320).max(20_000),
  height: z.number().int().min(240).max(20_000),
});
export type Bounds = z.infer<typeof boundsSchema>;

/** A dashboard route such as `#/inspector/home` (see src-renderer/store/nav.ts). */
const viewSchema = z
  .string()
  .max(512)
  .regex(/^#\/[A-Za-z0-9_\-./%:~]*$/);

export const THEMES = ['system', 'light', 'dark'] as const;

/** Every field falls back to its default on its own, so one bad value never costs the others. */
export const PrefsSchema = z.object({
  window: z
    .object({
      bounds: boundsSchema.nullable().catch(null),
      maximized: z.boolean().catch(false),
    })
    .catch({ bounds: null, maximized: false }),
  startAtLogin: z.boolean().catch(false),
  startGatewayOnLaunch: z.boolean().catch(true),
  theme: z.enum(THEMES).catch('system'),
  /** Check GitHub releases for a new version at start and every few hours (docs/desktop.md#updates). */
  autoUpdate: z.boolean().catch(true),
  lastView: viewSchema.catch('#/overview'),
  remoteAccess: z
    .object({
      enabled: z.boolean().catch(false),
      /** Fixed (not 0) so a browser bookmark of the dashboard keeps working. */
      port: z.number().int().min(1024).max(65535).catch(47800),
    })
    .catch({ enabled: false, port: 47800 }),
});
export type DesktopPrefs = z.infer<typeof PrefsSchema>;
export type PrefKey = keyof DesktopPrefs;

export const PREFS_DEFAULTS: DesktopPrefs = PrefsSchema.parse({});

/** Per-key JSON Schemas for conf's `schema` option (conf wraps them in `{ type: 'object', properties }`). */
export const PREFS_JSON_SCHEMA: Record<string, unknown> = (() => {
  const full = z.toJSONSchema(PrefsSchema) as { properties: Record<string, unknown> };
  return full.properties;
})();

/**
 * Schema version of prefs.json. conf records the last migration it ran in
 * `__internal__.migrations.version`; we give it this number (as semver) as the "project version",
 * so prefs migrate with their own layout, not with the app's release number.
 */
export const PREFS_VERSION = 1;

/** What a migration may touch (a conf/electron-store instance during migration). */
export interface MigrationStore {
  readonly store: Record<string, unknown>;
  set(key: string, value: unknown): void;
}

/**
 * `'<version>.0.0': step` — each brings the file from the previous layout to this one. A new
 * layout adds an entry and bumps PREFS_VERSION; entries are never edited once released.
 */
export const PREFS_MIGRATIONS: Record<string, (store: MigrationStore) => void> = {
  // v1: the first layout. A file without a migration marker (written by hand, copied from another
  // machine, or by a build without migrations) is brought into shape key by key.
  '1.0.0': repairInPlace,
};

export function repairInPlace(store: MigrationStore): void {
  const current = store.store;
  const repaired = PrefsSchema.parse(current);
  for (const key of Object.keys(repaired) as PrefKey[]) {
    if (!isDeepStrictEqual(current[key], repaired[key])) store.set(key, repaired[key]);
  }
}

/** Options shared by electron-store (which adds `name`) and conf in tests (which add `configName`, `cwd`). */
export function prefsStoreOptions() {
  return {
    schema: PREFS_JSON_SCHEMA,
    defaults: PREFS_DEFAULTS,
    migrations: PREFS_MIGRATIONS,
    projectVersion: `${PREFS_VERSION}.0.0`,
    // Dots in keys are not paths: `remoteAccess.port` is not a key we use, and none should become one.
    accessPropertiesByDotNotation: false,
    clearInvalidConfig: false,
    configFileMode: 0o600,
  };
}

/** The parts of a conf/electron-store instance the app uses. */
export interface PrefsBackend {
  readonly store: Record<string, unknown>;
  set(key: string, value: unknown): void;
}

export class Prefs {
  constructor(private readonly backend: PrefsBackend) {}

  all(): DesktopPrefs {
    return PrefsSchema.parse(this.backend.store);
  }

  get<K extends PrefKey>(key: K): DesktopPrefs[K] {
    return this.all()[key];
  }

  /** Writes one preference. A value of the wrong shape throws and nothing is written; a bad nested field falls back to its default. */
  set<K extends PrefKey>(key: K, value: DesktopPrefs[K]): void {
    const checked = PrefsSchema.shape[key].unwrap().safeParse(value);
    if (!checked.success) throw new Error(`invalid value for preference "${key}"`);
    this.backend.set(key, checked.data);
  }
}

export interface OpenPrefsOptions {
  /** new ElectronStore(...) in the app, new Conf(...) in tests. */
  create(): PrefsBackend;
  /** Where create() keeps its file (to set a broken one aside). */
  file: string;
  log?(level: 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
  now?(): Date;
}

/**
 * Opens the prefs. A file that cannot be read, fails the schema or a migration is kept aside as
 * `prefs.json.invalid-<time>` and replaced by its repaired values (or the defaults, if it was not
 * JSON): preferences are never a reason for the app not to start.
 */
export async function openPrefs(opts: OpenPrefsOptions): Promise<{ prefs: Prefs; setAside?: string }> {
  try {
    return { prefs: new Prefs(opts.create()) };
  } catch (err) {
    const stamp = (opts.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
    const aside = `${opts.file}.invalid-${stamp}`;
    const text = await fs.readFile(opts.file, 'utf8').catch(() => undefined);
    await fs.rename(opts.file, aside).catch(() => undefined);
    let raw: unknown;
    try {
      raw = text === undefined ? undefined : JSON.parse(text);
    } catch {
      raw = undefined;
    }
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      const { __internal__: internal, ...rest } = raw as Record<string, unknown>;
      const repaired = { ...rest, ...PrefsSchema.parse(rest), ...(internal !== undefined ? { __internal__: internal } : {}) };
      await fs.writeFile(opts.file, `${JSON.stringify(repaired, null, '\t')}\n`, { mode: 0o600 });
    }
    opts.log?.('warn', 'preferences file was invalid; kept aside and repaired', { file: opts.file, aside, error: (err as Error).message });
    try {
      return { prefs: new Prefs(opts.create()), setAside: aside };
    } catch (again) {
      // Last resort: start from the defaults (the broken file is still aside for inspection).
      await fs.rm(opts.file, { force: true });
      opts.log?.('error', 'preferences could not be repaired; using defaults', { file: opts.file, error: (again as Error).message });
      return { prefs: new Prefs(opts.create()), setAside: aside };
    }
  }
}

/**
 * Before prefs moved into the state dir (`<stateDir>/desktop/prefs.json`), they lived in
 * Electron's default userData folder. Copies that file once, when the new one does not exist yet,
 * so an upgrade keeps the window, login and remote-access settings. The old file is left alone.
 */
export async function adoptLegacyPrefs(
  legacyFile: string,
  file: string,
  log?: (level: 'warn' | 'info', message: string, fields: Record<string, unknown>) => void,
): Promise<boolean> {
  if (path.resolve(legacyFile) === path.resolve(file)) return false;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // COPYFILE_EXCL: an existing new file always wins, even one written between a check and the copy.
    await fs.copyFile(legacyFile, file, fsConstants.COPYFILE_EXCL);
    await fs.chmod(file, 0o600);
    log?.('info', 'preferences copied from the previous location', { from: legacyFile, to: file });
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EEXIST')
      log?.('warn', 'could not copy the previous preferences', { from: legacyFile, error: String(err) });
    return false;
  }
}
