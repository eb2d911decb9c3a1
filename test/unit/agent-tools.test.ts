// Specification of the agent tools (src-main/agents/tools): the allow/deny policy, workspace
// confinement of read/write/edit (real paths, no links, no `..`), exec (argv only, scrubbed env,
// timeout, fail closed under a sandbox), the session tools and agent-to-agent permission checks.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToolRegistry, enabledToolNames, writeTool, type ToolContext, type ToolDef } from '../../src-main/agents/tools/index.ts';
import type { AgentMessenger } from '../../src-main/agents/turn-types.ts';
import { agentPaths, type Locations } from '../../src-main/config/paths.ts';
import { AgentSessionStore } from '../../src-main/sessions/index.ts';
import { validConfig } from '../helpers/config.ts';

let tmp: string;
let ws: string;
let outside: string;
let loc: Locations;
const stores: AgentSessionStore[] = [];
const registry = new ToolRegistry();

beforeEach(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-tools-')));
  ws = path.join(tmp, 'workspace-home');
  outside = path.join(tmp, 'outside');
  await fs.mkdir(ws, { recursive: true });
  await fs.mkdir(outside, { recursive: true });
  await fs.writeFile(path.join(outside, 'secret.txt'), 'outside secret\n');
  loc = { stateDir: tmp, configPath: path.join(tmp, 'switchboard.json') };
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await fs.rm(tmp, { recursive: true, force: true });
});

interface CtxOptions {
  agent?: Record<string, unknown>;
  a2a?: { enabled?: boolean; allow?: string[] };
  env?: NodeJS.ProcessEnv;
  messenger?: AgentMessenger;
  sessionKey?: string;
}

async function ctxFor(opts: CtxOptions = {}): Promise<ToolContext> {
  const config = validConfig({
    agents: {
      list: [
        { id: 'home', default: true, workspace: ws, ...opts.agent },
        { id: 'work', workspace: path.join(tmp, 'workspace-work') },
      ],
    },
    ...(opts.a2a ? { tools: { agentToAgent: opts.a2a } } : {}),
  });
  const agent = config.agents.list[0]!;
  const store = stores.find((s) => s.agentId === 'home') ?? (await AgentSessionStore.open(tmp, 'home'));
  if (!stores.includes(store)) stores.push(store);
  const sessionKey = opts.sessionKey ?? 'agent:home:main';
  return {
    agent,
    config,
    paths: agentPaths(agent, config, loc),
    sessionKey,
    store,
    model: 'claude-test',
    inbound: {
      text: 'hi',
      sender: { id: 'u1' },
      channel: 'telegram',
      isOwner: true,
      route: {
        agentId: 'home',
        channel: 'telegram',
        accountId: 'default',
        sessionKey,
        mainSessionKey: sessionKey,
        matchedBy: 'default',
        bindingIndex: null,
      },
    },
    usage: () => ({ inputTokens: 12, outputTokens: 3 }),
    env: opts.env ?? { PATH: process.env.PATH },
    signal: new AbortController().signal,
    ...(opts.messenger ? { messenger: opts.messenger } : {}),
  };
}

const offered = (ctx: ToolContext): string[] =>
  registry
    .offered(ctx)
    .map((d) => d.name)
    .sort();
const exists = (p: string): Promise<boolean> =>
  fs.access(p).then(
    () => true,
    () => false,
  );

