// The `switchboard` command as a user runs it: a real process (bin/switchboard.mjs), a fresh
// HOME and state dir per test, and assertions on what it printed, its exit code and the files
// it left on disk (configs are re-parsed with the json5 package, not with our own parser).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import JSON5 from 'json5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, type CliRun } from '../helpers/cli.ts';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'cli');
const EXAMPLES = path.resolve(ROOT, 'test/fixtures/examples');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

type Run = CliRun;
const cli = runCli;

interface Sandbox {
  root: string;
  home: string;
  state: string;
  configPath: string;
  /** Runs the CLI with `--state-dir <state>` appended. */
  sb(args: string[], env?: NodeJS.ProcessEnv): Promise<Run>;
}

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** A temp root with an empty `home/`; the state dir (`state/` unless told) holds `fixture` as its config. */
async function sandbox(fixture?: string, stateRel = 'state'): Promise<Sandbox> {
  const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-cli-')));
  made.push(root);
  const home = path.join(root, 'home');
  await fs.mkdir(home);
  const state = path.join(root, stateRel);
  const configPath = path.join(state, 'switchboard.json');
  if (fixture) {
    await fs.mkdir(state, { recursive: true });
    await fs.copyFile(path.join(FIXTURES, fixture), configPath);
  }
  return { root, home, state, configPath, sb: (args, env) => cli([...args, '--state-dir', state], home, env) };
}

type Obj = Record<string, unknown>;
interface RawConfig {
  agents: { list: (Obj & { id: string; workspace?: string; agentDir?: string; default?: boolean })[] };
  bindings?: (Obj & { agentId: string; match: Obj })[];
  channels?: Record<string, Obj & { accounts?: Record<string, Obj> }>;
}

const readText = (file: string) => fs.readFile(file, 'utf8');
const readConfig = async (file: string) => JSON5.parse(await readText(file)) as RawConfig;

