// The Channels view's accounts: grouped by channel, every state in words with its reason in full,
// live from `channel.state` events, Probe results inline, and an empty state that says how to add one.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelStatus } from '../../src-renderer/store/gateway.ts';
import { ChannelsView } from '../../src-renderer/views/channels/ChannelsView.tsx';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { useToasts } from '../../src-renderer/store/toasts.ts';
import { agent, baseHandlers, connectFake, status } from './channels-fake-gateway.ts';

afterEach(cleanup);

const ACCOUNTS: ChannelStatus[] = [
  { channel: 'whatsapp', accountId: 'personal', state: 'linking' },
  { channel: 'telegram', accountId: 'default', state: 'connected', lastMessageAt: Date.now() - 5 * 60_000 },
  {
    channel: 'telegram',
    accountId: 'alerts',
    state: 'error',
    reason: 'the bot token was rejected (401 Unauthorized) — store a new one with switchboard secrets set telegram/alerts',
  },
  { channel: 'discord', accountId: 'default', state: 'connecting', lastError: 'gateway closed the connection (4000)' },
  { channel: 'telegram', accountId: 'old', state: 'stopped', reason: 'disabled in the config' },
];

const row = (name: string) => screen.getByRole('listitem', { name });

describe('channel accounts', () => {
  it('groups accounts by channel and shows each state in words with its reason in full', async () => {
    await connectFake(baseHandlers(status({ channels: ACCOUNTS })));
    render(<ChannelsView />);
    const headings = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    expect(headings).toEqual(['Pairing requests', 'Telegram', 'Discord', 'WhatsApp']);
    expect(within(row('Telegram account default')).getByText('Connected')).toBeTruthy();
    expect(within(row('Telegram account default')).getByText('5 min ago')).toBeTruthy();
    expect(within(row('Telegram account alerts')).getByText('Error')).toBeTruthy();
    expect(within(row('Telegram account alerts')).getByText(ACCOUNTS[2]!.reason!)).toBeTruthy();
    expect(within(row('Discord account default')).getByText('Connecting…')).toBeTruthy();
    expect(within(row('Discord account default')).getByText('Last error: gateway closed the connection (4000)')).toBeTruthy();
    expect(within(row('Telegram account old')).getByText('Stopped')).toBeTruthy();
    expect(within(row('Telegram account old')).getByText('disabled in the config')).toBeTruthy();
    expect(within(row('WhatsApp account personal')).getByText('Linking — waiting for a scan')).toBeTruthy();
  });

  it('says how many unreadable messages an account skipped and where they are kept', async () => {
    const transport = await connectFake(baseHandlers(status({ channels: [ACCOUNTS[1]!] })));
    render(<ChannelsView />);
    expect(within(row('Telegram account default')).queryByText(/unreadable/)).toBeNull();
    act(() => transport.emit('channel.state', { ...ACCOUNTS[1]!, unreadable: 2 }));
    expect(
      within(row('Telegram account default')).getByText(
        '2 unreadable messages skipped — kept in quarantine/telegram/default.jsonl in the state folder',
      ),
    ).toBeTruthy();
  });

  it('follows channel.state events without a reload', async () => {
    const transport = await connectFake(baseHandlers(status({ channels: [ACCOUNTS[3]!] })));
    render(<ChannelsView />);
    expect(within(row('Discord account default')).getByText('Connecting…')).toBeTruthy();
    act(() => transport.emit('channel.state', { channel: 'discord', accountId: 'default', state: 'connected' }));
    expect(within(row('Discord account default')).getByText('Connected')).toBeTruthy();
    expect(within(row('Discord account default')).queryByText(/Last error/)).toBeNull();
  });

  it('says which agents answer an account: its bindings, else the default agent', async () => {
    await connectFake({
      ...baseHandlers(status({ channels: [ACCOUNTS[1]!, ACCOUNTS[2]!] })),
      'agents.list': () => ({
        agents: [
          agent('home', { default: true, name: 'Home' }),
          agent('ops', { name: 'Ops', bindings: [{ index: 0, channel: 'telegram', accountId: 'alerts', matchedBy: 'binding.account' }] }),
        ],
      }),
    });
    render(<ChannelsView />);
    expect(
      within(row('Telegram account alerts'))
        .getAllByRole('link')
        .map((l) => l.textContent),
    ).toEqual(['Ops']);
    expect(
      within(row('Telegram account default'))
        .getAllByRole('link')
        .map((l) => l.textContent),
    ).toEqual(['Home']);
  });

  it('Probe shows the identity, or the error, inline under the account', async () => {
    const transport = await connectFake({
      ...baseHandlers(status({ channels: [ACCOUNTS[1]!, ACCOUNTS[2]!] })),
      'channels.probe': (p: { channel: string; accountId: string }) =>
        p.accountId === 'default'
          ? { channel: 'telegram', accountId: 'default', ok: true, identity: '@home_bot' }
          : { channel: 'telegram', accountId: 'alerts', ok: false, error: '401 Unauthorized: the token was revoked' },
    });
    render(<ChannelsView />);
    fireEvent.click(screen.getByRole('button', { name: 'Probe Telegram account default' }));
    fireEvent.click(screen.getByRole('button', { name: 'Probe Telegram account alerts' }));
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Probe result for Telegram account default' }).textContent).toContain(
        'signed in as @home_bot',
      ),
    );
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Probe result for Telegram account alerts' }).textContent).toContain(
        '401 Unauthorized: the token was revoked',
      ),
    );
    expect(transport.called('channels.probe')).toEqual([
      { channel: 'telegram', accountId: 'default' },
      { channel: 'telegram', accountId: 'alerts' },
    ]);
  });

  it("Reconnect restarts just that account, and a refusal is shown with the server's reason", async () => {
    const transport = await connectFake({
      ...baseHandlers(status({ channels: [ACCOUNTS[1]!, ACCOUNTS[2]!] })),
      'channels.restart': (p: { channel: string; accountId: string }) => {
        if (p.accountId === 'alerts')
          throw new ControlError('unavailable', 'the gateway is stopped; start it and its channel accounts connect');
        return { channel: 'telegram', accountId: p.accountId, state: 'connected' };
      },
    });
    render(<ChannelsView />);
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect Telegram account default' }));
    const toasts = () => useToasts.getState().toasts.map((t) => `${t.tone}: ${t.text}`);
    await waitFor(() => expect(toasts()).toContain('ok: Telegram account default: reconnected (connected)'));
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect Telegram account alerts' }));
    await waitFor(() =>
      expect(toasts()).toContain(
        'danger: Could not reconnect Telegram account alerts: the gateway is stopped; start it and its channel accounts connect',
      ),
    );
    expect(transport.called('channels.restart')).toEqual([
      { channel: 'telegram', accountId: 'default' },
      { channel: 'telegram', accountId: 'alerts' },
    ]);
  });

  it("a probe the gateway refuses shows the server's message", async () => {
    await connectFake({
      ...baseHandlers(status({ channels: [ACCOUNTS[1]!] })),
      'channels.probe': () => {
        throw new ControlError('not_found', 'telegram account "default" is not configured; add it under channels.telegram.accounts');
      },
    });
    render(<ChannelsView />);
    fireEvent.click(screen.getByRole('button', { name: 'Probe Telegram account default' }));
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Probe result for Telegram account default' }).textContent).toContain(
        'telegram account "default" is not configured; add it under channels.telegram.accounts',
      ),
    );
  });

  it('with no accounts, explains how to add one with the real config block and commands', async () => {
    await connectFake(baseHandlers());
    render(<ChannelsView />);
    expect(screen.getByRole('heading', { name: 'No channel accounts yet' })).toBeTruthy();
    const snippet = screen.getByLabelText('Config snippet').textContent!;
    expect(snippet).toContain('botToken: { secret: "telegram/default" }');
    expect(snippet).toContain('token: { secret: "discord/default" }');
    expect(snippet).toContain('whatsapp: {');
    expect(screen.getByText('switchboard secrets set telegram/default')).toBeTruthy();
    expect(screen.getByText('switchboard channels login --channel whatsapp --account personal')).toBeTruthy();
    expect(screen.getByText('/home/ann/.switchboard/switchboard.json')).toBeTruthy();
  });

  it('shows the load error from the gateway', async () => {
    await connectFake({
      ...baseHandlers(),
      status: () => {
        throw new ControlError('unavailable', 'the gateway is restarting');
      },
    });
    render(<ChannelsView />);
    expect(screen.getByRole('alert').textContent).toContain('the gateway is restarting');
  });
});
