// A config change the owner should notice (the model endpoint the API key goes to) is announced
// in the dashboard when the gateway reports it with `config.changed`.
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { RECENT_CHANGES_MAX } from '../../src-renderer/store/gateway.ts';
import { useToasts } from '../../src-renderer/store/toasts.ts';
import { OverviewView } from '../../src-renderer/views/overview/OverviewView.tsx';
import { agent, connectFake, status } from './fake-gateway.ts';

afterEach(cleanup);

const handlers = () => ({
  status: () => status(),
  'agents.list': () => ({ agents: [agent('main', { default: true })] }),
  'pairing.list': () => ({ pending: [] }),
  'auth.list': () => ({ keychain: { available: true, reason: null }, envKey: true, agents: [] }),
  'usage.summary': () => ({ agents: [] }),
});

describe('config change notices', () => {
  it('each notice of a config.changed event is shown', async () => {
    const transport = await connectFake(handlers());
    act(() =>
      transport.emit('config.changed', {
        hash: 'b'.repeat(64),
        ok: true,
        errors: [],
        notices: ['Model endpoint changed: https://a.example → https://b.example'],
      }),
    );
    expect(useToasts.getState().toasts).toEqual([
      expect.objectContaining({ tone: 'info', text: 'Model endpoint changed: https://a.example → https://b.example' }),
    ]);
  });

  it('a change without notices shows nothing', async () => {
    const transport = await connectFake(handlers());
    act(() => transport.emit('config.changed', { hash: 'c'.repeat(64), ok: true, errors: [] }));
    expect(useToasts.getState().toasts).toEqual([]);
  });

  it('the overview keeps the notices under "Recent changes", newest first, after the toast is gone', async () => {
    const transport = await connectFake(handlers());
    render(<OverviewView />);
    const change = (n: number) =>
      act(() =>
        transport.emit('config.changed', {
          hash: String(n).repeat(64).slice(0, 64),
          ok: true,
          errors: [],
          notices: [`Model endpoint changed: #${n}`],
        }),
      );
    await change(1);
    act(() => useToasts.setState({ toasts: [] }));
    const section = await screen.findByRole('region', { name: 'Recent changes' });
    expect(within(section).getByText(/Model endpoint changed: #1$/)).toBeTruthy();
    for (let n = 2; n <= RECENT_CHANGES_MAX + 2; n++) await change(n);
    const items = within(screen.getByRole('region', { name: 'Recent changes' })).getAllByRole('listitem');
    expect(items).toHaveLength(RECENT_CHANGES_MAX);
    expect(items[0]!.textContent).toMatch(/#12$/);
    expect(items.at(-1)!.textContent).toMatch(/#3$/);
  });
});