/** stdout of a --json run: exactly one line holding one JSON value. */
function jsonOut<T = Obj>(run: Run): T {
  const lines = run.stdout.trim().split('\n');
  expect(lines, run.stdout).toHaveLength(1);
  return JSON.parse(lines[0]!) as T;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('the command line itself', () => {
  it('--version prints the version from package.json', async () => {
    const { home } = await sandbox();
    expect(await cli(['--version'], home)).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('an unknown command exits 2 with a message on stderr and nothing on stdout', async () => {
    const { home } = await sandbox();
    const run = await cli(['frobnicate'], home);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/unknown command "frobnicate".*switchboard --help/);
  });

  it('with --json an error is {"error":{"code","message"}} on stdout, and stderr stays empty', async () => {
    const { home } = await sandbox();
    const run = await cli(['frobnicate', '--json'], home);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('');
    expect(jsonOut(run)).toEqual({ error: { code: 'bad_request', message: expect.stringContaining('unknown command "frobnicate"') } });
  });

  it('global flags may come before the command word', async () => {
    const box = await sandbox();
    const run = await cli(['--state-dir', box.state, 'config', 'path', '--json'], box.home);
    expect(run.code).toBe(0);
    expect(jsonOut(run)).toEqual({ stateDir: box.state, configPath: box.configPath });
  });
});

describe('agents add work --bind whatsapp:biz, with no config yet', () => {
  let box: Sandbox;
  let add: Run;
  let list: Run;
  let validate: Run;

  beforeAll(async () => {
    box = await sandbox();
    add = await box.sb(['agents', 'add', 'work', '--bind', 'whatsapp:biz', '--name', 'Sentinel']);
    [list, validate] = await Promise.all([box.sb(['agents', 'list', '--bindings']), box.sb(['config', 'validate'])]);
  });

  it('exits 0 and prints the new agent, its folders and its binding', () => {
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain(`Added agent "work" (Sentinel) to ${box.configPath}`);
    expect(add.stdout).toContain(`workspace: ${path.join(box.state, 'workspace-work')}`);
    expect(add.stdout).toContain(`agentDir:  ${path.join(box.state, 'agents', 'work', 'agent')}`);
    expect(add.stdout).toContain(`sessions:  ${path.join(box.state, 'agents', 'work', 'sessions')}`);
    expect(add.stdout).toContain('binding [0]: whatsapp · account biz → work');
  });

  it('creates the workspace with AGENTS.md, SOUL.md and USER.md naming the agent, its agentDir and its sessions folder', async () => {
    const workspace = path.join(box.state, 'workspace-work');
    for (const file of ['AGENTS.md', 'SOUL.md', 'USER.md']) {
      expect(await readText(path.join(workspace, file)), file).toContain('Sentinel');
    }
    expect(existsSync(path.join(box.state, 'agents', 'work', 'agent'))).toBe(true);
    expect(existsSync(path.join(box.state, 'agents', 'work', 'sessions'))).toBe(true);
  });

  it('writes a JSON5 config where the implicit "main" agent is written out as the default, keeping its folders', async () => {
    const config = await readConfig(box.configPath);
    expect(config.agents.list).toEqual([
      {
        id: 'main',
        default: true,
        workspace: path.join(box.state, 'workspace'),
        agentDir: path.join(box.state, 'agents', 'main', 'agent'),
      },
      {
        id: 'work',
        name: 'Sentinel',
        workspace: path.join(box.state, 'workspace-work'),
        agentDir: path.join(box.state, 'agents', 'work', 'agent'),
      },
    ]);
    expect(config.bindings).toEqual([{ agentId: 'work', match: { channel: 'whatsapp', accountId: 'biz' } }]);
    expect(existsSync(path.join(box.state, 'workspace', 'SOUL.md'))).toBe(true);
  });

  it('leaves a config that "config validate" accepts', () => {
    expect(validate.code, validate.stdout).toBe(0);
    expect(validate.stdout).toContain(`${box.configPath}: valid`);
  });

  it('"agents list --bindings" shows the new agent with its folders and its binding', () => {
    expect(list.code).toBe(0);
    const work = list.stdout.slice(list.stdout.indexOf('work (Sentinel)'));
    expect(list.stdout).toMatch(/^main {2}\[default\]/m);
    expect(work).toMatch(new RegExp(`workspace +${path.join(box.state, 'workspace-work')}`));
    expect(work).toMatch(new RegExp(`agentDir +${path.join(box.state, 'agents', 'work', 'agent')}`));
    expect(work).toMatch(new RegExp(`sessions +${path.join(box.state, 'agents', 'work', 'sessions')}`));
    expect(work).toContain('binding [0] binding.account: whatsapp · account biz');
  });
});

describe('agents list --json shows the effective settings', () => {
  it('agents.defaults merged into each agent: deny lists union, the agent wins elsewhere', async () => {
    const box = await sandbox();
    await fs.mkdir(box.state, { recursive: true });
    await fs.writeFile(
      box.configPath,
      JSON.stringify({
        agents: {
          defaults: { tools: { deny: ['exec'] }, sandbox: { mode: 'all' }, memory: { scope: 'shared', pool: 'family' } },
          list: [
            { id: 'home', default: true, tools: { allow: ['read', 'exec'] } },
            { id: 'work', tools: { deny: ['write'] }, sandbox: { mode: 'off' }, memory: { scope: 'agent' } },
          ],
        },
      }),
    );
    const run = await box.sb(['agents', 'list', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const { agents } = jsonOut<{ agents: Obj[] }>(run);
    expect(agents[0]).toMatchObject({
      id: 'home',
      tools: { allow: ['read', 'exec'], deny: ['exec'], enabled: ['read'] },
      sandbox: { mode: 'all' },
      memory: { scope: 'shared', pool: 'family' },
    });
    expect(agents[1]).toMatchObject({
      id: 'work',
      tools: { deny: ['write', 'exec'] },
      sandbox: { mode: 'off' },
      memory: { scope: 'agent', pool: 'family' },
    });
    expect((agents[1]!.tools as { enabled: string[] }).enabled).not.toContain('exec');
    expect((agents[1]!.tools as { enabled: string[] }).enabled).not.toContain('write');
    expect((agents[1]!.tools as { enabled: string[] }).enabled).toContain('read');
  });
});

describe('agents add', () => {
  it('adding "main" itself while it is the built-in agent keeps the workspace it already uses', async () => {
    const box = await sandbox();
    const run = await box.sb(['agents', 'add', 'main', '--name', 'Home']);
    expect(run.code, run.stderr).toBe(0);
    const config = await readConfig(box.configPath);
    expect(config.agents.list).toEqual([
      { id: 'main', name: 'Home', workspace: path.join(box.state, 'workspace'), agentDir: path.join(box.state, 'agents', 'main', 'agent') },
    ]);
    expect(existsSync(path.join(box.state, 'workspace', 'SOUL.md'))).toBe(true);
    expect(existsSync(path.join(box.state, 'workspace-main'))).toBe(false);
  });

  it('an id that already exists (in any case) is a conflict, and nothing changes', async () => {
    const box = await sandbox('home-work.json5');
    const before = await readText(box.configPath);
    const run = await box.sb(['agents', 'add', 'Work', '--json']);
    expect(run.code).toBe(1);
    expect(jsonOut(run)).toEqual({ error: { code: 'conflict', message: 'agent "work" already exists' } });
    expect(await readText(box.configPath)).toBe(before);
    expect(existsSync(path.join(box.state, 'workspace-work'))).toBe(false);
  });

  it.concurrent.for([['../x'], ['/abs'], ['a/b'], ['con'], ['a'.repeat(65)]])(
    'refuses the unsafe id %s and creates nothing on disk',
    async ([id], { expect }) => {
      const box = await sandbox();
      const run = await box.sb(['agents', 'add', id!]);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`agent id ${JSON.stringify(id)} is not allowed`);
      expect(existsSync(box.state)).toBe(false);
      expect(await fs.readdir(box.root)).toEqual(['home']);
      expect(await fs.readdir(box.home)).toEqual([]);
    },
  );
});

describe('agents remove', () => {
  /** Folders of both agents of home-work.json5, with a file in each. */
  async function withAgentFiles(box: Sandbox) {
    const files = {
      workSoul: path.join(box.state, 'workspace-work', 'SOUL.md'),
      workSessions: path.join(box.state, 'agents', 'work', 'sessions', 'sessions.json'),
      workAgentDir: path.join(box.state, 'agents', 'work', 'agent', 'auth-profiles.json'),
      homeSoul: path.join(box.state, 'workspace', 'SOUL.md'),
      homeSessions: path.join(box.state, 'agents', 'home', 'sessions', 'sessions.json'),
    };
    for (const file of Object.values(files)) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, '{}\n');
    }
    return files;
  }

  it('refuses while bindings point at the agent, naming each bindings[i], and changes nothing', async () => {
    const box = await sandbox('home-work.json5');
    const before = await readText(box.configPath);
    const run = await box.sb(['agents', 'remove', 'work']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('agent "work" is still used by bindings[1], bindings[2]');
    expect(run.stderr).toContain('--drop-bindings');
    expect(run.stderr).not.toContain('unexpected');
    expect(await readText(box.configPath)).toBe(before);
  });

  it('--drop-bindings removes the agent and its bindings, and keeps its files', async () => {
    const box = await sandbox('home-work.json5');
    const files = await withAgentFiles(box);
    const run = await box.sb(['agents', 'remove', 'work', '--drop-bindings', '--json']);
    expect(run.code, run.stdout).toBe(0);
    expect(jsonOut(run)).toMatchObject({ removed: 'work', droppedBindings: [1, 2], purged: [] });
    const config = await readConfig(box.configPath);
    expect(config.agents.list.map((a) => a.id)).toEqual(['home']);
    expect(config.bindings).toEqual([{ agentId: 'home', match: { channel: 'whatsapp', accountId: 'personal' } }]);
    for (const file of Object.values(files)) expect(existsSync(file), file).toBe(true);
  });

  it("--purge deletes the agent's workspace, agentDir and sessions, and nothing of the other agents", async () => {
    const box = await sandbox('home-work.json5');
    const files = await withAgentFiles(box);
    const run = await box.sb(['agents', 'remove', 'work', '--drop-bindings', '--purge']);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(path.join(box.state, 'workspace-work'))).toBe(false);
    expect(existsSync(path.join(box.state, 'agents', 'work'))).toBe(false);
    expect(existsSync(files.homeSoul)).toBe(true);
    expect(existsSync(files.homeSessions)).toBe(true);
    expect((await readConfig(box.configPath)).agents.list.map((a) => a.id)).toEqual(['home']);
  });

  it('--purge refuses to delete a workspace that contains the state dir, and changes nothing', async () => {
    const box = await sandbox(undefined, path.join('data', 'state'));
    const workspace = path.join(box.root, 'data');
    await fs.mkdir(box.state, { recursive: true });
    await fs.writeFile(
      box.configPath,
      JSON.stringify(
        {
          agents: {
            list: [
              { id: 'home', default: true },
              { id: 'work', workspace },
            ],
          },
        },
        null,
        2,
      ),
    );
    await fs.writeFile(path.join(workspace, 'notes.md'), 'keep me\n');
    const before = await readText(box.configPath);
    const run = await box.sb(['agents', 'remove', 'work', '--purge']);
    expect(run.code).not.toBe(0);
    // Such a workspace is refused by the config checker already (unsafe_folder); the purge's own
    // check (refusing to delete a folder that holds the state dir) stays behind it.
    expect(run.stderr).toContain(`would use ${workspace} as its workspace, which contains the state dir ${box.state}`);
    expect(await readText(box.configPath)).toBe(before);
    expect(existsSync(path.join(workspace, 'notes.md'))).toBe(true);
  });
});

describe('bindings', () => {
  it('bindings add --before 0 inserts the new binding at index 0 and shifts the others', async () => {
    const box = await sandbox('home-work.json5');
    const run = await box.sb(['bindings', 'add', '--agent', 'home', '--channel', 'telegram', '--account', 'default', '--before', '0']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Added binding [0]');
    const config = await readConfig(box.configPath);
    expect(config.bindings!.map((b) => [b.agentId, b.match.channel, b.match.accountId ?? null])).toEqual([
      ['home', 'telegram', 'default'],
      ['home', 'whatsapp', 'personal'],
      ['work', 'whatsapp', 'biz'],
      ['work', 'telegram', null],
    ]);
  });

  it("bindings list --json shows each binding's index, tier and source, with channel shorthands last", async () => {
    const box = await sandbox('tiers.json5');
    const run = await box.sb(['bindings', 'list', '--json']);
    expect(run.code).toBe(0);
    const { bindings } = jsonOut<{ bindings: { index: number; tier: number; tierName: string; source: string; agentId: string }[] }>(run);
    expect(bindings.map((b) => [b.index, b.tier, b.tierName, b.source, b.agentId])).toEqual([
      [0, 1, 'binding.peer', 'bindings', 'work'],
      [1, 3, 'binding.peer.wildcard', 'bindings', 'work'],
      [2, 4, 'binding.guild+roles', 'bindings', 'ops'],
      [3, 5, 'binding.guild', 'bindings', 'ops'],
      [4, 7, 'binding.account', 'bindings', 'home'],
      [5, 8, 'binding.channel', 'shorthand', 'home'],
    ]);
  });

  it('bindings remove with an index past the end is a not_found error, and nothing changes', async () => {
    const box = await sandbox('home-work.json5');
    const before = await readText(box.configPath);
    const run = await box.sb(['bindings', 'remove', '5', '--json']);
    expect(run.code).toBe(1);
    expect(jsonOut(run)).toEqual({
      error: { code: 'not_found', message: 'there is no binding 5 (there are 3 in bindings, numbered from 0)' },
    });
    expect(await readText(box.configPath)).toBe(before);
  });

  it('a binding from an ArgentOS channels.<ch>.agent shorthand cannot be removed by index; the message says where it comes from', async () => {
    const box = await sandbox('argentos-shorthand.json');
    const before = await readText(box.configPath);
    const run = await box.sb(['bindings', 'remove', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('binding 1 comes from the channel shorthand channels.telegram.agent');
    expect(await readText(box.configPath)).toBe(before);
  });
});

describe('route', () => {
  it('--json prints one object: the decision (agent, session keys, tier, binding index) and the candidates considered', async () => {
    const box = await sandbox('home-work.json5');
    const run = await box.sb(['route', '--channel', 'whatsapp', '--account', 'biz', '--json']);
    expect(run.code).toBe(0);
    expect(jsonOut(run)).toEqual({
      agentId: 'work',
      channel: 'whatsapp',
      accountId: 'biz',
      sessionKey: 'agent:work:main',
      mainSessionKey: 'agent:work:main',
      matchedBy: 'binding.account',
      bindingIndex: 1,
      tier: 7,
      candidates: [
        { bindingIndex: 0, source: 'bindings', agentId: 'home', tier: 7, evaluation: { matched: false, reason: expect.any(String) } },
        { bindingIndex: 1, source: 'bindings', agentId: 'work', tier: 7, evaluation: { matched: true, tier: 7 } },
      ],
    });
  });

  it('--peer KIND:ID splits at the first colon, so a Telegram topic id keeps its own colons', async () => {
    const box = await sandbox('home-work.json5');
    const run = await box.sb(['route', '--channel', 'telegram', '--peer', 'group:-100:topic:7', '--json']);
    expect(run.code).toBe(0);
    expect(jsonOut(run)).toMatchObject({
      agentId: 'work',
      matchedBy: 'binding.peer',
      bindingIndex: 2,
      sessionKey: 'agent:work:telegram:group:-100:topic:7',
    });
  });

  it('--batch FILE prints one line per input line, in order, an {"error"} line for a bad one, goes on, and exits 1', async () => {
    const box = await sandbox('home-work.json5');
    const run = await box.sb(['route', '--batch', path.join(FIXTURES, 'route-batch.jsonl')]);
    expect(run.code).toBe(1);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Obj);
    expect(lines).toEqual([
      expect.objectContaining({ agentId: 'work', accountId: 'biz', bindingIndex: 1 }),
      { error: { code: 'bad_request', line: 2, message: expect.stringContaining('not JSON') } },
      expect.objectContaining({ agentId: 'home', accountId: 'personal', bindingIndex: 0 }),
      { error: { code: 'bad_request', line: 4, path: 'channel', message: expect.stringContaining('channel') } },
      expect.objectContaining({ agentId: 'work', sessionKey: 'agent:work:telegram:group:-100:topic:7', bindingIndex: 2 }),
    ]);
  });
});

describe('config validate', () => {
  it('reports a syntax error as file:line:column and exits 1', async () => {
    const box = await sandbox('invalid-syntax.json5');
    const run = await box.sb(['config', 'validate']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${box.configPath}:3:29: error: unexpected character ','`);
  });

  it('reports an unset ${VAR} and an $include cycle with file:line:column and the include chain', async () => {
    const box = await sandbox();
    await fs.mkdir(box.state, { recursive: true });
    await fs.writeFile(
      box.configPath,
      ['{', '  agents: { $include: "./agents.json5" },', '  channels: { telegram: { botToken: "${SB_TEST_TG_TOKEN}" } },', '}'].join('\n'),
    );
    const agents = path.join(box.state, 'agents.json5');
    await fs.writeFile(agents, '{\n  list: [{ id: "main" }],\n  defaults: { $include: "agents.json5" },\n}\n');
    const run = await box.sb(['config', 'validate'], { SB_TEST_TG_TOKEN: undefined });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${agents}:3:25: error: include cycle: switchboard.json → agents.json5 → agents.json5`);
    expect(run.stdout).toContain(
      `${box.configPath}:3:37: error: channels.telegram.botToken: environment variable SB_TEST_TG_TOKEN is not set (referenced as \${SB_TEST_TG_TOKEN})`,
    );
    // With the variable set and the cycle gone, the same files validate, and the token is no plaintext warning.
    await fs.writeFile(agents, '{ list: [{ id: "main" }] }');
    const fixed = await box.sb(['config', 'validate'], { SB_TEST_TG_TOKEN: '123:abc' });
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).not.toContain('plaintext');
  });

  it('lists every error, not only the first, and exits 1', async () => {
    const box = await sandbox('invalid-many.json5');
    const run = await box.sb(['config', 'validate']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${box.configPath}:9:3: error: sesion: unknown key "sesion" (did you mean "session"?)`);
    expect(run.stdout).toContain(`${box.configPath}:6:33: error: bindings[1].match.channel: unknown channel "matrix"`);
    expect(run.stdout).toContain(`${box.configPath}:5:16: error: bindings[0].agentId: binding names agent "wrok"`);
    expect(run.stdout).toContain(`${box.configPath}: 3 errors`);
  });

  it('with only warnings it exits 0 and prints the warnings', async () => {
    const box = await sandbox('warnings-only.json5');
    const run = await box.sb(['config', 'validate']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${box.configPath}:3:75: warning: agents.list[1].default: several agents have default: true`);
    expect(run.stdout).toContain(`${box.configPath}: valid, 1 warning`);
  });

  it('reports the isolation rules: defaults keys, folders, Telegram usernames, http endpoints, inherited wildcards', async () => {
    const box = await sandbox();
    await fs.mkdir(box.state, { recursive: true });
    const lines = [
      '{',
      '  agents: {',
      '    defaults: { workspace: "~/shared", tools: { deny: ["exec"] } },',
      `    list: [ { id: "main" }, { id: "work", workspace: ${JSON.stringify(path.join(box.state, 'logs'))} } ],`,
      '  },',
      '  bindings: [ { agentId: "work", match: { channel: "telegram", peer: { kind: "direct", id: "@alice" } } } ],',
      '  channels: { telegram: { allowFrom: ["*"], dmPolicy: "open", accounts: { ops: { botToken: { secret: "tg/ops" } } } } },',
      '  models: { anthropic: { baseUrl: "http://models.example.com" } },',
      '}',
    ];
    await fs.writeFile(box.configPath, lines.join('\n'));
    const run = await box.sb(['config', 'validate']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `${box.configPath}:3:17: error: agents.defaults.workspace: "workspace" has no meaning under agents.defaults`,
    );
    expect(run.stdout).toContain(
      `${box.configPath}:6:92: error: bindings[0].match.peer.id: Telegram usernames like "@alice" can be changed`,
    );
    expect(run.stdout).toContain(
      `${box.configPath}:7:80: warning: channels.telegram.accounts.ops: account "ops" inherits allowFrom: ["*"]`,
    );
    expect(run.stdout).toContain(
      `${box.configPath}:8:35: error: models.anthropic.baseUrl: models.anthropic.baseUrl uses plain http to models.example.com`,
    );
    // The folder rules run on the normalised config, so they show once the schema errors are fixed.
    await fs.writeFile(
      box.configPath,
      lines.join('\n').replace('workspace: "~/shared", ', '').replace('"@alice"', '"12345"').replace('http://models', 'https://models'),
    );
    const again = await box.sb(['config', 'validate']);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(
      `error: agents.list[1].workspace: agent "work" would use ${path.join(box.state, 'logs')} as its workspace, which lies inside the state dir`,
    );
  });

  it('warns that an explicit dmScope "main" lets strangers share the owner\'s context, and exits 0', async () => {
    const box = await sandbox('dm-scope-main.json5');
    const run = await box.sb(['config', 'validate']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/:4:23: warning: session\.dmScope: session\.dmScope is "main": .*strangers share the owner's context/);
    expect(run.stdout).toContain(`${box.configPath}: valid, 1 warning`);
  });

  it('--json prints {ok, file, exists, hash, issues}, each issue with its path and position', async () => {
    const box = await sandbox('invalid-many.json5');
    const run = await box.sb(['config', 'validate', '--json']);
    expect(run.code).toBe(1);
    const result = jsonOut<{ ok: boolean; file: string; exists: boolean; hash: string; issues: Obj[] }>(run);
    expect(result).toMatchObject({ ok: false, file: box.configPath, exists: true });
    expect(result.hash).toBe(
      createHash('sha256')
        .update(await fs.readFile(box.configPath))
        .digest('hex'),
    );
    expect(result.issues.filter((i) => i.severity === 'error')).toEqual([
      expect.objectContaining({ code: 'unknown_key', path: ['sesion'], line: 9, column: 3, file: box.configPath }),
      expect.objectContaining({ code: 'unknown_channel', path: ['bindings', 1, 'match', 'channel'], line: 6, column: 33 }),
      expect.objectContaining({ code: 'unknown_agent', path: ['bindings', 0, 'agentId'], line: 5, column: 16 }),
    ]);
  });
});

describe('comments in a hand-written config', () => {
  const COMMENTS = [
    '// Two agents on two WhatsApp numbers, plus a Telegram forum topic for work.',
    '// answers everything no binding claims',
    '// First match wins, most specific tier first.',
    '// both numbers are linked',
  ];

  it('survive agents add, next to the new agent and its binding', async () => {
    const box = await sandbox('home-work.json5');
    const run = await box.sb(['agents', 'add', 'ops', '--bind', 'telegram']);
    expect(run.code, run.stderr).toBe(0);
    const text = await readText(box.configPath);
    for (const comment of COMMENTS) expect(text).toContain(comment);
    const config = JSON5.parse(text) as RawConfig;
    expect(config.agents.list.map((a) => a.id)).toEqual(['home', 'work', 'ops']);
    expect(config.bindings!.at(-1)).toEqual({ agentId: 'ops', match: { channel: 'telegram' } });
  });

  it('survive bindings add', async () => {
    const box = await sandbox('home-work.json5');
    const run = await box.sb([
      'bindings',
      'add',
      '--agent',
      'home',
      '--channel',
      'whatsapp',
      '--account',
      'biz',
      '--peer',
      'direct:+15551230001',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const text = await readText(box.configPath);
    for (const comment of COMMENTS) expect(text).toContain(comment);
    expect((JSON5.parse(text) as RawConfig).bindings!.at(-1)).toEqual({
      agentId: 'home',
      match: { channel: 'whatsapp', accountId: 'biz', peer: { kind: 'direct', id: '+15551230001' } },
    });
  });
});

describe('import of the example configs in shared/examples', () => {
  const EXAMPLE_FILES = readdirSync(EXAMPLES)
    .filter((f) => /\.json5?$/.test(f))
    .sort();
  const TOKENS = ['123456:ABC...', '987654:XYZ...', 'DISCORD_BOT_TOKEN_MAIN', 'DISCORD_BOT_TOKEN_CODING'];
  interface ImportReport {
    written: string;
    format: string;
    mapped: string[];
    dropped: string[];
    secrets: { path: string; name: string }[];
  }
  const results = new Map<string, { box: Sandbox; imported: Run; validate: Run }>();

  beforeAll(async () => {
    await Promise.all(
      EXAMPLE_FILES.map(async (file) => {
        const box = await sandbox();
        const imported = await box.sb(['import', path.join(EXAMPLES, file), '--json']);
        const validate = await box.sb(['config', 'validate', '--json']);
        results.set(file, { box, imported, validate });
      }),
    );
  }, 60_000);

  it('finds the six examples', () => {
    expect(EXAMPLE_FILES).toHaveLength(6);
  });

  it.for(EXAMPLE_FILES)('%s becomes a config that config validate accepts', (file, { expect }) => {
    const { box, imported, validate } = results.get(file)!;
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(jsonOut<ImportReport>(imported).written).toBe(box.configPath);
    expect(validate.code, validate.stdout).toBe(0);
    expect(jsonOut(validate)).toMatchObject({ ok: true, exists: true });
  });

  it('ArgentOS: reports the map form converted, identity text moved to identity.persona, and the slack channel kept as a binding', async () => {
    const { box, imported } = results.get('argentos-multi-agent.json')!;
    const report = jsonOut<ImportReport>(imported);
    expect(report.format).toBe('argentos');
    expect(report.mapped).toEqual(
      expect.arrayContaining([
        expect.stringContaining('ArgentOS map (main, work, support) → agents.list'),
        'agent work: identity text → identity.persona',
      ]),
    );
    expect(report.dropped).toEqual([]);
    expect(report.mapped).toContain('channels.slack.agent "support" → binding [2] (every slack account)');
    const config = await readConfig(box.configPath);
    expect(config.agents.list.map((a) => [a.id, (a.identity as Obj).persona])).toEqual([
      ['main', 'You are Argent, a personal AI assistant.'],
      ['work', 'You are Sentinel, a work-focused AI that helps manage MSP operations.'],
      ['support', 'You are Helper, a customer support agent.'],
    ]);
    expect(config.channels).toHaveProperty('slack', {});
    expect(config.bindings).toEqual([
      { agentId: 'main', match: { channel: 'telegram', accountId: '*' } },
      { agentId: 'work', match: { channel: 'discord', accountId: '*' } },
      { agentId: 'support', match: { channel: 'slack', accountId: '*' } },
    ]);
  });

  it('reports what it dropped for CoderClaw: agentDirs with plaintext auth profiles are not reused', () => {
    const report = jsonOut<ImportReport>(results.get('coderclaw-whatsapp-numbers.json5')!.imported);
    expect(report.format).toBe('openclaw');
    expect(report.dropped).toEqual([
      expect.stringContaining('agent home: agentDir ~/.coderclaw/agents/home/agent is not reused'),
      expect.stringContaining('agent work: agentDir ~/.coderclaw/agents/work/agent is not reused'),
    ]);
  });

  it.for(['coderclaw-telegram-bots.json5', 'coderclaw-discord-bots.json5'])(
    '%s: plaintext tokens appear in no file written and are replaced by { secret } references',
    async (file, { expect }) => {
      const { box, imported } = results.get(file)!;
      const source = readFileSync(path.join(EXAMPLES, file), 'utf8');
      expect(TOKENS.filter((t) => source.includes(t))).toHaveLength(2);
      const written = await filesUnder(box.root);
      expect(written).toContain(box.configPath);
      for (const writtenFile of written) {
        const text = await readText(writtenFile);
        for (const token of TOKENS) expect(text.includes(token), `${token} in ${writtenFile}`).toBe(false);
      }
      for (const token of TOKENS) expect(imported.stdout + imported.stderr).not.toContain(token);
      const channels = (await readConfig(box.configPath)).channels!;
      const [channel, field] = file.includes('telegram') ? ['telegram', 'botToken'] : ['discord', 'token'];
      const second = file.includes('telegram') ? 'alerts' : 'coding';
      expect(channels[channel]!.accounts!.default![field]).toEqual({ secret: `${channel}/default` });
      expect(channels[channel]!.accounts![second]![field]).toEqual({ secret: `${channel}/${second}` });
      expect(
        jsonOut<ImportReport>(imported)
          .secrets.map((s) => s.name)
          .sort(),
      ).toEqual([`${channel}/${second}`, `${channel}/default`]);
    },
  );

  it('refuses to overwrite an existing config without --force', async () => {
    const box = await sandbox('home-work.json5');
    const before = await readText(box.configPath);
    const run = await box.sb(['import', path.join(EXAMPLES, 'argentos-multi-agent.json'), '--json']);
    expect(run.code).toBe(1);
    expect(jsonOut(run)).toEqual({ error: { code: 'conflict', message: `${box.configPath} already exists; pass --force to replace it` } });
    expect(await readText(box.configPath)).toBe(before);
  });
});

describe('where the config and state live', () => {
  it('--config FILE is the file read and written; folders still go to the state dir', async () => {
    const box = await sandbox();
    const elsewhere = path.join(box.root, 'elsewhere', 'my-config.json5');
    await fs.mkdir(path.dirname(elsewhere));
    await fs.copyFile(path.join(FIXTURES, 'home-work.json5'), elsewhere);
    const run = await box.sb(['agents', 'add', 'ops', '--config', elsewhere]);
    expect(run.code, run.stderr).toBe(0);
    expect((await readConfig(elsewhere)).agents.list.map((a) => a.id)).toEqual(['home', 'work', 'ops']);
    expect(existsSync(box.configPath)).toBe(false);
    expect(existsSync(path.join(box.state, 'workspace-ops', 'SOUL.md'))).toBe(true);
  });

  it('SWITCHBOARD_STATE_DIR picks the state dir when no flag is given', async () => {
    const box = await sandbox('home-work.json5');
    const run = await cli(['agents', 'list', '--json'], box.home, { SWITCHBOARD_STATE_DIR: box.state });
    expect(run.code).toBe(0);
    const { agents } = jsonOut<{ agents: { id: string; workspace: string }[] }>(run);
    expect(agents.map((a) => [a.id, a.workspace])).toEqual([
      ['home', path.join(box.state, 'workspace')],
      ['work', path.join(box.state, 'workspace-work')],
    ]);
  });

  it('SWITCHBOARD_PROFILE=p keeps everything in an existing ~/.switchboard-p', async () => {
    const box = await sandbox();
    const profileDir = path.join(box.home, '.switchboard-p');
    await fs.mkdir(profileDir);
    const run = await cli(['agents', 'add', 'work'], box.home, { SWITCHBOARD_PROFILE: 'p' });
    expect(run.code, run.stderr).toBe(0);
    const config = await readConfig(path.join(profileDir, 'switchboard.json'));
    expect(config.agents.list.find((a) => a.id === 'work')).toMatchObject({ workspace: '~/.switchboard-p/workspace-work' });
    expect(existsSync(path.join(profileDir, 'workspace-work', 'SOUL.md'))).toBe(true);
    expect(await fs.readdir(box.home)).toEqual(['.switchboard-p']);
  });

  it('a new install with SWITCHBOARD_PROFILE=p goes to the platform folder switchboard-p', async () => {
    const box = await sandbox();
    const run = await cli(['agents', 'add', 'work'], box.home, { SWITCHBOARD_PROFILE: 'p' });
    expect(run.code, run.stderr).toBe(0);
    const profileDir = path.join(box.home, '.config', 'switchboard-p');
    const config = await readConfig(path.join(profileDir, 'switchboard.json'));
    expect(config.agents.list.find((a) => a.id === 'work')).toMatchObject({ workspace: '~/.config/switchboard-p/workspace-work' });
    expect(await fs.readdir(box.home)).toEqual(['.config']);
  });
});

describe('agents list shows model chains', () => {
  it('"model: A → B → C" for a chain, inherited from agents.defaults or not; a plain string alone', async () => {
    const box = await sandbox();
    await fs.mkdir(box.state, { recursive: true });
    await fs.writeFile(
      box.configPath,
      JSON.stringify({
        agents: {
          defaults: { model: { primary: 'claude-opus-5-5', fallbacks: ['claude-sonnet-5-5', 'claude-haiku-5-5'] } },
          list: [
            { id: 'home', default: true },
            { id: 'work', model: 'claude-sonnet-5-5' },
          ],
        },
      }),
    );
    const text = await box.sb(['agents', 'list']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ {2}model +claude-opus-5-5 → claude-sonnet-5-5 → claude-haiku-5-5$/m);
    expect(text.stdout).toMatch(/^ {2}model +claude-sonnet-5-5$/m);
    const { agents } = jsonOut<{ agents: Obj[] }>(await box.sb(['agents', 'list', '--json']));
    expect(agents.map((a) => [a.model, a.modelFallbacks])).toEqual([
      ['claude-opus-5-5', ['claude-sonnet-5-5', 'claude-haiku-5-5']],
      ['claude-sonnet-5-5', []],
    ]);
  });
});
