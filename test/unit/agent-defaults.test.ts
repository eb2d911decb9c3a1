// `agents.defaults` is inherited by every agent, field by field (the agent wins, deny lists union),
// and a key that only means something for one agent is an error under defaults.
import { describe, expect, it } from 'vitest';
import { enabledToolNames } from '../../src-main/agents/tools/registry.ts';
import { sandboxRefusal } from '../../src-main/agents/tools/exec.ts';
import { checkConfigText } from '../../src-shared/config/index.ts';
import { errorsOf, validConfig, warningsOf } from '../helpers/config.ts';

const agent = (raw: unknown, id: string) => validConfig(raw).agents.list.find((a) => a.id === id)!;

describe('agents.defaults is inherited by every agent', () => {
  it('a default deny of exec takes exec away from every agent, even one that allows it (deny lists union)', () => {
    const raw = {
      agents: {
        defaults: { tools: { deny: ['exec'] } },
        list: [{ id: 'a', tools: { allow: ['read', 'exec'] } }, { id: 'b', tools: { deny: ['write'] } }, { id: 'c' }],
      },
    };
    expect(agent(raw, 'a').tools).toMatchObject({ allow: ['read', 'exec'], deny: ['exec'] });
    expect([...enabledToolNames(agent(raw, 'a'))]).toEqual(['read']);
    // The agent's own entries first, then the inherited ones.
    expect(agent(raw, 'b').tools.deny).toEqual(['write', 'exec']);
    expect(enabledToolNames(agent(raw, 'b')).has('write')).toBe(false);
    expect(agent(raw, 'c').tools.deny).toEqual(['exec']);
  });

  it('a default allow list applies to agents without their own, and an agent allow list replaces it', () => {
    const raw = { agents: { defaults: { tools: { allow: ['read'] } }, list: [{ id: 'a' }, { id: 'b', tools: { allow: ['write'] } }] } };
    expect([...enabledToolNames(agent(raw, 'a'))]).toEqual(['read']);
    expect([...enabledToolNames(agent(raw, 'b'))]).toEqual(['write']);
  });

  it('a default sandbox is inherited field by field, so exec fails closed for every agent', () => {
    const raw = {
      agents: {
        defaults: { sandbox: { mode: 'all', workspaceAccess: 'ro' } },
        list: [
          { id: 'a', tools: { allow: ['exec'] } },
          { id: 'b', sandbox: { workspaceAccess: 'rw' } },
          { id: 'off', sandbox: { mode: 'off' } },
        ],
      },
    };
    expect(agent(raw, 'a').sandbox).toMatchObject({ mode: 'all', workspaceAccess: 'ro' });
    expect(sandboxRefusal({ agent: agent(raw, 'a'), config: validConfig(raw), sessionKey: 'agent:a:main' })).toMatch(
      /sandbox\.mode is "all"/,
    );
    expect(agent(raw, 'b').sandbox).toMatchObject({ mode: 'all', workspaceAccess: 'rw' });
    expect(agent(raw, 'off').sandbox).toMatchObject({ mode: 'off', workspaceAccess: 'ro' });
    // Off: exec outside the sandbox takes the explicit opt-in on Linux and macOS, not on Windows.
    const off = { agent: agent(raw, 'off'), config: validConfig(raw), sessionKey: 'agent:off:main' };
    expect(sandboxRefusal(off, 'linux')).toMatch(/tools\.exec\.unsandboxed/);
    expect(sandboxRefusal(off, 'win32')).toBeNull();
  });

  it('exec without a sandbox is warned about: refused without the opt-in, a risk with it; a default opt-in is inherited', () => {
    const raw = {
      agents: {
        list: [
          { id: 'bare', tools: { allow: ['exec'] } },
          { id: 'optin', tools: { allow: ['exec'], exec: { unsandboxed: true } } },
          { id: 'boxed', tools: { allow: ['exec'] }, sandbox: { mode: 'all' } },
          { id: 'noexec', tools: { exec: { unsandboxed: true } } },
        ],
      },
    };
    const codes = (r: unknown) =>
      warningsOf(r)
        .filter((w) => w.code.startsWith('exec_'))
        .map((w) => [w.code, w.path.join('.')]);
    expect(codes(raw)).toEqual([
      ['exec_needs_sandbox', 'agents.list.0.sandbox.mode'],
      ['exec_unsandboxed', 'agents.list.1.tools.exec.unsandboxed'],
    ]);
    expect(warningsOf(raw).find((w) => w.code === 'exec_unsandboxed')!.message).toMatch(/control-plane token/);
    const inherited = { agents: { defaults: { tools: { exec: { unsandboxed: true } } }, list: [{ id: 'a', tools: { allow: ['exec'] } }] } };
    expect(agent(inherited, 'a').tools.exec).toEqual({ unsandboxed: true });
    expect(
      sandboxRefusal({ agent: agent(inherited, 'a'), config: validConfig(inherited), sessionKey: 'agent:a:main' }, 'linux'),
    ).toBeNull();
    expect(errorsOf({ agents: { list: [{ id: 'a', tools: { exec: { unsandboxed: 'yes' } } }] } }).map((e) => e.path.join('.'))).toEqual([
      'agents.list.0.tools.exec.unsandboxed',
    ]);
  });

  it('memory, tasks, groupChat, limits, reset, owners and model are inherited; the agent’s own values win', () => {
    const raw = {
      agents: {
        defaults: {
          model: 'claude-opus-5-5',
          memory: { scope: 'shared', pool: 'family' },
          tasks: { scope: 'shared' },
          groupChat: { mentionPatterns: ['@bot'], historyLimit: 20 },
          limits: { dailyTokens: 1000, perSenderPerMinute: 5 },
          reset: { dailyHour: 4 },
          owners: ['telegram:42'],
        },
        list: [
          { id: 'a' },
          { id: 'b', model: 'claude-sonnet-5-5', memory: { scope: 'agent' }, limits: { dailyTokens: 10 }, owners: ['discord:7'] },
        ],
      },
    };
    expect(agent(raw, 'a')).toMatchObject({
      model: 'claude-opus-5-5',
      memory: { scope: 'shared', pool: 'family' },
      tasks: { scope: 'shared' },
      groupChat: { mentionPatterns: ['@bot'], historyLimit: 20 },
      limits: { dailyTokens: 1000, perSenderPerMinute: 5 },
      reset: { dailyHour: 4 },
      owners: ['telegram:42'],
    });
    expect(agent(raw, 'b')).toMatchObject({
      model: 'claude-sonnet-5-5',
      memory: { scope: 'agent', pool: 'family' },
      limits: { dailyTokens: 10, perSenderPerMinute: 5 },
      owners: ['discord:7'],
    });
  });

  it('the built-in main agent (no agents listed) inherits the defaults too', () => {
    const main = validConfig({ agents: { defaults: { tools: { deny: ['exec', 'write'] }, sandbox: { mode: 'all' } } } }).agents.list[0]!;
    expect(main).toMatchObject({ id: 'main', implicit: true, tools: { deny: ['exec', 'write'] }, sandbox: { mode: 'all' } });
  });

  it('the ArgentOS map form inherits the same way', () => {
    const raw = { agents: { defaults: { tools: { deny: ['exec'] } }, main: { name: 'A' }, work: { tools: { deny: ['read'] } } } };
    expect(agent(raw, 'main').tools.deny).toEqual(['exec']);
    expect(agent(raw, 'work').tools.deny).toEqual(['read', 'exec']);
  });

  it('the defaults object itself is not changed by the merge (agents do not share lists)', () => {
    const config = validConfig({ agents: { defaults: { tools: { deny: ['exec'] } }, list: [{ id: 'a' }, { id: 'b' }] } });
    config.agents.list[0]!.tools.deny.push('write');
    expect(config.agents.list[1]!.tools.deny).toEqual(['exec']);
    expect(config.agents.defaults.tools).toEqual({ deny: ['exec'] });
  });
});

