// Every agent gets its folders before its first turn: an agent written into the config by hand,
// or the built-in `main`, finds the same workspace and persona templates as one made by the
// wizard. Only a workspace that does not exist yet gets templates: files a user deleted from an
// existing workspace stay deleted.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import type { AgentConfig } from '../../src-shared/config/index.ts';
import type { AgentPaths } from '../config/paths.ts';
import type { ModuleLogger } from '../log.ts';
import { titleCase } from '../config/agent-create.ts';
import { createAgentLayout } from './layout.ts';

export interface PreparedWorkspace {
  agentId: string;
  /** Persona files written (empty when the workspace already existed). */
  created: string[];
}

/** Creates what is missing for each agent; a folder that cannot be made is logged, never fatal. */
export async function prepareAgentFolders(
  agents: readonly AgentConfig[],
  pathsOf: (agent: AgentConfig) => AgentPaths,
  log: ModuleLogger,
): Promise<PreparedWorkspace[]> {
  const prepared: PreparedWorkspace[] = [];
  for (const agent of agents) {
    const paths = pathsOf(agent);
    try {
      if (!existsSync(paths.workspace)) {
        const layout = await createAgentLayout(paths, {
          id: agent.id,
          name: agent.name ?? agent.identity.name ?? titleCase(agent.id),
          ...(agent.identity.persona ? { persona: agent.identity.persona } : {}),
        });
        prepared.push({ agentId: agent.id, created: layout.created });
        log.info(`created the workspace of agent "${agent.id}"`, { workspace: paths.workspace, files: layout.created.length });
      } else {
        for (const dir of [paths.agentDir, paths.sessionsDir, paths.memoryDir]) await fs.mkdir(dir, { recursive: true });
      }
    } catch (err) {
      log.warn(`cannot create the folders of agent "${agent.id}": ${(err as Error).message}`, { workspace: paths.workspace });
    }
  }
  return prepared;
}
