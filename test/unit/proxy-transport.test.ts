// The transports through a real local forward proxy (test/peers/proxy.ts): the model fetch
// (src-main/agents/http-fetch.ts) over a CONNECT tunnel to a TLS server with a certificate made at
// test time and as absolute-URI requests to plain http, the SDK streaming through the tunnel, and
// the agents Baileys is given for its WebSocket (the socket itself cannot be reached in tests).
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createModelFetch } from '../../src-main/agents/http-fetch.ts';
import { whatsAppNetworkOptions } from '../../src-main/channels/whatsapp/socket.ts';
import { ProxyConfigError } from '../../src-main/net/proxy.ts';
import { startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';
import { selfSignedCertificate, startProxyPeer, type ProxyPeer } from '../peers/proxy.ts';

const USER = 'sb-user';
const PASSWORD = 'pr0xy-pa55word-canary';
const { key, cert } = selfSignedCertificate();

let proxy: ProxyPeer;
const closers: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  proxy = await startProxyPeer({ credentials: { user: USER, password: PASSWORD } });
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await proxy.close();
});

/** A server on 127.0.0.1:0 answering `<method> <path> <body>`; https with the test certificate when `secure`. */
async function echoServer(secure: boolean): Promise<number> {
  const handler: http.RequestListener = (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${req.url} ${body}`));
  };
  const server = secure ? https.createServer({ key, cert }, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

describe('the model fetch through a proxy', () => {
  it('reaches an https target through a CONNECT tunnel, sending the proxy credentials', async () => {
    const port = await echoServer(true);
    const fetch = createModelFetch({ env: { HTTPS_PROXY: proxy.urlWith(USER, PASSWORD) }, ca: cert });
    const res = await fetch(`https://localhost:${port}/v1/messages?beta=true`, {
      method: 'POST',
      body: '{"q":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(await res.text()).toBe('POST /v1/messages?beta=true {"q":1}');
    expect(proxy.requests).toEqual([
      {
        method: 'CONNECT',
        target: `localhost:${port}`,
        proxyAuthorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
        authorized: true,
      },
    ]);
  });

  it('keeps the tunnel alive across calls: one agent per proxy URL, shared by fetches with the same env', async () => {
    const port = await echoServer(true);
    const env = { HTTPS_PROXY: proxy.urlWith(USER, PASSWORD) };
    for (const fetch of [createModelFetch({ env, ca: cert }), createModelFetch({ env, ca: cert })]) {
      expect(await (await fetch(`https://localhost:${port}/a`)).text()).toBe('GET /a ');
    }
    expect(proxy.targets()).toEqual([`localhost:${port}`]);
  });

  it('sends a plain http target to the proxy as an absolute-URI request', async () => {
    const port = await echoServer(false);
    const fetch = createModelFetch({ env: { HTTP_PROXY: proxy.urlWith(USER, PASSWORD) } });
    const res = await fetch(`http://127.0.0.1:${port}/v1/messages`, { method: 'POST', body: 'hello' });
    expect(await res.text()).toBe('POST /v1/messages hello');
    expect(proxy.requests).toMatchObject([{ method: 'POST', target: `http://127.0.0.1:${port}/v1/messages`, authorized: true }]);
  });

  it('a body the fast path does not speak (a form) still goes through the proxy, via undici', async () => {
    const port = await echoServer(false);
    const fetch = createModelFetch({ env: { HTTP_PROXY: proxy.urlWith(USER, PASSWORD) } });
    const res = await fetch(`http://127.0.0.1:${port}/form`, { method: 'POST', body: new URLSearchParams({ a: '1' }) });
    expect(await res.text()).toBe('POST /form a=1');
    expect(proxy.requests).toMatchObject([{ method: 'POST', target: `http://127.0.0.1:${port}/form`, authorized: true }]);
  });

  it('goes direct to a target NO_PROXY lists', async () => {
    const port = await echoServer(false);
    const fetch = createModelFetch({ env: { HTTP_PROXY: proxy.url, NO_PROXY: `127.0.0.1:${port}` } });
    expect(await (await fetch(`http://127.0.0.1:${port}/x`)).text()).toBe('GET /x ');
    expect(proxy.requests).toEqual([]);
  });

  it('a proxy refusing the credentials is a 407 API error naming the variable, with no password in it', async () => {
    const port = await echoServer(true);
    const fetch = createModelFetch({ env: { HTTPS_PROXY: proxy.urlWith(USER, 'wrong-password-canary') }, ca: cert });
    const outcome = await fetch(`https://localhost:${port}/v1/messages`).then(
      async (r) => `${r.status} ${await r.text()}`,
      (err: Error) => `error ${err.message}`,
    );
    expect(outcome).toContain(
      `407 {"type":"error","error":{"type":"proxy_authentication_required","message":"the proxy http://[redacted]@127.0.0.1:${proxy.port}/ (from HTTPS_PROXY) refused the credentials`,
    );
    expect(outcome).not.toContain('wrong-password-canary');
    expect(proxy.requests).toMatchObject([{ method: 'CONNECT', authorized: false }]);
  });

  it('an unusable proxy variable rejects the call with an error naming it', async () => {
    const fetch = createModelFetch({ env: { HTTPS_PROXY: 'socks5://u:hidden-canary@127.0.0.1:1' } });
    const err = await fetch('https://api.anthropic.com/v1/messages').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyConfigError);
    expect((err as Error).message).toMatch(/^HTTPS_PROXY uses socks5:\/\//);
    expect((err as Error).message).not.toContain('hidden-canary');
  });
});

