// The running channel adapters, one per configured channel account. On a config change only the
// accounts whose settings changed are restarted; one account's failure never touches another's.
import { CHANNELS, type ChannelAccount, type SwitchboardConfig } from '../../src-shared/config/index.ts';
import { createLogger, type Logger, type ModuleLogger } from '../log.ts';
import type { ChannelAdapter, ChannelStatus, InboundEnvelope, OutboundMessage, ProbeResult } from './envelope.ts';

/** Builds the adapter for one account, or undefined when this build has none for the channel. */
export type AdapterFactory = (account: ChannelAccount, config: SwitchboardConfig) => ChannelAdapter | undefined;

interface Running {
  adapter: ChannelAdapter;
  fingerprint: string;
}

const TYPING_REFRESH_MS = 4000;

export class ChannelSet {
  private readonly running = new Map<string, Running>();
  private configured: ChannelAccount[] = [];
  private readonly log: ModuleLogger;
  /** watch() callbacks: each compares the statuses with the ones it last reported. */
  private readonly watchers = new Set<() => void>();
  private statusCheckQueued = false;

  constructor(
    private readonly factory: AdapterFactory | undefined,
    private readonly sink: (envelope: InboundEnvelope) => Promise<void>,
    log: Logger,
  ) {
    this.log = createLogger('channels', log);
  }

  /** Starts, restarts or stops adapters so that they match the config. */
  async sync(config: SwitchboardConfig): Promise<void> {
    try {
      await this.syncNow(config);
    } finally {
      this.statusMayHaveChanged(); // accounts added, removed, disabled, restarted
    }
  }

  private async syncNow(config: SwitchboardConfig): Promise<void> {
    const wanted = new Map<string, { account: ChannelAccount; fingerprint: string }>();
    this.configured = [];
    for (const channel of CHANNELS) {
      if (channel === 'webchat') continue;
      for (const account of Object.values(config.channels[channel]?.accounts ?? {})) {
        this.configured.push(account);
        if (account.enabled) wanted.set(`${channel}:${account.accountId}`, { account, fingerprint: JSON.stringify(account) });
      }
    }
    for (const [key, run] of this.running) {
      if (wanted.get(key)?.fingerprint !== run.fingerprint) {
        this.running.delete(key);
        await this.stopOne(key, run.adapter);
      }
    }
    for (const [key, { account, fingerprint }] of wanted) {
      if (this.running.has(key)) continue;
      const adapter = this.factory?.(account, config);
      if (!adapter) continue;
      this.running.set(key, { adapter, fingerprint });
      try {
        await adapter.start(
          (envelope) =>
            this.sink(envelope).catch((err: Error) => {
              this.log.error('inbound message failed', { channel: account.channel, accountId: account.accountId, error: err.message });
              throw err;
            }),
          this.statusMayHaveChanged,
        );
      } catch (err) {
        this.log.error('channel account failed to start', {
          channel: account.channel,
          accountId: account.accountId,
          error: (err as Error).message,
        });
      }
    }
  }

  private async stopOne(key: string, adapter: ChannelAdapter): Promise<void> {
    try {
      await adapter.stop();
    } catch (err) {
      this.log.warn('channel account did not stop cleanly', { account: key, error: (err as Error).message });
    }
  }

  async stopAll(): Promise<void> {
    const all = [...this.running];
    this.running.clear();
    await Promise.all(all.map(([key, run]) => this.stopOne(key, run.adapter)));
    this.statusMayHaveChanged();
  }

  private adapterFor(envelope: Pick<InboundEnvelope, 'channel' | 'accountId'>): ChannelAdapter | undefined {
    return this.running.get(`${envelope.channel}:${envelope.accountId}`)?.adapter;
  }

  async send(envelope: InboundEnvelope, text: string): Promise<void> {
    const adapter = this.adapterFor(envelope);
    if (!adapter) throw new Error(`channel account ${envelope.channel}:${envelope.accountId} is not running`);
    await adapter.send({
      channel: envelope.channel,
      accountId: envelope.accountId,
      peer: envelope.peer,
      text,
      replyToMessageId: envelope.messageId,
    });
  }

