// The one redaction point (docs/credentials.md#redaction; its linear-time rule in docs/security.md,
// "Redaction"): every log line, control-plane result/event/error and turn record passes through
// here. It masks the secret values this process has seen (registered as they are read from the
// keychain or the environment) and anything token-shaped.

const MASK = '[redacted]';
/** Shorter values would mask ordinary words; real keys and tokens are far longer. */
const MIN_KNOWN_LENGTH = 8;
const MAX_DEPTH = 12;

/**
 * Token shapes. Every pattern must stay linear in the text's length, because any text a peer or a
 * tool sends (a 1 MiB tool output, a chat message) passes here on the gateway's only thread. The
 * rule that keeps them linear: a match may start only at the edge of its leading run (`\b`, a
 * literal, or a lookbehind), and every quantified class is followed by a character outside it (or
 * ends the pattern), so no character is scanned by more than a fixed number of match attempts. An
 * unanchored `[\w-]{24,}\.` instead retries from every position of a long word run: 64 KiB took
 * seconds.
 * test/unit/secrets-redact-adversarial.test.ts holds the shapes that would expose a regression.
 *
 * Speed (bench `redact.adversarial`): each pattern names a literal its every match contains, and
 * is skipped when the text lacks it (one native substring scan instead of a regexp pass). No
 * capture group is re-inserted where a lookbehind can keep the prefix in place: `$1` costs an
 * extra copy per match, which 131,072 `&token=` parameters in 1 MiB made the slowest shape.
 */
const PATTERNS: { needs: string; pattern: RegExp; replacement: string }[] = [
  // Telegram Bot API URLs (`/bot<id>:<token>/getMe`, `/file/bot<id>:<token>/…`) and bare bot tokens.
  { needs: ':', pattern: /\bbot(\d{3,}):[\w-]+/g, replacement: `bot$1:${MASK}` },
  { needs: ':', pattern: /\b\d{6,}:[\w-]{30,}/g, replacement: MASK },
  { needs: 'sk-ant-', pattern: /\bsk-ant-[\w-]+/g, replacement: `sk-ant-${MASK}` },
  // Slack tokens: bot/user/refresh (xoxb-, xoxp-, xoxe-, …) and app-level (xapp-); the prefix says which kind leaked.
  { needs: 'xox', pattern: /\b(xox[a-z])-[\w-]+/g, replacement: `$1-${MASK}` },
  { needs: 'xapp-', pattern: /\bxapp-[\w-]+/g, replacement: `xapp-${MASK}` },
  // Discord bot tokens: base64 user id . timestamp . HMAC. The lookbehind starts a match only where
  // a run of token characters begins (the leftmost match always starts there anyway).
  { needs: '.', pattern: /(?<![\w-])[\w-]{24,}\.[\w-]{6}\.[\w-]{27,}/g, replacement: MASK },
  // Credentials in URLs (user:pass@host) and token-like query parameters. The query lookbehind is
  // at most 14 characters long, so each position costs a bounded check.
  { needs: '@', pattern: /(\bhttps?:\/\/)[^/\s@"']+@/gi, replacement: `$1${MASK}@` },
  { needs: '=', pattern: /(?<=[?&](?:key|api_key|apikey|token|access_token|auth)=)[^&\s#"']+/gi, replacement: MASK },
];

// Process-wide on purpose: a value read anywhere must be masked everywhere.
const known = new Set<string>();
let knownSorted: string[] = [];

/** Remembers a secret value so it is masked from now on (keychain reads, env keys, CLI input). */
export function registerSecret(value: string | null | undefined): void {
  if (!value) return;
  const v = value.trim();
  if (v.length < MIN_KNOWN_LENGTH || known.has(v)) return;
  known.add(v);
  // Longest first, so a secret that contains another is masked whole.
  knownSorted = [...known].sort((a, b) => b.length - a.length);
}

/** Masks known secrets and token-shaped strings in a text. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSorted) if (out.includes(secret)) out = out.split(secret).join(MASK);
  for (const { needs, pattern, replacement } of PATTERNS) if (out.includes(needs)) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Deep copy with every string redacted; Errors become `{ name, message, code? }` (stacks and
 * causes can carry URLs with tokens, and JSON.stringify of an Error would print `{}`).
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return { name: value.name, message: redactText(value.message), ...(code !== undefined ? { code: redactValue(code, depth + 1) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, depth + 1);
  return out;
}

/** For tests: forget registered values. */
export function clearKnownSecrets(): void {
  known.clear();
  knownSorted = [];
}
