// The Telegram ChannelAdapter for one bot account: long polling with getUpdates (each update
// handed to the gateway once; the offset advances only after the gateway holds it), paced and
// chunked replies, typing, and a connection life that reconnects on network trouble but stops
// and says why on a bad token (401) or a second poller (409). grammy loads only in start()/probe().
import type { Api } from 'grammy';
import type { Agent } from 'node:http';
import type { Message, Update, UserFromGetMe } from 'grammy/types';
import type { ChannelAccount, SecretRef, SwitchboardConfig } from '../../../src-shared/config/index.ts';
import type { ChannelAdapter, ChannelState, ChannelStatus, InboundEnvelope, OutboundMessage, ProbeResult } from '../../gateway/envelope.ts';
import { createLogger, type Logger, type ModuleLogger } from '../../log.ts';
import { tunnelAgentFor } from '../../net/agents.ts';
import { proxyFor } from '../../net/proxy.ts';
import type { SecretResolver } from '../../secrets/resolver.ts';
import { Backoff, sleep, type BackoffOptions } from '../backoff.ts';
import { CHUNK_LIMITS, chunkText } from '../chunk.ts';
import { deferImages, DEFAULT_IMAGE_LIMITS, downloadCapped, type ImageLimits } from '../media.ts';
import { telegramError, maskToken, fatalReason } from './errors.ts';
import { ALLOWED_UPDATES, chatTarget, readUpdate, telegramMessageId, type BotIdentity } from './mapping.ts';
import { DEFAULT_OUTBOX_LIMITS, Outbox, type OutboxLimits } from './outbox.ts';
import { Quarantine } from '../quarantine.ts';
import { accountStatus } from '../status.ts';

export interface TelegramTiming extends Partial<OutboxLimits> {
  /** getUpdates long-poll timeout (Telegram allows up to 50 s). */
  pollTimeoutSeconds?: number;
  /** Reconnect delays after network errors. */
  backoff?: BackoffOptions;
  /** How often the gateway may fail to take one update before it is skipped (logged). */
  sinkAttempts?: number;
  /** Time allowed at stop() to confirm the last offset to Telegram. */
  stopConfirmMs?: number;
}

export interface TelegramAdapterDeps {
  secrets: SecretResolver;
  log: Logger;
  /** Told about every state change (the control plane's `channel.state` event). */
  emit?: (event: 'channel.state', status: ChannelStatus) => void;
  timing?: TelegramTiming;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Image download caps (default DEFAULT_IMAGE_LIMITS). */
  media?: Partial<ImageLimits>;
  /** Where unreadable updates are kept (`<stateDir>/quarantine/telegram/<account>.jsonl`); without it they are only logged. */
  stateDir?: string;
}

export interface TelegramAdapter extends ChannelAdapter {
  probe(): Promise<ProbeResult>;
}

type Sink = (envelope: InboundEnvelope) => Promise<void>;
/** grammy types its signals with the abort-controller shim; Node's own AbortSignal works at run time. */
type GrammySignal = NonNullable<Parameters<Api['getMe']>[0]>;
const sig = (signal: AbortSignal): GrammySignal => signal as unknown as GrammySignal;

/** The account's bot token reference; the default account falls back to TELEGRAM_BOT_TOKEN. */
function tokenRef(account: ChannelAccount): SecretRef | undefined {
  return account.secrets.botToken ?? (account.accountId === 'default' ? { env: 'TELEGRAM_BOT_TOKEN' } : undefined);
}

const DEFAULT_API_ROOT = 'https://api.telegram.org';

function apiRootOf(account: ChannelAccount): string | undefined {
  const root = account.settings.apiRoot;
  return typeof root === 'string' && root.trim() !== '' ? root.trim().replace(/\/+$/, '') : undefined;
}

export function createTelegramAdapter(account: ChannelAccount, _config: SwitchboardConfig, deps: TelegramAdapterDeps): TelegramAdapter {
  return new TelegramBotAdapter(account, deps);
}

