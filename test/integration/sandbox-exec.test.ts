// exec in the REAL OS sandbox (bubblewrap; CI installs it and runs as root): what a sandboxed
// command can write, read, reach and inherit, and that nothing it starts outlives the call. Also
// the process-group hardening of exec without a sandbox. Linux only.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchboardConfig } from '../../src-shared/config/index.ts';
import { OsSandbox, type ExecConfinement } from '../../src-main/agents/sandbox/index.ts';
import { ToolRegistry, type ToolContext } from '../../src-main/agents/tools/index.ts';
import { agentPaths, type Locations } from '../../src-main/config/paths.ts';
import { agentContext } from '../helpers/agent-context.ts';
import { validConfig } from '../helpers/config.ts';

const linux = process.platform === 'linux';
const registry = new ToolRegistry();
const sandbox = new OsSandbox();
let root: string;
let home: string;
let loc: Locations;
let config: SwitchboardConfig;
let server: Server;
let serverHits = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'sb-sandbox-'));
  home = path.join(root, 'home');
  const stateDir = path.join(root, 'state');
  loc = { stateDir, configPath: path.join(stateDir, 'switchboard.json') };
  config = validConfig({
    agents: {
      list: [
        // Default workspace: inside the state dir, which is otherwise unreadable.
        { id: 'boxed', default: true, tools: { allow: ['exec'] }, sandbox: { mode: 'all' } },
        { id: 'other', workspace: path.join(root, 'ws-other') },
        { id: 'open', workspace: path.join(root, 'ws-open'), tools: { allow: ['exec'], exec: { unsandboxed: true } } },
      ],
    },
  });
  for (const a of config.agents.list) await mkdir(agentPaths(a, config, loc, home).workspace, { recursive: true });
  await writeFile(loc.configPath, '{ /* TOPSECRET-config */ }');
  await writeFile(path.join(stateDir, 'state-secret.txt'), 'TOPSECRET-state');
  await mkdir(path.join(home, '.ssh'), { recursive: true });
  await writeFile(path.join(home, '.ssh', 'id_ed25519'), 'TOPSECRET-ssh');
  await mkdir(path.join(home, '.local/share/keyrings'), { recursive: true });
  await writeFile(path.join(home, '.local/share/keyrings', 'login.keyring'), 'TOPSECRET-keyring');
  await writeFile(path.join(root, 'ws-other', 'notes.md'), 'TOPSECRET-other-agent');
  server = createServer((_req, res) => {
    serverHits++;
    res.end('reached');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(root, { recursive: true, force: true });
});

function ctxFor(agentId: string, extra: Partial<ToolContext> = {}): ToolContext {
  const ctx = agentContext(config, loc.stateDir, agentId);
  const agent = config.agents.list.find((a) => a.id === agentId)!;
  const paths = agentPaths(agent, config, loc, home);
  const others = config.agents.list.filter((a) => a.id !== agentId).map((a) => agentPaths(a, config, loc, home));
  const confinement: ExecConfinement = { sandbox, input: { agent, paths, others, loc, homeDir: home } };
  return { ...ctx, paths, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' }, confinement, ...extra };
}

const exec = (ctx: ToolContext, command: string[], timeoutMs?: number) =>
  registry.execute('exec', { command, ...(timeoutMs ? { timeoutMs } : {}) }, ctx);

/** Pids of live processes whose command line contains `needle` (a unique sleep length). */
async function processesWith(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (cmd.split('\0').includes(needle) && !/\) Z /.test(stat)) found.push(Number(pid));
  }
  return found;
}

async function until(pred: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not reached');
}

