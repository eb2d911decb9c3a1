// Where Switchboard keeps its files (docs/config.md, docs/agents.md#state-on-disk): the state dir,
// the config file, and each agent's workspace, agentDir, sessions and memory. Pure path
// arithmetic plus `~` expansion.
import os from 'node:os';
import path from 'node:path';
import type { AgentConfig, SwitchboardConfig } from '../../src-shared/config/index.ts';

export interface Locations {
  stateDir: string;
  configPath: string;
}

export interface LocationOptions {
  stateDir?: string;
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}

export function expandHome(p: string, homeDir = os.homedir()): string {
  if (p === '~') return homeDir;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(homeDir, p.slice(2));
  return p;
}

/** CLI flags win, then SWITCHBOARD_* variables, then ~/.switchboard(-<profile>). */
export function resolveLocations(opts: LocationOptions = {}): Locations {
  const env = opts.env ?? process.env;
  const home = opts.homeDir ?? os.homedir();
  const profile = env.SWITCHBOARD_PROFILE?.trim();
  const stateDir = path.resolve(
    expandHome(opts.stateDir ?? env.SWITCHBOARD_STATE_DIR ?? path.join(home, profile ? `.switchboard-${profile}` : '.switchboard'), home),
  );
  const configPath = path.resolve(
    expandHome(opts.configPath ?? env.SWITCHBOARD_CONFIG_PATH ?? path.join(stateDir, 'switchboard.json'), home),
  );
  return { stateDir, configPath };
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