describe('the SDK over https through the proxy', () => {
  let peer: AnthropicPeer;
  beforeEach(async () => {
    peer = await startAnthropicPeer();
  });
  afterEach(async () => {
    await peer.close();
  });

  it('streams a Messages API reply from a TLS endpoint through the tunnel', async () => {
    // TLS in front of the local Messages API peer, with the certificate made above.
    const terminator = tls.createServer({ key, cert }, (socket) => {
      const upstream = net.connect(new URL(peer.url).port as unknown as number, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => terminator.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => terminator.close(() => r())));
    const port = (terminator.address() as net.AddressInfo).port;

    const client = new Anthropic({
      apiKey: 'sk-test',
      baseURL: `https://localhost:${port}`,
      maxRetries: 0,
      fetch: createModelFetch({ env: { HTTPS_PROXY: proxy.urlWith(USER, PASSWORD) }, ca: cert }),
    });
    let text = '';
    for await (const ev of client.messages.stream({
      model: 'claude-test',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'through the tunnel' }],
    })) {
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
    }
    expect(text).toBe('echo: through the tunnel');
    expect(proxy.requests).toMatchObject([{ method: 'CONNECT', target: `localhost:${port}`, authorized: true }]);
    expect(peer.requests).toHaveLength(1);
  });
});

describe('WhatsApp (Baileys) proxy options', () => {
  it('gives Baileys an agent that carries a wss WebSocket through the proxy', async () => {
    const server = https.createServer({ key, cert });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => socket.on('message', (m: Buffer) => socket.send(`pong ${m.toString()}`)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(
      () =>
        new Promise<void>((r) => {
          for (const c of wss.clients) c.terminate();
          wss.close();
          server.close(() => r());
        }),
    );
    const port = (server.address() as net.AddressInfo).port;

    const options = await whatsAppNetworkOptions({ HTTPS_PROXY: proxy.urlWith(USER, PASSWORD) });
    expect(options.fetchAgent).toBe(options.agent); // one keep-alive tunnel agent per proxy
    expect(options.options).toHaveProperty('dispatcher');
    // What Baileys' WebSocketClient does with `agent` (ws options), against a local wss server.
    const ws = new WebSocket(`wss://localhost:${port}/ws/chat`, { agent: options.agent!, ca: cert });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => ws.send('ping'));
      ws.once('message', (m: Buffer) => resolve(m.toString()));
      ws.once('error', reject);
    });
    ws.close();
    expect(reply).toBe('pong ping');
    expect(proxy.requests).toMatchObject([{ method: 'CONNECT', target: `localhost:${port}`, authorized: true }]);
  });

  it('gives Baileys no proxy options when NO_PROXY lists WhatsApp or no proxy is set', async () => {
    expect(await whatsAppNetworkOptions({ HTTPS_PROXY: proxy.url, NO_PROXY: 'whatsapp.com,whatsapp.net' })).toEqual({});
    expect(await whatsAppNetworkOptions({})).toEqual({});
    const socketOnly = await whatsAppNetworkOptions({ HTTPS_PROXY: proxy.url, NO_PROXY: '.whatsapp.net' });
    expect(socketOnly.agent).toBeDefined();
    expect(socketOnly.fetchAgent).toBeUndefined();
  });
});
