// Checks an HTTP upgrade request before the WebSocket handshake: right path, loopback Host with our
// port (DNS-rebinding defence) and no foreign browser Origin. A refused request gets a plain HTTP
// error and its socket is destroyed, so not a single WebSocket frame from it is ever parsed.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CONTROL_PATH } from '../../src-shared/protocol/frames.ts';
import { nodeHttp } from '../net/builtin-http.ts';

export type UpgradeVerdict = { ok: true } | { ok: false; status: 400 | 403 | 404; reason: string };

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** `host:port` values a browser or client may legitimately send to a loopback server on `port`. */
export function loopbackAuthorities(port: number): Set<string> {
  const out = new Set<string>();
  for (const name of LOOPBACK_NAMES) {
    out.add(`${name}:${port}`);
    if (port === 80) out.add(name); // the default port is omitted from Host and Origin
  }
  return out;
}

export function checkUpgrade(req: IncomingMessage, port: number): UpgradeVerdict {
  const target = req.url ?? '';
  // Origin-form only ("/control?x"): an absolute-form target would name some other host.
  if (!target.startsWith('/')) return { ok: false, status: 400, reason: 'bad request target' };
  const pathname = target.split('?', 1)[0];
  if (pathname !== CONTROL_PATH) return { ok: false, status: 404, reason: 'no such endpoint' };

  const authorities = loopbackAuthorities(port);
  const hosts = req.headersDistinct.host;
  if (hosts?.length !== 1 || !authorities.has(hosts[0]!.toLowerCase())) {
    return { ok: false, status: 403, reason: 'host not allowed' };
  }
  // No Origin = not a browser (CLI, Node client): allowed, the token still has to be presented.
  // A browser page always sends one; only our own dashboard origin may connect. `null` (sandboxed
  // iframes, file://) is foreign too.
  const origins = req.headersDistinct.origin;
  if (origins !== undefined) {
    const origin = origins.length === 1 ? origins[0]!.toLowerCase() : '';
    const allowed = [...authorities].some((authority) => origin === `http://${authority}`);
    if (!allowed) return { ok: false, status: 403, reason: 'origin not allowed' };
  }
  return { ok: true };
}

/** Answers a refused upgrade with a plain HTTP status and destroys the socket once it is flushed. */
export function rejectUpgrade(socket: Duplex, status: number): void {
  socket.on('error', () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = nodeHttp.STATUS_CODES[status] ?? 'Error';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
  // A peer that never reads could keep the socket half-open; do not wait for it forever.
  setTimeout(() => socket.destroy(), 2_000).unref();
}
