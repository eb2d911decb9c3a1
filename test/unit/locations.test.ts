// Where an install's folders are, per platform (docs/desktop.md#folders): a new install uses the
// OS's application-data folder, an existing ~/.switchboard is kept, flags and variables win.
// Platform, environment, home folder and the existence check are injected.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLocations, type LocationOptions } from '../../src-main/config/paths.ts';

/** A file system holding exactly `present` (and nothing else). */
const fsWith =
  (...present: string[]) =>
  (p: string) =>
    present.includes(p);

const mac = (env: NodeJS.ProcessEnv = {}, exists = fsWith(), extra: Partial<LocationOptions> = {}) =>
  resolveLocations({ platform: 'darwin', env, homeDir: '/Users/ada', exists, ...extra });
const linux = (env: NodeJS.ProcessEnv = {}, exists = fsWith(), extra: Partial<LocationOptions> = {}) =>
  resolveLocations({ platform: 'linux', env, homeDir: '/home/ada', exists, ...extra });
const win = (env: NodeJS.ProcessEnv = { APPDATA: 'C:\\Users\\Ada\\AppData\\Roaming' }, exists = fsWith()) =>
  resolveLocations({ platform: 'win32', env, homeDir: 'C:\\Users\\Ada', exists });

describe('a new install (no ~/.switchboard)', () => {
  it('macOS: Application Support for config, state and prefs; ~/Library/Logs for logs', () => {
    expect(mac()).toEqual({
      stateDir: '/Users/ada/Library/Application Support/Switchboard',
      configPath: '/Users/ada/Library/Application Support/Switchboard/switchboard.json',
      logsDir: '/Users/ada/Library/Logs/Switchboard',
      prefsDir: '/Users/ada/Library/Application Support/Switchboard/desktop',
      source: 'platform',
    });
  });

  it('Windows: %APPDATA%\\Switchboard, logs inside it', () => {
    expect(win()).toEqual({
      stateDir: 'C:\\Users\\Ada\\AppData\\Roaming\\Switchboard',
      configPath: 'C:\\Users\\Ada\\AppData\\Roaming\\Switchboard\\switchboard.json',
      logsDir: 'C:\\Users\\Ada\\AppData\\Roaming\\Switchboard\\logs',
      prefsDir: 'C:\\Users\\Ada\\AppData\\Roaming\\Switchboard\\desktop',
      source: 'platform',
    });
  });

  it('Windows without APPDATA falls back to the roaming folder under the profile', () => {
    expect(win({}).stateDir).toBe('C:\\Users\\Ada\\AppData\\Roaming\\Switchboard');
  });

  it('Linux: one root under $XDG_CONFIG_HOME (default ~/.config), lower-case name', () => {
    expect(linux()).toEqual({
      stateDir: '/home/ada/.config/switchboard',
      configPath: '/home/ada/.config/switchboard/switchboard.json',
      logsDir: '/home/ada/.config/switchboard/logs',
      prefsDir: '/home/ada/.config/switchboard/desktop',
      source: 'platform',
    });
    expect(linux({ XDG_CONFIG_HOME: '/data/cfg' }).stateDir).toBe('/data/cfg/switchboard');
    // XDG: a relative value is invalid and ignored.
    expect(linux({ XDG_CONFIG_HOME: 'cfg' }).stateDir).toBe('/home/ada/.config/switchboard');
    // State is not split off to $XDG_STATE_HOME: one root per install.
    expect(linux({ XDG_STATE_HOME: '/data/state' }).stateDir).toBe('/home/ada/.config/switchboard');
  });

  it('SWITCHBOARD_PROFILE names a second root next to the first', () => {
    expect(mac({ SWITCHBOARD_PROFILE: 'work' })).toMatchObject({
      stateDir: '/Users/ada/Library/Application Support/Switchboard-work',
      logsDir: '/Users/ada/Library/Logs/Switchboard-work',
    });
    expect(linux({ SWITCHBOARD_PROFILE: 'work' }).stateDir).toBe('/home/ada/.config/switchboard-work');
  });
});

