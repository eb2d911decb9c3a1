// Where Switchboard keeps its files (docs/config.md, docs/agents.md#state-on-disk): the state dir,
// the config file, and each agent's workspace, agentDir, sessions and memory. Pure path
// arithmetic plus `~` expansion, and one existence check (an existing ~/.switchboard is kept).
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentConfig, SwitchboardConfig } from '../../src-shared/config/index.ts';

export interface Locations {
  stateDir: string;
  configPath: string;
  /** Where log files go; `<stateDir>/logs` when absent. */
  logsDir?: string;
}

/** Why the state dir is where it is (`switchboard paths` says it). */
export type FolderSource = 'flag' | 'env' | 'existing' | 'platform';

/** Every folder of one install: the CLI and the desktop app resolve it the same way (docs/desktop.md#folders). */
export interface Folders extends Locations {
  logsDir: string;
  /** The desktop app's prefs and Electron's own files (its `userData`). */
  prefsDir: string;
  source: FolderSource;
  /** A platform folder that holds a config but is not used, because an existing `~/.switchboard` wins. */
  ignored?: string;
}

export interface LocationOptions {
  stateDir?: string;
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Injected for tests; process.platform otherwise. */
  platform?: NodeJS.Platform;
  /** Injected for tests; fs.existsSync otherwise. */
  exists?: (p: string) => boolean;
}

export function expandHome(p: string, homeDir = os.homedir()): string {
  if (p === '~') return homeDir;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(homeDir, p.slice(2));
  return p;
}

/**
 * The OS's folder for a new install: Application Support on macOS, %APPDATA% on Windows,
 * $XDG_CONFIG_HOME on Linux (one root for config, state and prefs: docs/desktop.md#folders).
 */
function platformRoot(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string, profile: string | undefined): string {
  const suffix = profile ? `-${profile}` : '';
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', `Switchboard${suffix}`);
  if (platform === 'win32') return path.win32.join(env.APPDATA || path.win32.join(home, 'AppData', 'Roaming'), `Switchboard${suffix}`);
  // The XDG spec says a relative value is invalid and must be ignored.
  const configHome =
    env.XDG_CONFIG_HOME && path.posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.posix.join(home, '.config');
  return path.posix.join(configHome, `switchboard${suffix}`);
}

/**
 * CLI flags win, then SWITCHBOARD_* variables, then an existing ~/.switchboard(-<profile>), then
 * the OS's application-data folder (a new install). Logs go to ~/Library/Logs/Switchboard on a
 * macOS new install, to `<stateDir>/logs` everywhere else.
 */
export function resolveLocations(opts: LocationOptions = {}): Folders {
  const env = opts.env ?? process.env;
  const home = opts.homeDir ?? os.homedir();
  const platform = opts.platform ?? process.platform;
  const exists = opts.exists ?? existsSync;
  const p = platform === 'win32' ? path.win32 : path.posix;
  const profile = env.SWITCHBOARD_PROFILE?.trim() || undefined;
  const legacy = p.join(home, profile ? `.switchboard-${profile}` : '.switchboard');
  const newRoot = platformRoot(platform, env, home, profile);
  const chosen: { dir: string; source: FolderSource } =
    opts.stateDir !== undefined
      ? { dir: opts.stateDir, source: 'flag' }
      : env.SWITCHBOARD_STATE_DIR
        ? { dir: env.SWITCHBOARD_STATE_DIR, source: 'env' }
        : exists(legacy)
          ? { dir: legacy, source: 'existing' }
          : { dir: newRoot, source: 'platform' };
  const stateDir = p.resolve(expandHome(chosen.dir, home));
  const configPath = p.resolve(expandHome(opts.configPath ?? env.SWITCHBOARD_CONFIG_PATH ?? p.join(stateDir, 'switchboard.json'), home));
  const logsDir =
    chosen.source === 'platform' && platform === 'darwin'
      ? p.join(home, 'Library', 'Logs', `Switchboard${profile ? `-${profile}` : ''}`)
      : p.join(stateDir, 'logs');
  const ignored = chosen.source === 'existing' && exists(p.join(newRoot, 'switchboard.json')) ? newRoot : undefined;
  return { stateDir, configPath, logsDir, prefsDir: p.join(stateDir, 'desktop'), source: chosen.source, ...(ignored ? { ignored } : {}) };
}

/** The folder log files go to. */
export function logsDirOf(loc: Locations): string {
  return loc.logsDir ?? path.join(loc.stateDir, 'logs');
}

export interface AgentPaths {
  workspace: string;
  agentDir: string;
  /** Always under the state dir, whatever agentDir says (docs/agents.md#state-on-disk). */
  sessionsDir: string;
  memoryDir: string;
}

/** Resolves a path written in the config: `~` expanded, relative paths against the config's folder. */
export function resolveConfigRelative(p: string, loc: Locations, homeDir = os.homedir()): string {
  return path.resolve(path.dirname(loc.configPath), expandHome(p, homeDir));
}

export function defaultWorkspace(agentId: string, isDefault: boolean, stateDir: string): string {
  return path.join(stateDir, isDefault ? 'workspace' : `workspace-${agentId}`);
}

export function defaultAgentDir(agentId: string, stateDir: string): string {
  return path.join(stateDir, 'agents', agentId, 'agent');
}

export function agentPaths(agent: AgentConfig, config: SwitchboardConfig, loc: Locations, homeDir = os.homedir()): AgentPaths {
  const isDefault = (config.agents.list.find((a) => a.default) ?? config.agents.list[0])?.id === agent.id;
  return {
    workspace: agent.workspace ? resolveConfigRelative(agent.workspace, loc, homeDir) : defaultWorkspace(agent.id, isDefault, loc.stateDir),
    agentDir: agent.agentDir ? resolveConfigRelative(agent.agentDir, loc, homeDir) : defaultAgentDir(agent.id, loc.stateDir),
    sessionsDir: path.join(loc.stateDir, 'agents', agent.id, 'sessions'),
    memoryDir: path.join(loc.stateDir, 'agents', agent.id, 'memory'),
  };
}

/** `~/…` form of a path inside the home folder, for writing into the config. */
export function homeRelative(p: string, homeDir = os.homedir()): string {
  const rel = path.relative(homeDir, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `~/${rel.split(path.sep).join('/')}` : p;
}
