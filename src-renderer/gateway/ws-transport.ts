// WebSocket transport for the dashboard in a browser. It only ever connects to the page's own
// origin (`/control` on location.host): a gateway address from the URL or from page input is never
// used, which closes the one-click token theft some control UIs have. The token goes in the first
// frame only. A dropped connection is retried with backoff; pending calls fail with `unavailable`.
import type { CallOutcome, RequestId } from '../../src-shared/protocol/frames.ts';
import {
  CLOSE_AUTH_TIMEOUT,
  CLOSE_RATE_LIMITED,
  CLOSE_UNAUTHENTICATED,
  CONTROL_PATH,
  decodeServerFrame,
} from '../../src-shared/protocol/frames.ts';
import type { ConnectionState, Transport } from './transport.ts';

export interface WsTransportOptions {
  /** `ws://host:port` of the page's own origin; derived from `location` by default. */
  origin?: string;
  token: string;
  /** Injected for tests. */
  WebSocketImpl?: typeof WebSocket;
  requestTimeoutMs?: number;
}

interface Pending {
  resolve: (outcome: CallOutcome) => void;
  timer: ReturnType<typeof setTimeout>;
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

export function ownOriginWsUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${CONTROL_PATH}`;
}

export class WsTransport implements Transport {
  private ws: WebSocket | undefined;
  private current: ConnectionState = { kind: 'connecting' };
  private readonly pending = new Map<RequestId, Pending>();
  private readonly eventListeners = new Set<(event: string, data: unknown) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly queue: { frame: string; id: string }[] = [];
  private seq = 0;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly url: string;
  private readonly WS: typeof WebSocket;
  private readonly requestTimeoutMs: number;

  constructor(private readonly opts: WsTransportOptions) {
    this.url = opts.origin ? `${opts.origin}${CONTROL_PATH}` : ownOriginWsUrl();
    this.WS = opts.WebSocketImpl ?? WebSocket;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
    this.connect();
  }

  get state(): ConnectionState {
    return this.current;
  }

  request(method: string, params: unknown): Promise<CallOutcome> {
    const id = `r${++this.seq}`;
    const frame = JSON.stringify({ type: 'req', id, method, params });
    return new Promise((resolve) => {
      if (this.current.kind === 'unauthorized' || this.closed) {
        resolve({ ok: false, error: { code: 'unauthorized', message: 'not connected: the gateway needs a valid token' } });
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, error: { code: 'unavailable', message: `the gateway did not answer ${method} in time` } });
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve, timer });
      if (this.current.kind === 'open' && this.ws) this.ws.send(frame);
      else this.queue.push({ frame, id });
    });
  }

  onEvent(listener: (event: string, data: unknown) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.ws?.close(1000);
    this.failPending('the dashboard closed the connection');
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    for (const cb of this.stateListeners) cb(state);
  }

  private connect(): void {
    if (this.closed) return;
    this.setState({ kind: 'connecting' });
    let authed = false;
    const ws = new this.WS(this.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: this.opts.token }));
    ws.onmessage = (msg: MessageEvent) => {
      if (typeof msg.data !== 'string') return;
      const decoded = decodeServerFrame(msg.data);
      if (!decoded.ok) return;
      const frame = decoded.frame;
      if (frame.type === 'auth') {
        if (!frame.ok) return this.setState({ kind: 'unauthorized', message: frame.error.message });
        authed = true;
        this.attempt = 0;
        this.setState({ kind: 'open' });
        for (const queued of this.queue.splice(0)) if (this.pending.has(queued.id)) ws.send(queued.frame);
        return;
      }
      if (frame.type === 'res') {
        const entry = this.pending.get(frame.id);
        if (!entry) return;
        this.pending.delete(frame.id);
        clearTimeout(entry.timer);
        entry.resolve(frame.ok ? { ok: true, result: frame.result } : { ok: false, error: frame.error });
        return;
      }
      for (const cb of this.eventListeners) cb(frame.event, frame.data);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.closed) return;
      if (ev.code === CLOSE_UNAUTHENTICATED || ev.code === CLOSE_AUTH_TIMEOUT || ev.code === CLOSE_RATE_LIMITED) {
        const message =
          ev.code === CLOSE_RATE_LIMITED
            ? 'too many wrong tokens; wait a minute and try again'
            : ev.code === CLOSE_AUTH_TIMEOUT
              ? 'the gateway timed out waiting for the token'
              : 'the gateway refused this token';
        this.failPending(message, 'unauthorized');
        this.setState({ kind: 'unauthorized', message });
        return;
      }
      this.failPending(authed ? 'the connection to the gateway dropped' : 'cannot reach the gateway');
      const retryInMs = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)]!;
      this.setState({
        kind: 'offline',
        message: authed ? 'connection lost — reconnecting' : 'cannot reach the gateway — is it running?',
        retryInMs,
      });
      this.retryTimer = setTimeout(() => this.connect(), retryInMs);
    };
  }

  private failPending(message: string, code: 'unavailable' | 'unauthorized' = 'unavailable'): void {
    this.queue.length = 0;
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve({ ok: false, error: { code, message } });
      this.pending.delete(id);
    }
  }
}
