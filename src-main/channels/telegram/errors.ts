// Reading grammy's errors without importing grammy (it loads lazily): the Bot API's error code,
// retry_after and description, which of them are unrecoverable, and the token masked out of any
// text, since grammy's network errors carry the request URL and that contains `bot<token>`.

export interface TelegramErrorInfo {
  /** The Bot API's error_code (401, 409, 429, …); undefined for network errors. */
  code?: number;
  retryAfter?: number;
  description?: string;
  message: string;
}

export function telegramError(err: unknown): TelegramErrorInfo {
  const e = err as {
    error_code?: unknown;
    description?: unknown;
    parameters?: { retry_after?: unknown };
    error?: unknown;
    message?: unknown;
  } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (e && typeof e.error_code === 'number') {
    const retryAfter = typeof e.parameters?.retry_after === 'number' ? e.parameters.retry_after : undefined;
    return {
      code: e.error_code,
      message,
      ...(retryAfter !== undefined ? { retryAfter } : {}),
      ...(typeof e.description === 'string' ? { description: e.description } : {}),
    };
  }
  // grammy's HttpError keeps the underlying fetch error in `.error`; its text says what broke.
  const inner = (e?.error as { message?: unknown } | undefined)?.message;
  return { message: typeof inner === 'string' && inner !== message ? `${message} ${inner}` : message };
}

/** Why the account cannot go on by itself, or undefined when retrying makes sense. */
export function fatalReason(info: TelegramErrorInfo): string | undefined {
  // Telegram answers 404 for a token that is not even well-formed.
  if (info.code === 401 || info.code === 404) {
    return `Telegram rejected the bot token (${info.code}); check it with @BotFather (/mybots → API Token) and update the account's botToken, then run "switchboard channels status --probe"`;
  }
  if (info.code === 409) {
    return `another program is using this bot token (409 Conflict: ${info.description ?? 'another getUpdates or a webhook'}); stop the other instance or give this account its own bot, then restart the account`;
  }
  return undefined;
}

/** `text` with the token (and anything shaped like a bot URL path) replaced. */
export function maskToken(text: string, token: string): string {
  const masked = token ? text.split(token).join('<token>') : text;
  return masked.replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot<token>');
}