  /** Sends a message nobody asked for (a heartbeat's news): no message to reply to. */
  async post(message: Omit<OutboundMessage, 'replyToMessageId'>): Promise<void> {
    const adapter = this.adapterFor(message);
    if (!adapter) throw new Error(`channel account ${message.channel}:${message.accountId} is not running`);
    await adapter.send(message);
  }

  /** Shows a typing indicator until stop() (refreshed, since platforms expire it after a few seconds). */
  typing(envelope: InboundEnvelope): { stop(): void } {
    const adapter = this.adapterFor(envelope);
    if (!adapter?.setTyping) return { stop() {} };
    const pulse = () => void adapter.setTyping!(envelope.peer, true).catch(() => undefined);
    pulse();
    const timer = setInterval(pulse, TYPING_REFRESH_MS);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  /** Checks an account's credentials with the platform, whether or not it is running. */
  async probe(channel: string, accountId: string, config: SwitchboardConfig): Promise<ProbeResult> {
    const running = this.running.get(`${channel}:${accountId}`)?.adapter;
    const account = this.configured.find((a) => a.channel === channel && a.accountId === accountId);
    const adapter = running ?? (account ? this.factory?.(account, config) : undefined);
    if (!account && !running) return { ok: false, error: `${channel} account "${accountId}" is not configured` };
    if (!adapter?.probe) return { ok: false, error: `this build cannot probe ${channel} accounts` };
    return adapter.probe();
  }

  /**
   * Checks credentials for an account that is not (or not yet) configured this way: a token the
   * dashboard is about to store. The adapter is built and probed, never started.
   */
  async probeCandidate(account: ChannelAccount, config: SwitchboardConfig): Promise<ProbeResult> {
    const adapter = this.factory?.(account, config);
    if (!adapter?.probe) return { ok: false, problem: 'other', error: `this build cannot check ${account.channel} tokens` };
    return adapter.probe();
  }

  /** Stops one account (e.g. to re-link it) until resume() or the next config sync. */
  async suspend(channel: string, accountId: string): Promise<void> {
    const key = `${channel}:${accountId}`;
    const run = this.running.get(key);
    if (!run) return;
    this.running.delete(key);
    await this.stopOne(key, run.adapter);
    this.statusMayHaveChanged();
  }

  /**
   * Reports status changes: adapters update their status as connections come and go, and the
   * dashboard and tray need to see it without asking. Adapters say when (start's
   * `onStatusChange`), and so do this set's own starts and stops; nothing polls, so an idle
   * gateway is not woken for it (a tray app must not drain a laptop's battery).
   */
  watch(onChange: (status: ChannelStatus) => void): { stop(): void } {
    const last = new Map<string, string>();
    const check = (): void => {
      for (const status of this.statuses()) {
        const key = `${status.channel}:${status.accountId}`;
        const text = JSON.stringify(status);
        if (last.get(key) !== text) {
          last.set(key, text);
          onChange(status);
        }
      }
    };
    this.watchers.add(check);
    return { stop: () => void this.watchers.delete(check) };
  }

  /** Compares the statuses once, after the current job: an adapter changing several fields at once reports once. */
  private readonly statusMayHaveChanged = (): void => {
    if (this.statusCheckQueued || this.watchers.size === 0) return;
    this.statusCheckQueued = true;
    queueMicrotask(() => {
      this.statusCheckQueued = false;
      for (const check of this.watchers) check();
    });
  };

  statuses(): ChannelStatus[] {
    return this.configured.map((account) => {
      const run = this.running.get(`${account.channel}:${account.accountId}`);
      if (run) return run.adapter.status();
      return {
        channel: account.channel,
        accountId: account.accountId,
        state: 'stopped',
        reason: !account.enabled
          ? 'disabled in the config'
          : this.factory
            ? 'not running'
            : `this build has no ${account.channel} connector yet`,
      };
    });
  }
}
