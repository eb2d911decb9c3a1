// Why a Slack account stopped or a call failed, in words a user can act on (rejected or swapped
// tokens, Slack platform errors), and the quiet logger the Slack libraries are given. No Slack
// library at runtime.
import type { ModuleLogger } from '../../log.ts';

const RESTART = 'then restart the channel (or the gateway)';
/** Platform errors that mean the token itself is no good: reconnecting with it cannot help. */
const TOKEN_ERRORS: ReadonlySet<string> = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'user_removed_from_team',
  'team_disabled',
  'not_allowed_token_type',
  'missing_scope',
]);

export type SlackTokenKind = 'app' | 'bot';

/** The Slack platform error code of a @slack/web-api error (`invalid_auth`), if it is one. */
export function platformError(err: unknown): string | undefined {
  const e = err as { code?: unknown; data?: { error?: unknown } } | null;
  return e?.code === 'slack_webapi_platform_error' && typeof e.data?.error === 'string' ? e.data.error : undefined;
}

/** True when Slack refused the token (reconnecting cannot fix it). */
export function isTokenRejection(err: unknown): boolean {
  const code = platformError(err);
  return code !== undefined && TOKEN_ERRORS.has(code);
}

export function tokenRejectedReason(accountId: string, kind: SlackTokenKind, via: string): string {
  const where =
    kind === 'app'
      ? 'the app-level token (xapp-…, Basic Information → App-Level Tokens, scope connections:write)'
      : 'the bot token (xoxb-…, OAuth & Permissions → Bot User OAuth Token)';
  return `Slack rejected ${where} of account "${accountId}" (${via}). Copy a valid one from api.slack.com/apps into the account's secret, ${RESTART}. Not reconnecting with this token.`;
}

/** A token of the wrong kind (the two are easily swapped), or undefined when the prefix fits. */
export function tokenShapeProblem(accountId: string, kind: SlackTokenKind, token: string): string | undefined {
  const prefix = kind === 'app' ? 'xapp-' : 'xoxb-';
  if (token.startsWith(prefix)) return undefined;
  const field = kind === 'app' ? 'appToken' : 'botToken';
  return `the ${field} of slack account "${accountId}" does not start with "${prefix}": Socket Mode needs the app-level token (xapp-…) as appToken and the bot token (xoxb-…) as botToken; check the two are not swapped, ${RESTART}`;
}

/** An error's message, with the tokens masked should a library ever echo one back. */
export function describeError(err: unknown, tokens: readonly string[] = []): string {
  const code = platformError(err);
  let text = code ? `Slack answered "${code}"` : err instanceof Error ? err.message : String(err);
  for (const token of tokens) if (token) text = text.split(token).join('[token]');
  return text;
}

/** The @slack/logger interface, implemented over our logger: only warnings and errors pass (debug lines carry whole payloads). */
export interface SlackLibLogger {
  debug(...msg: unknown[]): void;
  info(...msg: unknown[]): void;
  warn(...msg: unknown[]): void;
  error(...msg: unknown[]): void;
  setLevel(level: unknown): void;
  getLevel(): never;
  setName(name: string): void;
}

export function slackLibLogger(log: ModuleLogger): SlackLibLogger {
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ');
  return {
    debug: () => {},
    info: () => {},
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.warn(text(msg)),
    setLevel: () => {},
    // The libraries compare it with their LogLevel strings; 'warn' keeps them from building debug text.
    getLevel: () => 'warn' as never,
    setName: () => {},
  };
}

/** Remembers the last `capacity` keys with a value (insertion order). */
export class RecentMap<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }
}