class TelegramBotAdapter implements TelegramAdapter {
  readonly channel = 'telegram' as const;
  readonly accountId: string;
  private readonly log: ModuleLogger;
  private state: ChannelState = 'stopped';
  private reason: string | undefined;
  private lastError: string | undefined;
  private lastMessageAt: number | undefined;
  /** Tells the gateway that status() may say something new (start's onStatusChange). */
  private statusChanged: () => void = () => {};
  private token = '';
  private api: Api | undefined;
  /** The proxy agent grammy uses, reused for file downloads (undefined: direct). */
  private agent: Agent | undefined;
  private outbox: Outbox | undefined;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private me: BotIdentity | undefined;
  /** Next update id to ask for; everything below it has been taken by the gateway. */
  private offset: number | undefined;
  /** The offset Telegram last heard from us (what it considers confirmed). */
  private sentOffset: number | undefined;
  private readonly sinkFailures = new Map<number, number>();
  private readonly quarantine: Quarantine;
  private readonly timing: Required<Omit<TelegramTiming, keyof OutboxLimits | 'backoff'>> & {
    backoff: BackoffOptions;
    outbox: OutboxLimits;
  };

  constructor(
    private readonly account: ChannelAccount,
    private readonly deps: TelegramAdapterDeps,
  ) {
    this.accountId = account.accountId;
    this.log = createLogger('telegram', deps.log, { channel: 'telegram', accountId: this.accountId });
    this.quarantine = new Quarantine({ stateDir: deps.stateDir, channel: 'telegram', accountId: account.accountId, log: deps.log });
    const t = deps.timing ?? {};
    this.timing = {
      pollTimeoutSeconds: t.pollTimeoutSeconds ?? 30,
      backoff: t.backoff ?? {},
      sinkAttempts: t.sinkAttempts ?? 5,
      stopConfirmMs: t.stopConfirmMs ?? 2000,
      outbox: {
        perChatIntervalMs: t.perChatIntervalMs ?? DEFAULT_OUTBOX_LIMITS.perChatIntervalMs,
        groupMax: t.groupMax ?? DEFAULT_OUTBOX_LIMITS.groupMax,
        groupWindowMs: t.groupWindowMs ?? DEFAULT_OUTBOX_LIMITS.groupWindowMs,
        retryAfterUnitMs: t.retryAfterUnitMs ?? DEFAULT_OUTBOX_LIMITS.retryAfterUnitMs,
        maxAttempts: t.maxAttempts ?? DEFAULT_OUTBOX_LIMITS.maxAttempts,
      },
    };
  }

  status(): ChannelStatus {
    const { state, reason, lastError, lastMessageAt } = this;
    return accountStatus('telegram', this.accountId, { state, reason, lastError, lastMessageAt, unreadable: this.quarantine.unreadable });
  }

  private setState(state: ChannelState, reason?: string): void {
    const changed = state !== this.state || reason !== this.reason;
    this.state = state;
    this.reason = reason;
    if (!changed) return;
    this.deps.emit?.('channel.state', this.status());
    this.statusChanged();
  }

  private note(level: 'warn' | 'error', message: string, error: string): void {
    this.lastError = error;
    this.statusChanged();
    this.log.log(level, message, { error });
  }

  /** The token and a grammy Api for it; throws with a reason a user can act on. */
  private async connect(): Promise<{ token: string; api: Api; agent: Agent | undefined }> {
    const ref = tokenRef(this.account);
    if (!ref)
      throw new Error(`no bot token for Telegram account "${this.accountId}": set channels.telegram.accounts.${this.accountId}.botToken`);
    const token = await this.deps.secrets.resolve(ref, `Telegram account "${this.accountId}"`);
    const { Api: GrammyApi } = await import('grammy');
    const apiRoot = apiRootOf(this.account);
    // grammy's node-fetch takes a node:http agent; ours tunnels through the proxy (CONNECT).
    const proxy = proxyFor(apiRoot ?? DEFAULT_API_ROOT, this.deps.env ?? process.env);
    const agent = proxy ? await tunnelAgentFor(proxy, 'telegram') : undefined;
    // The HTTP timeout must outlast a long poll, but not leave a send hanging for minutes.
    const api = new GrammyApi(token, {
      ...(apiRoot ? { apiRoot } : {}),
      timeoutSeconds: this.timing.pollTimeoutSeconds + 30,
      ...(agent ? { baseFetchConfig: { agent } } : {}),
    });
    return { token, api, agent };
  }