describe('an existing ~/.switchboard is kept (never two roots)', () => {
  it.each([
    ['darwin', '/Users/ada'],
    ['linux', '/home/ada'],
  ] as const)('%s: state, config, logs and prefs all stay in it', (platform, home) => {
    const loc = resolveLocations({ platform, env: {}, homeDir: home, exists: fsWith(`${home}/.switchboard`) });
    expect(loc).toEqual({
      stateDir: `${home}/.switchboard`,
      configPath: `${home}/.switchboard/switchboard.json`,
      logsDir: `${home}/.switchboard/logs`,
      prefsDir: `${home}/.switchboard/desktop`,
      source: 'existing',
    });
  });

  it('Windows: %USERPROFILE%\\.switchboard', () => {
    expect(win(undefined, fsWith('C:\\Users\\Ada\\.switchboard'))).toMatchObject({
      stateDir: 'C:\\Users\\Ada\\.switchboard',
      source: 'existing',
    });
  });

  it('a profile keeps its own ~/.switchboard-<profile>, and only that one counts', () => {
    const exists = fsWith('/home/ada/.switchboard-work');
    expect(linux({ SWITCHBOARD_PROFILE: 'work' }, exists)).toMatchObject({ stateDir: '/home/ada/.switchboard-work', source: 'existing' });
    expect(linux({}, exists)).toMatchObject({ stateDir: '/home/ada/.config/switchboard', source: 'platform' });
  });

  it('names the platform folder it ignores when that one holds a config too', () => {
    const exists = fsWith('/home/ada/.switchboard', '/home/ada/.config/switchboard/switchboard.json');
    expect(linux({}, exists)).toMatchObject({ stateDir: '/home/ada/.switchboard', ignored: '/home/ada/.config/switchboard' });
    // A folder without a config (e.g. an older app's preferences) is not worth a note.
    expect(linux({}, fsWith('/home/ada/.switchboard', '/home/ada/.config/switchboard')).ignored).toBeUndefined();
  });
});

describe('overrides win', () => {
  const exists = fsWith('/home/ada/.switchboard');

  it('SWITCHBOARD_STATE_DIR over an existing ~/.switchboard; everything follows it', () => {
    expect(linux({ SWITCHBOARD_STATE_DIR: '/srv/sb' }, exists)).toEqual({
      stateDir: '/srv/sb',
      configPath: '/srv/sb/switchboard.json',
      logsDir: '/srv/sb/logs',
      prefsDir: '/srv/sb/desktop',
      source: 'env',
    });
    // On macOS too: an explicit state dir keeps its logs with it.
    expect(mac({ SWITCHBOARD_STATE_DIR: '~/sb' })).toMatchObject({ stateDir: '/Users/ada/sb', logsDir: '/Users/ada/sb/logs' });
  });

  it('--state-dir over SWITCHBOARD_STATE_DIR; an empty variable counts as unset', () => {
    expect(linux({ SWITCHBOARD_STATE_DIR: '/srv/sb' }, exists, { stateDir: '/opt/sb' })).toMatchObject({
      stateDir: '/opt/sb',
      source: 'flag',
    });
    expect(linux({ SWITCHBOARD_STATE_DIR: '' }, exists)).toMatchObject({ stateDir: '/home/ada/.switchboard', source: 'existing' });
  });

  it('SWITCHBOARD_CONFIG_PATH and --config move only the config', () => {
    expect(linux({ SWITCHBOARD_CONFIG_PATH: '~/etc/sb.json5' })).toMatchObject({
      stateDir: '/home/ada/.config/switchboard',
      configPath: '/home/ada/etc/sb.json5',
    });
    expect(linux({ SWITCHBOARD_CONFIG_PATH: '/a.json' }, fsWith(), { configPath: '/b.json' }).configPath).toBe('/b.json');
  });
});

describe('against the real file system', () => {
  const made: string[] = [];
  afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

  it('an existing ~/.switchboard is found with the default existence check', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'sb-loc-'));
    made.push(home);
    expect(resolveLocations({ platform: 'linux', env: {}, homeDir: home }).source).toBe('platform');
    await mkdir(path.join(home, '.switchboard'));
    await writeFile(path.join(home, '.switchboard', 'switchboard.json'), '{}');
    expect(resolveLocations({ platform: 'linux', env: {}, homeDir: home })).toMatchObject({
      stateDir: path.join(home, '.switchboard'),
      source: 'existing',
    });
  });
});
