// What a sandboxed exec may touch (docs/security.md "exec"): it writes only in the agent's
// workspace, cannot read Switchboard's state, config, keychain files, SSH keys or other agents'
// folders, and reaches only the hosts in `sandbox.network.allow`. Pure path arithmetic.
import path from 'node:path';
import type { AgentConfig, SwitchboardConfig } from '../../../src-shared/config/index.ts';
import { mainSessionKey } from '../../../src-shared/routing/session-key.ts';
import type { AgentPaths, Locations } from '../../config/paths.ts';

export interface SandboxPolicy {
  /** The command's working folder: the workspace, or a scratch folder for `workspaceAccess: "none"`. */
  cwd: string;
  allowWrite: string[];
  denyRead: string[];
  /** Re-opened inside a denied folder (the workspace under the state dir). */
  allowRead: string[];
  /** Hosts reachable through the sandbox's proxy; empty = no network. */
  network: string[];
}

/** Does this turn's exec run in the sandbox? `non-main`: every session but the agent's main one. */
export function sandboxApplies(agent: Pick<AgentConfig, 'id' | 'sandbox'>, sessionKey: string, config: SwitchboardConfig): boolean {
  switch (agent.sandbox.mode) {
    case 'off':
      return false;
    case 'all':
      return true;
    case 'non-main':
      return sessionKey.toLowerCase() !== mainSessionKey(agent.id, config.session);
  }
}

/** Files in the home folder that hold credentials of other programs (read by nothing exec needs). */
const HOME_SECRETS = [
  '.ssh',
  '.gnupg',
  '.local/share/keyrings',
  '.password-store',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.config/gh',
  '.kube',
  '.docker',
  '.netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  '.claude',
  '.claude.json',
  '.npm/_logs',
  'Library/Keychains',
  // The desktop app's own data (prefs, Electron's storage).
  '.config/Switchboard',
  'Library/Application Support/Switchboard',
];

export interface PolicyInput {
  agent: AgentConfig;
  paths: AgentPaths;
  /** The folders of every other agent of the config. */
  others: AgentPaths[];
  loc: Locations;
  homeDir: string;
  /** For `workspaceAccess: "none"`: the empty folder the command runs in instead. */
  scratch?: string;
}

export function sandboxPolicy({ agent, paths, others, loc, homeDir, scratch }: PolicyInput): SandboxPolicy {
  const access = agent.sandbox.workspaceAccess ?? 'rw';
  const denyRead = new Set<string>([
    loc.stateDir,
    path.dirname(loc.configPath),
    paths.agentDir,
    paths.sessionsDir,
    paths.memoryDir,
    ...HOME_SECRETS.map((p) => path.join(homeDir, p)),
  ]);
  for (const o of others) for (const p of [o.workspace, o.agentDir, o.sessionsDir, o.memoryDir]) denyRead.add(p);
  // Another agent may share this workspace: it stays this agent's to use.
  denyRead.delete(paths.workspace);
  if (access === 'none') {
    if (!scratch) throw new Error('workspaceAccess "none" needs a scratch folder');
    denyRead.add(paths.workspace);
    return { cwd: scratch, allowWrite: [scratch], denyRead: [...denyRead], allowRead: [scratch], network: agent.sandbox.network.allow };
  }
  return {
    cwd: paths.workspace,
    allowWrite: access === 'rw' ? [paths.workspace] : [],
    denyRead: [...denyRead],
    allowRead: [paths.workspace],
    network: agent.sandbox.network.allow,
  };
}
