// Where agent folders may be (src-main/config/folder-rules.ts), checked by the config loader on
// real paths: the default layout (workspaces inside the state dir) stays valid, while the state
// dir's own parts, the config's folder, the home folder, other agents' folders and system folders
// are refused. And the file tools never reach the config file or the control token.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolRegistry, type ToolContext } from '../../src-main/agents/tools/index.ts';
import { systemFolderHit, systemFolders } from '../../src-main/config/folder-rules.ts';
import { agentPaths, type Locations } from '../../src-main/config/paths.ts';
import { ConfigStore } from '../../src-main/config/store.ts';
import { loadOrCreateToken, tokenFilePath } from '../../src-main/control/token.ts';
import { AgentSessionStore } from '../../src-main/sessions/index.ts';

let dir: string;
let home: string;
let state: string;
let loc: Locations;

beforeEach(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-folders-')));
  home = path.join(dir, 'home');
  state = path.join(home, '.switchboard');
  await fs.mkdir(state, { recursive: true });
  loc = { stateDir: state, configPath: path.join(state, 'switchboard.json') };
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

type Agent = Record<string, unknown> & { id: string };
const text = (list: Agent[]) => JSON.stringify({ agents: { list } });
const unsafe = (list: Agent[], where = loc) =>
  new ConfigStore(where, home).check(text(list)).issues.filter((i) => i.code === 'unsafe_folder');

describe('the default layout and ordinary folders are valid', () => {
  it('agents without folders (workspace, workspace-<id>, agents/<id>/agent in the state dir)', () => {
    const check = new ConfigStore(loc, home).check(text([{ id: 'home', default: true }, { id: 'work' }]));
    expect(check.issues).toEqual([]);
    expect(check.ok).toBe(true);
  });

  it('the same slots written out, absolute, with "~" or relative to the config', () => {
    expect(
      unsafe([
        { id: 'home', default: true, workspace: path.join(state, 'workspace'), agentDir: path.join(state, 'agents', 'home', 'agent') },
        { id: 'work', workspace: '~/.switchboard/workspace-work', agentDir: '~/.switchboard/agents/work/agent' },
        { id: 'ops', workspace: 'workspace-ops', agentDir: 'agents/ops/agent' },
        { id: 'kept', workspace: 'workspace-old-name/sub' },
      ]),
    ).toEqual([]);
  });

  it('folders anywhere in the home folder', () => {
    expect(
      unsafe([
        { id: 'a', workspace: '~/agents/a', agentDir: '~/agents/a-dir' },
        { id: 'b', workspace: '~/code/b' },
      ]),
    ).toEqual([]);
  });

  it('a config kept in the home folder itself does not make the whole home folder off limits', () => {
    expect(unsafe([{ id: 'a', workspace: '~/projects/a' }], { stateDir: state, configPath: path.join(home, 'switchboard.json') })).toEqual(
      [],
    );
  });
});

describe('the state dir', () => {
  it.each([
    ['the state dir itself', () => state, /is the state dir/],
    ['a folder holding the state dir', () => home + '/..', /contains the state dir/],
  ])('%s is refused, naming both paths', (_what, ws, message) => {
    const issues = unsafe([{ id: 'a', workspace: ws() }]);
    expect(issues).toEqual([
      expect.objectContaining({ path: ['agents', 'list', 0, 'workspace'], message: expect.stringMatching(message) }),
    ]);
    expect(issues[0]!.message).toContain(state);
  });

  it.each([['agents'], ['agents/b'], ['agents/b/agent'], ['agents/b/sessions'], ['credentials/whatsapp'], ['logs'], ['pairing'], ['ws']])(
    '"%s" inside it is refused: only workspace, workspace-<name> and agents/<own id>/agent are agent slots',
    (rel) => {
      const issues = unsafe([{ id: 'a', workspace: path.join(state, rel) }, { id: 'b' }]);
      // (agent b's default agentDir then lies inside a's workspace: b gets its own error.)
      expect(issues.filter((i) => i.path[2] === 0)).toEqual([
        expect.objectContaining({
          path: ['agents', 'list', 0, 'workspace'],
          message: expect.stringContaining(`inside the state dir ${state} at "${rel}"`),
        }),
      ]);
    },
  );

  it('an agentDir at agents/<own id> (which holds its sessions) is refused; agents/<own id>/agent is the slot', () => {
    expect(unsafe([{ id: 'a', agentDir: path.join(state, 'agents', 'a') }])).toEqual([
      expect.objectContaining({ path: ['agents', 'list', 0, 'agentDir'] }),
    ]);
  });

  it('in the ArgentOS map form the error points at the agent by name', () => {
    const issues = new ConfigStore(loc, home).check(JSON.stringify({ agents: { work: { workspace: path.join(state, 'logs') } } })).issues;
    expect(issues).toContainEqual(expect.objectContaining({ code: 'unsafe_folder', path: ['agents', 'work', 'workspace'] }));
  });
});

describe('the config file, the home folder, other agents', () => {
  it("a folder holding the config file (kept outside the state dir) is refused, and so is one inside the config's folder", () => {
    const where = { stateDir: state, configPath: path.join(dir, 'etc-sb', 'switchboard.json') };
    expect(unsafe([{ id: 'a', workspace: path.join(dir, 'etc-sb') }], where)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/is the folder of the config file .*switchboard\.json/) }),
    ]);
    expect(unsafe([{ id: 'a', workspace: path.join(dir, 'etc-sb', 'ws') }], where)).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(`lies inside ${path.join(dir, 'etc-sb')}, the folder of the config file`),
      }),
    ]);
  });

  it('the home folder itself is refused', () => {
    const elsewhere = { stateDir: path.join(dir, 'state'), configPath: path.join(dir, 'state', 'switchboard.json') };
    expect(unsafe([{ id: 'a', workspace: '~' }], elsewhere)).toEqual([
      expect.objectContaining({ message: expect.stringContaining(`is your home folder ${home}`) }),
    ]);
  });

  it("a folder inside another agent's workspace is refused at both, each naming the other", () => {
    const issues = unsafe([
      { id: 'a', workspace: '~/ws' },
      { id: 'b', workspace: '~/ws/b' },
    ]);
    expect(issues).toEqual([
      expect.objectContaining({
        path: ['agents', 'list', 0, 'workspace'],
        message: expect.stringContaining(`contains ${path.join(home, 'ws', 'b')}, the workspace of agent "b"`),
      }),
      expect.objectContaining({
        path: ['agents', 'list', 1, 'workspace'],
        message: expect.stringContaining(`lies inside ${path.join(home, 'ws')}, the workspace of agent "a"`),
      }),
    ]);
  });

  it("a workspace holding another agent's agentDir is refused", () => {
    expect(
      unsafe([
        { id: 'a', workspace: '~/shared' },
        { id: 'b', workspace: '~/b', agentDir: '~/shared/b-agent' },
      ]),
    ).toHaveLength(2);
  });

  it('a symlink into another agent’s workspace is seen through', async () => {
    await fs.mkdir(path.join(home, 'real'), { recursive: true });
    await fs.symlink(path.join(home, 'real'), path.join(home, 'link'));
    expect(
      unsafe([
        { id: 'a', workspace: '~/real' },
        { id: 'b', workspace: '~/link/inner' },
      ]),
    ).toHaveLength(2);
  });
});

