// Specification of how the gateway learns channel account statuses (src-main/gateway/channel-set.ts):
// adapters announce changes and the set reports each new status once; nothing polls, so an idle
// gateway is never woken for statuses (a tray app must not drain a laptop's battery).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkConfigValue } from '../../src-shared/config/index.ts';
import { ChannelSet } from '../../src-main/gateway/channel-set.ts';
import type { ChannelAdapter, ChannelState, ChannelStatus, InboundEnvelope } from '../../src-main/gateway/envelope.ts';
import { silentLogger } from '../../src-main/log.ts';

/** An account whose connection the test moves by hand, announcing each move as a real adapter does. */
class HandDrivenAccount implements ChannelAdapter {
  readonly channel = 'telegram' as const;
  readonly accountId = 'default';
  state: ChannelState = 'stopped';
  private announce: () => void = () => {};
  async start(_sink: (e: InboundEnvelope) => Promise<void>, onStatusChange?: () => void): Promise<void> {
    this.announce = onStatusChange ?? (() => {});
    this.move('connecting');
  }
  async stop(): Promise<void> {
    this.move('stopped');
  }
  async send(): Promise<void> {}
  status(): ChannelStatus {
    return { channel: 'telegram', accountId: 'default', state: this.state };
  }
  move(state: ChannelState): void {
    this.state = state;
    this.announce();
  }
}

const config = () => {
  const { config } = checkConfigValue({ channels: { telegram: { botToken: '1:x', dmPolicy: 'open', allowFrom: ['*'] } } });
  if (!config) throw new Error('test config invalid');
  return config;
};
const settle = () => new Promise((r) => setImmediate(r));

afterEach(() => {
  vi.useRealTimers();
});

describe('ChannelSet: status reports', () => {
  it('reports each status an account announces, once, and nothing when nothing changed', async () => {
    const account = new HandDrivenAccount();
    const set = new ChannelSet(
      () => account,
      async () => {},
      silentLogger,
    );
    const seen: string[] = [];
    const watch = set.watch((s) => seen.push(s.state));
    await set.sync(config());
    await settle();
    expect(seen).toEqual(['connecting']);
    account.move('connected');
    account.move('connected'); // announced twice, changed once
    await settle();
    expect(seen).toEqual(['connecting', 'connected']);
    await set.stopAll();
    await settle();
    expect(seen).toEqual(['connecting', 'connected', 'stopped']);
    watch.stop();
    await set.sync(config());
    await settle();
    expect(seen).toHaveLength(3); // a stopped watch hears nothing more
    await set.stopAll();
  });

  it('watching schedules no timer: an idle gateway is not woken to compare statuses', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const account = new HandDrivenAccount();
    const set = new ChannelSet(
      () => account,
      async () => {},
      silentLogger,
    );
    const watch = set.watch(() => {});
    await set.sync(config());
    account.move('connected');
    expect(vi.getTimerCount()).toBe(0);
    watch.stop();
    await set.stopAll();
  });
});