describe('tool policy', () => {
  it('offers every built-in except exec and sessions_send when tools.allow is absent', async () => {
    expect(offered(await ctxFor())).toEqual([
      'edit',
      'memory_save',
      'memory_search',
      'read',
      'session_status',
      'sessions_history',
      'sessions_list',
      'task_add',
      'task_list',
      'task_update',
      'write',
    ]);
    expect(enabledToolNames({ tools: { deny: [], nonOwners: { allow: [] }, exec: { unsandboxed: false } } })).toEqual(
      new Set([
        'read',
        'write',
        'edit',
        'sessions_list',
        'sessions_history',
        'session_status',
        'sessions_spawn',
        'memory_save',
        'memory_search',
        'task_add',
        'task_list',
        'task_update',
        'skill',
      ]),
    );
  });

  it('offers only the tools listed in tools.allow', async () => {
    expect(offered(await ctxFor({ agent: { tools: { allow: ['read', 'exec'], exec: { unsandboxed: true } } } }))).toEqual(['exec', 'read']);
  });

  it('lets tools.deny win over tools.allow', async () => {
    expect(offered(await ctxFor({ agent: { tools: { allow: ['read', 'write'], deny: ['write'] } } }))).toEqual(['read']);
  });

  it('never enables a name that is not a built-in tool', () => {
    expect(
      enabledToolNames({ tools: { allow: ['read', 'rm_rf', 'EXEC '], deny: [], nonOwners: { allow: [] }, exec: { unsandboxed: false } } }),
    ).toEqual(new Set(['read', 'exec']));
  });

  it('answers a call to a tool that is not enabled with an error and never runs it', async () => {
    const run = vi.fn(async () => ({ output: 'ran' }));
    const reg = new ToolRegistry().register({ ...writeTool, run }, { replace: true });
    const res = await reg.execute('write', { path: 'x.txt', content: 'x' }, await ctxFor({ agent: { tools: { allow: ['read'] } } }));
    expect(res).toMatchObject({ isError: true, output: 'tool write is not enabled for this agent' });
    expect(run).not.toHaveBeenCalled();
  });

  it('answers a call to an unknown tool with an error', async () => {
    expect(await registry.execute('rm_rf', {}, await ctxFor())).toMatchObject({
      isError: true,
      output: 'tool rm_rf is not enabled for this agent',
    });
  });

  it('accepts later tool families through register() under built-in names only', async () => {
    const memory: ToolDef = {
      name: 'memory_search',
      description: 'Search memory.',
      inputSchema: { type: 'object', properties: {} },
      run: async () => ({ output: 'nothing yet' }),
    };
    const reg = new ToolRegistry([]).register(memory);
    expect(reg.offered(await ctxFor()).map((d) => d.name)).toContain('memory_search');
    expect(() => reg.register({ ...memory, name: 'web_browse' })).toThrow(/not a built-in tool name/);
  });
});

