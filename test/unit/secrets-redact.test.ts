// The one redaction point: known secret values and token-shaped strings are masked in text, in
// nested values and in log lines.
import { afterEach, expect, it } from 'vitest';
import { redactingLogger, streamLogger } from '../../src-main/log.ts';
import { clearKnownSecrets, redactText, redactValue, registerSecret } from '../../src-main/secrets/redact.ts';
import { channelTokenRef } from '../../src-main/secrets/resolver.ts';

afterEach(() => clearKnownSecrets());

it('masks the token in a Telegram Bot API URL', () => {
  const out = redactText('GET https://api.telegram.org/bot123456:CANARY-telegram-token_abc/getMe failed: 401');
  expect(out).not.toContain('CANARY');
  expect(out).toContain('bot123456:[redacted]/getMe');
});

it('masks a Telegram file download URL', () => {
  expect(redactText('download https://api.telegram.org/file/bot987654:AAH-file-CANARY/photos/a.jpg: 404')).not.toContain('CANARY');
});

it('masks Anthropic keys', () => {
  expect(redactText('key sk-ant-api03-CANARY_abc-def is invalid')).toBe('key sk-ant-[redacted] is invalid');
});

it('masks Slack bot and app-level tokens, keeping the prefix that says which kind it was', () => {
  expect(redactText('auth with xoxb-1234-5678-CANARYabc then xapp-1-A01-123-CANARYdef')).toBe(
    'auth with xoxb-[redacted] then xapp-[redacted]',
  );
});

it('masks Discord bot tokens', () => {
  const token = `${'M'.repeat(26)}.G1a2b3.${'x'.repeat(38)}`;
  expect(redactText(`login with ${token} failed`)).toBe('login with [redacted] failed');
});

it('masks token-like query parameters, whatever their case, and keeps the rest of the URL', () => {
  expect(redactText('GET https://h.test/x?key=K1&page=2&TOKEN=T2#frag and &Access_Token=T3 "?auth=T4"')).toBe(
    'GET https://h.test/x?key=[redacted]&page=2&TOKEN=[redacted]#frag and &Access_Token=[redacted] "?auth=[redacted]"',
  );
  // The value runs to the next `&`, space, `#` or quote, so a parameter name inside a value is masked with it.
  expect(redactText('?api_key=?apikey=V&token=')).toBe('?api_key=[redacted]&token=');
  expect(redactText('?monkey=1&tokens=2')).toBe('?monkey=1&tokens=2');
});

it('masks credentials in a URL', () => {
  expect(redactText('fetch HTTPS://user:CANARY@host.test/p failed')).toBe('fetch HTTPS://[redacted]@host.test/p failed');
});

it('masks a registered secret value wherever it appears', () => {
  registerSecret('plain-canary-value-42');
  expect(redactText('error: bad token plain-canary-value-42 (length 21)')).toBe('error: bad token [redacted] (length 21)');
});

it('leaves short registered values alone so ordinary words survive', () => {
  registerSecret('abc');
  expect(redactText('abc def')).toBe('abc def');
});

it('redacts nested values and turns errors into name and message', () => {
  registerSecret('nested-canary-value');
  const out = redactValue({ a: ['x nested-canary-value'], err: new Error('boom nested-canary-value') });
  expect(JSON.stringify(out)).not.toContain('nested-canary-value');
  expect(out).toMatchObject({ err: { name: 'Error', message: 'boom [redacted]' } });
});

it('redacts every line a stream logger writes', () => {
  registerSecret('log-canary-value-1');
  const lines: string[] = [];
  streamLogger((l) => lines.push(l)).log('error', 'failed with log-canary-value-1', {
    url: 'https://api.telegram.org/bot1234567:SECRETTOKEN/getMe',
  });
  expect(lines.join('')).not.toMatch(/log-canary-value-1|SECRETTOKEN/);
});

it('redacts what a wrapped logger receives', () => {
  registerSecret('wrapped-canary-value');
  const seen: unknown[] = [];
  redactingLogger({ log: (...args) => seen.push(args) }).log('warn', 'x wrapped-canary-value', { e: 'wrapped-canary-value' });
  expect(JSON.stringify(seen)).not.toContain('wrapped-canary-value');
});

it('uses TELEGRAM_BOT_TOKEN for the default account only', () => {
  expect(channelTokenRef({ channel: 'telegram', accountId: 'default', secrets: {} })).toEqual({ env: 'TELEGRAM_BOT_TOKEN' });
  expect(channelTokenRef({ channel: 'telegram', accountId: 'work', secrets: {} })).toBeUndefined();
});

it("prefers an account's own reference over the environment", () => {
  expect(channelTokenRef({ channel: 'discord', accountId: 'default', secrets: { token: { secret: 'discord/default' } } })).toEqual({
    secret: 'discord/default',
  });
});