  async start(sink: Sink, onStatusChange?: () => void): Promise<void> {
    if (this.loop) return;
    if (onStatusChange) this.statusChanged = onStatusChange;
    this.abort = new AbortController();
    this.setState('connecting');
    try {
      ({ token: this.token, api: this.api, agent: this.agent } = await this.connect());
    } catch (err) {
      const why = maskToken((err as Error).message, this.token);
      this.note('error', 'Telegram account cannot start', why);
      this.setState('error', why);
      return;
    }
    const signal = this.abort.signal;
    this.outbox = new Outbox(this.timing.outbox, (err) => telegramError(err).retryAfter, signal);
    // Not awaited: a slow or unreachable Telegram must not hold up the other accounts' start.
    this.loop = this.poll(this.api, sink, signal);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
    // Tell Telegram what we have taken, so the next start (a reload) does not get it again.
    if (this.api && this.offset !== undefined && this.offset !== this.sentOffset && this.state !== 'error') {
      await this.api.getUpdates({ offset: this.offset, limit: 1, timeout: 0 }, sig(AbortSignal.timeout(this.timing.stopConfirmMs))).then(
        () => {
          this.sentOffset = this.offset;
        },
        () => undefined,
      );
    }
    if (this.state !== 'error') this.setState('stopped');
  }

