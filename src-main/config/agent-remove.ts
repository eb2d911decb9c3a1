// Removing an agent, shared by `switchboard agents remove` and the control plane's agents.delete:
// the config entry (refused while bindings name it, unless they go too) and, with purge, its
// workspace, agentDir, `<stateDir>/agents/<id>/` and its keychain entries. Every folder purge
// would delete is checked before anything changes.
import fs from 'node:fs/promises';
import path from 'node:path';
import { agentReferences, removeAgent, type AgentReferences, type SwitchboardConfig } from '../../src-shared/config/index.ts';
import { safeAgentId } from '../agents/layout.ts';
import { agentAuthPrefix, type SecretStore } from '../secrets/store.ts';
import { agentPaths, type AgentPaths, type Locations } from './paths.ts';
import type { ConfigStore, LoadedConfig } from './store.ts';

export class AgentRemoveError extends Error {
  constructor(
    message: string,
    readonly code: 'not_found' | 'conflict',
  ) {
    super(message);
  }
}

export interface AgentRemoveDeps {
  store: ConfigStore;
  loc: Locations;
  homeDir: string;
  /** The keychain purge deletes the agent's entries from; opened only when purging. */
  keychain?: () => SecretStore;
}

export interface AgentRemoveOptions {
  dropBindings: boolean;
  purge: boolean;
  /** How the caller's user says "drop the bindings too" (ends the refusal message). */
  dropHint?: string;
  /** Runs after the config is written and before anything is purged (a gateway stops using the agent here). */
  afterWrite?: (written: LoadedConfig) => Promise<void>;
}

export interface RemovedAgent {
  id: string;
  /** What named the agent (and was dropped with it). */
  refs: AgentReferences;
  /** Every route-table binding index that went with it (explicit bindings and channel shorthands). */
  bindingIndices: number[];
  paths: AgentPaths;
  written: LoadedConfig;
  /** Folders deleted by purge. */
  purged: string[];
  keychain?: { deleted: string[]; error?: string };
}

function contains(outer: string, inner: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Checks a folder purge would delete, before anything changes: it must not hold the home
 * folder, the state dir, the config file or another agent's folders (a workspace can be any path).
 */
function purgeTarget(dir: string, id: string, config: SwitchboardConfig, deps: AgentRemoveDeps): string {
  const resolved = path.resolve(dir);
  const guarded = [
    { what: 'your home folder', at: deps.homeDir },
    { what: 'the state dir', at: deps.loc.stateDir },
    { what: 'the config file', at: deps.loc.configPath },
    ...config.agents.list
      .filter((a) => a.id !== id)
      .flatMap((a) => {
        const p = agentPaths(a, config, deps.loc, deps.homeDir);
        return [p.workspace, p.agentDir, p.sessionsDir].map((at) => ({ what: `the folders of agent "${a.id}"`, at }));
      }),
  ];
  const hit = guarded.find((g) => contains(resolved, path.resolve(g.at)));
  if (hit)
    throw new AgentRemoveError(
      `refusing to delete ${resolved}: it contains ${hit.what}; nothing was changed (remove the agent without purging and delete its files by hand)`,
      'conflict',
    );
  return resolved;
}

async function purgeFolder(resolved: string, removed: string[]): Promise<void> {
  try {
    await fs.access(resolved);
  } catch {
    return;
  }
  await fs.rm(resolved, { recursive: true, force: true });
  removed.push(resolved);
}

/** Deletes the agent's keychain entries (`agent:<id>:auth:*`); a keychain that cannot be reached is reported, not fatal. */
async function purgeKeychain(id: string, open: () => SecretStore): Promise<{ deleted: string[]; error?: string }> {
  try {
    const store = open();
    const accounts = await store.list(agentAuthPrefix(id));
    for (const account of accounts) await store.delete(account);
    return { deleted: accounts };
  } catch (err) {
    return { deleted: [], error: (err as Error).message };
  }
}

/** Removes the agent from the config `current` was loaded from (conflict if the file changed since). */
export async function removeAgentEverywhere(
  deps: AgentRemoveDeps,
  current: LoadedConfig & { config: SwitchboardConfig },
  agentId: string,
  opts: AgentRemoveOptions,
): Promise<RemovedAgent> {
  const id = safeAgentId(agentId);
  const { config } = current;
  const agent = config.agents.list.find((a) => a.id === id);
  if (!agent)
    throw new AgentRemoveError(`agent "${id}" does not exist (agents: ${config.agents.list.map((a) => a.id).join(', ')})`, 'not_found');
  if (agent.implicit)
    throw new AgentRemoveError(`"${id}" is the built-in agent used when the config lists none; add another agent first`, 'conflict');
  const paths = agentPaths(agent, config, deps.loc, deps.homeDir);
  const refs = agentReferences(config, id);
  const bindingIndices = config.bindings.filter((b) => b.agentId === id).map((b) => b.index);
  const targets = opts.purge
    ? [paths.workspace, paths.agentDir, path.join(deps.loc.stateDir, 'agents', id)].map((d) => purgeTarget(d, id, config, deps))
    : [];
  const raw = structuredClone((current.check.raw ?? {}) as Record<string, unknown>);
  removeAgent(raw, id, config, opts.dropBindings, opts.dropHint);
  const written = await deps.store.write(raw, current.hash);
  await opts.afterWrite?.(written);
  const purged: string[] = [];
  for (const target of targets) await purgeFolder(target, purged);
  const keychain = opts.purge && deps.keychain ? await purgeKeychain(id, deps.keychain) : undefined;
  return { id, refs, bindingIndices, paths, written, purged, ...(keychain ? { keychain } : {}) };
}
