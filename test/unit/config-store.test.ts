// The config store against real files: atomic, hash-guarded, lock-protected writes that never
// lose an update, refuse invalid results, and catch two agents sharing a folder on disk.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseJson5 } from '../../src-shared/json5/index.ts';
import { agentPaths, resolveLocations, type Locations } from '../../src-main/config/paths.ts';
import { ConfigConflictError, ConfigInvalidError, ConfigStore, hashText } from '../../src-main/config/store.ts';
import { atomicWrite } from '../../src-main/state/atomic-write.ts';
import { validConfig } from '../helpers/config.ts';

let dir: string;
let home: string;
let loc: Locations;

beforeEach(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-store-')));
  home = path.join(dir, 'home');
  await fs.mkdir(home);
  loc = { stateDir: path.join(dir, 'state'), configPath: path.join(dir, 'state', 'switchboard.json') };
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const store = () => new ConfigStore(loc, home);

async function writeConfig(text: string): Promise<string> {
  await fs.mkdir(path.dirname(loc.configPath), { recursive: true });
  await fs.writeFile(loc.configPath, text);
  return hashText(text);
}

const readConfig = () => fs.readFile(loc.configPath, 'utf8');
const agentIds = (text: string) => (parseJson5(text).value as { agents: { list: { id: string }[] } }).agents.list.map((a) => a.id);

/** Rejections as values, so a test can assert which kind of error each writer got. */
async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('atomic writes', () => {
  it('a write replaces the file and leaves no temp or lock file behind', async () => {
    const base = await writeConfig('{ agents: { list: [ { id: "home" } ] } }\n');
    await store().write({ agents: { list: [{ id: 'home' }, { id: 'work' }] } }, base);
    expect(agentIds(await readConfig())).toEqual(['home', 'work']);
    expect(await fs.readdir(path.dirname(loc.configPath))).toEqual(['switchboard.json']);
  });

  it('the first write creates the file when there was none (base = hash of no bytes)', async () => {
    const loaded = await store().load();
    expect(loaded.exists).toBe(false);
    expect(loaded.hash).toBe(hashText(''));
    expect(loaded.check.config?.agents.list.map((a) => a.id)).toEqual(['main']);
    await store().write({ agents: { list: [{ id: 'home' }] } }, loaded.hash);
    expect(agentIds(await readConfig())).toEqual(['home']);
  });

  it('concurrent writers in one process each produce a whole file and leave no temp files', async () => {
    const file = path.join(dir, 'target.json');
    const contents = Array.from({ length: 16 }, (_, i) => `${String.fromCharCode(97 + i).repeat(200_000)}\n`);
    const results = await Promise.all(contents.map((c) => settle(atomicWrite(file, c))));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(contents).toContain(await fs.readFile(file, 'utf8'));
    expect(await fs.readdir(dir)).toEqual(expect.not.arrayContaining([expect.stringMatching(/\.tmp-/)]));
  });

  it('a reader during concurrent writes sees either the old or one complete new content, never a mix', async () => {
    const file = path.join(dir, 'target.json');
    const old = `${'o'.repeat(300_000)}\n`;
    await fs.writeFile(file, old);
    const contents = Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(97 + i).repeat(300_000)}\n`);
    let done = false;
    const seen = new Set<string>();
    const reader = (async () => {
      while (!done) seen.add(await fs.readFile(file, 'utf8'));
    })();
    await Promise.all(contents.map((c) => atomicWrite(file, c)));
    done = true;
    await reader;
    for (const text of seen) expect([old, ...contents].includes(text), `a torn read of ${text.length} chars`).toBe(true);
  });

  it('a write that cannot be put in place fails without leaving a temp file', async () => {
    const target = path.join(dir, 'occupied');
    await fs.mkdir(path.join(target, 'inside'), { recursive: true });
    await expect(atomicWrite(target, 'x')).rejects.toThrow();
    expect((await fs.readdir(dir)).sort()).toEqual(['home', 'occupied']);
  });

  it('a write keeps the comments of the parts it did not change', async () => {
    const base = await writeConfig('// header\n{\n  agents: {\n    list: [\n      { id: "home" }, // the home agent\n    ],\n  },\n}\n');
    await store().write({ agents: { list: [{ id: 'home' }, { id: 'work' }] } }, base);
    const text = await readConfig();
    expect(text).toContain('// header');
    expect(text).toContain('// the home agent');
    expect(agentIds(text)).toEqual(['home', 'work']);
  });
});

describe('hash guard', () => {
  it('a stale baseHash gets ConfigConflictError and the file is unchanged', async () => {
    const original = '{ agents: { list: [ { id: "home" } ] } }\n';
    await writeConfig(original);
    const stale = hashText('{ agents: { list: [] } }\n');
    await expect(store().write({ agents: { list: [{ id: 'home' }, { id: 'work' }] } }, stale)).rejects.toBeInstanceOf(ConfigConflictError);
    expect(await readConfig()).toBe(original);
  });

  it('a write against a file someone changed after it was loaded is a conflict', async () => {
    await writeConfig('{ agents: { list: [ { id: "home" } ] } }\n');
    const loaded = await store().load();
    const edited = '{ agents: { list: [ { id: "home" }, { id: "edited" } ] } }\n';
    await fs.writeFile(loc.configPath, edited);
    await expect(store().write({ agents: { list: [{ id: 'home' }, { id: 'work' }] } }, loaded.hash)).rejects.toBeInstanceOf(
      ConfigConflictError,
    );
    expect(await readConfig()).toBe(edited);
  });

  it('two overlapping update() calls from two stores: one wins, the other gets a conflict, nothing is lost', async () => {
    await writeConfig('{ agents: { list: [ { id: "home" } ] } }\n');
    // Both mutators run only once both stores have loaded the same bytes, so they really overlap.
    let arrived = 0;
    const { promise: bothLoaded, resolve: release } = Promise.withResolvers<void>();
    const addAgent = (id: string) =>
      new ConfigStore(loc, home).update(async (raw) => {
        if (++arrived === 2) release();
        await bothLoaded;
        (raw.agents as { list: unknown[] }).list.push({ id });
      });
    const results = await Promise.all([settle(addAgent('alpha')), settle(addAgent('beta'))]);
    const winners = results.flatMap((r, i) => (r.ok ? [['alpha', 'beta'][i]!] : []));
    const losers = results.filter((r) => !r.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]!.ok === false && losers[0]!.error).toBeInstanceOf(ConfigConflictError);
    expect(agentIds(await readConfig())).toEqual(['home', winners[0]]);
  });

  it('update() calls that do not overlap both apply', async () => {
    await writeConfig('{ agents: { list: [ { id: "home" } ] } }\n');
    await new ConfigStore(loc, home).update((raw) => void (raw.agents as { list: unknown[] }).list.push({ id: 'alpha' }));
    await new ConfigStore(loc, home).update((raw) => void (raw.agents as { list: unknown[] }).list.push({ id: 'beta' }));
    expect(agentIds(await readConfig())).toEqual(['home', 'alpha', 'beta']);
  });

  it('many concurrent update() calls: every one that reports success is in the file', async () => {
    await writeConfig('{ agents: { list: [ { id: "home" } ] } }\n');
    const ids = Array.from({ length: 8 }, (_, i) => `agent-${i}`);
    const results = await Promise.all(
      ids.map((id) =>
        settle(
          new ConfigStore(loc, home).update((raw) => {
            (raw.agents as { list: unknown[] }).list.push({ id });
          }),
        ),
      ),
    );
    const written = agentIds(await readConfig());
    results.forEach((r, i) => {
      if (r.ok) expect(written).toContain(ids[i]);
      else expect(r.error).toBeInstanceOf(ConfigConflictError);
    });
    expect(results.some((r) => r.ok)).toBe(true);
    expect(written.length).toBe(1 + results.filter((r) => r.ok).length);
  });
});

describe('validity', () => {
  it('a result that would be invalid is refused with ConfigInvalidError listing the issue, and the file is unchanged', async () => {
    const original = '{ agents: { list: [ { id: "home" } ] } }\n';
    const base = await writeConfig(original);
    const attempt = store().write(
      { agents: { list: [{ id: 'home' }] }, bindings: [{ agentId: 'nobody', match: { channel: 'telegram' } }] },
      base,
    );
    await expect(attempt).rejects.toBeInstanceOf(ConfigInvalidError);
    const error = (await settle(attempt)) as { ok: false; error: ConfigInvalidError };
    expect(error.error.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'unknown_agent', path: ['bindings', 0, 'agentId'] })]),
    );
    expect(await readConfig()).toBe(original);
  });

  it('update() refuses to start from a file that does not parse, and leaves it alone', async () => {
    const broken = '{ agents: { list: [ { id: "home" } ,, ] } }\n';
    await writeConfig(broken);
    await expect(store().update(() => undefined)).rejects.toBeInstanceOf(ConfigInvalidError);
    expect(await readConfig()).toBe(broken);
  });
});

describe('lock file', () => {
  const lockPath = () => `${loc.configPath}.lock`;

  it('a lock left by a process that no longer runs is taken over', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    expect(dead).toBeGreaterThan(0);
    const base = await writeConfig('{ agents: { list: [ { id: "home" } ] } }\n');
    await fs.writeFile(lockPath(), `${dead}\n`);
    await store().write({ agents: { list: [{ id: 'home' }, { id: 'work' }] } }, base);
    expect(agentIds(await readConfig())).toEqual(['home', 'work']);
    await expect(fs.access(lockPath())).rejects.toThrow();
  });

  it('a lock held by a running process makes the writer wait until it is released', async () => {
    const base = await writeConfig('{ agents: { list: [ { id: "home" } ] } }\n');
    await fs.writeFile(lockPath(), `${process.pid}\n`);
    let finished = false;
    const writing = store()
      .write({ agents: { list: [{ id: 'home' }, { id: 'work' }] } }, base)
      .finally(() => (finished = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(finished).toBe(false);
    expect(agentIds(await readConfig())).toEqual(['home']);
    await fs.rm(lockPath());
    await writing;
    expect(agentIds(await readConfig())).toEqual(['home', 'work']);
  });
});

describe('two agents may not share a folder', () => {
  const sharedPathErrors = (text: string, s = store()) => s.check(text).issues.filter((i) => i.code === 'shared_path');
  const twoAgents = (a: string, b: string, field: 'workspace' | 'agentDir' = 'workspace') =>
    JSON.stringify({
      agents: {
        list: [
          { id: 'home', [field]: a },
          { id: 'work', [field]: b },
        ],
      },
    });

  it('the same workspace is an error naming both agents, at the second agent', () => {
    const ws = path.join(dir, 'ws');
    const check = store().check(twoAgents(ws, ws));
    expect(check.ok).toBe(false);
    const errors = check.issues.filter((i) => i.code === 'shared_path');
    expect(errors).toEqual([
      expect.objectContaining({ severity: 'error', path: ['agents', 'list', 1, 'workspace'], file: loc.configPath }),
    ]);
    expect(errors[0]!.message).toContain('"work"');
    expect(errors[0]!.message).toContain('"home"');
  });

  it('different folders are fine', () => {
    expect(store().check(twoAgents(path.join(dir, 'ws-home'), path.join(dir, 'ws-work'))).ok).toBe(true);
  });

  it('different spellings of the same path are the same folder', () => {
    expect(sharedPathErrors(twoAgents(path.join(dir, 'ws'), `${dir}/sub/../ws/./`))).toHaveLength(1);
  });

  it("a symlink to another agent's workspace is the same folder", async () => {
    await fs.mkdir(path.join(dir, 'real-ws'));
    await fs.symlink(path.join(dir, 'real-ws'), path.join(dir, 'link-ws'));
    expect(sharedPathErrors(twoAgents(path.join(dir, 'real-ws'), path.join(dir, 'link-ws')))).toHaveLength(1);
  });

  it('a not-yet-created workspace under a symlinked folder is compared through the link', async () => {
    await fs.mkdir(path.join(dir, 'real'));
    await fs.symlink(path.join(dir, 'real'), path.join(dir, 'link'));
    expect(sharedPathErrors(twoAgents(path.join(dir, 'real', 'ws'), path.join(dir, 'link', 'ws')))).toHaveLength(1);
  });

  it('paths that differ only in case are the same folder', () => {
    expect(sharedPathErrors(twoAgents(path.join(dir, 'Workspace'), path.join(dir, 'workspace')))).toHaveLength(1);
  });

  it('"~" is the home folder', () => {
    expect(sharedPathErrors(twoAgents('~/ws', path.join(home, 'ws')))).toHaveLength(1);
  });

  it("a relative workspace resolves against the config file's folder, not the working directory", () => {
    expect(sharedPathErrors(twoAgents('ws', path.join(path.dirname(loc.configPath), 'ws')))).toHaveLength(1);
    expect(sharedPathErrors(twoAgents('ws', path.resolve('ws')))).toHaveLength(0);
  });

  it("one agent's agentDir may not be another agent's workspace", () => {
    const folder = path.join(dir, 'both');
    const text = JSON.stringify({
      agents: {
        list: [
          { id: 'home', workspace: folder },
          { id: 'work', agentDir: folder },
        ],
      },
    });
    expect(sharedPathErrors(text)).toEqual([expect.objectContaining({ path: ['agents', 'list', 1, 'agentDir'] })]);
  });

  it('two agents with the same agentDir is an error', () => {
    expect(sharedPathErrors(twoAgents(path.join(dir, 'a'), path.join(dir, 'a'), 'agentDir'))).toHaveLength(1);
  });

  it("in the ArgentOS map form the error points at the agent's key", () => {
    const ws = path.join(dir, 'ws');
    const text = JSON.stringify({ agents: { home: { workspace: ws }, work: { workspace: ws } } });
    expect(sharedPathErrors(text)).toEqual([expect.objectContaining({ path: ['agents', 'work', 'workspace'] })]);
  });

  it('a write that would make two agents share a workspace is refused and the file is unchanged', async () => {
    const original = '{ agents: { list: [ { id: "home", workspace: "~/ws" } ] } }\n';
    const base = await writeConfig(original);
    await expect(
      store().write(
        {
          agents: {
            list: [
              { id: 'home', workspace: '~/ws' },
              { id: 'work', workspace: path.join(home, 'ws') },
            ],
          },
        },
        base,
      ),
    ).rejects.toBeInstanceOf(ConfigInvalidError);
    expect(await readConfig()).toBe(original);
  });
});

describe('paths', () => {
  const configIn = (folder: string): Locations => ({
    stateDir: path.join(dir, 'state'),
    configPath: path.join(folder, 'switchboard.json'),
  });

  it("a relative workspace and agentDir resolve against the config file's folder", () => {
    const config = validConfig({ agents: { list: [{ id: 'work', workspace: 'ws', agentDir: '../ad' }] } });
    const paths = agentPaths(config.agents.list[0]!, config, configIn(path.join(dir, 'conf')), home);
    expect(paths.workspace).toBe(path.join(dir, 'conf', 'ws'));
    expect(paths.agentDir).toBe(path.join(dir, 'ad'));
  });

  it('"~" in a workspace expands to the home folder', () => {
    const config = validConfig({ agents: { list: [{ id: 'work', workspace: '~/ws-work' }] } });
    expect(agentPaths(config.agents.list[0]!, config, configIn(dir), home).workspace).toBe(path.join(home, 'ws-work'));
  });

  it('sessions and memory stay under the state dir whatever agentDir says', () => {
    const config = validConfig({ agents: { list: [{ id: 'work', agentDir: '/elsewhere/agent' }] } });
    const paths = agentPaths(config.agents.list[0]!, config, configIn(dir), home);
    expect(paths.sessionsDir).toBe(path.join(dir, 'state', 'agents', 'work', 'sessions'));
    expect(paths.memoryDir).toBe(path.join(dir, 'state', 'agents', 'work', 'memory'));
  });

  it('"~" in --state-dir and --config expands to the home folder', () => {
    expect(resolveLocations({ stateDir: '~/sb', configPath: '~/cfg/sb.json5', env: {}, homeDir: home })).toMatchObject({
      stateDir: path.join(home, 'sb'),
      configPath: path.join(home, 'cfg', 'sb.json5'),
      logsDir: path.join(home, 'sb', 'logs'),
    });
  });
});
