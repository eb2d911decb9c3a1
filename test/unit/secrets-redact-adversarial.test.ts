// Redaction stays linear on hostile text: long word runs, dots, base64-ish runs and near-miss token
// shapes are scanned without backtracking blow-up, and real tokens next to them are still masked.
// Each input is 64 KiB: a quadratic pattern takes seconds on it, so a regression fails the
// per-test guard below instead of hanging the run (bench/redact.ts measures 1 MiB).
import { afterEach, describe, expect, it } from 'vitest';
import { clearKnownSecrets, redactText, registerSecret } from '../../src-main/secrets/redact.ts';

afterEach(() => clearKnownSecrets());

const SIZE = 64 * 1024;
/** The guard: far above a linear scan of 64 KiB, far below what a quadratic one needs. */
const GUARD_MS = 2000;
const fill = (unit: string, size = SIZE): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const DISCORD = `${'M'.repeat(26)}.G1a2b3.${'x'.repeat(38)}`;

describe('text with no token in it comes back unchanged', () => {
  const cases: [string, string][] = [
    ['a run of word characters', fill('a')],
    ['a run of digits', fill('1')],
    ['a run of dashes', fill('-')],
    ['alternating word characters and dots', fill('a.')],
    ['base64-ish runs', fill('aB3_-xY9+/=')],
    ['a word run, then a Discord token whose HMAC is one character short', `${fill('a')}.abcdef.${'c'.repeat(26)}`],
    ['a word run, then a Discord token whose middle part is seven characters', `${fill('a')}.abcdefg.${'c'.repeat(30)}`],
    ['repeated Discord shapes with a five-character middle', fill(`${'a'.repeat(30)}.abcde.${'b'.repeat(20)}.`)],
    ['repeated Discord shapes with a short HMAC', fill(`${'a'.repeat(24)}.abcdef.${'c'.repeat(26)} `)],
    ['a Telegram bot id with no colon', `bot${fill('1')}`],
    ['digits, a colon and a token one character short', `${fill('1')}:${'a'.repeat(29)}`],
    ['repeated digit-colon runs', fill('111111:')],
    ['a URL whose authority never reaches an @', `http://${fill('a')}`],
    ['repeated URL schemes', fill('https://a')],
    ['repeated sk-ant prefixes without a key', fill('sk-ant ')],
  ];
  for (const [name, text] of cases) {
    it(name, { timeout: GUARD_MS }, () => {
      expect(redactText(text)).toBe(text);
    });
  }
});

describe('a real token next to hostile text is still masked', () => {
  it('a Discord token after a long word run', { timeout: GUARD_MS }, () => {
    const out = redactText(`${fill('a')} ${DISCORD} ${fill('a.')}`);
    expect(out).toBe(`${fill('a')} [redacted] ${fill('a.')}`);
  });

  it('a Telegram bot URL after a long digit run', { timeout: GUARD_MS }, () => {
    const out = redactText(`${fill('1')} https://api.telegram.org/bot123456:CANARY-token_abc/getMe`);
    expect(out).toBe(`${fill('1')} https://api.telegram.org/bot123456:[redacted]/getMe`);
  });

  it('URL credentials after a long authority-like run', { timeout: GUARD_MS }, () => {
    const out = redactText(`http://${fill('a')} then http://user:CANARY@host/`);
    expect(out).toBe(`http://${fill('a')} then http://[redacted]@host/`);
  });

  it('a registered secret after a run that nearly matches it', { timeout: GUARD_MS }, () => {
    const secret = `${'a'.repeat(39)}b`;
    registerSecret(secret);
    const out = redactText(`${fill('a')} ${secret}`);
    expect(out).toBe(`${fill('a')} [redacted]`);
  });
});
