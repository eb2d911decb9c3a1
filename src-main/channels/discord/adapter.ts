// The Discord channel adapter: one discord.js client per account, loaded lazily when the account
// starts. discord.js owns the gateway (heartbeats, RESUME, reconnects) and REST queueing (429
// retry-after); this file maps messages in, chunks replies out, and stops the account with a
// reason a user can act on when Discord says reconnecting cannot help (4004, 4013, 4014).
import type * as DiscordJs from 'discord.js';
import type { Client } from 'discord.js';
import type { Dispatcher } from 'undici';
import type { ChannelAccount, PeerRef, SecretRef, SwitchboardConfig } from '../../../src-shared/config/index.ts';
import type { ChannelAdapter, ChannelState, ChannelStatus, InboundEnvelope, OutboundMessage, ProbeResult } from '../../gateway/envelope.ts';
import { createLogger, type Logger, type ModuleLogger } from '../../log.ts';
import { proxyDispatcherFor, tunnelAgentFor } from '../../net/agents.ts';
import { proxyFor } from '../../net/proxy.ts';
import type { SecretResolver } from '../../secrets/resolver.ts';
import { Backoff, sleep } from '../backoff.ts';
import { CHUNK_LIMITS, chunkText } from '../chunk.ts';
import { deferImages, DEFAULT_IMAGE_LIMITS, downloadCapped, type ImageLimits, type ImageSource } from '../media.ts';
import { CHANNEL_TYPE, checkMessage, readMessage, type DiscordChannelInfo, type DiscordRawMessage } from './mapping.ts';
import { RecentIds, closeCodeReason, describeError, isTokenRejection, missingIntentReason, tokenRejectedReason } from './reasons.ts';
import { Quarantine } from '../quarantine.ts';
import { accountStatus } from '../status.ts';

export interface DiscordAdapterDeps {
  secrets: SecretResolver;
  log: Logger;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Image download caps (default DEFAULT_IMAGE_LIMITS). */
  media?: Partial<ImageLimits>;
  /** Where unreadable messages are kept (`<stateDir>/quarantine/discord/<account>.jsonl`); without it they are only logged. */
  stateDir?: string;
}

export interface DiscordAdapter extends ChannelAdapter {
  probe(): Promise<ProbeResult>;
}

type DiscordModule = typeof DiscordJs;
const DEFAULT_API_ROOT = 'https://discord.com/api';
const THREAD_TYPES: ReadonlySet<number> = new Set([CHANNEL_TYPE.AnnouncementThread, CHANNEL_TYPE.PublicThread, CHANNEL_TYPE.PrivateThread]);
// The agent's text goes out verbatim; a reply must never ping @everyone, roles or users because a
// model (or a prompt injection) wrote their mention. Only the author of the message answered is pinged.
const ALLOWED_MENTIONS = { parse: [], replied_user: true };

export function createDiscordAdapter(account: ChannelAccount, _config: SwitchboardConfig, deps: DiscordAdapterDeps): DiscordAdapter {
  return new DiscordChannel(account, deps);
}

class DiscordChannel implements DiscordAdapter {
  readonly channel = 'discord' as const;
  readonly accountId: string;
  private readonly log: ModuleLogger;
  private state: ChannelState = 'stopped';
  private reason: string | undefined;
  private lastError: string | undefined;
  private lastMessageAt: number | undefined;
  /** Tells the gateway that status() may say something new (start's onStatusChange). */
  private statusChanged: () => void = () => {};
  private client: Client | undefined;
  private sink: ((envelope: InboundEnvelope) => Promise<void>) | undefined;
  private run: AbortController | undefined;
  /** Set when Discord closed the gateway in a way reconnecting cannot fix. */
  private fatal: string | undefined;
  private readonly backoff = new Backoff({ baseMs: 1000, maxMs: 60_000 });
  /** DM peers are user ids; replies need the DM channel id. */
  private readonly dmChannels = new Map<string, string>();
  /** A RESUME replays dispatches; a message id is handed to the gateway once. */
  private readonly recent = new RecentIds(2000);
  /** Per-conversation chains keep one channel's messages in arrival order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly quarantine: Quarantine;

  constructor(
    private readonly account: ChannelAccount,
    private readonly deps: DiscordAdapterDeps,
  ) {
    this.accountId = account.accountId;
    this.log = createLogger('discord', deps.log, { channel: 'discord', accountId: this.accountId });
    this.quarantine = new Quarantine({ stateDir: deps.stateDir, channel: 'discord', accountId: account.accountId, log: deps.log });
  }

  private get apiRoot(): string {
    const root = this.account.settings.apiRoot;
    return typeof root === 'string' && root.trim() !== '' ? root.trim().replace(/\/+$/, '') : DEFAULT_API_ROOT;
  }

  /**
   * The undici dispatcher REST calls go through when a proxy applies to the API root. The gateway
   * WebSocket cannot follow: @discordjs/ws builds its socket with no agent option (docs/channels.md).
   */
  private async restDispatcher(): Promise<Dispatcher | undefined> {
    const proxy = proxyFor(this.apiRoot, this.deps.env ?? process.env);
    return proxy ? proxyDispatcherFor(proxy) : undefined;
  }

