// Creating an agent, shared by `switchboard agents add` and the control plane's agents.create:
// the config entry with explicit workspace and agentDir (home-relative, so moving `default: true`
// never moves data), the implicit `main` written out first when needed, then the folders on disk.
import {
  addAgent,
  addBinding,
  type AgentConfig,
  type RawBinding,
  type SandboxEdit,
  type SwitchboardConfig,
} from '../../src-shared/config/index.ts';
import { createAgentLayout, safeAgentId } from '../agents/layout.ts';
import { agentPaths, defaultAgentDir, defaultWorkspace, homeRelative, type AgentPaths, type Locations } from './paths.ts';
import type { ConfigStore, LoadedConfig } from './store.ts';

export interface AgentSpec {
  id: string;
  name?: string;
  emoji?: string;
  persona?: string;
  model?: string;
  /** Absolute; default `<stateDir>/workspace-<id>` (the built-in `main` keeps the folder it uses). */
  workspace?: string;
  default?: boolean;
  tools?: { allow?: string[]; deny?: string[]; nonOwners?: { allow?: string[] } };
  sandbox?: SandboxEdit;
  /** Match blocks of bindings to this agent, appended after the existing bindings. */
  bindings?: RawBinding['match'][];
}

export interface AgentCreateDeps {
  store: ConfigStore;
  loc: Locations;
  homeDir: string;
}

export interface CreatedAgent {
  agent: AgentConfig;
  paths: AgentPaths;
  /** The config as written (its hash is the next baseHash). */
  loaded: LoadedConfig & { config: SwitchboardConfig };
  /** The built-in `main` agent was written into the config too (with its current folders). */
  implicitWrittenOut: boolean;
  /** Persona files created on disk (existing files are kept, never overwritten). */
  created: string[];
}

export function titleCase(id: string): string {
  return id.replace(/[-_]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

/**
 * Adds the agent to the config that `current` was loaded from (refused with a conflict if the
 * file changed since), then creates its folders and persona files. Throws before touching
 * anything when the id is unsafe or already taken, or when the result would be invalid.
 */
export async function createAgent(
  deps: AgentCreateDeps,
  current: LoadedConfig & { config: SwitchboardConfig },
  spec: AgentSpec,
): Promise<CreatedAgent> {
  const { store, loc, homeDir } = deps;
  const id = safeAgentId(spec.id);
  const implicit = current.config.agents.list.find((a) => a.implicit);
  const mainPaths = implicit ? agentPaths(implicit, current.config, loc, homeDir) : undefined;
  // Adding "main" itself while it is still the built-in agent keeps the folder it already uses.
  const workspace = spec.workspace ?? (implicit?.id === id && mainPaths ? mainPaths.workspace : defaultWorkspace(id, false, loc.stateDir));
  const agentDir = defaultAgentDir(id, loc.stateDir);
  const identity = { ...(spec.emoji ? { emoji: spec.emoji } : {}), ...(spec.persona ? { persona: spec.persona } : {}) };
  const raw = structuredClone((current.check.raw ?? {}) as Record<string, unknown>);
  addAgent(
    raw,
    {
      id,
      workspace: homeRelative(workspace, homeDir),
      agentDir: homeRelative(agentDir, homeDir),
      ...(spec.name ? { name: spec.name } : {}),
      ...(spec.model ? { model: spec.model } : {}),
      ...(Object.keys(identity).length > 0 ? { identity } : {}),
      ...(spec.tools ? { tools: spec.tools } : {}),
      ...(spec.sandbox ? { sandbox: spec.sandbox } : {}),
      ...(spec.default ? { default: true } : {}),
    },
    mainPaths && { workspace: homeRelative(mainPaths.workspace, homeDir), agentDir: homeRelative(mainPaths.agentDir, homeDir) },
  );
  for (const match of spec.bindings ?? []) addBinding(raw, { agentId: id, match });
  const written = await store.write(raw, current.hash);
  const config = written.check.config!;
  const implicitWrittenOut = implicit !== undefined && implicit.id !== id;
  const created: string[] = [];
  for (const agent of config.agents.list.filter((a) => a.id === id || (implicitWrittenOut && a.id === implicit.id))) {
    const layout = await createAgentLayout(agentPaths(agent, config, loc, homeDir), {
      id: agent.id,
      name: agent.name ?? titleCase(agent.id),
      ...(agent.identity.persona ? { persona: agent.identity.persona } : {}),
    });
    created.push(...layout.created);
  }
  const agent = config.agents.list.find((a) => a.id === id)!;
  return { agent, paths: agentPaths(agent, config, loc, homeDir), loaded: { ...written, config }, implicitWrittenOut, created };
}