describe('read, write and edit', () => {
  it('reads a file as numbered lines, honouring offset and limit', async () => {
    await fs.writeFile(path.join(ws, 'notes.txt'), 'one\ntwo\nthree\nfour\n');
    const res = await registry.execute('read', { path: 'notes.txt', offset: 2, limit: 2 }, await ctxFor());
    expect(res.isError).toBe(false);
    expect(res.output).toMatch(/^2\ttwo\n3\tthree\n\[lines 2-3 of 5/);
  });

  it('lists a folder when asked to read it', async () => {
    await fs.mkdir(path.join(ws, 'docs'));
    await fs.writeFile(path.join(ws, 'a.md'), 'a');
    expect((await registry.execute('read', { path: '.' }, await ctxFor())).output).toBe('./ (2 entries)\na.md\ndocs/');
  });

  it('writes a file, creating its parent folders inside the workspace', async () => {
    const res = await registry.execute('write', { path: 'deep/er/new.txt', content: 'hello' }, await ctxFor());
    expect(res).toMatchObject({ isError: false, output: 'created deep/er/new.txt (5 bytes)' });
    expect(await fs.readFile(path.join(ws, 'deep/er/new.txt'), 'utf8')).toBe('hello');
  });

  it('replaces exactly one occurrence with edit, keeping $-patterns literal', async () => {
    await fs.writeFile(path.join(ws, 'f.txt'), 'alpha\nbeta\ngamma\n');
    const res = await registry.execute('edit', { path: 'f.txt', old: 'beta', new: 'B $& $1' }, await ctxFor());
    expect(res).toMatchObject({ isError: false, output: 'edited f.txt at line 2' });
    expect(await fs.readFile(path.join(ws, 'f.txt'), 'utf8')).toBe('alpha\nB $& $1\ngamma\n');
  });

  it('refuses an edit whose old text is missing or occurs more than once, leaving the file as it was', async () => {
    await fs.writeFile(path.join(ws, 'f.txt'), 'x y x');
    const ctx = await ctxFor();
    expect(await registry.execute('edit', { path: 'f.txt', old: 'zz', new: '' }, ctx)).toMatchObject({
      isError: true,
      output: expect.stringMatching(/not found/),
    });
    expect(await registry.execute('edit', { path: 'f.txt', old: 'x', new: 'q' }, ctx)).toMatchObject({
      isError: true,
      output: expect.stringMatching(/more than once/),
    });
    expect(await fs.readFile(path.join(ws, 'f.txt'), 'utf8')).toBe('x y x');
  });

  it('accepts an absolute path that points inside the workspace', async () => {
    await fs.writeFile(path.join(ws, 'in.txt'), 'inside');
    expect((await registry.execute('read', { path: path.join(ws, 'in.txt') }, await ctxFor())).output).toBe('1\tinside');
  });

  it.each([
    ['a ../ escape', '../outside/secret.txt'],
    ['a ../ escape through a subfolder', 'sub/../../outside/secret.txt'],
    ['an absolute path outside', '/etc/passwd'],
  ])('refuses to read or write through %s', async (_what, p) => {
    const ctx = await ctxFor();
    expect(await registry.execute('read', { path: p }, ctx)).toMatchObject({
      isError: true,
      output: expect.stringMatching(/outside the workspace/),
    });
    expect(await registry.execute('write', { path: p, content: 'pwned' }, ctx)).toMatchObject({
      isError: true,
      output: expect.stringMatching(/outside the workspace/),
    });
    expect(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside secret\n');
  });

  it('refuses a symlink in the workspace that points outside, for read, write and edit', async () => {
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(ws, 'link.txt'));
    const ctx = await ctxFor();
    for (const [tool, input] of [
      ['read', {}],
      ['write', { content: 'pwned' }],
      ['edit', { old: 'outside', new: 'pwned' }],
    ] as const) {
      expect(await registry.execute(tool, { path: 'link.txt', ...input }, ctx)).toMatchObject({
        isError: true,
        output: expect.stringMatching(/symbolic link/),
      });
    }
    expect(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside secret\n');
  });

  it('refuses a path through a symlinked folder and creates nothing outside', async () => {
    await fs.symlink(outside, path.join(ws, 'linkdir'));
    const ctx = await ctxFor();
    expect(await registry.execute('read', { path: 'linkdir/secret.txt' }, ctx)).toMatchObject({
      isError: true,
      output: expect.stringMatching(/symbolic link/),
    });
    expect(await registry.execute('write', { path: 'linkdir/new/planted.txt', content: 'x' }, ctx)).toMatchObject({ isError: true });
    expect(await exists(path.join(outside, 'new'))).toBe(false);
  });

  it('refuses even a symlink that points inside the workspace', async () => {
    await fs.writeFile(path.join(ws, 'real.txt'), 'r');
    await fs.symlink(path.join(ws, 'real.txt'), path.join(ws, 'alias.txt'));
    expect(await registry.execute('read', { path: 'alias.txt' }, await ctxFor())).toMatchObject({ isError: true });
  });

  it('refuses content larger than the write cap', async () => {
    const res = await registry.execute('write', { path: 'big.txt', content: 'x'.repeat(1024 * 1024 + 1) }, await ctxFor());
    expect(res).toMatchObject({ isError: true, output: expect.stringMatching(/larger than/) });
    expect(await exists(path.join(ws, 'big.txt'))).toBe(false);
  });
});

// exec's tests drive POSIX programs (sh, env, pwd) and process groups.
describe.skipIf(process.platform === 'win32')('exec', () => {
  const allowExec = { tools: { allow: ['exec'], exec: { unsandboxed: true } } };

  it('is neither offered nor run without tools.allow listing it', async () => {
    const ctx = await ctxFor();
    expect(offered(ctx)).not.toContain('exec');
    expect(await registry.execute('exec', { command: ['touch', 'ran'] }, ctx)).toMatchObject({
      isError: true,
      output: 'tool exec is not enabled for this agent',
    });
    expect(await exists(path.join(ws, 'ran'))).toBe(false);
  });

  it('runs the program in the workspace and reports its exit code and output', async () => {
    const res = await registry.execute('exec', { command: ['pwd'] }, await ctxFor({ agent: allowExec }));
    expect(res).toMatchObject({ isError: false, output: `exit code: 0\n--- stdout ---\n${ws}\n\n--- stderr ---\n` });
  });

  it('passes arguments literally, with no shell expansion', async () => {
    const res = await registry.execute('exec', { command: ['echo', '$HOME;ls'] }, await ctxFor({ agent: allowExec }));
    expect(res.output).toContain('--- stdout ---\n$HOME;ls\n');
  });

  it('gives the program a scrubbed environment with HOME set to the workspace', async () => {
    const env = {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      ANTHROPIC_API_KEY: 'sk-ant-leak',
      TELEGRAM_BOT_TOKEN: 'tok-leak',
      SOME_KEY: 'key-leak',
      OTHER: 'other-leak',
    };
    const res = await registry.execute('exec', { command: ['env'] }, await ctxFor({ agent: allowExec, env }));
    expect(res.output).toContain(`HOME=${ws}\n`);
    expect(res.output).not.toMatch(/leak|ANTHROPIC|TOKEN|SOME_KEY|OTHER/);
  });

  it('kills the whole process group when the timeout expires', async () => {
    // sh waits for its child: without a group kill the sleeping child would hold the pipes open.
    const res = await registry.execute(
      'exec',
      { command: ['sh', '-c', 'sleep 60; echo never'], timeoutMs: 200 },
      await ctxFor({ agent: allowExec }),
    );
    expect(res).toMatchObject({ isError: true });
    expect(res.output).toMatch(/^killed after the 200 ms timeout/);
    expect(res.output).not.toContain('never');
  });

  it('reports a missing program as an error', async () => {
    expect(await registry.execute('exec', { command: ['no-such-program-xyz'] }, await ctxFor({ agent: allowExec }))).toMatchObject({
      isError: true,
      output: 'command not found: no-such-program-xyz',
    });
  });

  it('refuses to run (and is not offered) when the agent asks for a sandbox', async () => {
    const ctx = await ctxFor({ agent: { ...allowExec, sandbox: { mode: 'all', network: { allow: [] } } } });
    expect(offered(ctx)).not.toContain('exec');
    const res = await registry.execute('exec', { command: ['touch', 'ran'] }, ctx);
    expect(res).toMatchObject({
      isError: true,
      output: expect.stringMatching(/sandbox\.mode is "all" and no sandbox was provided.*fail closed/),
    });
    expect(await exists(path.join(ws, 'ran'))).toBe(false);
  });

  it.runIf(process.platform === 'linux' || process.platform === 'darwin')(
    'refuses to run (and is not offered) without a sandbox unless tools.exec.unsandboxed opts in',
    async () => {
      const ctx = await ctxFor({ agent: { tools: { allow: ['exec'] } } });
      expect(offered(ctx)).not.toContain('exec');
      const res = await registry.execute('exec', { command: ['touch', 'ran'] }, ctx);
      expect(res).toMatchObject({ isError: true, output: expect.stringMatching(/no sandbox.*tools\.exec\.unsandboxed to true/) });
      expect(await exists(path.join(ws, 'ran'))).toBe(false);
    },
  );
});

describe('session tools', () => {
  it("lists only this agent's sessions", async () => {
    const ctx = await ctxFor();
    const work = await AgentSessionStore.open(tmp, 'work');
    stores.push(work);
    await ctx.store.append('agent:home:main', { type: 'message', role: 'user', text: 'hi' });
    await work.append('agent:work:main', { type: 'message', role: 'user', text: 'hi' });
    const res = await registry.execute('sessions_list', {}, ctx);
    expect(res.output).toMatch(/^agent:home:main \(current\)/);
    expect(res.output).not.toContain('agent:work');
  });

  it('shows the history of one of its own sessions', async () => {
    const ctx = await ctxFor();
    await ctx.store.append('agent:home:telegram:direct:42', {
      type: 'message',
      role: 'user',
      text: 'what is up',
      sender: { id: '42', name: 'Bo' },
    });
    await ctx.store.append('agent:home:telegram:direct:42', { type: 'message', role: 'assistant', text: 'not much' });
    const res = await registry.execute('sessions_history', { sessionKey: 'agent:home:telegram:direct:42' }, ctx);
    expect(res.isError).toBe(false);
    expect(res.output).toMatch(/user \(Bo\): what is up\n.*assistant: not much$/);
  });

  it("refuses the history of another agent's session", async () => {
    const ctx = await ctxFor();
    const work = await AgentSessionStore.open(tmp, 'work');
    stores.push(work);
    await work.append('agent:work:main', { type: 'message', role: 'user', text: 'private to work' });
    const res = await registry.execute('sessions_history', { sessionKey: 'agent:work:main' }, ctx);
    expect(res).toMatchObject({ isError: true, output: expect.stringMatching(/belongs to agent "work"/) });
    expect(res.output).not.toContain('private to work');
  });

  it('reports the session key, model and token usage in session_status', async () => {
    const status = JSON.parse((await registry.execute('session_status', {}, await ctxFor())).output) as Record<string, unknown>;
    expect(status).toMatchObject({ sessionKey: 'agent:home:main', model: 'claude-test', thisTurn: { inputTokens: 12, outputTokens: 3 } });
  });
});

describe('sessions_send', () => {
  const allowSend = { tools: { allow: ['sessions_send'] } };

  it('is not enabled by default for an agent outside tools.agentToAgent.allow', async () => {
    const messenger = vi.fn<AgentMessenger>();
    const res = await registry.execute(
      'sessions_send',
      { agentId: 'work', text: 'hi' },
      await ctxFor({ a2a: { enabled: true, allow: ['other', 'work'] }, messenger }),
    );
    expect(res).toMatchObject({ isError: true, output: 'tool sessions_send is not enabled for this agent' });
    expect(messenger).not.toHaveBeenCalled();
  });

  it('is refused while tools.agentToAgent is disabled, even when the tool is allowed', async () => {
    const messenger = vi.fn<AgentMessenger>();
    const ctx = await ctxFor({ agent: allowSend, a2a: { enabled: false, allow: ['home', 'work'] }, messenger });
    expect(offered(ctx)).not.toContain('sessions_send');
    expect(await registry.execute('sessions_send', { agentId: 'work', text: 'hi' }, ctx)).toMatchObject({
      isError: true,
      output: expect.stringMatching(/turned off/),
    });
    expect(messenger).not.toHaveBeenCalled();
  });

  it.each([
    ['only the sender', ['home']],
    ['only the target', ['work']],
  ])('is refused when %s is in agentToAgent.allow', async (_what, allow) => {
    const messenger = vi.fn<AgentMessenger>();
    const res = await registry.execute(
      'sessions_send',
      { agentId: 'work', text: 'hi' },
      await ctxFor({ agent: allowSend, a2a: { enabled: true, allow }, messenger }),
    );
    expect(res).toMatchObject({ isError: true, output: expect.stringMatching(/not in tools\.agentToAgent\.allow/) });
    expect(messenger).not.toHaveBeenCalled();
  });

  it('delivers through the messenger and returns the reply when both agents are allowed', async () => {
    const messenger = vi.fn<AgentMessenger>(async () => ({ ok: true, reply: 'on it' }));
    const res = await registry.execute(
      'sessions_send',
      { agentId: 'Work', text: 'please check' },
      await ctxFor({ agent: allowSend, a2a: { enabled: true, allow: ['home', 'work'] }, messenger }),
    );
    expect(res).toMatchObject({ isError: false, output: 'reply from work:\non it' });
    expect(messenger).toHaveBeenCalledWith('home', 'work', 'please check', expect.any(AbortSignal));
  });
});