describe('system folders', () => {
  it.each([['/etc/switchboard'], ['/usr/local/agent'], ['/var/lib/agent'], ['/bin']])('%s is refused', (ws) => {
    expect(unsafe([{ id: 'a', workspace: ws }])).toEqual([
      expect.objectContaining({ message: expect.stringContaining('the system folder') }),
    ]);
  });

  it('the root folder is refused', () => {
    expect(unsafe([{ id: 'a', workspace: '/' }])).toHaveLength(1);
  });

  it('Unix: temp folders inside /var stay usable; a folder under /home other than the home itself is fine', () => {
    const unix = systemFolders('linux', {});
    expect(systemFolderHit('/var/folders/xy/t/sb', unix, path.posix)).toBeUndefined();
    expect(systemFolderHit('/var/tmp/sb', unix, path.posix)).toBeUndefined();
    expect(systemFolderHit('/home/ann/agents', unix, path.posix)).toBeUndefined();
    expect(systemFolderHit('/home', unix, path.posix)).toBe('/home');
    expect(systemFolderHit('/private/etc/x', systemFolders('darwin', {}), path.posix)).toBe('/private/etc');
  });

  it('Windows: the drive root, Windows and Program Files are refused; the user profile is fine', () => {
    const win = systemFolders('win32', { SystemDrive: 'C:', SystemRoot: 'C:\\Windows', ProgramFiles: 'C:\\Program Files' });
    expect(systemFolderHit('c:\\', win, path.win32)).toBe('c:\\');
    expect(systemFolderHit('c:\\windows\\temp\\agent', win, path.win32)).toBe('c:\\windows');
    expect(systemFolderHit('c:\\program files\\switchboard\\ws', win, path.win32)).toBe('c:\\program files');
    expect(systemFolderHit('c:\\users', win, path.win32)).toBe('c:\\users');
    expect(systemFolderHit('c:\\users\\ann\\agents\\a', win, path.win32)).toBeUndefined();
  });
});