  private async poll(api: Api, sink: Sink, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.timing.backoff);
    while (!signal.aborted) {
      try {
        if (!this.me) {
          const me: UserFromGetMe = await api.getMe(sig(signal));
          // A webhook left over from another deployment would make every getUpdates a 409.
          await api.deleteWebhook({ drop_pending_updates: false }, sig(signal));
          this.me = { accountId: this.accountId, id: me.id, username: me.username };
        }
        if (this.state !== 'connected') this.setState('connected');
        const offset = this.offset;
        const updates = await api.getUpdates(
          {
            ...(offset !== undefined ? { offset } : {}),
            timeout: this.timing.pollTimeoutSeconds,
            allowed_updates: [...ALLOWED_UPDATES],
          },
          sig(signal),
        );
        this.sentOffset = offset;
        backoff.reset();
        for (const update of updates as unknown[]) {
          if (signal.aborted) return;
          const id = updateIdOf(update);
          // Telegram resends what it has not seen confirmed; anything below our offset was handled.
          if (id !== undefined && this.offset !== undefined && id < this.offset) continue;
          await this.deliver(update, sink);
          // An update without a usable id is quarantined; the next one's id moves the offset past it.
          if (id !== undefined) this.offset = id + 1;
        }
      } catch (err) {
        if (signal.aborted) return;
        const info = telegramError(err);
        const message = maskToken(info.message, this.token);
        const fatal = fatalReason(info);
        if (fatal) {
          this.note('error', 'Telegram account stopped', message);
          this.setState('error', fatal);
          return;
        }
        if (!(err instanceof SinkError)) {
          this.note('warn', 'Telegram polling failed; reconnecting', message);
          if (info.code === undefined) {
            // Network trouble: check the connection (and the token) again with getMe first.
            this.me = undefined;
            this.setState('connecting');
          }
        }
        const delay = info.retryAfter !== undefined ? info.retryAfter * this.timing.outbox.retryAfterUnitMs : backoff.next();
        await sleep(delay, signal);
      }
    }
  }

  /**
   * Hands one update to the gateway; throws SinkError when it should come again. An update the
   * mapping cannot read is quarantined and skipped: retrying it would wedge the account for good.
   */
  private async deliver(raw: unknown, sink: Sink): Promise<void> {
    if (!this.me) return;
    const read = readUpdate(raw, this.me);
    if ('unreadable' in read) return this.quarantine.keep(raw, read.unreadable);
    if ('ignored' in read) return;
    const update = raw as Update;
    const envelope = await this.withPhoto(update, read.envelope);
    try {
      await sink(envelope);
      this.sinkFailures.delete(update.update_id);
      this.lastMessageAt = Date.now();
      this.statusChanged();
    } catch (err) {
      const failures = (this.sinkFailures.get(update.update_id) ?? 0) + 1;
      this.sinkFailures.set(update.update_id, failures);
      const message = `the gateway did not take update ${update.update_id}: ${(err as Error).message}`;
      if (failures >= this.timing.sinkAttempts) {
        // A message that can never be stored must not block every message behind it.
        this.sinkFailures.delete(update.update_id);
        this.note('error', 'Telegram update skipped', message);
        return;
      }
      this.note('warn', 'Telegram update not taken; will retry', message);
      throw new SinkError(message);
    }
  }

  /**
   * Downloads a message's photo for the model: the largest size under the cap (getFile, then the
   * file from `<apiRoot>/file/bot<token>/<path>` through the same proxy agent as the Bot API).
   * Edits are recorded, not answered, so their photos are not fetched again.
   */
  private async withPhoto(update: Update, envelope: InboundEnvelope): Promise<InboundEnvelope> {
    const m: Message | undefined = update.message ?? update.channel_post;
    const api = this.api;
    const index = envelope.media?.findIndex((x) => x.kind === 'image') ?? -1;
    if (!m?.photo || m.photo.length === 0 || !api || index === -1) return envelope;
    const limits = { ...DEFAULT_IMAGE_LIMITS, ...this.deps.media };
    const fits = m.photo.filter((p) => p.file_size === undefined || p.file_size <= limits.maxBytes);
    const area = (p: { width: number; height: number }) => p.width * p.height;
    const best = fits.length > 0 ? fits.reduce((a, b) => (area(b) > area(a) ? b : a)) : undefined;
    const smallest = m.photo.reduce((a, b) => ((b.file_size ?? 0) < (a.file_size ?? 0) ? b : a));
    const root = apiRootOf(this.account) ?? DEFAULT_API_ROOT;
    const token = this.token;
    const agent = this.agent;
    return deferImages(
      envelope,
      [
        {
          index,
          label: 'photo',
          placeholder: '[photo]',
          ...(best ? {} : { size: smallest.file_size ?? Infinity }),
          download: async (signal, maxBytes) => {
            const file = await api.getFile((best ?? smallest).file_id, sig(signal));
            if (!file.file_path) throw new Error('Telegram gave no file path');
            const { data } = await downloadCapped(`${root}/file/bot${token}/${file.file_path}`, {
              maxBytes,
              signal,
              ...(agent ? { agent } : {}),
            });
            return data;
          },
        },
      ],
      limits,
      this.abort.signal,
      (notes) => this.log.warn('Telegram photo not passed to the model', { reason: notes[0] }),
    );
  }

  async send(message: OutboundMessage): Promise<void> {
    const api = this.api;
    const outbox = this.outbox;
    if (!api || !outbox || !this.loop) throw new Error(`Telegram account "${this.accountId}" is not running`);
    const { chatId, threadId } = chatTarget(message.peer);
    const limit = Math.min(this.account.textChunkLimit ?? CHUNK_LIMITS.telegram, CHUNK_LIMITS.telegram);
    const replyTo = message.replyToMessageId !== undefined ? telegramMessageId(message.replyToMessageId) : undefined;
    const parts = chunkText(message.text, limit).map(
      (chunk, i) => () =>
        api.sendMessage(chatId, chunk, {
          ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
          // Only the first part answers the inbound message; the rest simply follow it.
          ...(i === 0 && replyTo !== undefined ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
        }),
    );
    try {
      await outbox.enqueue(chatId, message.peer.kind !== 'direct', parts);
    } catch (err) {
      // No `cause`: grammy's network errors carry the request URL, and that contains the token.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(maskToken(telegramError(err).message, this.token));
    }
  }

  async setTyping(peer: OutboundMessage['peer'], on: boolean): Promise<void> {
    // Telegram has no "stop typing": the indicator ends by itself or with the next message.
    if (!on || !this.api) return;
    const { chatId, threadId } = chatTarget(peer);
    await this.api.sendChatAction(chatId, 'typing', threadId !== undefined ? { message_thread_id: threadId } : {});
  }

  async probe(): Promise<ProbeResult> {
    let token = '';
    try {
      const connected = await this.connect();
      token = connected.token;
      const me = await connected.api.getMe(sig(AbortSignal.timeout(10_000)));
      return { ok: true, identity: `@${me.username}`, bot: { id: String(me.id), name: me.first_name, username: me.username } };
    } catch (err) {
      const info = telegramError(err);
      const fatal = fatalReason(info);
      // A token the keychain cannot give (SecretUnavailableError) is not a network problem.
      const missing = (err as { code?: unknown }).code === 'unavailable';
      const problem =
        info.code === 401 || info.code === 404 ? 'token_rejected' : info.code === undefined && !missing ? 'unreachable' : 'other';
      return { ok: false, problem, error: fatal ?? maskToken(info.message, token) };
    }
  }
}

class SinkError extends Error {}

function updateIdOf(update: unknown): number | undefined {
  const id = typeof update === 'object' && update !== null ? (update as { update_id?: unknown }).update_id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined;
}
