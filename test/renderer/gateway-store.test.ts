// The gateway store's picture of channel accounts: a refresh's snapshot can be older than a
// channel.state event that arrived while it was on its way; the event must win.
import { afterEach, describe, expect, it } from 'vitest';
import { useGateway, type ChannelStatus } from '../../src-renderer/store/gateway.ts';
import { agent, connectFake, status } from './fake-gateway.ts';

const connecting: ChannelStatus = { channel: 'telegram', accountId: 'default', state: 'connecting' };
const connected: ChannelStatus = { channel: 'telegram', accountId: 'default', state: 'connected' };

afterEach(() => useGateway.setState({ client: undefined }));

describe('gateway store: channel state', () => {
  it('keeps a channel.state event that arrives while a refresh waits, instead of the older snapshot', async () => {
    let release!: () => void;
    let hold = false;
    const transport = await connectFake({
      status: () => status({ channels: [connecting] }),
      'agents.list': async () => {
        if (hold) await new Promise<void>((resolve) => (release = resolve));
        return { agents: [agent('main')] };
      },
      'pairing.list': () => ({ pending: [] }),
    });
    expect(useGateway.getState().channels).toEqual([connecting]);

    hold = true;
    const refresh = useGateway.getState().refresh();
    await new Promise((r) => setTimeout(r, 0));
    // The adapter connected after the status snapshot was taken, before the refresh finished.
    transport.emit('channel.state', connected);
    expect(useGateway.getState().channels).toEqual([connected]);
    release();
    await refresh;
    expect(useGateway.getState().channels).toEqual([connected]);

    // With no event meanwhile, the snapshot is taken as it is.
    hold = false;
    transport.handlers.status = () => status({ channels: [{ ...connected, state: 'error', lastError: 'token revoked' }] });
    await useGateway.getState().refresh();
    expect(useGateway.getState().channels).toEqual([{ ...connected, state: 'error', lastError: 'token revoked' }]);
  });
});
