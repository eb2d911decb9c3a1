// WebSocket transport of the control plane for the headless gateway and the CLI:
// ws://127.0.0.1:<port>/control on a node:http server (which may also serve the dashboard), or the
// same frames over a local socket (`<stateDir>/control.sock`, a named pipe on Windows) for the
// desktop app, which opens no TCP port unless the user asks for one.
// Order of defences: upgrade guard (path/Host/Origin) → pre-auth budget (frames ≤ 64 KiB, a bounded
// pool of unauthenticated sockets, failed-auth cool-down) → auth frame within a deadline → frames.
// docs/security.md, "Control plane", says why each limit has the shape it has.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import { nodeHttp } from '../net/builtin-http.ts';
import type { EventTable, MethodTable } from '../../src-shared/protocol/contract.ts';
import {
  AUTH_TIMEOUT_MS,
  CLOSE_AUTH_TIMEOUT,
  CLOSE_GOING_AWAY,
  CLOSE_INTERNAL_ERROR,
  CLOSE_INVALID_DATA,
  CLOSE_RATE_LIMITED,
  CLOSE_TOO_BIG,
  CLOSE_TRY_AGAIN_LATER,
  CLOSE_UNAUTHENTICATED,
  CLOSE_UNSUPPORTED_DATA,
  CONTROL_PATH,
  MAX_FRAME_BYTES_AFTER_AUTH,
  MAX_FRAME_BYTES_BEFORE_AUTH,
  decodeClientFrame,
} from '../../src-shared/protocol/frames.ts';
import type { CallOutcome, RequestId, ServerFrame } from '../../src-shared/protocol/frames.ts';
import { AuthFailureLimiter, limiterKey } from './auth-limiter.ts';
import type { AuthLimiterOptions } from './auth-limiter.ts';
import { checkSocketUpgrade, listenOnSocket } from './local-socket.ts';
import type { ControlLog, ControlService } from './service.ts';
import { checkUpgrade, rejectUpgrade } from './upgrade-guard.ts';

export { controlSocketPath } from './local-socket.ts';

export interface ControlServerOptions<M extends MethodTable, E extends EventTable> {
  service: ControlService<M, E>;
  /** Shared secret clients present in their first frame (≥ 32 characters). Never logged. */
  token: string;
  /** Loopback only: '127.0.0.1' (default), '::1' or 'localhost'. Anything else is refused. */
  host?: string;
  /** 0 = any free port. A taken port rejects (fail loudly, no silent fall-back). Ignored with `socketPath`. */
  port: number;
  /**
   * Serve on a local socket instead of TCP: a Unix domain socket (made 0600; a stale file left by a
   * crash is replaced, a live one is an error) or a Windows named pipe. See controlSocketPath().
   * No browser can open such a socket, so any request carrying an Origin is refused.
   */
  socketPath?: string;
  /** Sent in the auth reply. */
  version: string;
  log?: ControlLog;
  /** Serves non-upgrade HTTP requests (the dashboard); default answers 404. */
  httpHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  authTimeoutMs?: number;
  rateLimit?: AuthLimiterOptions;
  /** A client whose unsent output exceeds this is dropped instead of buffering more (default 16 MiB). */
  maxBufferedBytes?: number;
  /**
   * Concurrent unauthenticated sockets (default 32). A new one past that closes the oldest with
   * 1013 rather than being refused, so idle sockets cannot keep out a client that has the token.
   */
  maxPendingAuth?: number;
  /** Concurrent authenticated clients (default 64), a budget of their own; past it, auth answers `unavailable` and closes 1013. */
  maxAuthenticated?: number;
  /** Concurrent requests per client (default 256); more are answered `unavailable`. */
  maxInFlight?: number;
}

export interface ControlServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

interface Client {
  readonly id: string;
  readonly ws: WebSocket;
  readonly address: string;
  /** Whose failed-auth budget this connection spends (limiterKey). */
  readonly limitKey: string;
  state: 'pending' | 'authed' | 'closed';
  inFlight: number;
  authTimer?: NodeJS.Timeout;
}

