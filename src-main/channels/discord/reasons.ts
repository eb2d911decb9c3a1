// Why a Discord account stopped, in words a user can act on (close codes, rejected tokens), plus a
// small bounded set of recently seen message ids. No discord.js at runtime.

const RESTART = 'then restart the channel (or the gateway)';

export function tokenRejectedReason(accountId: string, via: string): string {
  return `Discord rejected the bot token of account "${accountId}" (${via}). Copy a valid token from the Discord Developer Portal (your application → Bot → Reset Token) into the account's secret, ${RESTART}. Not reconnecting with this token.`;
}

const INTENTS_HELP =
  'Switchboard needs the privileged "Message Content Intent" to read messages: enable it in the Discord Developer Portal (your application → Bot → Privileged Gateway Intents)';

/** The token works but the bot could not read what people write (found before connecting). */
export function missingIntentReason(botName: string): string {
  return `The bot ${botName} does not have the Message Content intent, so it would see empty messages. ${INTENTS_HELP}, then check the token again.`;
}

/** Reason for a gateway close code that discord.js will not recover from. */
export function closeCodeReason(code: number, accountId: string): string {
  switch (code) {
    case 4004:
      return tokenRejectedReason(accountId, 'gateway close 4004 "Authentication failed"');
    case 4013:
      return `Discord rejected the gateway intents as invalid (close 4013). ${INTENTS_HELP}, ${RESTART}.`;
    case 4014:
      return `Discord refused a privileged intent (close 4014 "Disallowed intents"). ${INTENTS_HELP}, ${RESTART}.`;
    case 4010:
      return `Discord rejected the shard configuration (close 4010 "Invalid shard"); not reconnecting.`;
    case 4011:
      return `Discord requires sharding for this bot (close 4011, it is in too many servers); not reconnecting.`;
    case 4012:
      return `Discord rejected the gateway API version (close 4012); update Switchboard. Not reconnecting.`;
    default:
      return `Discord closed the gateway with code ${code}, which reconnecting cannot fix; not reconnecting.`;
  }
}

/** discord.js TokenInvalid (GET /gateway/bot answered 401) or a REST 401. */
export function isTokenRejection(err: unknown): boolean {
  const e = err as { code?: unknown; status?: unknown } | null;
  return e?.code === 'TokenInvalid' || e?.status === 401;
}

/** An error's message, with the token masked should a library ever echo it back. */
export function describeError(err: unknown, token?: string): string {
  const text = err instanceof Error ? err.message : String(err);
  return token ? text.split(token).join('[token]') : text;
}

/** Remembers the last `capacity` ids (insertion order), so a replayed message is seen once. */
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}

  /** True when `id` was already seen; records it otherwise. */
  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return false;
  }
}
