// Node client of the control plane (CLI, tests): authenticates with the first frame, correlates
// responses by id and turns server errors into ControlError. Types come from the method table;
// the server validates, so the client trusts the result shape it is sent.
import { WebSocket } from 'ws';
import type {
  EventDataOf,
  EventName,
  EventTable,
  MethodName,
  MethodTable,
  ParamsInputOf,
  ResultOf,
} from '../../src-shared/protocol/contract.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import {
  CLOSE_AUTH_TIMEOUT,
  CLOSE_RATE_LIMITED,
  CLOSE_TRY_AGAIN_LATER,
  CLOSE_UNAUTHENTICATED,
  decodeServerFrame,
} from '../../src-shared/protocol/frames.ts';
import type { ErrorCode, ServerFrame } from '../../src-shared/protocol/frames.ts';

export interface ConnectOptions {
  /** Deadline for connect + auth (default 10 s); also the default per-request deadline. */
  timeoutMs?: number;
  /** Per-request deadline; 0 disables it (default: timeoutMs, at least 30 s). */
  requestTimeoutMs?: number;
}

export interface ControlClient<M extends MethodTable = MethodTable, E extends EventTable = EventTable> {
  /** Server version from the auth reply. */
  readonly version: string;
  request<K extends MethodName<M>>(method: K, params: ParamsInputOf<M[K]>): Promise<ResultOf<M[K]>>;
  on<K extends EventName<E>>(event: K, cb: (data: EventDataOf<E[K]>) => void): () => void;
  onClose(cb: (code: number, reason: string) => void): () => void;
  close(): Promise<void>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: ControlError) => void;
  timer?: NodeJS.Timeout;
}

export function connectControl<M extends MethodTable = MethodTable, E extends EventTable = EventTable>(
  url: string,
  token: string,
  opts: ConnectOptions = {},
): Promise<ControlClient<M, E>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? Math.max(timeoutMs, 30_000);
  const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false, followRedirects: false });
  const pending = new Map<string, Pending>();
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  const closeListeners = new Set<(code: number, reason: string) => void>();
  let seq = 0;
  let version = '';

  const client: ControlClient<M, E> = {
    get version() {
      return version;
    },
    request(method, params) {
      return new Promise((resolve, reject) => {
        if (ws.readyState !== WebSocket.OPEN) {
          reject(new ControlError('unavailable', 'not connected to the gateway'));
          return;
        }
        const id = String(++seq);
        const entry: Pending = { resolve: resolve as (value: unknown) => void, reject };
        if (requestTimeoutMs > 0) {
          entry.timer = setTimeout(() => {
            pending.delete(id);
            reject(new ControlError('unavailable', `no answer to ${method} within ${requestTimeoutMs} ms`));
          }, requestTimeoutMs);
        }
        pending.set(id, entry);
        ws.send(JSON.stringify({ type: 'req', id, method, params }), (err) => {
          if (!err) return;
          settle(id)?.reject(new ControlError('unavailable', 'could not send the request'));
        });
      });
    },
    on(event, cb) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const listener = cb as (data: unknown) => void;
      set.add(listener);
      return () => set.delete(listener);
    },
    onClose(cb) {
      closeListeners.add(cb);
      return () => closeListeners.delete(cb);
    },
    close() {
      return new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close(1000);
        setTimeout(() => ws.terminate(), 1_000).unref();
      });
    },
  };

  function settle(id: string): Pending | undefined {
    const entry = pending.get(id);
    if (!entry) return undefined;
    pending.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }

  function dispatch(frame: ServerFrame): void {
    if (frame.type === 'res') {
      const entry = settle(String(frame.id));
      if (!entry) return;
      if (frame.ok) entry.resolve(frame.result);
      else entry.reject(ControlError.fromBody(frame.error));
    } else if (frame.type === 'event') {
      for (const cb of listeners.get(frame.event) ?? []) {
        try {
          cb(frame.data);
        } catch {
          // A failing listener must not break the connection or the other listeners.
        }
      }
    }
  }

  return new Promise<ControlClient<M, E>>((resolve, reject) => {
    let authed = false;
    let failed = false;
    const fail = (err: ControlError): void => {
      if (authed || failed) return;
      failed = true;
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    };
    const timer = setTimeout(() => fail(new ControlError('unavailable', `gateway did not answer within ${timeoutMs} ms`)), timeoutMs);

    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    ws.on('unexpected-response', (req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      req.destroy();
      const code: ErrorCode = status === 403 ? 'unauthorized' : status === 404 ? 'not_found' : 'unavailable';
      fail(new ControlError(code, `gateway refused the connection (HTTP ${status})`));
    });
    ws.on('error', (err: NodeJS.ErrnoException) => {
      fail(new ControlError('unavailable', `cannot reach the gateway${err.code ? ` (${err.code})` : ''}`));
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const decoded = decodeServerFrame(data.toString());
      if (!decoded.ok) return;
      const frame = decoded.frame;
      if (!authed) {
        if (frame.type !== 'auth') return;
        if (!frame.ok) return fail(ControlError.fromBody(frame.error));
        authed = true;
        version = frame.version;
        clearTimeout(timer);
        resolve(client);
        return;
      }
      dispatch(frame);
    });
    ws.on('close', (code, reasonBuf) => {
      const reason = reasonBuf.toString();
      if (!authed) return fail(closeError(code));
      for (const id of [...pending.keys()]) {
        settle(id)?.reject(new ControlError('unavailable', `connection to the gateway closed (${code})`));
      }
      for (const cb of closeListeners) cb(code, reason);
    });
  });
}

function closeError(code: number): ControlError {
  switch (code) {
    case CLOSE_UNAUTHENTICATED:
      return new ControlError('unauthorized', 'the gateway refused the token');
    case CLOSE_AUTH_TIMEOUT:
      return new ControlError('unauthorized', 'authentication timed out');
    case CLOSE_RATE_LIMITED:
      return new ControlError('unauthorized', 'too many failed authentication attempts; try again later');
    case CLOSE_TRY_AGAIN_LATER:
      return new ControlError('unavailable', 'the gateway has too many connections open; try again later');
    default:
      return new ControlError('unavailable', `connection to the gateway closed (${code})`);
  }
}
