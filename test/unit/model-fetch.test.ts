// The model fetch's direct transport (src-main/agents/http-fetch.ts: undici's dispatcher, the body
// handed over as an async iterable) against real servers on 127.0.0.1: what the SDK relies on —
// status, headers, whole and streamed bodies, keep-alive, aborting, early stops and broken
// connections — plus the SDK streaming a reply through it from the local Anthropic peer.
import { getEventListeners } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { createModelFetch, keepAliveFetch } from '../../src-main/agents/http-fetch.ts';
import { createGate, startAnthropicPeer } from '../peers/anthropic.ts';
import { selfSignedCertificate } from '../peers/proxy.ts';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface Served {
  port: number;
  connections: () => number;
  closedRequests: () => number;
}

async function serve(handler: http.RequestListener, tlsCert?: { key: string; cert: string }): Promise<Served> {
  let connections = 0;
  let closedEarly = 0;
  const server = tlsCert ? https.createServer(tlsCert, handler) : http.createServer(handler);
  server.on(tlsCert ? 'secureConnection' : 'connection', () => {
    connections++;
  });
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.on('close', () => {
      if (!res.writableFinished) closedEarly++;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections, closedRequests: () => closedEarly };
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<string> {
  let s = '';
  for await (const c of body) s += Buffer.from(c).toString();
  return s;
}

describe('the direct model fetch', () => {
  it('sends method, path, query, headers and body, and answers status, headers and text', async () => {
    const { port } = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res
          .writeHead(201, 'Made', { 'content-type': 'text/plain', 'request-id': 'req_1' })
          .end(`${req.method} ${req.url} ${req.headers['x-api-key']} ${req.headers['content-length']} ${body}`);
      });
    });
    const res = await keepAliveFetch(`http://127.0.0.1:${port}/v1/messages?beta=true`, {
      method: 'POST',
      body: '{"q":"é"}',
      headers: { 'x-api-key': 'k1', 'content-type': 'application/json' },
    });
    expect([res.ok, res.status, res.statusText]).toEqual([true, 201, 'Made']);
    expect(res.headers.get('Request-ID')).toBe('req_1');
    expect(res.headers.has('content-type')).toBe(true);
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect([...res.headers.entries()].map(([k]) => k)).toEqual(expect.arrayContaining(['content-type', 'request-id', 'set-cookie']));
    expect(await res.text()).toBe('POST /v1/messages?beta=true k1 10 {"q":"é"}');
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(/already been read/);
  });

  it('gives an error response a real Headers object (what the SDK puts on an APIError)', async () => {
    const { port } = await serve((_req, res) =>
      res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end('{"type":"error"}'),
    );
    const res = await keepAliveFetch(`http://127.0.0.1:${port}/`);
    expect(res.ok).toBe(false);
    expect(res.headers).toBeInstanceOf(Headers);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ type: 'error' });
  });

  it('streams a body larger than its buffer, paused and resumed, intact and in order', async () => {
    const piece = (i: number): string => `${String(i).padStart(6, '0')}${'x'.repeat(1018)}`;
    const { port } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let i = 0;
      const more = (): void => {
        while (i < 4000) if (!res.write(piece(i++))) return void res.once('drain', more);
        res.end();
      };
      more();
    });
    const res = await keepAliveFetch(`http://127.0.0.1:${port}/big`);
    const chunks: string[] = [];
    for await (const c of res.body as unknown as AsyncIterable<Buffer>) {
      chunks.push(c.toString());
      // A slow reader: undici must pause the socket rather than pile every chunk up.
      if (chunks.length % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const text = chunks.join('');
    expect(text.length).toBe(4000 * 1024);
    for (const i of [0, 1, 1999, 3999]) expect(text.slice(i * 1024, i * 1024 + 6)).toBe(String(i).padStart(6, '0'));
  });

  it('keeps connections alive across calls', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    for (let i = 0; i < 10; i++) expect(await (await keepAliveFetch(`http://127.0.0.1:${server.port}/${i}`)).text()).toBe('ok');
    // undici may open a second socket while the first call's is still being released; no more.
    expect(server.connections()).toBeLessThanOrEqual(2);
  });

  it('an abort before the headers rejects with an AbortError and cancels the request', async () => {
    const server = await serve(() => {
      /* never answers */
    });
    const ac = new AbortController();
    const pending = keepAliveFetch(`http://127.0.0.1:${server.port}/slow`, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => server.closedRequests()).toBe(1);
    // An already aborted signal never sends anything.
    await expect(keepAliveFetch(`http://127.0.0.1:${server.port}/x`, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('an abort mid-body ends the reading with an AbortError and closes the request', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      res.write('first');
    });
    const ac = new AbortController();
    const res = await keepAliveFetch(`http://127.0.0.1:${server.port}/`, { signal: ac.signal });
    const it = (res.body as unknown as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    expect((await it.next()).value?.toString()).toBe('first');
    const next = it.next();
    ac.abort();
    await expect(next).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => server.closedRequests()).toBe(1);
  });

  it('a reader that stops early aborts the request instead of leaving it hanging', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      res.write('one');
    });
    const res = await keepAliveFetch(`http://127.0.0.1:${server.port}/`);
    for await (const c of res.body as unknown as AsyncIterable<Buffer>) {
      expect(c.toString()).toBe('one');
      break;
    }
    await expect.poll(() => server.closedRequests()).toBe(1);
  });

  it('a connection cut mid-body makes the reading throw; a refused connection rejects the call', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial', () => res.socket?.destroy());
    });
    const res = await keepAliveFetch(`http://127.0.0.1:${server.port}/`);
    await expect(collect(res.body as unknown as AsyncIterable<Buffer>)).rejects.toThrow();

    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(keepAliveFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a request undici refuses (a malformed method) rejects and leaves no abort listener behind', async () => {
    const { port } = await serve((_req, res) => res.end('never'));
    const ac = new AbortController();
    await expect(keepAliveFetch(`http://127.0.0.1:${port}/`, { signal: ac.signal, method: 'BAD METHOD' })).rejects.toThrow(/method/i);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    // A completed call leaves none either.
    expect(await (await keepAliveFetch(`http://127.0.0.1:${port}/`, { signal: ac.signal })).text()).toBe('never');
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('trusts a private CA given for https targets', async () => {
    const tlsCert = selfSignedCertificate();
    const { port } = await serve((_req, res) => res.end('secure'), tlsCert);
    expect(await (await createModelFetch({ env: {}, ca: tlsCert.cert })(`https://localhost:${port}/`)).text()).toBe('secure');
    await expect(createModelFetch({ env: {} })(`https://localhost:${port}/`)).rejects.toThrow(/certificate/i);
  });

  it('never follows a redirect: the API key is not sent on to where the endpoint points', async () => {
    const elsewhere: (string | undefined)[] = [];
    const target = await serve((req, res) => {
      elsewhere.push(req.headers['x-api-key'] as string | undefined);
      res.end('{}');
    });
    const endpoint = await serve((_req, res) => res.writeHead(307, { location: `http://127.0.0.1:${target.port}/v1/messages` }).end());
    const client = new Anthropic({
      apiKey: 'sk-redirect-test',
      baseURL: `http://127.0.0.1:${endpoint.port}`,
      maxRetries: 0,
      fetch: createModelFetch({ env: {} }),
    });
    await expect(
      client.messages.create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({
      status: 307,
    });
    expect(elsewhere).toEqual([]);
  });

  it('carries an SDK stream from the Anthropic peer, and the SDK can cancel it', async () => {
    const peer = await startAnthropicPeer({ chunkSize: 3 });
    closers.push(() => peer.close());
    const client = new Anthropic({ apiKey: 'sk-test', baseURL: peer.url, maxRetries: 0, fetch: createModelFetch({ env: {} }) });
    const stream = await client.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: 'hello over dispatch' }],
    });
    let text = '';
    const types: string[] = [];
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
    }
    expect(text).toBe('echo: hello over dispatch');
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');

    // A reply that stalls after its first delta: the SDK's abort ends the iteration (quietly, as
    // the SDK does) instead of leaving it waiting for the rest.
    const gate = createGate();
    closers.push(() => gate.open());
    peer.enqueue({ kind: 'hold', release: gate.promise, afterDeltas: 1, text: 'a reply that stalls' });
    const second = await client.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: 'stall' }],
    });
    const after: string[] = [];
    for await (const ev of second) {
      after.push(ev.type);
      if (ev.type === 'content_block_delta') second.controller.abort();
    }
    expect(after).toContain('content_block_delta');
    expect(after).not.toContain('message_stop');
  });
});
