// Which sessions run exec in the sandbox (`sandbox.mode`), and the policy an agent's config gives
// a sandboxed command: the workspace writable, Switchboard's own files and other agents' unreadable.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxApplies, sandboxPolicy } from '../../src-main/agents/sandbox/index.ts';
import { agentPaths } from '../../src-main/config/paths.ts';
import { validConfig } from '../helpers/config.ts';

const config = validConfig({
  session: { mainKey: 'home' },
  agents: {
    list: [
      { id: 'a', default: true, sandbox: { mode: 'non-main', network: { allow: ['pypi.org'] } } },
      { id: 'b', workspace: '/srv/b', sandbox: { mode: 'all', workspaceAccess: 'ro' } },
      { id: 'c', workspace: '/srv/c', sandbox: { mode: 'all', workspaceAccess: 'none' } },
    ],
  },
});
const [a, b, c] = config.agents.list as [(typeof config.agents.list)[0], (typeof config.agents.list)[0], (typeof config.agents.list)[0]];
const loc = { stateDir: '/home/u/.switchboard', configPath: '/etc/switchboard/switchboard.json' };
const home = '/home/u';
const paths = (agent: typeof a) => agentPaths(agent, config, loc, home);

describe('sandbox.mode', () => {
  it('"non-main" sandboxes every session except the main one', () => {
    expect(sandboxApplies(a, 'agent:a:home', config)).toBe(false);
    expect(sandboxApplies(a, 'agent:a:telegram:direct:42', config)).toBe(true);
    expect(sandboxApplies(a, 'agent:a:webchat:scratch', config)).toBe(true);
  });
  it('"all" sandboxes the main session too; "off" none', () => {
    expect(sandboxApplies(b, 'agent:b:home', config)).toBe(true);
    expect(sandboxApplies({ ...a, sandbox: { mode: 'off', network: { allow: [] } } }, 'agent:a:telegram:direct:42', config)).toBe(false);
  });
});

describe('the policy of a sandboxed command', () => {
  const policy = sandboxPolicy({ agent: a, paths: paths(a), others: [paths(b), paths(c)], loc, homeDir: home });
  it('writes only in the workspace, which stays readable inside the denied state dir', () => {
    expect(policy.cwd).toBe(path.join(loc.stateDir, 'workspace'));
    expect(policy.allowWrite).toEqual([policy.cwd]);
    expect(policy.allowRead).toEqual([policy.cwd]);
  });
  it("denies the state dir, the config's folder, keychain files, ~/.ssh and the other agents' folders", () => {
    expect(policy.denyRead).toEqual(
      expect.arrayContaining([
        loc.stateDir,
        '/etc/switchboard',
        '/home/u/.ssh',
        '/home/u/.local/share/keyrings',
        '/srv/b',
        '/srv/c',
        paths(b).agentDir,
      ]),
    );
    expect(policy.denyRead).not.toContain(policy.cwd);
  });
  it('reaches only the hosts of sandbox.network.allow', () => {
    expect(policy.network).toEqual(['pypi.org']);
    expect(sandboxPolicy({ agent: b, paths: paths(b), others: [], loc, homeDir: home }).network).toEqual([]);
  });
  it('workspaceAccess "ro" leaves nothing writable; "none" swaps the workspace for a scratch folder', () => {
    expect(sandboxPolicy({ agent: b, paths: paths(b), others: [], loc, homeDir: home }).allowWrite).toEqual([]);
    const none = sandboxPolicy({ agent: c, paths: paths(c), others: [], loc, homeDir: home, scratch: '/tmp/x' });
    expect(none).toMatchObject({ cwd: '/tmp/x', allowWrite: ['/tmp/x'], allowRead: ['/tmp/x'] });
    expect(none.denyRead).toContain('/srv/c');
  });
});
