// `models.anthropic.baseUrl` and ANTHROPIC_BASE_URL: https anywhere, plain http only to this machine.
import { describe, expect, it } from 'vitest';
import { InsecureEndpointError, resolveBaseUrl } from '../../src-main/agents/turn.ts';
import { errorsOf, validConfig } from '../helpers/config.ts';

const withBaseUrl = (baseUrl: string) => ({ models: { anthropic: { baseUrl } } });

describe('models.anthropic.baseUrl', () => {
  it.each(['http://api.example.com', 'http://10.0.0.5:8080/v1', 'http://192.168.1.2', 'http://[2001:db8::1]:80'])(
    '%s (plain http to another host) is an error naming the key and the host',
    (url) => {
      expect(errorsOf(withBaseUrl(url))).toEqual([
        expect.objectContaining({
          code: 'insecure_base_url',
          path: ['models', 'anthropic', 'baseUrl'],
          message: expect.stringMatching(/^models\.anthropic\.baseUrl uses plain http to .*unencrypted/),
        }),
      ]);
    },
  );

  it.each([
    'https://api.anthropic.com',
    'https://proxy.corp.example:8443/anthropic',
    'http://127.0.0.1:3',
    'http://localhost:8080',
    'http://[::1]:9',
  ])('%s is accepted', (url) => {
    expect(errorsOf(withBaseUrl(url))).toEqual([]);
  });

  it.each([['not a url'], ['ftp://api.example.com']])('%s is an invalid_base_url error', (url) => {
    expect(errorsOf(withBaseUrl(url))).toEqual([
      expect.objectContaining({ code: 'invalid_base_url', path: ['models', 'anthropic', 'baseUrl'] }),
    ]);
  });
});

describe('ANTHROPIC_BASE_URL', () => {
  const none = validConfig({});
  it('plain http to another host is refused with a message naming the variable', () => {
    expect(() => resolveBaseUrl(none, { ANTHROPIC_BASE_URL: 'http://models.example.com' })).toThrow(InsecureEndpointError);
    expect(() => resolveBaseUrl(none, { ANTHROPIC_BASE_URL: 'http://models.example.com' })).toThrow(
      /^ANTHROPIC_BASE_URL uses plain http to models\.example\.com/,
    );
  });
  it('https, or http to loopback, is used', () => {
    expect(resolveBaseUrl(none, { ANTHROPIC_BASE_URL: ' https://models.example.com ' })).toBe('https://models.example.com');
    expect(resolveBaseUrl(none, { ANTHROPIC_BASE_URL: 'http://127.0.0.1:7' })).toBe('http://127.0.0.1:7');
  });
  it('the config’s endpoint wins, so a bad variable does not matter then', () => {
    expect(resolveBaseUrl(validConfig(withBaseUrl('https://a.example')), { ANTHROPIC_BASE_URL: 'http://b.example' })).toBe(
      'https://a.example',
    );
  });
});
