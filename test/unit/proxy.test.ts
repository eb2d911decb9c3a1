// Specification of the proxy rules (src-main/net/proxy.ts): which variable applies to which
// target, NO_PROXY matching as curl does it, bad values as errors naming the variable, and proxy
// credentials never shown.
import { describe, expect, it } from 'vitest';
import { ProxyConfigError, proxyAuthorization, proxyFor, redactProxyUrl } from '../../src-main/net/proxy.ts';

const via = (target: string, env: Record<string, string>): string | undefined => proxyFor(target, env)?.href;

describe('which variable applies', () => {
  it('https and wss targets use HTTPS_PROXY, http and ws targets HTTP_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://secure-proxy:3128', HTTP_PROXY: 'http://plain-proxy:8080' };
    expect(via('https://api.anthropic.com/v1/messages', env)).toBe('http://secure-proxy:3128/');
    expect(via('wss://web.whatsapp.com/ws/chat', env)).toBe('http://secure-proxy:3128/');
    expect(via('http://127.0.0.1:9000/v1/messages', env)).toBe('http://plain-proxy:8080/');
    expect(via('ws://127.0.0.1:9000/', env)).toBe('http://plain-proxy:8080/');
  });

  it('an http target is not proxied by HTTPS_PROXY alone, nor an https target by HTTP_PROXY alone', () => {
    expect(via('http://example.com/', { HTTPS_PROXY: 'http://p:1' })).toBeUndefined();
    expect(via('https://example.com/', { HTTP_PROXY: 'http://p:1' })).toBeUndefined();
  });

  it('the lower-case variable wins when both spellings are set, as in curl', () => {
    expect(via('https://example.com/', { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' })).toBe('http://lower:2/');
    expect(via('http://example.com/', { HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:2' })).toBe('http://lower:2/');
  });

  it('an empty variable counts as unset', () => {
    expect(via('https://example.com/', { https_proxy: '', HTTPS_PROXY: 'http://upper:1' })).toBe('http://upper:1/');
    expect(via('https://example.com/', { HTTPS_PROXY: '  ' })).toBeUndefined();
  });

  it('a bare host:port means an http:// proxy', () => {
    expect(via('https://example.com/', { HTTPS_PROXY: 'proxy.corp:3128' })).toBe('http://proxy.corp:3128/');
  });

  it('an https:// proxy is accepted', () => {
    expect(via('https://example.com/', { HTTPS_PROXY: 'https://proxy.corp:443' })).toBe('https://proxy.corp/');
  });

  it('loopback targets are proxied like any other host unless NO_PROXY lists them', () => {
    expect(via('http://127.0.0.1:9000/', { HTTP_PROXY: 'http://p:1' })).toBe('http://p:1/');
    expect(via('http://localhost:9000/', { HTTP_PROXY: 'http://p:1' })).toBe('http://p:1/');
    expect(via('http://127.0.0.1:9000/', { HTTP_PROXY: 'http://p:1', NO_PROXY: '127.0.0.1' })).toBeUndefined();
  });
});

describe('NO_PROXY', () => {
  const P = { HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1' };
  const direct = (target: string, noProxy: string, key = 'NO_PROXY'): boolean => proxyFor(target, { ...P, [key]: noProxy }) === undefined;

  it('a plain name matches the host and its subdomains, not look-alikes', () => {
    expect(direct('https://example.com/', 'example.com')).toBe(true);
    expect(direct('https://api.example.com/', 'example.com')).toBe(true);
    expect(direct('https://notexample.com/', 'example.com')).toBe(false);
  });

  it('a leading dot (or *.) matches the domain and its subdomains', () => {
    expect(direct('https://api.example.com/', '.example.com')).toBe(true);
    expect(direct('https://example.com/', '.example.com')).toBe(true);
    expect(direct('https://api.example.com/', '*.example.com')).toBe(true);
    expect(direct('https://badexample.com/', '.example.com')).toBe(false);
  });

  it('host:port matches that port only (default ports count)', () => {
    expect(direct('http://127.0.0.1:9000/', '127.0.0.1:9000')).toBe(true);
    expect(direct('http://127.0.0.1:9001/', '127.0.0.1:9000')).toBe(false);
    expect(direct('https://example.com/', 'example.com:443')).toBe(true);
    expect(direct('http://example.com/', 'example.com:443')).toBe(false);
  });

  it('* alone means nothing is proxied', () => {
    expect(direct('https://api.anthropic.com/', '*')).toBe(true);
    expect(direct('http://10.1.2.3/', 'internal, *')).toBe(true);
  });

  it('entries are comma-separated, trimmed and case-insensitive; no_proxy wins over NO_PROXY', () => {
    expect(direct('https://API.Telegram.org/', ' foo.local , telegram.ORG ')).toBe(true);
    expect(proxyFor('https://a.com/', { ...P, no_proxy: 'b.com', NO_PROXY: 'a.com' })).toBeDefined();
    expect(direct('https://a.com/', 'a.com', 'no_proxy')).toBe(true);
  });

  it('IPv6 addresses match with or without brackets, and CIDR ranges match addresses', () => {
    expect(direct('http://[::1]:8080/', '::1')).toBe(true);
    expect(direct('http://[::1]:8080/', '[::1]:8080')).toBe(true);
    expect(direct('http://[::1]:8080/', '[::1]:9090')).toBe(false);
    expect(direct('http://10.20.30.40/', '10.0.0.0/8')).toBe(true);
    expect(direct('http://11.0.0.1/', '10.0.0.0/8')).toBe(false);
    expect(direct('http://[fd00::5]/', 'fd00::/8')).toBe(true);
  });

  it('a bypassed target never reads the proxy variable, so a broken one does not matter there', () => {
    expect(proxyFor('https://internal.corp/', { HTTPS_PROXY: 'socks5://x:1', NO_PROXY: '.corp' })).toBeUndefined();
  });
});

describe('bad values and credentials', () => {
  it('an unusable proxy URL is an error naming the variable', () => {
    const err = (() => {
      try {
        proxyFor('https://example.com/', { HTTPS_PROXY: 'http://[bad' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ProxyConfigError);
    expect((err as ProxyConfigError).variable).toBe('HTTPS_PROXY');
    expect((err as Error).message).toMatch(/^HTTPS_PROXY is not a valid proxy URL/);
  });

  it('a SOCKS proxy is refused with the variable, the scheme and what to use instead', () => {
    expect(() => proxyFor('http://example.com/', { http_proxy: 'socks5://user:hunter2-secret@127.0.0.1:1080' })).toThrow(
      'http_proxy uses socks5://, which is not supported (socks5://[redacted]@127.0.0.1:1080); use an http:// or https:// proxy',
    );
  });

  it('error messages never contain the proxy password', () => {
    for (const value of ['socks5://alice:pa55-word-xyz@h:1', 'http://alice:pa55-word-xyz@[bad', 'ftp://alice:pa55-word-xyz@h']) {
      try {
        proxyFor('https://example.com/', { HTTPS_PROXY: value });
        expect.unreachable(`${value} was accepted`);
      } catch (err) {
        expect((err as Error).message).toContain('HTTPS_PROXY');
        expect((err as Error).message).not.toContain('pa55-word-xyz');
        expect((err as Error).message).not.toContain('alice');
      }
    }
  });

  it('redactProxyUrl masks user and password and keeps host and port', () => {
    expect(redactProxyUrl('http://alice:s3cret@proxy.corp:3128')).toBe('http://[redacted]@proxy.corp:3128');
    expect(redactProxyUrl(new URL('http://alice:s3cret@proxy.corp:3128'))).toBe('http://[redacted]@proxy.corp:3128/');
    expect(redactProxyUrl('http://proxy.corp:3128')).toBe('http://proxy.corp:3128');
    expect(redactProxyUrl('http://alice:p@ss@proxy:1/x@y')).toBe('http://[redacted]@proxy:1/x@y');
    expect(redactProxyUrl('alice:s3cret@proxy:[bad')).toBe('[redacted]@proxy:[bad');
  });

  it('credentials become a Basic Proxy-Authorization, percent-decoded', () => {
    const proxy = proxyFor('https://example.com/', { HTTPS_PROXY: 'http://al%40ice:p%3Ass@proxy:3128' })!;
    expect(proxyAuthorization(proxy)).toBe(`Basic ${Buffer.from('al@ice:p:ss').toString('base64')}`);
    expect(proxyAuthorization(proxyFor('https://example.com/', { HTTPS_PROXY: 'http://proxy:3128' })!)).toBeUndefined();
  });
});
