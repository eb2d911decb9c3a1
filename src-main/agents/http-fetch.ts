// The `fetch` the Anthropic SDK is given for model calls: the SDK still builds every request
// (URL, auth and version headers, JSON body), classifies every failure and parses the SSE stream;
// only the transport differs. Node's global fetch (undici) wraps each response in WHATWG streams,
// Headers and Request objects, and on a busy gateway that cost more CPU than the whole rest of a
// turn (bench: gateway.throughput; docs/testing.md). Here a request is one node:http(s) request on
// a keep-alive agent and the response body is the IncomingMessage itself: the SDK reads any body
// that is async-iterable directly, so no web stream is ever created.
//
// Anything this transport does not speak (a streamed or form body, a Request object) goes to the
// global fetch unchanged (to undici's fetch with a ProxyAgent when a proxy applies).
//
// Proxies (src-main/net/proxy.ts, from the env the runner was given): an https target goes through
// a CONNECT tunnel (https-proxy-agent, one keep-alive agent per proxy); an http target is sent to
// the proxy as an absolute-URI request on the ordinary keep-alive agent, as curl does.
import http from 'node:http';
import https from 'node:https';
import { proxyDispatcherFor, tunnelAgentFor } from '../net/agents.ts';
import { proxyAuthorization, proxyFor, proxySettingFor, redactProxyUrl, type ProxySetting } from '../net/proxy.ts';

/** Idle keep-alive sockets are closed after this long (undici's default keep-alive is 4 s). */
const IDLE_SOCKET_MS = 4000;

const agents = {
  http: new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
  https: new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
};

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('This operation was aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}

/**
 * Response headers for the SDK: `get`/`has`/iteration over the (already lower-cased) header map
 * node:http parsed, without building a WHATWG Headers object per response. Error responses get a
 * real `Headers` (see toResponse) so an APIError's `headers` stays what it always was.
 */
class ResponseHeaders {
  constructor(private readonly h: http.IncomingHttpHeaders) {}
  get(name: string): string | null {
    const v = this.h[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
  has(name: string): boolean {
    return this.h[name.toLowerCase()] !== undefined;
  }
  *entries(): IterableIterator<[string, string]> {
    for (const k of Object.keys(this.h).sort()) {
      const v = this.get(k);
      if (v !== null) yield [k, v];
    }
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

async function readAll(res: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function toResponse(res: http.IncomingMessage, url: string): Response {
  const status = res.statusCode ?? 0;
  const ok = status >= 200 && status < 300;
  let used = false;
  const take = (): Promise<Buffer> => {
    if (used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    used = true;
    return readAll(res);
  };
  let headers: ResponseHeaders | Headers = new ResponseHeaders(res.headers);
  if (!ok) {
    const real = new Headers();
    for (let i = 0; i < res.rawHeaders.length; i += 2) real.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    headers = real;
  }
  const response = {
    ok, status, statusText: res.statusMessage ?? '', url, redirected: false, type: 'basic' as const, headers,
    body: res,
    get bodyUsed() { return used; },
    text: async () => (await take()).toString('utf8'),
    json: async () => JSON.parse((await take()).toString('utf8')) as unknown,
    arrayBuffer: async () => { const b = await take(); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); },
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
  return async (input, init = {}) => {
    const body = init.body;
    const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (typeof input !== 'string' && !(input instanceof URL)) return fallbackFetch(input, init, opts.env);
    if (!plainBody) return fallbackFetch(input, init, opts.env);
    const url = typeof input === 'string' ? new URL(input) : input;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
    const setting = proxySettingFor(url, opts.env);
    const tunnel = setting && url.protocol === 'https:'
      ? await tunnelAgentFor(setting.url, 'model', { timeout: IDLE_SOCKET_MS, scheduling: 'lifo' })
      : undefined;
    const res = await send(url, init, { ...(setting ? { proxy: setting.url } : {}), ...(tunnel ? { tunnel } : {}), ...(opts.ca !== undefined ? { ca: opts.ca } : {}) });
    return setting && res.status === 407 ? proxyRefused(res, setting) : res;
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
    status: 407, statusText: 'Proxy Authentication Required', headers: { 'content-type': 'application/json' },
  });
}

/** The fetch without any proxy (what `createModelFetch` does with an empty env). */
export const keepAliveFetch: ModelFetch = createModelFetch({ env: {} });

interface Route { proxy?: URL; tunnel?: http.Agent; ca?: string | Buffer }

function send(url: URL, init: RequestInit, route: Route): Promise<Response> {
  const body = init.body as string | Uint8Array | null | undefined;
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));

  const headers: Record<string, string> = {};
  (init.headers instanceof Headers ? init.headers : new Headers(init.headers)).forEach((v, k) => { headers[k] = v; });
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body ?? undefined;
  if (payload !== undefined) headers['content-length'] = String(payload.byteLength);

  const secure = url.protocol === 'https:';
  const target = { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (secure ? 443 : 80), path: `${url.pathname}${url.search}` };
  let options: http.RequestOptions;
  let viaTls = secure;
  if (route.proxy && !secure) {
    // Plain http through a proxy: the request goes to the proxy with the absolute URI as its path.
    const proxy = route.proxy;
    viaTls = proxy.protocol === 'https:';
    const auth = proxyAuthorization(proxy);
    options = {
      agent: viaTls ? agents.https : agents.http, protocol: proxy.protocol,
      hostname: proxy.hostname.replace(/^\[|\]$/g, ''), port: proxy.port || (viaTls ? 443 : 80),
      path: url.href.replace(/#.*$/, ''), method: init.method ?? 'GET',
      headers: { ...headers, host: url.host, ...(auth ? { 'proxy-authorization': auth } : {}) },
    };
  } else {
    options = { ...target, agent: route.tunnel ?? (secure ? agents.https : agents.http), method: init.method ?? 'GET', headers };
  }
  if (viaTls && route.ca !== undefined) (options as https.RequestOptions).ca = route.ca;

  return new Promise<Response>((resolve, reject) => {
    let res: http.IncomingMessage | undefined;
    const onAbort = (): void => {
      const err = abortError(signal!);
      if (res) res.destroy(err);
      else req.destroy(err);
    };
    const req = (viaTls ? https : http).request(options, (r) => {
      res = r;
      // The listener lives as long as the body can be read; it goes when the body is done.
      if (signal) r.once('close', () => signal.removeEventListener('abort', onAbort));
      resolve(toResponse(r, url.href));
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
