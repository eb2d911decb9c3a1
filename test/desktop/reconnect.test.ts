// After sleep or a network change the channel accounts are restarted once things settle; and only
// errors the user has to fix become native notifications, once each.
import { describe, expect, it } from 'vitest';
import { NoticePolicy } from '../../src-main/desktop/notices.ts';
import {
  NetworkWatch,
  networkFingerprint,
  reconnectChannels,
  ReconnectScheduler,
  type ReconnectTarget,
} from '../../src-main/desktop/reconnect.ts';
import { ManualTimers } from './fakes.ts';

function gateway(statuses: { channel: string; accountId: string; state: string }[], state = 'running') {
  const log: string[] = [];
  const target: ReconnectTarget = {
    state,
    channelStatuses: () => statuses,
    suspendChannel: async (channel, accountId) => void log.push(`suspend ${channel}:${accountId}`),
    resumeChannels: async () => void log.push('resume'),
  };
  return { target, log };
}

describe('reconnecting channels', () => {
  it('restarts connected, connecting and failed accounts; leaves stopped and linking ones alone', async () => {
    const g = gateway([
      { channel: 'telegram', accountId: 'default', state: 'connected' },
      { channel: 'discord', accountId: 'default', state: 'connecting' },
      { channel: 'discord', accountId: 'alt', state: 'error' },
      { channel: 'whatsapp', accountId: 'personal', state: 'linking' },
      { channel: 'telegram', accountId: 'alerts', state: 'stopped' },
    ]);
    expect(await reconnectChannels(g.target)).toEqual(['telegram:default', 'discord:default', 'discord:alt']);
    expect(g.log).toEqual(['suspend telegram:default', 'suspend discord:default', 'suspend discord:alt', 'resume']);
  });

  it('does nothing while the gateway is stopped', async () => {
    const g = gateway([{ channel: 'telegram', accountId: 'default', state: 'connected' }], 'stopped');
    expect(await reconnectChannels(g.target)).toEqual([]);
    expect(g.log).toEqual([]);
  });

  it('resume and a network change arriving together make one reconnect, after a delay', async () => {
    const timers = new ManualTimers();
    const runs: string[][] = [];
    const scheduler = new ReconnectScheduler({ timers, delayMs: 3000, run: async (reasons) => void runs.push(reasons) });
    scheduler.request('resume');
    scheduler.request('network');
    scheduler.request('network');
    expect(runs).toEqual([]);
    expect(timers.timeouts).toBe(1);
    timers.fireAll();
    await scheduler.idle();
    expect(runs).toEqual([['resume', 'network']]);
  });

  it('the network watch reports a changed address set, not a repeated one', () => {
    const timers = new ManualTimers();
    let current = 'a';
    let changes = 0;
    const watch = new NetworkWatch({ fingerprint: () => current, onChange: () => changes++, timers });
    watch.start();
    timers.fireAll();
    current = 'b';
    timers.fireAll();
    timers.fireAll();
    expect(changes).toBe(1);
    watch.stop();
    expect(timers.pending.size).toBe(0);
  });

  it('the network fingerprint is the external addresses and the online flag', () => {
    const lo = {
      address: '127.0.0.1',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '127.0.0.1/8',
    } as const;
    const wifi = {
      address: '192.168.1.20',
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: 'aa:bb:cc:dd:ee:ff',
      internal: false,
      cidr: '192.168.1.20/24',
    } as const;
    expect(networkFingerprint({ lo: [lo], wlan0: [wifi] }, true)).toBe('online|wlan0/192.168.1.20');
    expect(networkFingerprint({ lo: [lo] }, false)).toBe('offline|');
    expect(networkFingerprint({ wlan0: [wifi] })).not.toBe(networkFingerprint({ wlan0: [{ ...wifi, address: '10.0.0.5' }] }));
  });
});

describe('native notifications', () => {
  it('a rejected token (channel in error) is notified once, again only after it recovered', () => {
    const policy = new NoticePolicy();
    const error = {
      channel: 'discord',
      accountId: 'default',
      state: 'error',
      reason: 'Discord rejected the bot token of account "default"',
    };
    expect(policy.consider('channel.state', error)).toEqual({ title: 'Discord "default" stopped', body: error.reason, view: '#/channels' });
    expect(policy.consider('channel.state', error)).toBeUndefined();
    policy.consider('channel.state', { ...error, state: 'connected' });
    expect(policy.consider('channel.state', error)).toBeDefined();
  });

  it('a WhatsApp account that was logged out is notified', () => {
    const notice = new NoticePolicy().consider('channel.state', {
      channel: 'whatsapp',
      accountId: 'personal',
      state: 'stopped',
      reason: 'logged out — re-link with "switchboard channels login whatsapp --account personal"',
    });
    expect(notice).toMatchObject({ title: 'WhatsApp "personal" was logged out', view: '#/channels' });
  });

  it('a gateway error is notified; retries, QR codes and routine stops are not', () => {
    const policy = new NoticePolicy();
    expect(policy.consider('gateway.state', { state: 'error', reason: 'cannot open sessions' })).toMatchObject({
      title: 'Switchboard gateway stopped with an error',
    });
    expect(
      policy.consider('channel.state', { channel: 'telegram', accountId: 'default', state: 'connecting', reason: 'retrying' }),
    ).toBeUndefined();
    expect(policy.consider('channel.state', { channel: 'whatsapp', accountId: 'x', state: 'linking' })).toBeUndefined();
    expect(
      policy.consider('channel.state', { channel: 'telegram', accountId: 'a', state: 'stopped', reason: 'disabled in the config' }),
    ).toBeUndefined();
    expect(policy.consider('channel.qr', { channel: 'whatsapp', accountId: 'x', qr: 'q' })).toBeUndefined();
  });
});
