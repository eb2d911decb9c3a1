// Settings → Updates: inside the desktop app the section follows the app's update state (a check,
// the download's percentage from desktop.update events, "Update ready" with Restart to update) and
// turns automatic checks on and off; in a browser it says the desktop app handles updates.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayClient } from '../../src-renderer/gateway/client.ts';
import { IpcTransport } from '../../src-renderer/gateway/ipc-transport.ts';
import { SettingsView } from '../../src-renderer/views/settings/SettingsView.tsx';
import type { SwitchboardBridge } from '../../src-shared/protocol/bridge.ts';
import { baseHandlers, connectFake, type FakeTransport } from './channels-fake-gateway.ts';

afterEach(cleanup);

const prefs = (autoUpdate: boolean) => ({
  startAtLogin: false,
  startAtLoginSupported: true,
  startGatewayOnLaunch: true,
  remoteAccess: { enabled: false, port: 47800 },
  theme: 'system',
  autoUpdate,
});

type State = Record<string, unknown>;

/** The app's side as the fake gateway answers it: a pref, an update state, and what each call changes. */
async function app(initial: State, opts: { auto?: boolean; afterCheck?: State } = {}) {
  let auto = opts.auto ?? true;
  let state = initial;
  const transport = await connectFake({
    ...baseHandlers(),
    'auth.list': () => ({ keychain: { available: true, reason: null }, agents: [] }),
    'desktop.prefs.get': () => prefs(auto),
    'desktop.prefs.set': (patch: { autoUpdate?: boolean }) => {
      if (patch.autoUpdate !== undefined) {
        auto = patch.autoUpdate;
        state = auto ? { phase: 'idle' } : { phase: 'off', reason: 'disabled' };
      }
      return prefs(auto);
    },
    'desktop.update.get': () => state,
    'desktop.update.check': () => (state = opts.afterCheck ?? state),
    'desktop.update.restart': () => {
      const ready = state.phase === 'ready';
      if (ready) state = { phase: 'installing', version: state.version };
      return { restarting: ready };
    },
  });
  const section = () => screen.getByRole('region', { name: 'Updates' });
  return { transport, section, emit: (next: State) => act(() => transport.emit('desktop.update', next)) };
}

