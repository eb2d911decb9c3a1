// The one redaction point (DESIGN §7): every log line, control-plane result/event/error and turn
// record passes through here. It masks the secret values this process has seen (registered as
// they are read from the keychain or the environment) and anything token-shaped.

const MASK = '[redacted]';
/** Shorter values would mask ordinary words; real keys and tokens are far longer. */
const MIN_KNOWN_LENGTH = 8;
const MAX_DEPTH = 12;

const PATTERNS: [RegExp, string][] = [
  // Telegram Bot API URLs (`/bot<id>:<token>/getMe`, `/file/bot<id>:<token>/…`) and bare bot tokens.
  [/\bbot(\d{3,}):[\w-]+/g, `bot$1:${MASK}`],
  [/\b\d{6,}:[\w-]{30,}/g, MASK],
  [/\bsk-ant-[\w-]+/g, `sk-ant-${MASK}`],
  // Discord bot tokens: base64 user id . timestamp . HMAC. Matched only from the start of a word
  // run: unanchored, every position of a long run was a new start, quadratic (16 KB: seconds).
  [/(?<![\w-])[\w-]{24,}\.[\w-]{6}\.[\w-]{27,}/g, MASK],
  // Credentials in URLs (user:pass@host) and token-like query parameters.
  [/(\bhttps?:\/\/)[^/\s@"']+@/gi, `$1${MASK}@`],
  [/([?&](?:key|api_key|apikey|token|access_token|auth)=)[^&\s#"']+/gi, `$1${MASK}`],
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
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
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
