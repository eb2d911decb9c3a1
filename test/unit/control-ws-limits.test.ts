// Control-plane limits before authentication, against a real server on 127.0.0.1:0 and real `ws`
// clients bound to other loopback addresses (127.0.0.2, 127.0.0.3…): the pre-auth frame limit on
// the wire, the pool of unauthenticated sockets that cannot keep a token holder out, the separate
// budget of authenticated clients, and one failed-auth budget for the whole loopback range.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { defineMethod } from '../../src-shared/protocol/contract.ts';
import { limiterKey } from '../../src-main/control/auth-limiter.ts';
import { ControlService } from '../../src-main/control/service.ts';
import { connectControl } from '../../src-main/control/ws-client.ts';
import { startControlServer } from '../../src-main/control/ws-server.ts';
import type { ControlServer, ControlServerOptions } from '../../src-main/control/ws-server.ts';
import { until } from '../helpers/wait.ts';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
const methods = { echo: defineMethod({ params: z.object({ text: z.string() }), result: z.object({ text: z.string() }) }) };
type Methods = typeof methods;

const servers: ControlServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<ControlServerOptions<Methods, Record<string, never>>> = {}): Promise<ControlServer> {
  const service = new ControlService<Methods, Record<string, never>>({
    methods,
    events: {},
    handlers: { echo: async ({ text }) => ({ text }) },
  });
  const server = await startControlServer({ service, token: TOKEN, port: 0, version: '9.9.9', ...overrides });
  servers.push(server);
  return server;
}

interface RawConn {
  ws: WebSocket;
  messages: string[];
  opened: Promise<void>;
  closed: Promise<number>;
}

/** A bare `ws` client from the given loopback address that records frames and its close code. */
function openFrom(url: string, localAddress = '127.0.0.1'): RawConn {
  const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
  sockets.push(ws);
  const messages: string[] = [];
  ws.on('error', () => {});
  ws.on('message', (data) => messages.push(data.toString()));
  const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, messages, opened, closed };
}

/** An attacker's sockets, opened one after another from 127.0.0.2…127.0.0.5 and never authenticated. */
async function flood(url: string, count: number): Promise<RawConn[]> {
  const conns: RawConn[] = [];
  for (let i = 0; i < count; i++) {
    const conn = openFrom(url, `127.0.0.${2 + (i % 4)}`);
    await Promise.race([conn.opened, conn.closed]);
    conns.push(conn);
  }
  return conns;
}

/** One authentication from `localAddress`: the close code, or 'authenticated' if the server let it in. */
async function authAttempt(url: string, localAddress: string, token: string): Promise<number | 'authenticated'> {
  const conn = openFrom(url, localAddress);
  await conn.opened;
  const accepted = new Promise<'authenticated'>((resolve) =>
    conn.ws.on('message', (data) => {
      if ((JSON.parse(data.toString()) as { ok?: boolean }).ok) resolve('authenticated');
    }),
  );
  conn.ws.send(JSON.stringify({ type: 'auth', token }));
  return Promise.race([conn.closed, accepted]);
}

describe('frames before auth', () => {
  it('refuses a 1 MiB first frame with 1009 and closes the connection without answering', async () => {
    const server = await start();
    const conn = openFrom(server.url);
    await conn.opened;
    conn.ws.send(JSON.stringify({ type: 'auth', token: TOKEN, pad: 'x'.repeat(1024 * 1024) }));
    expect(await conn.closed).toBe(1009);
    expect(conn.messages).toEqual([]);
  });

  it('refuses a message past 64 KiB as it arrives, not when it ends or at the auth deadline', async () => {
    // The message never ends: a server that waited for it would close 4408 after a minute.
    const server = await start({ authTimeoutMs: 60_000 });
    const conn = openFrom(server.url);
    await conn.opened;
    conn.ws.send('{"type":"auth","pad":"'.padEnd(40 * 1024, 'x'), { fin: false });
    conn.ws.send('x'.repeat(40 * 1024), { fin: false });
    expect(await conn.closed).toBe(1009);
    expect(conn.messages).toEqual([]);
  });

  it('still accepts a frame above 64 KiB once authenticated', async () => {
    const server = await start();
    const client = await connectControl<Methods>(server.url, TOKEN);
    const text = 'y'.repeat(1024 * 1024);
    expect(await client.request('echo', { text })).toEqual({ text });
    await client.close();
  });
});