  /** What connecting and probing both need: the token, discord.js (loaded lazily), the REST dispatcher. */
  private async prerequisites(): Promise<{ token: string; djs: DiscordModule; dispatcher: Dispatcher | undefined }> {
    const token = await this.token();
    const djs = await import('discord.js');
    return { token, djs, dispatcher: await this.restDispatcher() };
  }

  private setState(state: ChannelState, reason?: string): void {
    this.state = state;
    this.reason = reason;
    this.statusChanged();
  }

  async start(sink: (envelope: InboundEnvelope) => Promise<void>, onStatusChange?: () => void): Promise<void> {
    if (this.run) return;
    if (onStatusChange) this.statusChanged = onStatusChange;
    this.sink = sink;
    this.fatal = undefined;
    this.run = new AbortController();
    this.setState('connecting');
    // Connecting runs in the background: a slow or failing account never holds up the others.
    void this.connect(this.run.signal);
  }

  async stop(): Promise<void> {
    this.run?.abort();
    this.run = undefined;
    this.sink = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.destroy();
    this.setState('stopped', this.fatal ?? 'stopped');
  }

  status(): ChannelStatus {
    const { state, reason, lastError, lastMessageAt } = this;
    return accountStatus('discord', this.accountId, { state, reason, lastError, lastMessageAt, unreadable: this.quarantine.unreadable });
  }

  private async token(): Promise<string> {
    const ref: SecretRef | undefined =
      this.account.secrets.token ?? (this.accountId === 'default' ? { env: 'DISCORD_BOT_TOKEN' } : undefined);
    if (ref === undefined) {
      throw new Error(
        `no bot token configured for discord account "${this.accountId}": set channels.discord.accounts.${this.accountId}.token (e.g. { secret: "discord/${this.accountId}" })`,
      );
    }
    return this.deps.secrets.resolve(ref, `discord account "${this.accountId}" token`);
  }

  private noteError(message: string): void {
    this.lastError = message;
    this.statusChanged();
  }

  /** Stops the account for good (until restarted) and says why. */
  private fail(reason: string): void {
    if (this.state === 'error' && this.reason === reason) return;
    this.fatal = reason;
    this.setState('error', reason);
    this.lastError = reason;
    this.log.error('discord account stopped', { reason });
    const client = this.client;
    this.client = undefined;
    void client?.destroy().catch(() => undefined);
  }

  private async connect(signal: AbortSignal): Promise<void> {
    let needs: Awaited<ReturnType<DiscordChannel['prerequisites']>>;
    try {
      needs = await this.prerequisites();
    } catch (err) {
      if (!signal.aborted) this.fail(describeError(err));
      return;
    }
    const { token, djs, dispatcher } = needs;
    if (dispatcher) this.log.info('Discord REST calls go through the proxy; the gateway WebSocket connects directly');
    while (!signal.aborted) {
      const client = this.createClient(djs, dispatcher);
      this.client = client;
      try {
        await client.login(token);
        return; // discord.js keeps the connection (and resumes it) from here on
      } catch (err) {
        if (signal.aborted) return;
        // login() already destroyed the client; only transient failures are retried.
        const fatal = this.fatal ?? (isTokenRejection(err) ? tokenRejectedReason(this.accountId, 'HTTP 401 from /gateway/bot') : undefined);
        if (fatal) return this.fail(fatal);
        this.lastError = describeError(err, token);
        this.setState('connecting', `could not connect to Discord; retrying: ${this.lastError}`);
        this.log.warn('discord login failed; retrying', { error: this.lastError });
        if (!(await sleep(this.backoff.next(), signal))) return;
      }
    }
  }

