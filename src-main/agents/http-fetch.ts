// The `fetch` the Anthropic SDK is given for model calls: the SDK still builds every request
// (URL, auth and version headers, JSON body), classifies every failure and parses the SSE stream;
// only the transport differs. Node's global fetch (undici) wraps each response in WHATWG streams,
// Headers and Request objects, and on a busy gateway that cost more CPU than the whole rest of a
// turn (bench: gateway.throughput; docs/testing.md). Here the response body is a plain async
// iterable of Buffers: the SDK reads any body that is async-iterable directly, so no web stream is
// ever created.
//
// Direct calls (no proxy: the usual case, and every call of the bench) go through undici's
// dispatcher API on a keep-alive Agent: one handler object per request, the body's chunks handed
// straight to the SDK. That costs the main thread far less than a node:http request with its
// IncomingMessage stream (figures: docs/testing.md#figures-the-code-relies-on). undici is loaded
// with the first call, so an idle gateway never loads it.
//
// Proxied calls (src-main/net/proxy.ts, from the env the runner was given) use node:http(s): an
// https target goes through a CONNECT tunnel (https-proxy-agent, one keep-alive agent per proxy)
// whose 407 we can see and explain; an http target is sent to the proxy as an absolute-URI request
// on a keep-alive agent, as curl does. Anything neither path speaks (a streamed or form body, a
// Request object) goes to the global fetch unchanged (to undici's fetch with a ProxyAgent when a
// proxy applies).
import type * as http from 'node:http';
import type * as https from 'node:https';
import type { Dispatcher } from 'undici';
import { proxyDispatcherFor, tunnelAgentFor } from '../net/agents.ts';
import { nodeHttp, nodeHttps } from '../net/builtin-http.ts';
import { proxyAuthorization, proxyFor, proxySettingFor, redactProxyUrl, type ProxySetting } from '../net/proxy.ts';

/** Idle keep-alive sockets are closed after this long (undici's default keep-alive is 4 s). */
const IDLE_SOCKET_MS = 4000;