describe('unauthenticated sockets', () => {
  it('a flood of them from 127.0.0.2, 127.0.0.3… does not keep a client with the token out', async () => {
    const server = await start({ maxPendingAuth: 8, authTimeoutMs: 60_000 });
    const attacker = await flood(server.url, 24);

    const client = await connectControl<Methods>(server.url, TOKEN, { timeoutMs: 5000 });
    expect(await client.request('echo', { text: 'through' })).toEqual({ text: 'through' });

    // The oldest idle sockets were closed to make room, and the rest of the pool stays bounded.
    const closedEarly = await Promise.all(attacker.slice(0, 16).map((c) => c.closed));
    expect(closedEarly.every((code) => code === 1013)).toBe(true);

    // More flooding never touches a client that has authenticated.
    await flood(server.url, 24);
    expect(await client.request('echo', { text: 'still here' })).toEqual({ text: 'still here' });
    await client.close();
  });

  it('authenticated clients have a budget of their own, which a flood does not use up', async () => {
    const server = await start({ maxPendingAuth: 4, maxAuthenticated: 2, authTimeoutMs: 60_000 });
    const first = await connectControl<Methods>(server.url, TOKEN);
    await flood(server.url, 12);
    const second = await connectControl<Methods>(server.url, TOKEN);
    await expect(connectControl<Methods>(server.url, TOKEN)).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('already has 2 control clients connected'),
    });
    await first.close();
    // The server sees the close a moment after the client does; then the slot is free again.
    let third: Awaited<ReturnType<typeof connectControl<Methods>>> | undefined;
    await until(async () => (third = await connectControl<Methods>(server.url, TOKEN).catch(() => undefined)) !== undefined, 'a free slot');
    expect(await third!.request('echo', { text: 'in' })).toEqual({ text: 'in' });
    await Promise.all([second.close(), third!.close()]);
  });
});

describe('failed authentications', () => {
  it('from 127.0.0.2 and 127.0.0.3 count against one loopback budget', async () => {
    let now = 1_000_000;
    const server = await start({ rateLimit: { now: () => now, maxFailures: 5, windowMs: 60_000, cooldownMs: 60_000 } });
    for (let i = 0; i < 5; i++) expect(await authAttempt(server.url, i % 2 ? '127.0.0.3' : '127.0.0.2', 'wrong')).toBe(4401);
    expect(await authAttempt(server.url, '127.0.0.4', 'wrong')).toBe(4429);
    expect(await authAttempt(server.url, '127.0.0.1', TOKEN)).toBe(4429);
    now += 60_001;
    const client = await connectControl<Methods>(server.url, TOKEN);
    expect(await client.request('echo', { text: 'back' })).toEqual({ text: 'back' });
    await client.close();
  });

  it("a client's success does not clear the failures other local clients made", async () => {
    const server = await start({ rateLimit: { now: () => 1_000_000, maxFailures: 3, windowMs: 60_000, cooldownMs: 60_000 } });
    for (let i = 0; i < 2; i++) expect(await authAttempt(server.url, '127.0.0.2', 'wrong')).toBe(4401);
    const client = await connectControl<Methods>(server.url, TOKEN);
    await client.close();
    expect(await authAttempt(server.url, '127.0.0.3', 'wrong')).toBe(4401);
    expect(await authAttempt(server.url, '127.0.0.1', TOKEN)).toBe(4429);
  });

  it('key every loopback address, IPv4 and IPv6, to one budget and the local socket to another', () => {
    const keys = ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '::ffff:127.0.0.3', '::FFFF:127.1.2.3'].map(limiterKey);
    expect(new Set(keys)).toEqual(new Set(['loopback']));
    expect(limiterKey(undefined)).toBe('local-socket');
    expect(limiterKey('10.0.0.1')).toBe('10.0.0.1');
    expect(limiterKey('::ffff:10.0.0.1')).toBe('10.0.0.1');
  });
});