  private createClient(djs: DiscordModule, dispatcher: Dispatcher | undefined): Client {
    const { Client, Events, GatewayIntentBits: I, Partials } = djs;
    const client = new Client({
      // Message Content is privileged: without it guild messages arrive empty (close 4014 if it is
      // requested but not enabled in the developer portal).
      intents: [I.Guilds, I.GuildMessages, I.DirectMessages, I.MessageContent],
      // DM channels are not cached until a message arrives; Partials.Channel lets discord.js build them.
      partials: [Partials.Channel],
      rest: { api: this.apiRoot, ...(dispatcher ? { agent: dispatcher } : {}) },
    });
    const current = () => this.client === client;
    client.on(Events.ShardReady, () => {
      if (!current()) return;
      this.backoff.reset();
      this.setState('connected');
    });
    client.on(Events.ShardResume, () => {
      if (current()) this.setState('connected');
    });
    client.on(Events.ShardReconnecting, () => {
      if (current() && !this.fatal) this.setState('connecting', 'reconnecting to the Discord gateway');
    });
    // Emitted only for close codes discord.js will not recover from.
    client.on(Events.ShardDisconnect, (event) => {
      if (current()) this.fail(closeCodeReason(event.code, this.accountId));
    });
    client.on(Events.ShardError, (err) => {
      if (current()) this.noteError(err.message);
    });
    client.on(Events.Error, (err) => {
      if (current()) this.noteError(err.message);
    });
    // The raw payload carries exactly what the router needs (guild, member roles, mentions).
    (client as unknown as NodeJS.EventEmitter).on('raw', (packet: { t?: string; d?: unknown }) => {
      if (packet?.t === 'MESSAGE_CREATE' && current()) this.onMessage(client, packet.d);
    });
    return client;
  }

