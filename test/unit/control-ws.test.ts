// Control-plane WebSocket transport against a real server on 127.0.0.1:0 and real `ws` clients:
// upgrade guard, auth handshake, limits, dispatch and error safety, and the token file.
import { mkdtemp, rm, stat, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { defineEvent, defineMethod } from '../../src-shared/protocol/contract.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { ControlService } from '../../src-main/control/service.ts';
import type { ControlLogLevel } from '../../src-main/control/service.ts';
import { loadOrCreateToken } from '../../src-main/control/token.ts';
import { connectControl } from '../../src-main/control/ws-client.ts';
import { startControlServer } from '../../src-main/control/ws-server.ts';
import type { ControlServerOptions, ControlServer } from '../../src-main/control/ws-server.ts';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvwxyz';
const CANARY = 'sk-canary-123';

const methods = {
  echo: defineMethod({ params: z.object({ text: z.string() }), result: z.object({ text: z.string() }) }),
  fail: defineMethod({ params: z.object({}), result: z.object({}) }),
  leak: defineMethod({ params: z.object({}), result: z.object({ name: z.string() }) }),
  conflict: defineMethod({ params: z.object({}), result: z.object({}), mutating: true }),
};
const events = { tick: defineEvent(z.object({ n: z.number() })), blob: defineEvent(z.object({ data: z.string() })) };
type Methods = typeof methods;
type Events = typeof events;

interface LogEntry {
  level: ControlLogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

function makeService(logs: LogEntry[] = [], redact?: (v: unknown) => unknown) {
  return new ControlService<Methods, Events>({
    methods,
    events,
    log: (level, message, fields) => logs.push({ level, message, fields }),
    ...(redact ? { redact } : {}),
    handlers: {
      echo: async ({ text }) => ({ text }),
      fail: async () => {
        throw new Error(`cannot read /home/me/.config/keys: ${CANARY}`);
      },
      // Returns a field the schema does not declare; it must never reach the client.
      leak: async () => ({ name: 'ok', apiKey: CANARY }) as { name: string },
      conflict: async () => {
        throw new ControlError('conflict', 'config changed on disk');
      },
    },
  });
}

const servers: ControlServer[] = [];
const tmpDirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(tmpDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(overrides: Partial<ControlServerOptions<Methods, Events>> = {}) {
  const service = overrides.service ?? makeService();
  const server = await startControlServer({ service, token: TOKEN, port: 0, version: '9.9.9', ...overrides });
  servers.push(server);
  return { server, service };
}

interface RawConn {
  ws: WebSocket;
  messages: string[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A bare `ws` client that records every text frame it receives and how the socket closed. */
function openRaw(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): RawConn {
  const ws = new WebSocket(url, options);
  const messages: string[] = [];
  ws.on('error', () => {});
  ws.on('message', (data) => messages.push(data.toString()));
  const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, messages, opened, closed };
}

/** Opens a raw connection and authenticates it; resolves once the auth reply arrived. */
async function openAuthed(url: string): Promise<RawConn> {
  const conn = openRaw(url);
  await conn.opened;
  const replied = new Promise<void>((resolve) => conn.ws.once('message', () => resolve()));
  conn.ws.send(JSON.stringify({ type: 'auth', token: TOKEN }));
  await replied;
  expect(JSON.parse(conn.messages[0]!)).toEqual({ type: 'auth', ok: true, version: '9.9.9' });
  return conn;
}

function nextMessage(conn: RawConn): Promise<unknown> {
  return new Promise((resolve) => conn.ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
}

/**
 * Status of an upgrade (101 if accepted). `serverClosed` resolves when the server closes the TCP
 * socket by itself: a refused upgrade must not leave the connection open.
 */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<{ status: number; serverClosed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('error', () => {});
    ws.once('unexpected-response', (req, res) => {
      res.resume();
      const serverClosed = new Promise<void>((r) => req.socket!.once('close', () => r()));
      void serverClosed.then(() => ws.terminate());
      resolve({ status: res.statusCode ?? 0, serverClosed });
    });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, serverClosed: Promise.resolve() });
    });
    setTimeout(() => reject(new Error('no upgrade answer')), 5_000);
  });
}

