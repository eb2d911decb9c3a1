// Which forward proxy an outbound connection goes through (docs/channels.md#proxies), by curl's
// rules, from the env the gateway was given — never process.env read in passing. Loopback is not special: 127.0.0.1 and localhost are proxied like any host unless
// NO_PROXY lists them (curl does the same; a silent exception would hide a misconfiguration).
import net from 'node:net';
import { registerSecret } from '../secrets/redact.ts';

type Env = NodeJS.ProcessEnv | Readonly<Record<string, string | undefined>>;

/** A proxy variable that cannot be used; the message names the variable, never the credentials. */
export class ProxyConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProxyConfigError';
  }
}

/** `http://user:pass@proxy:3128/` → `http://[redacted]@proxy:3128/`: the form a proxy URL may take in a message. */
export function redactProxyUrl(url: string | URL): string {
  // By pattern, not by parsing: a malformed value ("user:pass@host" parses as scheme "user:")
  // must be masked as surely as a good one. Greedy up to the authority's last "@".
  return String(url).replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}[redacted]@`);
}

/** The first set, non-empty variable of `names` (lower-case first, as curl reads them). */
function pick(env: Env, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** Parses and checks a proxy variable's value; a bare `host:port` means `http://host:port`. */
export function parseProxyUrl(variable: string, value: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ProxyConfigError(
      variable,
      `${variable} is not a valid proxy URL (${redactProxyUrl(value)}); expected http://[user:password@]host:port`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProxyConfigError(
      variable,
      `${variable} uses ${url.protocol.slice(0, -1)}://, which is not supported (${redactProxyUrl(url)}); use an http:// or https:// proxy`,
    );
  }
  if (!url.hostname) throw new ProxyConfigError(variable, `${variable} names no proxy host (${redactProxyUrl(url)})`);
  // Whatever this process prints from now on masks the password, wherever it ends up.
  registerSecret(decodeURIComponent(url.password));
  return url;
}

const defaultPort = (protocol: string): string => (protocol === 'https:' || protocol === 'wss:' ? '443' : '80');
const bare = (host: string): string =>
  host
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();

/** One NO_PROXY entry against a target host (lower-case, no brackets) and port. */
function entryMatches(entry: string, host: string, port: string): boolean {
  let name = entry;
  let entryPort: string | undefined;
  // `host:port`, `[v6]:port`; a bare IPv6 address has colons but no port.
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(name);
  if (v6) {
    name = v6[1]!;
    entryPort = v6[2];
  } else if (net.isIPv6(name)) {
    // an IPv6 address without a port
  } else {
    const m = /^(.*):(\d+)$/.exec(name);
    if (m) {
      name = m[1]!;
      entryPort = m[2];
    }
  }
  if (entryPort !== undefined && entryPort !== port) return false;
  name = bare(name);
  const slash = name.indexOf('/');
  if (slash > 0 && net.isIP(host)) {
    // CIDR (`10.0.0.0/8`, `fd00::/8`), as curl ≥ 7.86 reads it.
    const addr = name.slice(0, slash);
    const bits = Number(name.slice(slash + 1));
    const family = net.isIP(addr) === 6 ? 'ipv6' : net.isIP(addr) === 4 ? 'ipv4' : undefined;
    if (!family || !Number.isInteger(bits)) return false;
    const list = new net.BlockList();
    try {
      list.addSubnet(addr, bits, family);
    } catch {
      return false;
    }
    return list.check(host, net.isIP(host) === 6 ? 'ipv6' : 'ipv4');
  }
  if (name.startsWith('*.')) name = name.slice(1);
  if (name.startsWith('.')) return host.endsWith(name) || host === name.slice(1);
  return host === name || host.endsWith(`.${name}`);
}

/** True when NO_PROXY / no_proxy says `target` is reached directly. */
export function bypassesProxy(target: URL, env: Env): boolean {
  const list = pick(env, ['no_proxy', 'NO_PROXY'])?.value;
  if (!list) return false;
  const host = bare(target.hostname);
  const port = target.port || defaultPort(target.protocol);
  for (const raw of list.split(/[\s,]+/)) {
    const entry = raw.trim();
    if (!entry) continue;
    if (entry === '*') return true;
    if (entryMatches(entry, host, port)) return true;
  }
  return false;
}

/** A proxy that applies to a target, and the variable it came from (for messages). */
export interface ProxySetting {
  url: URL;
  variable: string;
}

/**
 * The proxy to use for `target`, or undefined for a direct connection. https:/wss: targets use
 * https_proxy / HTTPS_PROXY, http:/ws: targets http_proxy / HTTP_PROXY (lower-case wins when
 * both are set); NO_PROXY / no_proxy lists hosts reached directly (see docs/channels.md
 * "Proxies"). Throws ProxyConfigError for a proxy URL that cannot be used.
 */
export function proxySettingFor(target: string | URL, env: Env): ProxySetting | undefined {
  const url = typeof target === 'string' ? new URL(target) : target;
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!secure && url.protocol !== 'http:' && url.protocol !== 'ws:') return undefined;
  const chosen = pick(env, secure ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY']);
  if (!chosen) return undefined;
  if (bypassesProxy(url, env)) return undefined;
  return { url: parseProxyUrl(chosen.name, chosen.value), variable: chosen.name };
}

/** The proxy URL for `target` (see proxySettingFor), or undefined for a direct connection. */
export function proxyFor(target: string | URL, env: Env): URL | undefined {
  return proxySettingFor(target, env)?.url;
}

/** The `Proxy-Authorization` value for a proxy URL's credentials, if it has any. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  return `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
}
