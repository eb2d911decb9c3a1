// Desktop prefs through conf (what electron-store runs underneath) on a real file: the schema,
// the migration of a file written without a version, and repair of a file that no longer validates.
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Conf, { type Schema } from 'conf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  adoptLegacyPrefs,
  openPrefs,
  Prefs,
  PREFS_DEFAULTS,
  PREFS_FILE_NAME,
  PREFS_JSON_SCHEMA,
  PREFS_VERSION,
  prefsStoreOptions,
} from '../../src-main/desktop/prefs.ts';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-prefs-'));
  file = path.join(dir, `${PREFS_FILE_NAME}.json`);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What electron-store does in the app, minus Electron: the same options on conf. */
function createConf() {
  return new Conf<Record<string, unknown>>({
    ...prefsStoreOptions(),
    schema: PREFS_JSON_SCHEMA as Schema<Record<string, unknown>>,
    cwd: dir,
    configName: PREFS_FILE_NAME,
  });
}

async function onDisk(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

describe('prefs schema', () => {
  it('a first start writes the defaults and the schema version', async () => {
    const { prefs, setAside } = await openPrefs({ create: createConf, file });
    expect(setAside).toBeUndefined();
    expect(prefs.all()).toEqual(PREFS_DEFAULTS);
    expect(PREFS_DEFAULTS).toEqual({
      window: { bounds: null, maximized: false },
      startAtLogin: false,
      startGatewayOnLaunch: true,
      theme: 'system',
      autoUpdate: true,
      lastView: '#/overview',
      remoteAccess: { enabled: false, port: 47800 },
    });
    expect(await onDisk()).toMatchObject({ ...PREFS_DEFAULTS, __internal__: { migrations: { version: `${PREFS_VERSION}.0.0` } } });
  });

  it('values are kept across restarts', async () => {
    (await openPrefs({ create: createConf, file })).prefs.set('window', {
      bounds: { x: 10, y: 20, width: 1000, height: 700 },
      maximized: true,
    });
    const again = (await openPrefs({ create: createConf, file })).prefs;
    expect(again.get('window')).toEqual({ bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true });
  });

  it('conf itself refuses values the schema does not allow', () => {
    const conf = createConf();
    expect(() => conf.set('theme', 'purple')).toThrow(/Config schema violation: `theme` must be equal to one of the allowed values/);
    expect(() => conf.set('remoteAccess', { enabled: true, port: 80 })).toThrow(/Config schema violation/);
    expect(() => conf.set('lastView', 'javascript:alert(1)')).toThrow(/Config schema violation/);
  });

  it('Prefs.set refuses a wrong value and writes nothing', async () => {
    const { prefs } = await openPrefs({ create: createConf, file });
    expect(() => prefs.set('theme', 'purple' as never)).toThrow('invalid value for preference "theme"');
    expect(() => prefs.set('startAtLogin', 'yes' as never)).toThrow();
    expect(prefs.get('theme')).toBe('system');
  });

  it('the file is readable by its owner only', async () => {
    if (process.platform === 'win32') return;
    await openPrefs({ create: createConf, file });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('prefs migrations', () => {
  it('a file without a version is repaired key by key: bad values get defaults, good ones and unknown keys stay', async () => {
    await writeFile(
      file,
      JSON.stringify({
        theme: 'purple',
        startAtLogin: true,
        window: { bounds: { x: 5, y: 5, width: 12, height: 700 }, maximized: true },
        remoteAccess: { enabled: true, port: 'any' },
        lastView: '#/inspector/home',
        futureSetting: { kept: 1 },
      }),
    );
    const { prefs, setAside } = await openPrefs({ create: createConf, file });
    expect(setAside).toBeUndefined();
    expect(prefs.all()).toEqual({
      window: { bounds: null, maximized: true },
      startAtLogin: true,
      startGatewayOnLaunch: true,
      theme: 'system',
      autoUpdate: true,
      lastView: '#/inspector/home',
      remoteAccess: { enabled: true, port: 47800 },
    });
    expect(await onDisk()).toMatchObject({ futureSetting: { kept: 1 }, __internal__: { migrations: { version: '1.0.0' } } });
  });

  it('a migrated file is not migrated again', async () => {
    (await openPrefs({ create: createConf, file })).prefs.set('theme', 'dark');
    const before = await readFile(file, 'utf8');
    await openPrefs({ create: createConf, file });
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('a hand edit that breaks the schema is set aside and repaired, never a failed start', async () => {
    const first = (await openPrefs({ create: createConf, file })).prefs;
    first.set('startAtLogin', true);
    const broken = { ...(await onDisk()), theme: 42 };
    await writeFile(file, JSON.stringify(broken));
    const warnings: unknown[] = [];
    const { prefs, setAside } = await openPrefs({
      create: createConf,
      file,
      log: (...args) => warnings.push(args),
      now: () => new Date('2026-01-02T03:04:05Z'),
    });
    expect(setAside).toBe(`${file}.invalid-2026-01-02T03-04-05-000Z`);
    expect(JSON.parse(await readFile(setAside!, 'utf8'))).toEqual(broken);
    expect(prefs.get('theme')).toBe('system');
    expect(prefs.get('startAtLogin')).toBe(true);
    expect(warnings).toHaveLength(1);
  });

  it('a file that is not JSON is set aside and the defaults are used', async () => {
    await writeFile(file, '{ "theme": "dark", ');
    const { prefs, setAside } = await openPrefs({ create: createConf, file });
    expect(prefs.all()).toEqual(PREFS_DEFAULTS);
    expect(await readdir(dir)).toContain(path.basename(setAside!));
  });

  it('Prefs works over any backend that has store and set (electron-store in the app)', () => {
    const data: Record<string, unknown> = {};
    const prefs = new Prefs({
      get store() {
        return data;
      },
      set: (k, v) => void (data[k] = v),
    });
    prefs.set('theme', 'light');
    expect(prefs.all()).toEqual({ ...PREFS_DEFAULTS, theme: 'light' });
  });
});

describe("prefs from the previous location (Electron's default userData)", () => {
  it('are copied once into the state dir, mode 0600, and then read by conf', async () => {
    const legacy = path.join(dir, 'old', 'prefs.json');
    await mkdir(path.dirname(legacy));
    await writeFile(legacy, JSON.stringify({ startAtLogin: true, theme: 'dark' }));
    file = path.join(dir, 'desktop', `${PREFS_FILE_NAME}.json`);
    expect(await adoptLegacyPrefs(legacy, file)).toBe(true);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    const conf = new Conf<Record<string, unknown>>({
      ...prefsStoreOptions(),
      schema: PREFS_JSON_SCHEMA as Schema<Record<string, unknown>>,
      cwd: path.dirname(file),
      configName: PREFS_FILE_NAME,
    });
    expect(new Prefs(conf).all()).toMatchObject({ startAtLogin: true, theme: 'dark' });
    // Later changes in the old file are not copied over the new one.
    await writeFile(legacy, JSON.stringify({ theme: 'light' }));
    expect(await adoptLegacyPrefs(legacy, file)).toBe(false);
    expect(new Prefs(conf).get('theme')).toBe('dark');
  });

  it('nothing happens without an old file, or when old and new are the same file', async () => {
    expect(await adoptLegacyPrefs(path.join(dir, 'none.json'), file)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
    await writeFile(file, '{}');
    expect(await adoptLegacyPrefs(file, file)).toBe(false);
  });
});
