// A minimal forward proxy on 127.0.0.1:0 for the proxy tests: CONNECT tunnels and absolute-URI
// HTTP requests, every target recorded, `Proxy-Authorization` required when credentials are set.
// Also a self-signed certificate made in-process (Node has no certificate builder, but an X.509
// certificate is a few DER structures signed with node:crypto), so https targets need no openssl.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

export interface ProxiedRequest {
  /** `CONNECT` for a tunnel, else the HTTP method of an absolute-URI request. */
  method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
  /** The Proxy-Authorization header as received (undefined when none was sent). */
  proxyAuthorization: string | undefined;
  /** False when credentials were required and these did not match (answered 407). */
  authorized: boolean;
}

export interface ProxyPeer {
  /** `http://127.0.0.1:<port>` (no credentials). */
  readonly url: string;
  readonly port: number;
  readonly requests: ProxiedRequest[];
  /** The proxy URL with credentials in it (`http://user:pass@127.0.0.1:<port>`). */
  urlWith(user: string, password: string): string;
  /** Targets asked for (CONNECT `host:port`, absolute URLs), in order. */
  targets(): string[];
  close(): Promise<void>;
}

export interface ProxyPeerOptions {
  /** Require `Proxy-Authorization: Basic base64(user:password)`; anything else gets 407. */
  credentials?: { user: string; password: string };
}

export async function startProxyPeer(opts: ProxyPeerOptions = {}): Promise<ProxyPeer> {
  const expected = opts.credentials
    ? `Basic ${Buffer.from(`${opts.credentials.user}:${opts.credentials.password}`).toString('base64')}`
    : undefined;
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const admit = (method: string, target: string, header: string | undefined): boolean => {
    const authorized = expected === undefined || header === expected;
    requests.push({ method, target, proxyAuthorization: header, authorized });
    return authorized;
  };

  const server = http.createServer((req, res) => {
    const target = req.url ?? '';
    if (!/^http:\/\//i.test(target)) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('this is a proxy: send an absolute URI or CONNECT');
      return;
    }
    if (!admit(req.method ?? 'GET', target, req.headers['proxy-authorization'])) {
      res
        .writeHead(407, { 'proxy-authenticate': 'Basic realm="test-proxy"', 'content-type': 'text/plain' })
        .end('proxy authentication required');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(target, { method: req.method, headers, agent: false }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', track);

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    if (!admit('CONNECT', target, req.headers['proxy-authorization'])) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test-proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    if (!m) {
      client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(m[2]), m[1]!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    requests,
    urlWith: (user, password) => `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    targets: () => requests.map((r) => r.target),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// --- a self-signed certificate, DER by hand -----------------------------------------------------

function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) chunk.unshift((x & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}
const seq = (...parts: Buffer[]): Buffer => der(0x30, ...parts);
const utcTime = (d: Date): Buffer => der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`));
const name = (cn: string): Buffer => seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(cn)))));

/**
 * A self-signed ECDSA P-256 certificate for `localhost` and 127.0.0.1, valid for a day: PEM key
 * and certificate, for an https test server and the `ca` its clients trust.
 */
export function selfSignedCertificate(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serial = randomBytes(8);
  // A positive INTEGER in minimal DER: top bit clear, and a first byte never 0 (a leading zero
  // byte before one under 0x80 is "illegal padding" to OpenSSL: one certificate in 256 failed).
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const now = Date.now();
  const san = seq(der(0x82, Buffer.from('localhost')), der(0x87, Buffer.from([127, 0, 0, 1])));
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ecdsaSha256,
    name('localhost'),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 86_400_000))),
    name('localhost'),
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, seq(seq(oid('2.5.29.17'), der(0x04, san)))),
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, ecdsaSha256, der(0x03, Buffer.from([0]), signature));
  const pem = cert
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${pem}\n-----END CERTIFICATE-----\n`,
  };
}
