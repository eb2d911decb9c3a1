// The Slack channel adapter: Socket Mode (@slack/socket-mode, the client Bolt is built on) for
// events and the Web API (@slack/web-api) for replies, loaded lazily when the account starts. Each
// events_api envelope is acknowledged only once the gateway holds its message (Slack re-delivers
// what was not acked), replies go to the thread they answer, and the Web API waits out 429s itself.
import type { SocketModeClient } from '@slack/socket-mode';
import type { WebClient, WebClientOptions } from '@slack/web-api';
import type { Agent } from 'node:http';
import type { ChannelAccount, PeerRef, SecretRef, SwitchboardConfig } from '../../../src-shared/config/index.ts';
import type { ChannelAdapter, ChannelState, ChannelStatus, InboundEnvelope, OutboundMessage, ProbeResult } from '../../gateway/envelope.ts';
import { createLogger, type Logger, type ModuleLogger } from '../../log.ts';
import { tunnelAgentFor } from '../../net/agents.ts';
import { proxyFor } from '../../net/proxy.ts';
import type { SecretResolver } from '../../secrets/resolver.ts';
import { Backoff, sleep } from '../backoff.ts';
import { CHUNK_LIMITS, chunkText } from '../chunk.ts';
import { Quarantine } from '../quarantine.ts';
import { accountStatus } from '../status.ts';
import { readEvent, slackTarget, type SlackEvent, type SlackIdentity, type SlackPayload } from './mapping.ts';
import {
  describeError,
  isTokenRejection,
  RecentMap,
  slackLibLogger,
  tokenRejectedReason,
  tokenShapeProblem,
  type SlackTokenKind,
} from './reasons.ts';

export interface SlackAdapterDeps {
  secrets: SecretResolver;
  log: Logger;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where unreadable events are kept (`<stateDir>/quarantine/slack/<account>.jsonl`); without it they are only logged. */
  stateDir?: string;
  /** Reconnect delays (tests shorten them). */
  backoff?: { baseMs?: number; maxMs?: number };
}

export interface SlackAdapter extends ChannelAdapter {
  probe(): Promise<ProbeResult>;
}

const DEFAULT_API_ROOT = 'https://slack.com/api/';
/** The default account falls back to the variables Slack's own tools read. */
const DEFAULT_ENV: Record<SlackTokenKind, string> = { app: 'SLACK_APP_TOKEN', bot: 'SLACK_BOT_TOKEN' };
interface SocketArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  type: string;
  body: unknown;
}

export function createSlackAdapter(account: ChannelAccount, _config: SwitchboardConfig, deps: SlackAdapterDeps): SlackAdapter {
  return new SlackChannel(account, deps);
}