const agents = {
  http: new nodeHttp.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
  https: new nodeHttps.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
};

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('This operation was aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}

/**
 * Response headers for the SDK: `get`/`has`/iteration over a lower-cased map of the raw header
 * pairs, without building a WHATWG Headers object per response. Error responses get a real
 * `Headers` (see toResponse) so an APIError's `headers` stays what it always was.
 */
class ResponseHeaders {
  private readonly h = new Map<string, string>();
  constructor(raw: readonly string[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const k = raw[i]!.toLowerCase();
      const prev = this.h.get(k);
      this.h.set(k, prev === undefined ? raw[i + 1]! : `${prev}, ${raw[i + 1]!}`);
    }
  }
  get(name: string): string | null {
    return this.h.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.h.has(name.toLowerCase());
  }
  *entries(): IterableIterator<[string, string]> {
    for (const k of [...this.h.keys()].sort()) yield [k, this.h.get(k)!];
  }
  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }
  forEach(fn: (value: string, key: string, parent: ResponseHeaders) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

async function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** What either transport received: status line, raw header pairs, and the body's chunks. */
interface Received {
  status: number;
  statusText: string;
  rawHeaders: readonly string[];
  body: AsyncIterable<Buffer>;
}

function toResponse(r: Received, url: string): Response {
  const ok = r.status >= 200 && r.status < 300;
  let used = false;
  const take = (): Promise<Buffer> => {
    if (used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    used = true;
    return readAll(r.body);
  };
  let headers: ResponseHeaders | Headers;
  if (ok) headers = new ResponseHeaders(r.rawHeaders);
  else {
    headers = new Headers();
    for (let i = 0; i + 1 < r.rawHeaders.length; i += 2) headers.append(r.rawHeaders[i]!, r.rawHeaders[i + 1]!);
  }
  const response = {
    ok,
    status: r.status,
    statusText: r.statusText,
    url,
    redirected: false,
    type: 'basic' as const,
    headers,
    body: r.body,
    get bodyUsed() {
      return used;
    },
    text: async () => (await take()).toString('utf8'),
    json: async () => JSON.parse((await take()).toString('utf8')) as unknown,
    arrayBuffer: async () => {
      const b = await take();
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    },
  };
  return response as unknown as Response;
}

export type ModelFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface ModelFetchOptions {
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read (the gateway's env, not process.env). */
  env: NodeJS.ProcessEnv | Readonly<Record<string, string | undefined>>;
  /** Extra trust roots for https targets (a private CA); the system's roots otherwise. */
  ca?: string | Buffer;
}

/** Anything the fast path does not speak: the global fetch, or undici's fetch through the proxy. */
async function fallbackFetch(input: string | URL | Request, init: RequestInit, env: ModelFetchOptions['env']): Promise<Response> {
  const target = typeof input === 'string' || input instanceof URL ? input : input.url;
  const proxy = proxyFor(target, env);
  if (!proxy) return fetch(input, init);
  const [{ fetch: undiciFetch }, dispatcher] = await Promise.all([import('undici'), proxyDispatcherFor(proxy)]);
  return (await undiciFetch(input as never, { ...init, dispatcher } as never)) as unknown as Response;
}

/**
 * A `fetch` for the SDK over node:http(s) keep-alive sockets (see the file comment), through the
 * proxy `env` names for each target. A proxy variable that cannot be used rejects the call with
 * a ProxyConfigError naming it.
 */
export function createModelFetch(opts: ModelFetchOptions): ModelFetch {
  // A private CA needs an Agent of its own; every other fetch shares one pool of sockets.
  let direct: Promise<Dispatcher> | undefined;
  const directDispatcher = (): Promise<Dispatcher> => (direct ??= opts.ca === undefined ? sharedDirect() : newDirect(opts.ca));
  return async (input, init = {}) => {
    const body = init.body;
    const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (typeof input !== 'string' && !(input instanceof URL)) return fallbackFetch(input, init, opts.env);
    if (!plainBody) return fallbackFetch(input, init, opts.env);
    const url = typeof input === 'string' ? new URL(input) : input;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
    const setting = proxySettingFor(url, opts.env);
    if (!setting) return dispatch(await directDispatcher(), url, init);
    const tunnel =
      setting && url.protocol === 'https:'
        ? await tunnelAgentFor(setting.url, 'model', { timeout: IDLE_SOCKET_MS, scheduling: 'lifo' })
        : undefined;
    const res = await send(url, init, {
      proxy: setting.url,
      ...(tunnel ? { tunnel } : {}),
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
    });
    return res.status === 407 ? proxyRefused(res, setting) : res;
  };
}

/**
 * A 407 on a proxied call is the proxy's, not the API's (an origin never sends one): answered as
 * an API-style error body so the SDK's error, and the log line, say what to fix.
 */
async function proxyRefused(res: Response, setting: ProxySetting): Promise<Response> {
  await res.arrayBuffer().catch(() => undefined);
  const message = `the proxy ${redactProxyUrl(setting.url)} (from ${setting.variable}) refused the credentials (407 Proxy Authentication Required); check the user and password in ${setting.variable}`;
  return new Response(JSON.stringify({ type: 'error', error: { type: 'proxy_authentication_required', message } }), {
    status: 407,
    statusText: 'Proxy Authentication Required',
    headers: { 'content-type': 'application/json' },
  });
}

/** The fetch without any proxy (what `createModelFetch` does with an empty env). */
export const keepAliveFetch: ModelFetch = createModelFetch({ env: {} });

let shared: Promise<Dispatcher> | undefined;
const sharedDirect = (): Promise<Dispatcher> => (shared ??= newDirect(undefined));

async function newDirect(ca: string | Buffer | undefined): Promise<Dispatcher> {
  const { Agent } = await import('undici');
  // No header or body timeouts of undici's own: the SDK's request timeout and the caller's
  // signal decide when a call has taken too long (as with node:http before).
  return new Agent({
    keepAliveTimeout: IDLE_SOCKET_MS,
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(ca !== undefined ? { connect: { ca } } : {}),
  });
}

const noop = (): void => {};

/** The request's headers as a plain lower-cased record (what both transports send). */
function headerRecord(init: RequestInit): Record<string, string> {
  const headers: Record<string, string> = {};
  (init.headers instanceof Headers ? init.headers : new Headers(init.headers)).forEach((v, k) => {
    headers[k] = v;
  });
  return headers;
}

/**
 * A response body fed by undici's dispatcher: the chunks it hands over, read by the SDK with
 * `for await`. More than HIGH_WATER unread chunks pause the socket until the reader catches up;
 * `return()` (a reader that stops early, or the SDK cancelling the body) aborts the request.
 */
class DispatchedBody implements AsyncIterableIterator<Buffer> {
  private static readonly HIGH_WATER = 64;
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private failure: Error | undefined;
  private waiter: { resolve: (r: IteratorResult<Buffer>) => void; reject: (e: Error) => void } | undefined;
  /** Set by the handler: resumes a paused socket, and aborts the request. */
  resume: () => void = noop;
  abort: (err: Error) => void = noop;

  /** A chunk arrived; false asks undici to pause the socket. */
  push(chunk: Buffer): boolean {
    if (this.ended) return true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: chunk, done: false });
      return true;
    }
    this.chunks.push(chunk);
    return this.chunks.length < DispatchedBody.HIGH_WATER;
  }

  /** The body is complete (no error) or broke off (`err`: unread chunks are dropped, as a destroyed stream does). */
  finish(err?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = err;
    if (err) this.chunks.length = 0;
    this.resume = noop;
    this.abort = noop;
    const w = this.waiter;
    this.waiter = undefined;
    if (!w) return;
    if (err) w.reject(err);
    else w.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.chunks.shift();
    if (chunk !== undefined) {
      if (this.chunks.length === DispatchedBody.HIGH_WATER - 1) this.resume();
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Buffer>> {
    if (!this.ended) {
      const err = new Error('the response body was not read to its end');
      err.name = 'AbortError';
      this.abort(err);
      this.finish();
    }
    this.chunks.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    return new BodyReader(this);
  }
}

const DONE: IteratorResult<Buffer> = { value: undefined, done: true };

/**
 * What `for await` over a body gets: it lets go of the body once the reading is over. The SDK
 * keeps each iterator as the held value of a FinalizationRegistry entry (to cancel streams whose
 * reader was dropped), and a held value outlives young-generation collections even after its
 * entry is unregistered. An iterator still holding the body kept the request's objects alive into
 * the old generation (the measurements: docs/testing.md#figures-the-code-relies-on).
 */
class BodyReader implements AsyncIterableIterator<Buffer> {
  constructor(private body: DispatchedBody | null) {}

  async next(): Promise<IteratorResult<Buffer>> {
    const body = this.body;
    if (!body) return DONE;
    try {
      const r = await body.next();
      if (r.done) this.body = null;
      return r;
    } catch (err) {
      this.body = null;
      throw err;
    }
  }

  return(): Promise<IteratorResult<Buffer>> {
    const body = this.body;
    this.body = null;
    return body ? body.return() : Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** One request through undici's dispatcher: resolves at the response headers; the body streams after. */
function dispatch(dispatcher: Dispatcher, url: URL, init: RequestInit): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const headers = headerRecord(init);
  const body = new DispatchedBody();
  let abortRequest: ((err: Error) => void) | undefined;
  let pendingAbort: Error | undefined;
  body.abort = (err) => {
    if (abortRequest) abortRequest(err);
    else pendingAbort = err;
  };
  return new Promise<Response>((resolve, reject) => {
    let responded = false;
    const onAbort = (): void => body.abort(abortError(signal!));
    const done = (err?: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      if (responded) body.finish(err);
      else reject(err ?? new Error('the response ended before its headers'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const handler: Dispatcher.DispatchHandlers = {
      onConnect(abort) {
        abortRequest = abort;
        if (pendingAbort) abort(pendingAbort);
      },
      onHeaders(status, raw, resume, statusText) {
        if (status < 200) return true; // 1xx: the real response follows
        body.resume = resume;
        responded = true;
        const rawHeaders = raw.map((b) => b.toString('latin1'));
        resolve(toResponse({ status, statusText, rawHeaders, body }, url.href));
        return true;
      },
      onData: (chunk) => body.push(chunk),
      onComplete: () => done(),
      onError: (err) => done(err),
    };
    try {
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
          headers,
          body: (init.body as string | Uint8Array | null | undefined) ?? null,
        },
        handler,
      );
    } catch (err) {
      // undici reports bad arguments through onError; anything thrown here ends the call the same way.
      done(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

interface Route {
  proxy: URL;
  tunnel?: http.Agent;
  ca?: string | Buffer;
}

/** One proxied request over node:http(s) (see the file comment). */
function send(url: URL, init: RequestInit, route: Route): Promise<Response> {
  const body = init.body as string | Uint8Array | null | undefined;
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));

  const headers = headerRecord(init);
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : (body ?? undefined);
  if (payload !== undefined) headers['content-length'] = String(payload.byteLength);

  const secure = url.protocol === 'https:';
  const target = {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || (secure ? 443 : 80),
    path: `${url.pathname}${url.search}`,
  };
  let options: http.RequestOptions;
  let viaTls = secure;
  if (!secure) {
    // Plain http through a proxy: the request goes to the proxy with the absolute URI as its path.
    const proxy = route.proxy;
    viaTls = proxy.protocol === 'https:';
    const auth = proxyAuthorization(proxy);
    options = {
      agent: viaTls ? agents.https : agents.http,
      protocol: proxy.protocol,
      hostname: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (viaTls ? 443 : 80),
      path: url.href.replace(/#.*$/, ''),
      method: init.method ?? 'GET',
      headers: { ...headers, host: url.host, ...(auth ? { 'proxy-authorization': auth } : {}) },
    };
  } else {
    // https through the proxy's CONNECT tunnel.
    options = { ...target, agent: route.tunnel ?? agents.https, method: init.method ?? 'GET', headers };
  }
  if (viaTls && route.ca !== undefined) (options as https.RequestOptions).ca = route.ca;

  return new Promise<Response>((resolve, reject) => {
    let res: http.IncomingMessage | undefined;
    const onAbort = (): void => {
      const err = abortError(signal!);
      if (res) res.destroy(err);
      else req.destroy(err);
    };
    const req = (viaTls ? nodeHttps : nodeHttp).request(options, (r) => {
      res = r;
      // The listener lives as long as the body can be read; it goes when the body is done.
      if (signal) r.once('close', () => signal.removeEventListener('abort', onAbort));
      resolve(toResponse({ status: r.statusCode ?? 0, statusText: r.statusMessage ?? '', rawHeaders: r.rawHeaders, body: r }, url.href));
    });
    // `on`, not `once`: a socket can fail again after the response started (the body reports that).
    req.on('error', (err) => {
      if (!res) {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      }
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(payload);
  });
}