describe.runIf(linux)('exec in the OS sandbox (bubblewrap)', () => {
  it('this machine has the sandbox (CI installs bubblewrap)', () => {
    expect(sandbox.support()).toEqual({ available: true, kind: 'bubblewrap' });
  });

  it('writes in the workspace and nowhere else', async () => {
    const ctx = ctxFor('boxed');
    const res = await exec(ctx, [
      'sh',
      '-c',
      `echo made > made.txt; echo out > ${path.join(root, 'outside.txt')}; echo tmp > /tmp/sb-escape-$$`,
    ]);
    expect(await readFile(path.join(ctx.paths.workspace, 'made.txt'), 'utf8')).toBe('made\n');
    expect(res.output).toMatch(/Read-only file system/);
    await expect(readFile(path.join(root, 'outside.txt'))).rejects.toThrow(/ENOENT/);
  });

  it("cannot read the state dir, the config, ~/.ssh, the keyring files or another agent's workspace", async () => {
    const secrets = [
      path.join(loc.stateDir, 'state-secret.txt'),
      loc.configPath,
      path.join(home, '.ssh', 'id_ed25519'),
      path.join(home, '.local/share/keyrings', 'login.keyring'),
      path.join(root, 'ws-other', 'notes.md'),
    ];
    // The same command outside the sandbox reads every one of them: the denials below are the sandbox's.
    const open = await exec(ctxFor('open'), ['cat', ...secrets]);
    expect(open.output).toMatch(
      /TOPSECRET-state[\s\S]*TOPSECRET-config[\s\S]*TOPSECRET-ssh[\s\S]*TOPSECRET-keyring[\s\S]*TOPSECRET-other-agent/,
    );
    const boxed = await exec(ctxFor('boxed'), ['cat', ...secrets]);
    expect(boxed.isError).toBe(true);
    expect(boxed.output).not.toContain('TOPSECRET');
  });

  it("cannot read the gateway's environment through /proc", async () => {
    const file = `/proc/${process.pid}/environ`;
    const first = (await readFile(file, 'utf8')).split('\0')[0]!;
    expect(first).toContain('=');
    const res = await exec(ctxFor('boxed'), ['cat', file]);
    expect(res.output).not.toContain(first);
    expect(res.isError).toBe(true);
  });

  it('gets no credential from the environment', async () => {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ANTHROPIC_API_KEY: 'sk-ant-leak',
      TELEGRAM_BOT_TOKEN: 'tok-leak',
      GH_TOKEN: 'gh-leak',
    };
    const res = await exec(ctxFor('boxed', { env }), ['env']);
    expect(res.output).toMatch(/exit code: 0/);
    expect(res.output).not.toMatch(/leak|ANTHROPIC|TELEGRAM|GH_TOKEN/);
  });

  it('cannot reach a server on 127.0.0.1, directly or through the proxy, when no host is allowed', async () => {
    const port = (server.address() as AddressInfo).port;
    const script = `
      const http = require('node:http');
      const direct = () => new Promise((r) => http.get('http://127.0.0.1:${port}/', (res) => r('direct ' + res.statusCode)).on('error', (e) => r('direct error ' + e.code)));
      const proxied = () => new Promise((r) => {
        const p = new URL(process.env.HTTP_PROXY);
        const auth = Buffer.from(decodeURIComponent(p.username) + ':' + decodeURIComponent(p.password)).toString('base64');
        http.get({ host: p.hostname, port: p.port, path: 'http://127.0.0.1:${port}/', headers: { 'proxy-authorization': 'Basic ' + auth } },
          (res) => r('proxy ' + res.statusCode)).on('error', (e) => r('proxy error ' + e.code));
      });
      direct().then((a) => proxied().then((b) => console.log(a + '; ' + b)));`;
    const res = await exec(ctxFor('boxed'), [process.execPath, '-e', script]);
    expect(res.output).toMatch(/direct error ECONNREFUSED; proxy 403/);
    expect(serverHits).toBe(0);
  });

  it('a host listed in sandbox.network.allow passes the proxy; an unlisted one is refused', async () => {
    const base = config.agents.list.find((a) => a.id === 'boxed')!;
    const agent = { ...base, sandbox: { ...base.sandbox, network: { allow: ['allowed.invalid'] } } };
    const ctx = ctxFor('boxed');
    ctx.confinement = { ...ctx.confinement!, input: { ...ctx.confinement!.input, agent } };
    const script = `
      const http = require('node:http');
      const p = new URL(process.env.HTTP_PROXY);
      const auth = Buffer.from(decodeURIComponent(p.username) + ':' + decodeURIComponent(p.password)).toString('base64');
      const get = (host) => new Promise((r) => http.get({ host: p.hostname, port: p.port, path: 'http://' + host + '/', headers: { 'proxy-authorization': 'Basic ' + auth } },
        (res) => r(host + ' ' + res.statusCode + ' ' + (res.headers['x-proxy-error'] ?? 'not-blocked'))).on('error', (e) => r(host + ' error ' + e.code)));
      get('allowed.invalid').then((a) => get('denied.invalid').then((b) => console.log(a + '; ' + b)));`;
    const res = await exec(ctx, [process.execPath, '-e', script]);
    expect(res.output).toMatch(/allowed\.invalid \d+ not-blocked; denied\.invalid 403 blocked-by-[\w-]+/);
  });

  it('a setsid grandchild holding the output pipes does not keep the call alive, and is dead after it', async () => {
    const res = await exec(ctxFor('boxed'), ['sh', '-c', 'setsid sleep 311.25 & echo started'], 120_000);
    expect(res.output).toMatch(/^exit code: 0\n--- stdout ---\nstarted\n/);
    expect(await processesWith('311.25')).toEqual([]);
  });

  it('cancelling the turn kills every process the command started', async () => {
    const controller = new AbortController();
    const running = exec(
      ctxFor('boxed', { signal: controller.signal }),
      ['sh', '-c', 'sleep 312.25 & setsid sleep 312.25 & wait'],
      120_000,
    );
    await until(async () => (await processesWith('312.25')).length === 2);
    controller.abort();
    const res = await running;
    expect(res.output).toMatch(/^killed: the turn was cancelled/);
    await until(async () => (await processesWith('312.25')).length === 0);
  });
});

describe.runIf(linux)('exec without a sandbox', () => {
  it('a setsid grandchild holding the output pipes does not keep the call alive, and is dead after it', async () => {
    const res = await exec(ctxFor('open'), ['sh', '-c', 'setsid sleep 313.25 & echo started'], 120_000);
    expect(res.output).toMatch(/^exit code: 0\n--- stdout ---\nstarted\n/);
    expect(await processesWith('313.25')).toEqual([]);
  });

  it('a background process that let go of the pipes is dead after the call too', async () => {
    await exec(ctxFor('open'), ['sh', '-c', 'setsid sleep 314.25 >/dev/null 2>&1 </dev/null & echo started']);
    expect(await processesWith('314.25')).toEqual([]);
  });

  it('cancelling the turn kills the whole process group and its setsid escapee', async () => {
    const controller = new AbortController();
    const running = exec(ctxFor('open', { signal: controller.signal }), ['sh', '-c', 'sleep 315.25 & setsid sleep 315.25 & wait'], 120_000);
    await until(async () => (await processesWith('315.25')).length === 2);
    controller.abort();
    expect((await running).output).toMatch(/^killed: the turn was cancelled/);
    expect(await processesWith('315.25')).toEqual([]);
  });
});