describe('Settings → Updates inside the desktop app', () => {
  beforeEach(() => {
    (window as unknown as { switchboard?: unknown }).switchboard = { request: async () => ({ ok: true, result: {} }), on: () => () => {} };
  });
  afterEach(() => {
    delete (window as unknown as { switchboard?: unknown }).switchboard;
  });

  it('Check now starts a check; the download shows its percentage as events arrive; a ready update offers Restart to update', async () => {
    const { transport, section, emit } = await app(
      { phase: 'up-to-date', checkedAt: Date.now() - 5 * 60_000 },
      { afterCheck: { phase: 'downloading', version: '0.1.1', percent: 3 } },
    );
    render(<SettingsView />);
    await waitFor(() => expect(within(section()).getByRole('status').textContent).toBe('Up to date (checked 5 min ago).'));
    expect(within(section()).queryByRole('button', { name: 'Restart to update' })).toBeNull();
    fireEvent.click(within(section()).getByRole('button', { name: 'Check now' }));
    await waitFor(() => expect(within(section()).getByRole('status').textContent).toBe('Downloading version 0.1.1: 3%'));
    expect(transport.called('desktop.update.check')).toHaveLength(1);
    // No second check while it downloads.
    expect(within(section()).queryByRole('button', { name: 'Check now' })).toBeNull();
    emit({ phase: 'downloading', version: '0.1.1', percent: 57 });
    expect(within(section()).getByRole('status').textContent).toBe('Downloading version 0.1.1: 57%');
    expect((within(section()).getByRole('progressbar', { name: 'Downloading version 0.1.1' }) as HTMLProgressElement).value).toBe(57);
    emit({ phase: 'ready', version: '0.1.1' });
    expect(within(section()).getByRole('status').textContent).toBe('Update ready: version 0.1.1.');
    expect(within(section()).getByText(/The gateway stops first/)).toBeTruthy();
    fireEvent.click(within(section()).getByRole('button', { name: 'Restart to update' }));
    await waitFor(() => expect(transport.called('desktop.update.restart')).toHaveLength(1));
    emit({ phase: 'installing', version: '0.1.1' });
    expect(within(section()).getByRole('status').textContent).toBe(
      'Installing version 0.1.1: the app restarts once the gateway has stopped.',
    );
    expect(within(section()).queryByRole('button', { name: 'Restart to update' })).toBeNull();
  });

  it('"Check for updates automatically" is saved in the prefs; off means no Check now and says so', async () => {
    const { transport, section } = await app({ phase: 'idle' });
    render(<SettingsView />);
    const box = (await within(section()).findByRole('checkbox', { name: /Check for updates automatically/ })) as HTMLInputElement;
    expect(box.checked).toBe(true);
    expect(within(section()).getByRole('button', { name: 'Check now' })).toBeTruthy();
    fireEvent.click(box);
    await waitFor(() => expect(within(section()).getByRole('status').textContent).toBe('Automatic update checks are off.'));
    expect(transport.called('desktop.prefs.set')).toEqual([{ autoUpdate: false }]);
    expect(box.checked).toBe(false);
    expect(within(section()).getByText('Off: the app makes no update requests at all.')).toBeTruthy();
    expect(within(section()).queryByRole('button', { name: 'Check now' })).toBeNull();
    fireEvent.click(box);
    await waitFor(() => expect(box.checked).toBe(true));
    expect(transport.called('desktop.prefs.set')).toEqual([{ autoUpdate: false }, { autoUpdate: true }]);
    expect(within(section()).getByRole('button', { name: 'Check now' })).toBeTruthy();
  });

  it('a copy that cannot update itself says so and its toggle is disabled; a failed check shows its reason', async () => {
    const { transport, section, emit } = await app({ phase: 'off', reason: 'unsupported' });
    render(<SettingsView />);
    await waitFor(() => expect(within(section()).getByRole('status').textContent).toContain('cannot update itself'));
    const box = (await within(section()).findByRole('checkbox', { name: /Check for updates automatically/ })) as HTMLInputElement;
    expect(box.disabled).toBe(true);
    emit({ phase: 'error', message: 'net::ERR_INTERNET_DISCONNECTED', at: Date.now() });
    expect(within(section()).getByRole('status').textContent).toBe('The last update check failed: net::ERR_INTERNET_DISCONNECTED');
    expect(transport.called('desktop.update.check')).toEqual([]);
  });

  it('a refused call is shown, not swallowed', async () => {
    const { transport, section } = await app({ phase: 'idle' });
    transport.handlers['desktop.update.check'] = () => {
      throw new Error('update checks are turned off in Settings');
    };
    render(<SettingsView />);
    fireEvent.click(await within(section()).findByRole('button', { name: 'Check now' }));
    await waitFor(() => expect(within(section()).getByRole('alert').textContent).toContain('update checks are turned off in Settings'));
  });
});

describe('Settings → Updates in a browser', () => {
  it('says the desktop app handles updates, and asks nothing about them', async () => {
    const transport: FakeTransport = await connectFake({
      ...baseHandlers(),
      'auth.list': () => ({ keychain: { available: true, reason: null }, agents: [] }),
    });
    render(<SettingsView />);
    const section = await screen.findByRole('region', { name: 'Updates' });
    expect(section.textContent).toContain('Updates are handled by the Switchboard desktop app');
    expect(within(section).queryByRole('checkbox')).toBeNull();
    expect(transport.methods().filter((m) => m.startsWith('desktop.'))).toEqual([]);
  });
});

describe('the IPC transport', () => {
  it("delivers the app's desktop.update events from the preload bridge to the client", () => {
    const listeners = new Map<string, (data: unknown) => void>();
    const bridge: SwitchboardBridge = {
      request: async () => ({ ok: true, result: {} }),
      on: (event, listener) => {
        listeners.set(event, listener);
        return () => listeners.delete(event);
      },
    };
    const client = new GatewayClient(new IpcTransport(bridge));
    const got: unknown[] = [];
    client.on('desktop.update', (state) => got.push(state));
    listeners.get('desktop.update')?.({ phase: 'ready', version: '0.1.1' });
    expect(got).toEqual([{ phase: 'ready', version: '0.1.1' }]);
    client.close();
    expect(listeners.has('desktop.update')).toBe(false);
  });
});