describe('control WebSocket: happy path', () => {
  it('answers a request with the matching id and a typed result', async () => {
    const { server } = await start();
    const client = await connectControl<Methods, Events>(server.url, TOKEN);
    expect(client.version).toBe('9.9.9');
    const result = await client.request('echo', { text: 'hello' });
    expectTypeOf(result).toEqualTypeOf<{ text: string }>();
    expect(result).toEqual({ text: 'hello' });
    await client.close();
  });

  it('echoes the request id in the raw response frame', async () => {
    const { server } = await start();
    const conn = await openAuthed(server.url);
    conn.ws.send(JSON.stringify({ type: 'req', id: 'abc-7', method: 'echo', params: { text: 'x' } }));
    expect(await nextMessage(conn)).toEqual({ type: 'res', id: 'abc-7', ok: true, result: { text: 'x' } });
  });

  it('broadcasts events to every authenticated client', async () => {
    const { server, service } = await start();
    const a = await connectControl<Methods, Events>(server.url, TOKEN);
    const b = await connectControl<Methods, Events>(server.url, TOKEN);
    const got = (c: typeof a) => new Promise((resolve) => c.on('tick', resolve));
    const [pa, pb] = [got(a), got(b)];
    expect(service.emit('tick', { n: 1 })).toBe(true);
    expect(await pa).toEqual({ n: 1 });
    expect(await pb).toEqual({ n: 1 });
    await Promise.all([a.close(), b.close()]);
  });

  it('listens on 127.0.0.1', async () => {
    const { server } = await start();
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}/control`);
  });

  it('refuses a non-loopback host option', async () => {
    await expect(startControlServer({ service: makeService(), token: TOKEN, port: 0, version: '1', host: '0.0.0.0' })).rejects.toThrow(
      /loopback/,
    );
  });
});

describe('control WebSocket: upgrade guard', () => {
  it('rejects a foreign Origin with HTTP 403', async () => {
    const { server } = await start();
    const { status, serverClosed } = await upgradeStatus(server.url, { Origin: 'http://evil.example' });
    expect(status).toBe(403);
    await serverClosed;
  });

  it('rejects Origin: null with HTTP 403', async () => {
    const { server } = await start();
    expect((await upgradeStatus(server.url, { Origin: 'null' })).status).toBe(403);
  });

  it("accepts the server's own loopback Origin", async () => {
    const { server } = await start();
    expect((await upgradeStatus(server.url, { Origin: `http://localhost:${server.port}` })).status).toBe(101);
  });

  it('rejects a non-loopback Host (DNS rebinding) with HTTP 403', async () => {
    const { server } = await start();
    expect((await upgradeStatus(server.url, { Host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it('rejects a loopback Host with the wrong port with HTTP 403', async () => {
    const { server } = await start();
    expect((await upgradeStatus(server.url, { Host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
  });

  it('rejects an upgrade on another path', async () => {
    const { server } = await start();
    expect((await upgradeStatus(server.url.replace('/control', '/other'), {})).status).toBe(404);
  });
});

describe('control WebSocket: authentication', () => {
  it('closes 4408 when no auth frame arrives in time', async () => {
    const { server } = await start({ authTimeoutMs: 150 });
    const conn = openRaw(server.url);
    expect((await conn.closed).code).toBe(4408);
    expect(conn.messages).toEqual([]);
  });

  it('ignores a token in the query string', async () => {
    const { server } = await start({ authTimeoutMs: 150 });
    const conn = openRaw(`${server.url}?token=${TOKEN}`);
    await conn.opened;
    conn.ws.send(JSON.stringify({ type: 'req', id: 1, method: 'echo', params: { text: 'x' } }));
    expect((await conn.closed).code).toBe(4401);
    expect(conn.messages).toEqual([]);
  });

  it('answers a wrong token with ok:false, closes 4401 and processes nothing else', async () => {
    const { server } = await start();
    const conn = openRaw(server.url);
    await conn.opened;
    conn.ws.send(JSON.stringify({ type: 'auth', token: 'wrong' }));
    conn.ws.send(JSON.stringify({ type: 'req', id: 1, method: 'echo', params: { text: 'x' } }));
    expect((await conn.closed).code).toBe(4401);
    expect(conn.messages.map((m) => JSON.parse(m))).toEqual([
      { type: 'auth', ok: false, error: { code: 'unauthorized', message: 'invalid token' } },
    ]);
  });

  it('closes 4401 when the first frame is not an auth frame', async () => {
    const { server } = await start();
    const conn = openRaw(server.url);
    await conn.opened;
    conn.ws.send(JSON.stringify({ type: 'req', id: 1, method: 'echo', params: { text: 'x' } }));
    expect((await conn.closed).code).toBe(4401);
    expect(conn.messages).toEqual([]);
  });

  it('rejects connectControl with a wrong token as unauthorized', async () => {
    const { server } = await start();
    await expect(connectControl(server.url, 'nope')).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('closes the 6th wrong-token attempt within the window with 4429, until the cool-down ends', async () => {
    let now = 1_000_000;
    const { server } = await start({ rateLimit: { now: () => now, maxFailures: 5, windowMs: 60_000, cooldownMs: 60_000 } });
    const attempt = async (token: string) => {
      const conn = openRaw(server.url);
      await conn.opened;
      conn.ws.send(JSON.stringify({ type: 'auth', token }));
      return (await conn.closed).code;
    };
    for (let i = 0; i < 5; i++) expect(await attempt('wrong')).toBe(4401);
    expect(await attempt('wrong')).toBe(4429);
    expect(await attempt(TOKEN)).toBe(4429); // even the right token waits for the cool-down
    now += 60_001;
    const client = await connectControl<Methods>(server.url, TOKEN);
    expect(await client.request('echo', { text: 'back' })).toEqual({ text: 'back' });
    await client.close();
  });
});

describe('control WebSocket: frame limits', () => {
  it('closes 1009 on a first frame over 64 KiB without authenticating', async () => {
    const { server } = await start();
    const conn = openRaw(server.url);
    await conn.opened;
    conn.ws.send(JSON.stringify({ type: 'auth', token: TOKEN, pad: 'x'.repeat(65 * 1024) }));
    expect((await conn.closed).code).toBe(1009);
    expect(conn.messages).toEqual([]);
  });

  it('closes 1009 on a post-auth frame over 8 MiB and does not process it', async () => {
    const { server } = await start();
    const conn = await openAuthed(server.url);
    conn.ws.send(JSON.stringify({ type: 'req', id: 1, method: 'echo', params: { text: 'x'.repeat(8 * 1024 * 1024) } }));
    expect((await conn.closed).code).toBe(1009);
    expect(conn.messages).toHaveLength(1); // only the auth reply
  });

  it('accepts a post-auth frame above the pre-auth limit', async () => {
    const { server } = await start();
    const client = await connectControl<Methods>(server.url, TOKEN);
    const text = 'y'.repeat(1024 * 1024);
    expect(await client.request('echo', { text })).toEqual({ text });
    await client.close();
  });
});

describe('control WebSocket: dispatch and errors', () => {
  it('answers an unknown method with not_found', async () => {
    const { server } = await start();
    const client = await connectControl(server.url, TOKEN);
    await expect(client.request('nope', {})).rejects.toMatchObject({ code: 'not_found' });
    await expect(client.request('constructor', {})).rejects.toMatchObject({ code: 'not_found' });
    await client.close();
  });

  it('answers invalid params with bad_request naming the field', async () => {
    const { server } = await start();
    const client = await connectControl(server.url, TOKEN);
    const err = await client.request('echo', { text: 42 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlError);
    expect(err).toMatchObject({ code: 'bad_request', message: expect.stringContaining('text') });
    await client.close();
  });

  it('passes a handler ControlError through with its code', async () => {
    const { server } = await start();
    const client = await connectControl<Methods>(server.url, TOKEN);
    await expect(client.request('conflict', {})).rejects.toMatchObject({ code: 'conflict', message: 'config changed on disk' });
    await client.close();
  });

  it('hides a plain handler error as internal and logs the real one', async () => {
    const logs: LogEntry[] = [];
    const { server } = await start({ service: makeService(logs) });
    const conn = await openAuthed(server.url);
    conn.ws.send(JSON.stringify({ type: 'req', id: 'f1', method: 'fail', params: {} }));
    const res = (await nextMessage(conn)) as { ok: boolean; error: { code: string; message: string } };
    expect(res).toMatchObject({ type: 'res', id: 'f1', ok: false, error: { code: 'internal' } });
    expect(conn.messages.join('\n')).not.toContain(CANARY);
    expect(conn.messages.join('\n')).not.toContain('/home/me');
    const logged = logs.find((l) => l.level === 'error');
    expect(String((logged?.fields?.err as Error).message)).toContain(CANARY);
  });

  it('strips result fields the schema does not declare', async () => {
    const { server } = await start();
    const conn = await openAuthed(server.url);
    conn.ws.send(JSON.stringify({ type: 'req', id: 2, method: 'leak', params: {} }));
    expect(await nextMessage(conn)).toEqual({ type: 'res', id: 2, ok: true, result: { name: 'ok' } });
    expect(conn.messages.join('\n')).not.toContain(CANARY);
  });

  it('applies the redact hook to results and events', async () => {
    const redact = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('secret-value', '[redacted]')) as unknown;
    const service = makeService([], redact);
    const { server } = await start({ service });
    const client = await connectControl<Methods, Events>(server.url, TOKEN);
    expect(await client.request('echo', { text: 'secret-value' })).toEqual({ text: '[redacted]' });
    const event = new Promise((resolve) => client.on('tick', resolve));
    service.emit('tick', { n: 1, note: 'secret-value' } as { n: number });
    expect(await event).toEqual({ n: 1 }); // undeclared field stripped before the redactor even runs
    await client.close();
  });

  it('answers a malformed frame with a readable id with bad_request', async () => {
    const { server } = await start();
    const conn = await openAuthed(server.url);
    conn.ws.send(JSON.stringify({ type: 'req', id: 'm1', method: 5 }));
    expect(await nextMessage(conn)).toMatchObject({ type: 'res', id: 'm1', ok: false, error: { code: 'bad_request' } });
  });

  it('closes 1007 on malformed JSON after auth', async () => {
    const { server } = await start();
    const conn = await openAuthed(server.url);
    conn.ws.send('{not json');
    expect((await conn.closed).code).toBe(1007);
  });
});

describe('control WebSocket: backpressure', () => {
  it('drops a client that stops reading instead of buffering without bound', async () => {
    const logs: LogEntry[] = [];
    const service = makeService(logs);
    const log = (level: ControlLogLevel, message: string) => logs.push({ level, message });
    const { server } = await start({ service, log, maxBufferedBytes: 256 * 1024 });
    const conn = await openAuthed(server.url);
    conn.ws.pause(); // stop reading: the server's send buffer can only grow
    const payload = 'z'.repeat(64 * 1024);
    for (let n = 0; n < 2_000; n++) service.emit('blob', { data: payload });
    expect(logs.some((l) => l.message.includes('too slow'))).toBe(true);
    conn.ws.resume();
    expect((await conn.closed).code).toBe(1006); // terminated, no close handshake
    expect(conn.messages.length).toBeLessThan(2_000);
  });
});

describe('control token file', () => {
  it('creates a 0600 token file and returns the same token on the next call', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sb-token-'));
    tmpDirs.push(dir);
    const first = await loadOrCreateToken(dir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = path.join(dir, 'control-token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateToken(dir)).toBe(first);
  });

  it('tightens a token file whose mode was loosened', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sb-token-'));
    tmpDirs.push(dir);
    const token = await loadOrCreateToken(dir);
    const file = path.join(dir, 'control-token');
    await chmod(file, 0o644);
    expect(await loadOrCreateToken(dir)).toBe(token);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
