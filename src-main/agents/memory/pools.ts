// Which memory or task pool an agent uses and where it lives on disk
// (docs/memory-tasks.md#where-they-live): scope "agent" → <stateDir>/agents/<id>/<kind>/, scope
// "shared" → <stateDir>/<kind>/<pool>/. Paths are built only from ids and pool names that match
// the agent-id pattern, so no name can escape.
import path from 'node:path';
import { ID_PATTERN, RESERVED_IDS, type AgentConfig } from '../../../src-shared/config/index.ts';
import type { AgentPaths } from '../../config/paths.ts';

export type PoolKind = 'memory' | 'tasks';
export const DEFAULT_SHARED_POOL = 'shared';

export interface PoolRef {
  kind: PoolKind;
  scope: 'agent' | 'shared';
  /** The agent id (agent scope) or the pool name (shared scope). */
  name: string;
  dir: string;
}

export class PoolNameError extends Error {
  override name = 'PoolNameError';
}

/** A lower-cased id or pool name, or throws: only names of the agent-id pattern become folder names. */
export function checkPoolName(raw: string, what: string): string {
  const name = raw.trim().toLowerCase();
  if (!ID_PATTERN.test(name) || RESERVED_IDS.has(name))
    throw new PoolNameError(`${what} "${raw}" is not a valid name (lower-case letters, digits, _ and -, at most 64)`);
  return name;
}

/** The pool `agent` uses for `kind`, under `stateDir`. */
export function resolvePool(kind: PoolKind, agent: Pick<AgentConfig, 'id' | 'memory' | 'tasks'>, stateDir: string): PoolRef {
  const scope = agent[kind];
  if (scope.scope === 'shared') {
    const name = checkPoolName(scope.pool ?? DEFAULT_SHARED_POOL, `${kind} pool`);
    return { kind, scope: 'shared', name, dir: path.join(stateDir, kind, name) };
  }
  const id = checkPoolName(agent.id, 'agent id');
  return { kind, scope: 'agent', name: id, dir: path.join(stateDir, 'agents', id, kind) };
}

/** The state dir, recovered from an agent's paths (memoryDir is always <stateDir>/agents/<id>/memory). */
export function stateDirOf(paths: Pick<AgentPaths, 'memoryDir'>): string {
  const agentsDir = path.dirname(path.dirname(paths.memoryDir));
  if (path.basename(paths.memoryDir) !== 'memory' || path.basename(agentsDir) !== 'agents')
    throw new Error(`unexpected memory folder ${paths.memoryDir}`);
  return path.dirname(agentsDir);
}

/** A short description of the pool for tool outputs and the dashboard. */
export function describePool(ref: PoolRef): string {
  return ref.scope === 'agent' ? 'your private pool' : `the shared pool "${ref.name}"`;
}