describe('what agents.defaults may not carry', () => {
  it.each(['workspace', 'agentDir', 'identity', 'name', 'id', 'default'])('"%s" is an error at its path, saying why', (key) => {
    const errors = errorsOf({ agents: { defaults: { [key]: key === 'default' ? true : 'x' }, list: [{ id: 'a' }] } });
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'unknown_key',
        path: ['agents', 'defaults', key],
        message: expect.stringContaining(`"${key}" has no meaning under agents.defaults`),
      }),
    ]);
  });

  it('a typo under defaults gets a did-you-mean, with its line', () => {
    const check = checkConfigText('{\n  agents: {\n    defaults: { sandbx: { mode: "all" } },\n  },\n}');
    expect(check.ok).toBe(false);
    expect(check.issues).toEqual([
      expect.objectContaining({
        path: ['agents', 'defaults', 'sandbx'],
        line: 3,
        message: expect.stringContaining('did you mean "sandbox"'),
      }),
    ]);
  });

  it('an unknown tool or a bad owner under defaults is reported once, at agents.defaults', () => {
    const raw = { agents: { defaults: { tools: { deny: ['exce'] }, owners: ['nochannel'] }, list: [{ id: 'a' }, { id: 'b' }] } };
    expect(warningsOf(raw)).toEqual([
      expect.objectContaining({
        code: 'unknown_tool',
        path: ['agents', 'defaults', 'tools', 'deny', 0],
        message: expect.stringContaining('"exec"'),
      }),
    ]);
    expect(errorsOf(raw)).toEqual([expect.objectContaining({ code: 'invalid_owner', path: ['agents', 'defaults', 'owners', 0] })]);
  });

  it('an agent’s own unknown tool is still reported at the agent', () => {
    const raw = { agents: { defaults: { tools: { deny: ['exec'] } }, list: [{ id: 'a', tools: { deny: ['wirte'] } }] } };
    expect(warningsOf(raw)).toEqual([expect.objectContaining({ code: 'unknown_tool', path: ['agents', 'list', 0, 'tools', 'deny', 0] })]);
  });
});
