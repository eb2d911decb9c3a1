// How a turn fails when the model call goes through a proxy (src-main/agents/turn.ts
// classifyError, src-main/agents/http-fetch.ts) against the real local forward proxy: a 407 on
// the CONNECT tunnel is the operator's proxy setting (`proxy`, not retried), a proxy that cannot
// be reached stays a network failure that is retried.
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentTurnRunner } from '../../src-main/agents/turn.ts';
import type { TurnResult } from '../../src-main/agents/turn-types.ts';
import { agentPaths } from '../../src-main/config/paths.ts';
import { AgentSessionStore } from '../../src-main/sessions/index.ts';
import { validConfig } from '../helpers/config.ts';
import { startProxyPeer, type ProxyPeer } from '../peers/proxy.ts';

const KEY = 'agent:home:main';
const USER = 'sb-user';
const PASSWORD = 'right-Pa55word-canary';
const WRONG = 'wrong-Pa55word-canary-9917';
// Never reached: the proxy refuses (or is absent) before any TLS to it starts.
const BASE_URL = 'https://api.example.test';

let proxy: ProxyPeer;
let tmp: string;
let store: AgentSessionStore;
let sleeps: number[];

beforeEach(async () => {
  proxy = await startProxyPeer({ credentials: { user: USER, password: PASSWORD } });
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-turn-proxy-')));
  store = await AgentSessionStore.open(tmp, 'home');
  sleeps = [];
});
afterEach(async () => {
  await store.close();
  await proxy.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

/** One turn of agent `home` with `env` as the runner's env (where HTTPS_PROXY is read). */
async function turnWith(env: Record<string, string>): Promise<TurnResult> {
  const loc = { stateDir: tmp, configPath: path.join(tmp, 'switchboard.json') };
  const config = validConfig({
    agents: { list: [{ id: 'home', default: true, workspace: path.join(tmp, 'workspace') }] },
    models: { anthropic: { baseUrl: BASE_URL } },
  });
  const agent = config.agents.list[0]!;
  const runner = new AgentTurnRunner({
    keys: { apiKeyFor: async () => ({ ok: true, apiKey: 'sk-test' }) },
    env,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  const { seq } = await store.append(KEY, { type: 'message', role: 'user', text: 'hi', sender: { id: 'u1' } });
  return runner.run({
    agent,
    config,
    paths: agentPaths(agent, config, loc),
    loc,
    store,
    sessionKey: KEY,
    inboundSeq: seq,
    signal: new AbortController().signal,
    inbound: {
      text: 'hi',
      sender: { id: 'u1' },
      channel: 'webchat',
      isOwner: true,
      route: {
        agentId: 'home',
        channel: 'webchat',
        accountId: 'default',
        sessionKey: KEY,
        mainSessionKey: KEY,
        matchedBy: 'default',
        bindingIndex: null,
      },
    },
  });
}

async function errorRecords(): Promise<Record<string, unknown>[]> {
  const { records } = await store.history(KEY, { limit: 100 });
  return records.filter((r) => r.type === 'error') as unknown as Record<string, unknown>[];
}

/** A 127.0.0.1 port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('a turn whose model call goes through a proxy', () => {
  it('fails as `proxy`, without a retry, when the proxy refuses the CONNECT credentials with 407', async () => {
    const res = await turnWith({ HTTPS_PROXY: proxy.urlWith(USER, WRONG) });
    expect(res.failure).toMatchObject({
      kind: 'proxy',
      message: expect.stringContaining('(from HTTPS_PROXY) refused the credentials (407 Proxy Authentication Required)'),
      userMessage: expect.stringMatching(/network proxy refused the connection; my owner needs to check the proxy settings/),
    });
    expect(proxy.requests).toEqual([expect.objectContaining({ method: 'CONNECT', target: 'api.example.test:443', authorized: false })]);
    expect(sleeps).toEqual([]);
    const errors = await errorRecords();
    expect(errors).toEqual([
      expect.objectContaining({ kind: 'proxy', message: expect.stringContaining('check the user and password in HTTPS_PROXY') }),
    ]);
    expect(JSON.stringify({ res, errors })).not.toContain(WRONG);
  });

  it('stays a retried `network` failure when the proxy cannot be reached', async () => {
    const res = await turnWith({ HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}` });
    expect(res.failure).toMatchObject({ kind: 'network', userMessage: expect.stringMatching(/could not reach the model service/) });
    expect(sleeps).toHaveLength(2); // three attempts (DEFAULT_RETRY), two waits between them
    expect(await errorRecords()).toEqual([expect.objectContaining({ kind: 'network' })]);
  });
});
