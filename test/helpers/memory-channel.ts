// An in-memory ChannelAdapter for gateway tests that need a channel other than webchat before the
// real Telegram/Discord/WhatsApp adapters are involved: tests inject envelopes and read what was sent.
import type { ChannelAccount } from '../../src-shared/config/index.ts';
import type { AdapterFactory } from '../../src-main/gateway/channel-set.ts';
import type { ChannelAdapter, ChannelStatus, InboundEnvelope, OutboundMessage } from '../../src-main/gateway/envelope.ts';

export class MemoryChannel implements ChannelAdapter {
  readonly sent: OutboundMessage[] = [];
  /** Why the gateway refused a delivery (the sink rejected: a real adapter would not confirm it). */
  readonly refused: unknown[] = [];
  /** How often this account was started / stopped (hot-reload tests). */
  starts = 0;
  stops = 0;
  private sink: ((e: InboundEnvelope) => Promise<void>) | undefined;
  private seq = 0;

  constructor(
    readonly channel: ChannelAccount['channel'],
    readonly accountId: string,
  ) {}

  async start(sink: (e: InboundEnvelope) => Promise<void>): Promise<void> {
    this.starts++;
    this.sink = sink;
  }

  async stop(): Promise<void> {
    this.stops++;
    this.sink = undefined;
  }

  async send(message: OutboundMessage): Promise<void> {
    this.sent.push(message);
  }

  status(): ChannelStatus {
    return { channel: this.channel, accountId: this.accountId, state: this.sink ? 'connected' : 'stopped' };
  }

  /** A direct message from `senderId`. */
  dm(senderId: string, text: string, extra: Partial<InboundEnvelope> = {}): void {
    this.inject({ peer: { kind: 'direct', id: senderId }, sender: { id: senderId, verified: true }, text, ...extra });
  }

  /** A group message in `groupId` from `senderId`. */
  group(groupId: string, senderId: string, text: string, extra: Partial<InboundEnvelope> = {}): void {
    this.inject({ peer: { kind: 'group', id: groupId }, sender: { id: senderId, verified: true }, text, ...extra });
  }

  inject(partial: Partial<InboundEnvelope> & Pick<InboundEnvelope, 'peer' | 'sender' | 'text'>): void {
    if (!this.sink) throw new Error(`${this.channel}:${this.accountId} is not started`);
    this.sink({
      messageId: `m${++this.seq}`,
      channel: this.channel,
      accountId: this.accountId,
      mentioned: false,
      timestamp: Date.now(),
      ...partial,
    }).catch((err: unknown) => this.refused.push(err));
  }
}

/** A factory that creates (and remembers) one MemoryChannel per configured account. */
export function memoryChannels(): {
  factory: AdapterFactory;
  get(channel: string, accountId?: string): MemoryChannel;
  created: MemoryChannel[];
} {
  const made = new Map<string, MemoryChannel>();
  const created: MemoryChannel[] = [];
  return {
    created,
    factory: (account) => {
      const ch = new MemoryChannel(account.channel, account.accountId);
      made.set(`${account.channel}:${account.accountId}`, ch);
      created.push(ch);
      return ch;
    },
    get(channel, accountId = 'default') {
      const ch = made.get(`${channel}:${accountId}`);
      if (!ch) throw new Error(`no channel ${channel}:${accountId}`);
      return ch;
    },
  };
}
