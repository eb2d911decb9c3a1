// Pending pairing requests in the Channels view: they appear live when the gateway drops a DM for
// pairing, count down to their expiry every second, and Approve sends pairing.approve, says so and
// removes the row; a refused approval shows the gateway's message.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useGateway, type PendingPairing } from '../../src-renderer/store/gateway.ts';
import { useToasts } from '../../src-renderer/store/toasts.ts';
import { PairingRequests } from '../../src-renderer/views/channels/PairingRequests.tsx';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { baseHandlers, connectFake } from './channels-fake-gateway.ts';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const request = (over: Partial<PendingPairing> = {}): PendingPairing => ({
  channel: 'telegram',
  account: 'default',
  code: 'K7PM2QXA',
  senderId: '222333',
  senderName: 'Bob',
  createdAt: Date.now(),
  expiresAt: Date.now() + 60 * 60_000,
  ...over,
});

describe('pairing requests', () => {
  it('a DM dropped for pairing makes the request appear without a reload', async () => {
    let pending: PendingPairing[] = [];
    const transport = await connectFake({ ...baseHandlers(), 'pairing.list': () => ({ pending }) });
    render(<PairingRequests />);
    expect(screen.getByRole('heading', { name: 'No one is waiting' })).toBeTruthy();
    pending = [request()];
    act(() =>
      transport.emit('message.dropped', { channel: 'telegram', accountId: 'default', reason: 'pairing_pending', senderId: '222333' }),
    );
    await waitFor(() => expect(screen.getByRole('button', { name: 'Approve Bob on Telegram (default)' })).toBeTruthy());
    const table = screen.getByRole('table', { name: 'Pending pairing requests' });
    expect(within(table).getByText('K7PM2QXA')).toBeTruthy();
    expect(within(table).getByText('222333')).toBeTruthy();
  });

  it('counts down to the expiry every second, and marks a request that ran out', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date('2026-11-21T10:00:00Z'));
    await connectFake({
      ...baseHandlers(),
      'pairing.list': () => ({ pending: [request({ expiresAt: Date.parse('2026-11-21T10:03:05Z') })] }),
    });
    render(<PairingRequests />);
    const table = screen.getByRole('table', { name: 'Pending pairing requests' });
    expect(within(table).getByText('3:05')).toBeTruthy();
    act(() => vi.advanceTimersByTime(1000));
    expect(within(table).getByText('3:04')).toBeTruthy();
    act(() => vi.advanceTimersByTime(64_000));
    expect(within(table).getByText('2:00')).toBeTruthy();
    act(() => vi.advanceTimersByTime(120_000));
    expect(within(table).getByText('expired')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Approve Bob on Telegram (default)' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('Approve sends the channel, code and account, says so, and removes the request', async () => {
    let pending = [request(), request({ code: 'ZZ99YY88', senderId: '555', senderName: undefined })];
    const transport = await connectFake({
      ...baseHandlers(),
      'pairing.list': () => ({ pending }),
      'pairing.approve': (p: { code: string }) => {
        pending = pending.filter((x) => x.code !== p.code);
        return { channel: 'telegram', account: 'default', senderId: '222333' };
      },
    });
    render(<PairingRequests />);
    fireEvent.click(screen.getByRole('button', { name: 'Approve Bob on Telegram (default)' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Approve Bob on Telegram (default)' })).toBeNull());
    expect(transport.called('pairing.approve')).toEqual([{ channel: 'telegram', code: 'K7PM2QXA', account: 'default' }]);
    expect(useToasts.getState().toasts.map((t) => t.text)).toEqual([
      'Approved Bob on Telegram (default). Their next message goes to an agent.',
    ]);
    expect(screen.getByRole('button', { name: 'Approve 555 on Telegram (default)' })).toBeTruthy();
    expect(within(screen.getByLabelText('Approved in this session')).getByText('Bob')).toBeTruthy();
    expect(useGateway.getState().pairing.map((p) => p.code)).toEqual(['ZZ99YY88']);
  });

  it("a refused approval shows the gateway's message on the row and keeps it", async () => {
    await connectFake({
      ...baseHandlers(),
      'pairing.list': () => ({ pending: [request()] }),
      'pairing.approve': () => {
        throw new ControlError(
          'conflict',
          'code K7PM2QXA is pending on several telegram accounts (default, alerts); say which with --account',
        );
      },
    });
    render(<PairingRequests />);
    fireEvent.click(screen.getByRole('button', { name: 'Approve Bob on Telegram (default)' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        'Could not approve Bob: code K7PM2QXA is pending on several telegram accounts (default, alerts); say which with --account',
      ),
    );
    expect((screen.getByRole('button', { name: 'Approve Bob on Telegram (default)' }) as HTMLButtonElement).disabled).toBe(false);
  });
});