/**
 * Slack renders `<@U…>`, `<!channel>` and `<!here>` as pings: the agent's text is escaped so a
 * model (or a prompt injection) can never ping anyone; `&`, `<`, `>` are Slack's only escapes.
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

class SlackChannel implements SlackAdapter {
  readonly channel = 'slack' as const;
  readonly accountId: string;
  private readonly log: ModuleLogger;
  private state: ChannelState = 'stopped';
  private reason: string | undefined;
  private lastError: string | undefined;
  private lastMessageAt: number | undefined;
  private statusChanged: () => void = () => {};
  private sink: ((envelope: InboundEnvelope) => Promise<void>) | undefined;
  private run: AbortController | undefined;
  private fatal: string | undefined;
  private web: WebClient | undefined;
  private socket: SocketModeClient | undefined;
  private identity: SlackIdentity | undefined;
  private tokens: string[] = [];
  private readonly backoff: Backoff;
  /** DM peers are member ids; replies need the DM's channel id (D…). */
  private readonly dmChannels = new RecentMap<string>(5000);
  /** Thread of a DM message (DM peers carry none), so its reply lands in that thread. */
  private readonly dmThreads = new RecentMap<string>(5000);
  /** Message ids handed to the gateway: the `message` and `app_mention` events of one message, and re-deliveries, count once. */
  private readonly delivered = new RecentMap<true>(5000);
  private readonly chains = new Map<string, Promise<void>>();
  private readonly quarantine: Quarantine;

  constructor(
    private readonly account: ChannelAccount,
    private readonly deps: SlackAdapterDeps,
  ) {
    this.accountId = account.accountId;
    this.log = createLogger('slack', deps.log, { channel: 'slack', accountId: this.accountId });
    this.quarantine = new Quarantine({ stateDir: deps.stateDir, channel: 'slack', accountId: account.accountId, log: deps.log });
    this.backoff = new Backoff({ baseMs: deps.backoff?.baseMs ?? 1000, maxMs: deps.backoff?.maxMs ?? 60_000 });
  }

  private get apiRoot(): string {
    const root = this.account.settings.apiRoot;
    return typeof root === 'string' && root.trim() !== '' ? `${root.trim().replace(/\/+$/, '')}/` : DEFAULT_API_ROOT;
  }

  private setState(state: ChannelState, reason?: string): void {
    this.state = state;
    this.reason = reason;
    this.statusChanged();
  }

  status(): ChannelStatus {
    const { state, reason, lastError, lastMessageAt } = this;
    return accountStatus('slack', this.accountId, { state, reason, lastError, lastMessageAt, unreadable: this.quarantine.unreadable });
  }

  private async token(kind: SlackTokenKind): Promise<string> {
    const field = kind === 'app' ? 'appToken' : 'botToken';
    const ref: SecretRef | undefined =
      this.account.secrets[field] ?? (this.accountId === 'default' ? { env: DEFAULT_ENV[kind] } : undefined);
    if (ref === undefined) {
      throw new Error(
        `no ${kind === 'app' ? 'app-level token (xapp-…)' : 'bot token (xoxb-…)'} configured for slack account "${this.accountId}": set channels.slack.accounts.${this.accountId}.${field} (e.g. { secret: "slack/${this.accountId}/${kind}" })`,
      );
    }
    const value = await this.deps.secrets.resolve(ref, `slack account "${this.accountId}" ${field}`);
    const problem = tokenShapeProblem(this.accountId, kind, value);
    if (problem) throw new Error(problem);
    return value;
  }

  /** What connecting and probing both need: both tokens, the libraries (loaded lazily), the proxy agent. */
  private async prerequisites() {
    const [appToken, botToken] = [await this.token('app'), await this.token('bot')];
    this.tokens = [appToken, botToken];
    const [{ WebClient }, { SocketModeClient }] = await Promise.all([import('@slack/web-api'), import('@slack/socket-mode')]);
    const proxy = proxyFor(this.apiRoot, this.deps.env ?? process.env);
    // One CONNECT agent for the Web API and the Socket Mode WebSocket (socket-mode hands it to ws).
    const agent: Agent | undefined = proxy ? await tunnelAgentFor(proxy, 'slack') : undefined;
    const clientOptions: WebClientOptions = { slackApiUrl: this.apiRoot, ...(agent ? { agent } : {}) };
    return { appToken, botToken, WebClient, SocketModeClient, clientOptions };
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
    const socket = this.socket;
    this.socket = undefined;
    await socket?.disconnect().catch(() => undefined);
    this.setState('stopped', this.fatal ?? 'stopped');
  }

  private fail(reason: string): void {
    this.fatal = reason;
    this.lastError = reason;
    this.setState('error', reason);
    this.log.error('slack account stopped', { reason });
    const socket = this.socket;
    this.socket = undefined;
    void socket?.disconnect().catch(() => undefined);
  }

  private async connect(signal: AbortSignal): Promise<void> {
    let needs: Awaited<ReturnType<SlackChannel['prerequisites']>>;
    try {
      needs = await this.prerequisites();
    } catch (err) {
      if (!signal.aborted) this.fail(describeError(err, this.tokens));
      return;
    }
    const libLogger = slackLibLogger(this.log);
    // The Web API retries 429s after Retry-After by itself; a few tries, not Slack's default 30 minutes.
    this.web = new needs.WebClient(needs.botToken, { ...needs.clientOptions, logger: libLogger, retryConfig: { retries: 5 } });
    while (!signal.aborted) {
      let step: SlackTokenKind = 'bot';
      try {
        const me = await this.web.auth.test();
        step = 'app';
        this.identity = {
          accountId: this.accountId,
          botUserId: String(me.user_id ?? ''),
          ...(me.bot_id ? { botId: String(me.bot_id) } : {}),
        };
        // Reconnects are ours (autoReconnectEnabled: false): the library's own reconnect leaves an
        // unhandled rejection when Slack cannot be reached, and cannot tell a dead token from a blip.
        const socket = new needs.SocketModeClient({
          appToken: needs.appToken,
          logger: libLogger as never,
          autoReconnectEnabled: false,
          clientOptions: needs.clientOptions,
        });
        this.socket = socket;
        const closed = new Promise<void>((resolve) => socket.once('disconnected', () => resolve()));
        socket.on('slack_event', (args: SocketArgs) => this.onEnvelope(args));
        await socket.start();
        if (signal.aborted) return;
        this.backoff.reset();
        this.setState('connected');
        await closed;
        if (signal.aborted || this.socket !== socket) return;
        this.setState('connecting', 'reconnecting to Slack (the Socket Mode connection closed)');
      } catch (err) {
        if (signal.aborted) return;
        if (isTokenRejection(err)) {
          return this.fail(tokenRejectedReason(this.accountId, step, step === 'app' ? 'apps.connections.open' : 'auth.test'));
        }
        this.lastError = describeError(err, this.tokens);
        this.setState('connecting', `could not connect to Slack; retrying: ${this.lastError}`);
        this.log.warn('slack connection failed; retrying', { error: this.lastError });
      }
      if (!(await sleep(this.backoff.next(), signal))) return;
    }
  }

  /** One Socket Mode envelope: events are acked once handled; anything else is acked at once. */
  private onEnvelope({ ack, type, body }: SocketArgs): void {
    const acked = () =>
      ack().catch((err: unknown) => this.log.warn('could not acknowledge a Slack envelope', { error: describeError(err) }));
    if (type !== 'events_api' || !this.identity) {
      void acked();
      return;
    }
    const identity = this.identity;
    const read = readEvent(body, identity);
    if ('unreadable' in read) {
      // Acked too: un-acked, Slack would deliver the poison again and again.
      void this.quarantine.keep(body, read.unreadable).then(acked);
      return;
    }
    if ('ignored' in read) {
      void acked();
      return;
    }
    const envelope = read.envelope;
    const key = slackTarget(envelope.parentPeer ?? envelope.peer).channel;
    const next = (this.chains.get(key) ?? Promise.resolve()).then(async () => {
      try {
        await this.deliver(envelope, (body as SlackPayload).event);
        await acked();
      } catch (err) {
        // Not acked: Slack delivers it again.
        this.log.warn('slack message not delivered', { error: describeError(err, this.tokens) });
      }
    });
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  private async deliver(envelope: InboundEnvelope, event: SlackEvent): Promise<void> {
    if (this.delivered.has(envelope.messageId)) return;
    if (!envelope.sender.isSelf) {
      this.lastMessageAt = Date.now();
      this.statusChanged();
    }
    if (envelope.peer.kind === 'direct') {
      this.dmChannels.set(envelope.peer.id, event.channel);
      if (event.thread_ts !== undefined) this.dmThreads.set(envelope.messageId, event.thread_ts);
    }
    await this.sink?.(envelope);
    this.delivered.set(envelope.messageId, true);
  }

  private connectedWeb(): WebClient {
    const web = this.web;
    if (!web || this.state === 'error' || this.state === 'stopped') {
      throw new Error(`slack account "${this.accountId}" is not connected${this.reason ? `: ${this.reason}` : ''}`);
    }
    return web;
  }

  /** The channel and thread to post to for a peer (a DM is opened when none is known yet). */
  private async target(web: WebClient, message: OutboundMessage): Promise<{ channel: string; threadTs?: string }> {
    if (message.peer.kind !== 'direct') return slackTarget(message.peer);
    const threadTs = message.replyToMessageId ? this.dmThreads.get(message.replyToMessageId) : undefined;
    let channel = this.dmChannels.get(message.peer.id);
    if (!channel) {
      const opened = await web.conversations.open({ users: message.peer.id });
      channel = opened.channel?.id;
      if (!channel) throw new Error(`Slack did not open a DM with ${message.peer.id}`);
      this.dmChannels.set(message.peer.id, channel);
    }
    return { channel, ...(threadTs ? { threadTs } : {}) };
  }

  async send(message: OutboundMessage): Promise<void> {
    const web = this.connectedWeb();
    const { channel, threadTs } = await this.target(web, message);
    const limit = Math.min(this.account.textChunkLimit ?? CHUNK_LIMITS.slack, CHUNK_LIMITS.slack);
    for (const text of chunkText(message.text, limit)) {
      // One at a time, in order; a 429 is waited out (Retry-After) inside the Web API client.
      await web.chat.postMessage({ channel, text: slackEscape(text), ...(threadTs ? { thread_ts: threadTs } : {}) });
    }
  }

  async setTyping(_peer: PeerRef, _on: boolean): Promise<void> {
    // Slack offers bots no typing indicator outside the legacy RTM API; nothing to do.
  }

  async probe(): Promise<ProbeResult> {
    let needs: Awaited<ReturnType<SlackChannel['prerequisites']>>;
    try {
      needs = await this.prerequisites();
    } catch (err) {
      return { ok: false, error: describeError(err, this.tokens) };
    }
    const options = { ...needs.clientOptions, logger: slackLibLogger(this.log), retryConfig: { retries: 0 }, timeout: 10_000 };
    let step: SlackTokenKind = 'bot';
    try {
      const me = await new needs.WebClient(needs.botToken, options).auth.test();
      // The app-level token is checked too: without it Socket Mode cannot connect. The URL it gets is never opened.
      step = 'app';
      await new needs.WebClient(needs.appToken, options).apps.connections.open();
      return { ok: true, identity: `${String(me.user)} (${String(me.user_id)}) in ${String(me.team)} (${String(me.team_id)})` };
    } catch (err) {
      return {
        ok: false,
        error: isTokenRejection(err)
          ? tokenRejectedReason(this.accountId, step, step === 'app' ? 'apps.connections.open' : 'auth.test')
          : `could not reach Slack at ${this.apiRoot}: ${describeError(err, this.tokens)}`,
      };
    }
  }
}
