// Where an agent's workspace and agentDir may be (checked by the loader on real paths): never the
// state dir's private parts, the config file's folder, the home folder itself, another agent's
// folders or a system folder. The file tools are confined to the workspace, so this is what keeps
// the config, the control token and other agents' data out of every agent's reach.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { ConfigIssue, SwitchboardConfig } from '../../src-shared/config/index.ts';
import { agentPaths, type Locations } from './paths.ts';

type PathApi = typeof path.posix;

/**
 * The real path, case-folded. A folder that does not exist yet is resolved through its nearest
 * existing ancestor, so `link/ws` and `target/ws` compare equal before either is created.
 */
export function caseFolded(p: string): string {
  let head = path.resolve(p);
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync.native(head), ...tail).toLowerCase();
    } catch {
      // Missing or unreadable: try the parent, keeping the rest of the path as written.
      const parent = path.dirname(head);
      if (parent === head) return path.resolve(p).toLowerCase();
      tail.unshift(path.basename(head));
      head = parent;
    }
  }
}

/** `inner` is `outer` or lies inside it (both resolved, same case). */
export function within(outer: string, inner: string, api: PathApi = path): boolean {
  const rel = api.relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${api.sep}`) && !api.isAbsolute(rel));
}

interface SystemFolders {
  /** Nothing may be these or contain them. */
  roots: string[];
  /** Nothing may be these, contain them or lie inside them, except in `exceptions`. */
  closed: string[];
  /** User-writable places inside a closed folder (temp folders). */
  exceptions: string[];
}

/** The operating system's own folders, lower-cased. */
export function systemFolders(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): SystemFolders {
  if (platform === 'win32') {
    const drive = (env.SystemDrive ?? 'C:').toLowerCase();
    const closed = [env.SystemRoot ?? env.windir ?? `${drive}\\Windows`, env.ProgramFiles, env['ProgramFiles(x86)'], env.ProgramData]
      .filter((p): p is string => typeof p === 'string' && p !== '')
      .map((p) => path.win32.resolve(p).toLowerCase());
    return { roots: [`${drive}\\`, `${drive}\\users`], closed, exceptions: [] };
  }
  const closed = ['/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/boot', '/dev', '/proc', '/sys', '/var'];
  // macOS: /etc and /var are links into /private; /System and /Library hold the OS.
  closed.push('/private/etc', '/private/var', '/system', '/library');
  const exceptions = ['/var/tmp', '/var/folders', '/private/var/tmp', '/private/var/folders'];
  return { roots: ['/', '/home', '/users', '/private', '/tmp', '/private/tmp', '/opt', '/mnt', '/media'], closed, exceptions };
}

/** The system folder `p` (resolved, case-folded) is, holds or lies inside, if any. */
export function systemFolderHit(p: string, folders: SystemFolders, api: PathApi = path): string | undefined {
  const folded = p.toLowerCase();
  for (const root of folders.roots) if (within(folded, root, api)) return root;
  for (const closed of folders.closed) {
    if (within(folded, closed, api)) return closed;
    if (within(closed, folded, api) && !folders.exceptions.some((e) => within(e, folded, api))) return closed;
  }
  return undefined;
}

/** Inside the state dir an agent's folders may only be in these slots (the default layout's). */
function inStateSlot(rel: string, agentId: string): boolean {
  const parts = rel.split(path.sep);
  if (parts[0] === 'workspace' || parts[0]!.startsWith('workspace-')) return true;
  return parts[0] === 'agents' && parts[1] === agentId && parts[2] === 'agent';
}

export interface FolderRuleOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

/**
 * Every agent folder that is unsafe: one issue (`unsafe_folder`) per folder, naming it and what
 * it would hold or lie inside. Equal folders of two agents are `shared_path` (store.ts), not here.
 */
export function checkFolderContainment(
  config: SwitchboardConfig,
  loc: Locations,
  homeDir: string,
  argentos: boolean,
  opts: FolderRuleOptions = {},
): ConfigIssue[] {
  const state = caseFolded(loc.stateDir);
  const configDir = caseFolded(path.dirname(loc.configPath));
  const home = caseFolded(homeDir);
  const system = systemFolders(opts.platform ?? process.platform, opts.env ?? process.env);
  const folders = config.agents.list.flatMap((agent, i) => {
    const paths = agentPaths(agent, config, loc, homeDir);
    return (['workspace', 'agentDir'] as const).map((field) => ({ agent, i, field, shown: paths[field], real: caseFolded(paths[field]) }));
  });
  const nested = nestedFolders(folders);
  const issues: ConfigIssue[] = [];
  for (const f of folders) {
    const problem = folderProblem(f, { state, configDir, home, system, loc, homeDir }) ?? nested.get(f);
    if (problem)
      issues.push({
        severity: 'error',
        code: 'unsafe_folder',
        path: argentos ? ['agents', f.agent.id, f.field] : ['agents', 'list', f.i, f.field],
        message: `agent "${f.agent.id}" would use ${f.shown} as its ${f.field}, which ${problem}`,
      });
  }
  return issues;
}

interface Folder {
  agent: { id: string };
  field: 'workspace' | 'agentDir';
  shown: string;
  real: string;
}

/**
 * Folders of one agent inside another agent's, both ways round: found by walking each folder's
 * ancestors (linear in the number of agents, not quadratic). Equal folders are shared_path's.
 */
function nestedFolders(folders: Folder[]): Map<Folder, string> {
  const byPath = new Map<string, Folder[]>();
  for (const f of folders) byPath.set(f.real, [...(byPath.get(f.real) ?? []), f]);
  const problems = new Map<Folder, string>();
  const note = (f: Folder, problem: string) => {
    if (!problems.has(f)) problems.set(f, problem);
  };
  for (const inner of folders) {
    for (let at = path.dirname(inner.real); ; at = path.dirname(at)) {
      for (const outer of byPath.get(at) ?? []) {
        if (outer.agent.id === inner.agent.id) continue;
        note(inner, `lies inside ${outer.shown}, the ${outer.field} of agent "${outer.agent.id}"; each agent needs its own folders`);
        note(outer, `contains ${inner.shown}, the ${inner.field} of agent "${inner.agent.id}"; each agent needs its own folders`);
      }
      if (path.dirname(at) === at) break;
    }
  }
  return problems;
}

function folderProblem(
  f: Folder,
  c: { state: string; configDir: string; home: string; system: SystemFolders; loc: Locations; homeDir: string },
): string | undefined {
  const { real } = f;
  if (within(real, c.state))
    return `${real === c.state ? 'is' : 'contains'} the state dir ${c.loc.stateDir} (every agent's sessions, the credentials, the control token); give it a folder of its own`;
  if (within(c.state, real)) {
    const rel = path.relative(c.state, real);
    if (!inStateSlot(rel, f.agent.id))
      return `lies inside the state dir ${c.loc.stateDir} at "${rel.split(path.sep).join('/')}", which is Switchboard's own; inside the state dir an agent's folders may only be workspace, workspace-<name> or agents/${f.agent.id}/agent`;
  }
  if (within(real, c.configDir))
    return `${real === c.configDir ? 'is' : 'contains'} the folder of the config file ${c.loc.configPath}, so the agent's tools could read or change it; give it a folder of its own`;
  // The config's folder is private too, unless it is the state dir (handled above) or holds the home folder.
  if (within(c.configDir, real) && !within(c.state, real) && !within(c.configDir, c.home))
    return `lies inside ${path.dirname(c.loc.configPath)}, the folder of the config file ${c.loc.configPath}; keep agent folders out of it`;
  if (within(real, c.home))
    return `${real === c.home ? 'is' : 'contains'} your home folder ${c.homeDir}, so the agent's tools would reach all your files; use a folder inside it`;
  const sys = systemFolderHit(real, c.system);
  if (sys) return `${within(real, sys) ? 'is or contains' : 'lies inside'} the system folder ${sys}; use a folder inside your home folder`;
  return undefined;
}