  private onMessage(client: Client, raw: unknown): void {
    const checked = checkMessage(raw);
    if ('unreadable' in checked) {
      void this.quarantine.keep(raw, checked.unreadable);
      return;
    }
    const msg = checked.message;
    if (this.recent.seen(msg.id)) return;
    const key = msg.channel_id;
    const next = (this.chains.get(key) ?? Promise.resolve())
      .then(() => this.deliver(client, msg))
      .catch((err: unknown) => this.log.warn('discord message not delivered', { error: describeError(err) }));
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  private async deliver(client: Client, msg: DiscordRawMessage): Promise<void> {
    const channel = await this.channelInfo(client, msg);
    const guild = msg.guild_id !== undefined ? client.guilds.cache.get(msg.guild_id) : undefined;
    const me = guild?.members.me;
    const read = readMessage(msg, {
      accountId: this.accountId,
      botUserId: client.user?.id ?? '',
      botRoleIds: me ? [...me.roles.cache.keys()].filter((id) => id !== guild?.id) : [],
      ...(channel ? { channel } : {}),
    });
    if ('unreadable' in read) return this.quarantine.keep(msg, read.unreadable);
    if ('ignored' in read) return;
    const mapped = read.envelope;
    // Our own and other bots' messages are dropped by the gateway: no point downloading theirs.
    const envelope = mapped.sender.isSelf || mapped.sender.isBot ? mapped : await this.withImages(msg, mapped);
    if (!envelope.sender.isSelf) {
      this.lastMessageAt = Date.now();
      this.statusChanged();
      if (envelope.peer.kind === 'direct') this.dmChannels.set(envelope.peer.id, msg.channel_id);
    }
    await this.sink?.(envelope);
  }

  /**
   * Downloads image attachments for the model (attachment URL, through the proxy when one applies
   * to it — a CONNECT agent, as for Telegram). A failure adds a line such as
   * "[image big.png too large: 12 MB]"; Discord's text carries no placeholder of its own.
   */
  private async withImages(msg: DiscordRawMessage, envelope: InboundEnvelope): Promise<InboundEnvelope> {
    const env = this.deps.env ?? process.env;
    const sources: ImageSource[] = [];
    (msg.attachments ?? []).forEach((a, index) => {
      const url = a.url;
      if (envelope.media?.[index]?.kind !== 'image' || !url) return;
      sources.push({
        index,
        label: `image ${a.filename}`,
        ...(a.size !== undefined ? { size: a.size } : {}),
        download: async (signal, maxBytes) => {
          const proxy = proxyFor(url, env);
          const agent = proxy ? await tunnelAgentFor(proxy, 'discord-media') : undefined;
          return (await downloadCapped(url, { maxBytes, signal, ...(agent ? { agent } : {}) })).data;
        },
      });
    });
    if (sources.length === 0) return envelope;
    return deferImages(envelope, sources, { ...DEFAULT_IMAGE_LIMITS, ...this.deps.media }, this.run?.signal, (notes) =>
      this.log.warn('Discord image not passed to the model', { reasons: notes }),
    );
  }

  /** Channel type and thread parent: from discord.js's cache, the payload, or GET /channels/:id. */
  private async channelInfo(client: Client, msg: DiscordRawMessage): Promise<DiscordChannelInfo | undefined> {
    const info = (ch: { type: number; parentId?: string | null }): DiscordChannelInfo => ({
      type: ch.type,
      parentId: 'parentId' in ch ? (ch.parentId ?? null) : null,
    });
    const cached = client.channels.cache.get(msg.channel_id);
    if (cached) return info(cached);
    if (msg.channel_type !== undefined && !THREAD_TYPES.has(msg.channel_type)) return { type: msg.channel_type };
    try {
      const fetched = await client.channels.fetch(msg.channel_id);
      return fetched ? info(fetched) : undefined;
    } catch (err) {
      this.log.warn('could not look up a Discord channel', { channelId: msg.channel_id, error: describeError(err) });
      return undefined;
    }
  }

  private connectedClient(): Client {
    const client = this.client;
    if (!client || !client.token)
      throw new Error(`discord account "${this.accountId}" is not connected${this.reason ? `: ${this.reason}` : ''}`);
    return client;
  }

  private async channelFor(client: Client, peer: PeerRef): Promise<string> {
    if (peer.kind !== 'direct') return peer.id;
    const known = this.dmChannels.get(peer.id);
    if (known) return known;
    const dm = (await client.rest.post('/users/@me/channels', { body: { recipient_id: peer.id } })) as { id: string };
    this.dmChannels.set(peer.id, dm.id);
    return dm.id;
  }

  async send(message: OutboundMessage): Promise<void> {
    const client = this.connectedClient();
    const channelId = await this.channelFor(client, message.peer);
    const limit = Math.min(this.account.textChunkLimit ?? CHUNK_LIMITS.discord, CHUNK_LIMITS.discord);
    const chunks = chunkText(message.text, limit);
    for (const [i, content] of chunks.entries()) {
      // One at a time: discord.js queues per route and waits out 429s, so awaiting keeps the order.
      const reference =
        i === 0 && message.replyToMessageId
          ? { message_reference: { message_id: message.replyToMessageId, fail_if_not_exists: false } }
          : {};
      await client.rest.post(`/channels/${channelId}/messages`, { body: { content, allowed_mentions: ALLOWED_MENTIONS, ...reference } });
    }
  }

  async setTyping(peer: PeerRef, on: boolean): Promise<void> {
    if (!on) return; // Discord's indicator ends by itself (about 10 s) or with our next message.
    const client = this.connectedClient();
    await client.rest.post(`/channels/${await this.channelFor(client, peer)}/typing`);
  }

  async probe(): Promise<ProbeResult> {
    let needs: Awaited<ReturnType<DiscordChannel['prerequisites']>>;
    try {
      needs = await this.prerequisites();
    } catch (err) {
      return { ok: false, error: describeError(err) };
    }
    const { token, djs, dispatcher } = needs;
    const rest = new djs.REST({ api: this.apiRoot, retries: 0, timeout: 10_000, ...(dispatcher ? { agent: dispatcher } : {}) }).setToken(
      token,
    );
    try {
      const me = (await rest.get('/users/@me')) as { id: string; username: string; global_name?: string | null };
      const bot = { id: me.id, name: me.global_name || me.username, username: me.username };
      const intent = await messageContentIntent(rest);
      if (intent === 'off') return { ok: false, bot, problem: 'missing_intent', error: missingIntentReason(me.username) };
      return { ok: true, identity: `${me.username} (${me.id})`, bot };
    } catch (err) {
      const rejected = isTokenRejection(err);
      return {
        ok: false,
        problem: rejected ? 'token_rejected' : 'unreachable',
        error: rejected
          ? tokenRejectedReason(this.accountId, 'HTTP 401 from /users/@me')
          : `could not reach Discord at ${this.apiRoot}: ${describeError(err, token)}`,
      };
    } finally {
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    }
  }
}

/** Application flags saying the Message Content intent is switched on (verified apps, and apps in under 100 servers). */
const MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19);

/**
 * Whether the bot's application has the privileged Message Content intent, from its flags
 * (GET /applications/@me). 'unknown' when Discord does not answer that: connecting then tells
 * (close 4014), so the probe does not fail on it.
 */
async function messageContentIntent(rest: DiscordJs.REST): Promise<'on' | 'off' | 'unknown'> {
  try {
    const app = (await rest.get('/applications/@me')) as { flags?: unknown };
    if (typeof app.flags !== 'number') return 'unknown';
    return app.flags & MESSAGE_CONTENT_FLAGS ? 'on' : 'off';
  } catch {
    return 'unknown';
  }
}