describe('the config file and the control token are out of every file tool’s reach', () => {
  it('read, write and edit refuse them by relative path, absolute path and a planted link', async () => {
    await fs.writeFile(loc.configPath, text([{ id: 'home', default: true }, { id: 'work' }]));
    await loadOrCreateToken(state);
    const store = new ConfigStore(loc, home);
    const check = store.check(await fs.readFile(loc.configPath, 'utf8'));
    expect(check.ok).toBe(true);
    const config = check.config!;
    const agent = config.agents.list.find((a) => a.id === 'work')!;
    const paths = agentPaths(agent, config, loc, home);
    await fs.mkdir(paths.workspace, { recursive: true });
    await fs.symlink(tokenFilePath(state), path.join(paths.workspace, 'token-link'));
    const sessions = await AgentSessionStore.open(state, 'work');
    const ctx = {
      agent,
      config,
      paths,
      sessionKey: 'agent:work:main',
      store: sessions,
      // The owner: the folder rules must hold even for the one sender every other rule lets through.
      inbound: { text: '', sender: { id: 'operator' }, channel: 'webchat', isOwner: true },
      model: 'm',
      env: {},
      signal: new AbortController().signal,
    } as unknown as ToolContext;
    const registry = new ToolRegistry();
    const before = { config: await fs.readFile(loc.configPath, 'utf8'), token: await fs.readFile(tokenFilePath(state), 'utf8') };
    try {
      for (const target of [
        '../switchboard.json',
        loc.configPath,
        '../control-token',
        tokenFilePath(state),
        'token-link',
        '../agents/home',
      ]) {
        for (const [tool, input] of [
          ['read', { path: target }],
          ['write', { path: target, content: 'x' }],
          ['edit', { path: target, old: 'a', new: 'b' }],
        ] as const) {
          const result = await registry.execute(tool, input, ctx);
          expect(result.isError, `${tool} ${target}`).toBe(true);
          expect(result.output).toMatch(/outside the workspace|symbolic link/);
        }
      }
    } finally {
      await sessions.close();
    }
    expect(await fs.readFile(loc.configPath, 'utf8')).toBe(before.config);
    expect(await fs.readFile(tokenFilePath(state), 'utf8')).toBe(before.token);
  });
});