/** A refused peer that does not answer our close frame is cut after this, not after ws's 30 s. */
const CLOSE_GRACE_MS = 1_000;

const LOOPBACK_BIND: Record<string, string> = { '127.0.0.1': '127.0.0.1', localhost: '127.0.0.1', '::1': '::1', '[::1]': '::1' };

export async function startControlServer<M extends MethodTable, E extends EventTable>(
  opts: ControlServerOptions<M, E>,
): Promise<ControlServer> {
  const socketPath = opts.socketPath;
  const bindHost = socketPath !== undefined ? 'local' : LOOPBACK_BIND[opts.host ?? '127.0.0.1'];
  if (bindHost === undefined) {
    throw new Error(`control server host must be loopback (127.0.0.1 or ::1), got ${JSON.stringify(opts.host)}`);
  }
  if (typeof opts.token !== 'string' || opts.token.length < 32) {
    throw new Error('control token is missing or too short (need at least 32 characters)');
  }
  const log: ControlLog = opts.log ?? (() => {});
  const service = opts.service;
  const authTimeoutMs = opts.authTimeoutMs ?? AUTH_TIMEOUT_MS;
  const maxBuffered = opts.maxBufferedBytes ?? 16 * 1024 * 1024;
  const maxPending = opts.maxPendingAuth ?? 32;
  const maxAuthed = opts.maxAuthenticated ?? 64;
  const maxInFlight = opts.maxInFlight ?? 256;
  const limiter = new AuthFailureLimiter(opts.rateLimit);
  // Compare fixed-length digests so timingSafeEqual applies and the token length does not leak.
  const expectedDigest = sha256(opts.token);
  const clients = new Set<Client>();
  /** Unauthenticated clients, oldest first (a Set iterates in insertion order). */
  const pending = new Set<Client>();
  let authedCount = 0;

  const httpServer = nodeHttp.createServer(opts.httpHandler ?? notFound);
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false, // no compression: a small frame must not inflate past the limits
    // Every connection starts at the pre-auth limit, so ws refuses a bigger frame from its header
    // (1009) before buffering any of it; authentication raises it (raisePayloadLimit).
    maxPayload: MAX_FRAME_BYTES_BEFORE_AUTH,
  });
  let port = 0;

  httpServer.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const verdict = socketPath !== undefined ? checkSocketUpgrade(req) : checkUpgrade(req, port);
    if (!verdict.ok) {
      log('warn', 'control upgrade refused', { reason: verdict.reason, remoteAddress: req.socket.remoteAddress });
      rejectUpgrade(socket, verdict.status);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req));
  });

  function accept(ws: WebSocket, req: IncomingMessage): void {
    const client: Client = {
      id: randomUUID(),
      ws,
      address: normaliseAddress(req.socket.remoteAddress),
      limitKey: limiterKey(req.socket.remoteAddress),
      state: 'pending',
      inFlight: 0,
    };
    clients.add(client);
    pending.add(client);
    ws.on('error', (err) => {
      // ws closes the socket itself after a protocol error (an oversized frame is 1009).
      log('debug', 'control socket error', { clientId: client.id, err: err.message });
      retire(client);
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    });
    ws.on('close', () => forget(client));
    ws.on('message', (data, isBinary) => onMessage(client, data, isBinary));
    if (!canRaisePayloadLimit(ws)) {
      log('error', 'control server cannot raise the frame limit after auth (ws internals changed); connection refused');
      return shut(client, CLOSE_INTERNAL_ERROR, 'internal error');
    }
    if (limiter.isBlocked(client.limitKey)) return shut(client, CLOSE_RATE_LIMITED, 'too many failed attempts');
    // Over the budget the oldest unauthenticated socket makes room: a client with the token sends
    // its auth frame as soon as it is connected, so a pool of idle sockets cannot keep it out.
    if (pending.size > maxPending) {
      const oldest = pending.values().next().value!;
      log('warn', 'too many unauthenticated control connections; closing the oldest', { remoteAddress: oldest.address });
      shut(oldest, CLOSE_TRY_AGAIN_LATER, 'too many pending connections');
    }
    client.authTimer = setTimeout(() => shut(client, CLOSE_AUTH_TIMEOUT, 'auth timeout'), authTimeoutMs);
  }

  function onMessage(client: Client, data: RawData, isBinary: boolean): void {
    if (client.state === 'closed') return; // frames that raced our close are never processed
    if (client.state === 'pending') return onAuthFrame(client, data, isBinary);
    if (isBinary) return shut(client, CLOSE_UNSUPPORTED_DATA, 'text frames only');
    const decoded = decodeClientFrame(rawToString(data));
    if (!decoded.ok) {
      if (decoded.id === undefined) return shut(client, CLOSE_INVALID_DATA, decoded.message);
      sendResult(client, decoded.id, { ok: false, error: { code: 'bad_request', message: decoded.message } });
      return;
    }
    const frame = decoded.frame;
    if (frame.type !== 'req') return shut(client, CLOSE_INVALID_DATA, 'already authenticated');
    if (client.inFlight >= maxInFlight) {
      sendResult(client, frame.id, { ok: false, error: { code: 'unavailable', message: 'too many concurrent requests' } });
      return;
    }
    client.inFlight++;
    const ctx = { transport: 'ws' as const, clientId: client.id, remoteAddress: client.address };
    void service
      .call(frame.method, frame.params, ctx)
      .then((outcome) => sendResult(client, frame.id, outcome))
      .finally(() => client.inFlight--);
  }

  function onAuthFrame(client: Client, data: RawData, isBinary: boolean): void {
    if (rawLength(data) > MAX_FRAME_BYTES_BEFORE_AUTH) return shut(client, CLOSE_TOO_BIG, 'frame too large');
    const decoded = isBinary ? undefined : decodeClientFrame(rawToString(data));
    if (!decoded?.ok || decoded.frame.type !== 'auth') return shut(client, CLOSE_UNAUTHENTICATED, 'authenticate first');
    // Checked again here: sockets opened before the cool-down began must not keep guessing.
    if (limiter.isBlocked(client.limitKey)) return shut(client, CLOSE_RATE_LIMITED, 'too many failed attempts');
    clearTimeout(client.authTimer);
    if (!timingSafeEqual(sha256(decoded.frame.token), expectedDigest)) {
      limiter.recordFailure(client.limitKey);
      log('warn', 'control auth failed', { clientId: client.id, remoteAddress: client.address });
      send(client, { type: 'auth', ok: false, error: { code: 'unauthorized', message: 'invalid token' } });
      return shut(client, CLOSE_UNAUTHENTICATED, 'unauthorized');
    }
    if (authedCount >= maxAuthed) {
      log('warn', 'too many authenticated control clients; refused', { clientId: client.id, limit: maxAuthed });
      const message = `the gateway already has ${maxAuthed} control clients connected; close one and try again`;
      send(client, { type: 'auth', ok: false, error: { code: 'unavailable', message } });
      return shut(client, CLOSE_TRY_AGAIN_LATER, 'too many clients');
    }
    pending.delete(client);
    authedCount++;
    client.state = 'authed';
    raisePayloadLimit(client.ws, MAX_FRAME_BYTES_AFTER_AUTH);
    log('debug', 'control client authenticated', { clientId: client.id });
    send(client, { type: 'auth', ok: true, version: opts.version });
  }

  function sendResult(client: Client, id: RequestId, outcome: CallOutcome): void {
    const frame: ServerFrame = outcome.ok
      ? { type: 'res', id, ok: true, result: outcome.result }
      : { type: 'res', id, ok: false, error: outcome.error };
    if (send(client, frame) !== 'unserialisable') return;
    log('error', 'control result is not JSON-serialisable', { clientId: client.id });
    send(client, { type: 'res', id, ok: false, error: { code: 'internal', message: 'internal error' } });
  }

  function send(client: Client, frame: ServerFrame): 'sent' | 'skipped' | 'unserialisable' {
    let text: string;
    try {
      text = JSON.stringify(frame);
    } catch {
      return 'unserialisable';
    }
    return sendText(client, text) ? 'sent' : 'skipped';
  }

  function sendText(client: Client, text: string): boolean {
    if (client.ws.readyState !== WebSocket.OPEN) return false;
    // Checked before queuing, so one large result still goes out; the backlog is bounded by
    // maxBuffered plus one frame.
    if (client.ws.bufferedAmount > maxBuffered) {
      // A client that does not read its socket must not make the gateway hold its backlog.
      log('warn', 'control client too slow; dropped', { clientId: client.id, buffered: client.ws.bufferedAmount });
      client.state = 'closed';
      client.ws.terminate();
      return false;
    }
    client.ws.send(text);
    return true;
  }

  const unsubscribe = service.onEvent((event, data) => {
    let text: string;
    try {
      text = JSON.stringify({ type: 'event', event, data } satisfies ServerFrame);
    } catch {
      log('error', 'control event is not JSON-serialisable; dropped', { event });
      return;
    }
    for (const client of clients) if (client.state === 'authed') sendText(client, text);
  });

  function shut(client: Client, code: number, reason: string): void {
    if (client.state === 'closed') return;
    retire(client);
    try {
      client.ws.close(code, reason);
    } catch {
      client.ws.terminate();
    }
    setTimeout(() => client.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Takes a client out of the budgets (it is closing); the socket may linger until its close completes. */
  function retire(client: Client): void {
    if (client.state === 'authed') authedCount--;
    client.state = 'closed';
    pending.delete(client);
    clearTimeout(client.authTimer);
  }

  function forget(client: Client): void {
    retire(client);
    clients.delete(client);
  }

  let url: string;
  if (socketPath !== undefined) {
    await listenOnSocket(httpServer, socketPath).catch((err: unknown) => {
      unsubscribe(); // nothing will ever be sent on a server that did not start
      throw err;
    });
    url = `ws+unix://${socketPath}:${CONTROL_PATH}`;
  } else {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(err.code === 'EADDRINUSE' ? new Error(`control port ${opts.port} on ${bindHost} is already in use`) : err);
      };
      httpServer.once('error', onError);
      httpServer.listen({ port: opts.port, host: bindHost, exclusive: true }, () => {
        httpServer.off('error', onError);
        resolve();
      });
    });
    port = (httpServer.address() as AddressInfo).port;
    url = `ws://${bindHost === '::1' ? '[::1]' : bindHost}:${port}${CONTROL_PATH}`;
  }
  httpServer.on('error', (err) => log('error', 'control http server error', { err }));
  log('info', 'control server listening', { url });

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    unsubscribe();
    for (const client of clients) shut(client, CLOSE_GOING_AWAY, 'server shutting down');
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeAllConnections();
    // Give peers a moment to answer the close frame, then cut whatever is left.
    await waitUntil(() => clients.size === 0, 500);
    for (const client of clients) client.ws.terminate();
    wss.close();
    await closed;
  }

  return {
    port,
    url,
    close: () => (closing ??= close()),
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** IPv4-mapped IPv6 and plain IPv4 are the same peer for rate limiting. */
function normaliseAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

type WithReceiver = { _receiver?: { _maxPayload?: unknown } };

/**
 * ws has no public way to change one connection's frame limit, so the receiver's field is set
 * directly; canRaisePayloadLimit checks it exists when a connection opens (a ws upgrade that
 * renames it refuses connections loudly instead of silently keeping 64 KiB or 8 MiB for all).
 */
function canRaisePayloadLimit(ws: WebSocket): boolean {
  return typeof (ws as unknown as WithReceiver)._receiver?._maxPayload === 'number';
}

function raisePayloadLimit(ws: WebSocket, bytes: number): void {
  (ws as unknown as WithReceiver)._receiver!._maxPayload = bytes;
}

function rawLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, part) => n + part.length, 0);
  return data.byteLength;
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
