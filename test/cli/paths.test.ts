// `switchboard paths` as a user runs it (a real process, a temp HOME): where a new install, an
// existing ~/.switchboard and an explicit state dir put their files, and that asking creates nothing.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const cli = runCli;

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => fs.rm(d, { recursive: true, force: true }))));

async function tempHome(): Promise<string> {
  const home = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-paths-')));
  made.push(home);
  return home;
}

interface Paths {
  config: string;
  state: string;
  logs: string;
  workspace: string;
  controlToken: string;
  desktopPrefs: string;
  source: string;
  ignored?: string;
}

async function paths(home: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Paths> {
  const run = await cli(['paths', '--json', ...args], home, env);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Paths;
}

describe.skipIf(process.platform !== 'linux')('switchboard paths (Linux)', () => {
  it('a new install: everything under ~/.config/switchboard, and nothing is created by asking', async () => {
    const home = await tempHome();
    const root = path.join(home, '.config', 'switchboard');
    expect(await paths(home)).toEqual({
      config: path.join(root, 'switchboard.json'),
      state: root,
      logs: path.join(root, 'logs'),
      workspace: path.join(root, 'workspace'),
      controlToken: path.join(root, 'control-token'),
      desktopPrefs: path.join(root, 'desktop', 'prefs.json'),
      source: 'platform',
    });
    expect(await fs.readdir(home)).toEqual([]);
  });

  it('$XDG_CONFIG_HOME moves a new install', async () => {
    const home = await tempHome();
    expect((await paths(home, [], { XDG_CONFIG_HOME: path.join(home, 'cfg') })).state).toBe(path.join(home, 'cfg', 'switchboard'));
  });

  it('an existing ~/.switchboard keeps being used; a config in the platform folder is named as ignored', async () => {
    const home = await tempHome();
    await fs.mkdir(path.join(home, '.switchboard'));
    await fs.mkdir(path.join(home, '.config', 'switchboard'), { recursive: true });
    await fs.writeFile(path.join(home, '.config', 'switchboard', 'switchboard.json'), '{}');
    const got = await paths(home);
    expect(got).toMatchObject({
      state: path.join(home, '.switchboard'),
      config: path.join(home, '.switchboard', 'switchboard.json'),
      logs: path.join(home, '.switchboard', 'logs'),
      source: 'existing',
      ignored: path.join(home, '.config', 'switchboard'),
    });
    const human = await cli(['paths'], home);
    expect(human.stdout).toContain(`state:         ${path.join(home, '.switchboard')}  (an existing install in the home folder is kept)`);
    expect(human.stdout).toContain(`note: ${path.join(home, '.config', 'switchboard')} also holds a config`);
  });

  it('SWITCHBOARD_STATE_DIR, then --state-dir and --config, win', async () => {
    const home = await tempHome();
    await fs.mkdir(path.join(home, '.switchboard'));
    const env = { SWITCHBOARD_STATE_DIR: path.join(home, 'env-state') };
    expect(await paths(home, [], env)).toMatchObject({ state: path.join(home, 'env-state'), source: 'env' });
    expect(await paths(home, ['--state-dir', path.join(home, 'flag-state'), '--config', path.join(home, 'c.json')], env)).toMatchObject({
      state: path.join(home, 'flag-state'),
      config: path.join(home, 'c.json'),
      logs: path.join(home, 'flag-state', 'logs'),
      source: 'flag',
    });
  });

  it("the workspace is the default agent's, as the config says", async () => {
    const home = await tempHome();
    const state = path.join(home, 'st');
    await fs.mkdir(state);
    await fs.writeFile(
      path.join(state, 'switchboard.json'),
      JSON.stringify({ agents: { list: [{ id: 'a' }, { id: 'b', default: true, workspace: '~/ws-b' }] } }),
    );
    expect((await paths(home, ['--state-dir', state])).workspace).toBe(path.join(home, 'ws-b'));
  });
});
