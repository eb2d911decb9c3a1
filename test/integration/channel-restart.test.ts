// channels.restart: one account gets a fresh connection; the others are not touched.
import { afterEach, describe, expect, it } from 'vitest';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const twoAccounts = (peerUrl: string) => ({
  models: { anthropic: { baseUrl: peerUrl } },
  channels: {
    telegram: {
      accounts: {
        home: { botToken: { env: 'TG_HOME' } },
        work: { botToken: { env: 'TG_WORK' } },
        spare: { botToken: { env: 'TG_SPARE' }, enabled: false },
      },
    },
  },
});

describe('channels.restart', () => {
  it('stops and starts only the named account, and says its state', async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({ config: twoAccounts, adapters: channels.factory });
    const home = channels.get('telegram', 'home');
    const work = channels.get('telegram', 'work');
    const result = await gw.client.request('channels.restart', { channel: 'telegram', accountId: 'home' });
    expect(result).toEqual({ channel: 'telegram', accountId: 'home', state: 'connected' });
    expect(home.stops).toBe(1);
    const fresh = channels.get('telegram', 'home');
    expect(fresh).not.toBe(home);
    expect(fresh.starts).toBe(1);
    expect([work.starts, work.stops]).toEqual([1, 0]);
    expect(channels.get('telegram', 'work')).toBe(work);
  });

  it('refuses a disabled, an unknown account, and any while the gateway is stopped — each saying what to do', async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({ config: twoAccounts, adapters: channels.factory });
    await expect(gw.client.request('channels.restart', { channel: 'telegram', accountId: 'spare' })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('disabled in the config'),
    });
    await expect(gw.client.request('channels.restart', { channel: 'telegram', accountId: 'nope' })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('channels.telegram.accounts'),
    });
    await gw.client.request('gateway.stop', {});
    await expect(gw.client.request('channels.restart', { channel: 'telegram', accountId: 'home' })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('gateway is stopped'),
    });
  });
});
