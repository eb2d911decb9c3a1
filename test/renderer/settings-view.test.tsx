// The Settings view: the theme applies at once (data-theme) and is remembered; paths come with Copy;
// an unavailable keychain says why and what to do; API keys are listed per agent, tested with the
// result shown on the key, and removed only after a confirmation.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTheme } from '../../src-renderer/store/theme.ts';
import { SettingsView } from '../../src-renderer/views/settings/SettingsView.tsx';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { agent, baseHandlers, connectFake, status } from './channels-fake-gateway.ts';

afterEach(cleanup);
beforeEach(() => {
  window.localStorage.clear();
  useTheme.setState({ theme: 'system' });
  document.documentElement.dataset.theme = 'light';
});

const profile = (over: Record<string, unknown> = {}) => ({
  profileId: 'default',
  provider: 'anthropic',
  kind: 'api_key',
  label: 'Work key',
  scope: 'agent',
  createdAt: '2026-11-01T09:00:00Z',
  order: 0,
  keyStored: true,
  ...over,
});

function authList(profiles: ReturnType<typeof profile>[]) {
  return () => ({
    keychain: { available: true, reason: null },
    agents: [{ agentId: 'main', scope: 'agent', envFallback: profiles.length === 0, profiles }],
  });
}

describe('settings', () => {
  it('switching the theme sets data-theme at once and remembers the choice', async () => {
    await connectFake({ ...baseHandlers(), 'auth.list': authList([]) });
    render(<SettingsView />);
    const theme = screen.getByRole('group', { name: 'Theme' });
    expect(within(theme).getByRole('button', { name: 'System' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(within(theme).getByRole('button', { name: 'Dark' }));
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(window.localStorage.getItem('switchboard.theme')).toBe('dark');
    expect(within(theme).getByRole('button', { name: 'Dark' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(within(theme).getByRole('button', { name: 'Light' }));
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('shows the state folder and the config file with Copy, the versions, and the config errors', async () => {
    await connectFake({
      ...baseHandlers(
        status({ configErrors: [{ message: 'unknown key "agnets" (did you mean "agents"?)', path: 'agnets', line: 3, column: 3 }] }),
      ),
      'auth.list': authList([]),
    });
    render(<SettingsView />);
    expect(screen.getByText('/home/ann/.switchboard')).toBeTruthy();
    expect(screen.getByText('/home/ann/.switchboard/switchboard.json')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy the state folder path' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy the config file path' })).toBeTruthy();
    expect(screen.getByText('0.1.0')).toBeTruthy();
    expect(screen.getByText(/control protocol v1/)).toBeTruthy();
    const error = screen.getByText(/Unknown key "agnets"/).closest('li')!;
    expect(error.textContent).toContain('(line 3:3)');
    expect(error.querySelector('code')?.textContent).toBe('agnets');
  });

  it('Copy puts the config file path on the clipboard and says so', async () => {
    await connectFake({ ...baseHandlers(), 'auth.list': authList([]) });
    render(<SettingsView />);
    const copy = screen.getByRole('button', { name: 'Copy the config file path' });
    fireEvent.click(copy);
    await waitFor(() => expect(copy.textContent).toBe('Copied'));
    expect(await navigator.clipboard.readText()).toBe('/home/ann/.switchboard/switchboard.json');
  });

  it('Open in editor asks the gateway to open its config file, and shows why when it cannot', async () => {
    let fail = false;
    const transport = await connectFake({
      ...baseHandlers(),
      'auth.list': authList([]),
      'config.open': () => {
        if (fail)
          throw new ControlError(
            'unavailable',
            'could not open /home/ann/.switchboard/switchboard.json: xdg-open is not available on this machine; open it in your editor yourself',
          );
        return { path: '/home/ann/.switchboard/switchboard.json' };
      },
    });
    render(<SettingsView />);
    const open = screen.getByRole('button', { name: 'Open in editor' });
    fireEvent.click(open);
    await waitFor(() => expect(transport.called('config.open')).toHaveLength(1));
    expect(screen.queryByRole('alert')).toBeNull();
    fail = true;
    fireEvent.click(open);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('xdg-open is not available on this machine'));
  });

  it('an unavailable keychain says why and what to do', async () => {
    await connectFake({
      ...baseHandlers(status({ keychain: { available: false, reason: 'no Secret Service on the D-Bus session (install gnome-keyring)' } })),
      'auth.list': () => {
        throw new ControlError('unavailable', 'credentials unavailable: no Secret Service on the D-Bus session (install gnome-keyring)');
      },
    });
    render(<SettingsView />);
    const keychain = screen.getByRole('region', { name: 'Keychain' });
    expect(within(keychain).getByText('unavailable')).toBeTruthy();
    expect(within(keychain).getByRole('alert').textContent).toContain('no Secret Service on the D-Bus session (install gnome-keyring)');
    expect(within(keychain).getByText('What to do')).toBeTruthy();
    const keys = screen.getByRole('region', { name: 'API keys' });
    await waitFor(() => expect(within(keys).getByRole('alert').textContent).toContain('credentials unavailable: no Secret Service'));
  });

  it("lists each agent's keys with their state and tests one, showing the result on the key", async () => {
    const transport = await connectFake({
      ...baseHandlers(),
      'agents.list': () => ({ agents: [agent('main', { default: true, name: 'Main' })] }),
      'auth.list': authList([profile(), profile({ profileId: 'backup', label: undefined, keyStored: false })]),
      'auth.test': () => ({
        agentId: 'main',
        results: [{ profileId: 'default', ok: false, status: 401, message: 'the key was rejected: invalid x-api-key' }],
      }),
    });
    render(<SettingsView />);
    const group = await screen.findByRole('group', { name: 'API keys of Main' });
    const rows = within(group).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]!.textContent)).toEqual(['Work keydefault', 'backup']);
    expect(within(rows[1]!).getByText(/Missing from the keychain/)).toBeTruthy();
    fireEvent.click(within(group).getByRole('button', { name: 'Test key Work key of Main' }));
    await waitFor(() =>
      expect(within(rows[0]!).getByRole('status').textContent).toBe('✕ Failed: the key was rejected: invalid x-api-key (HTTP 401)'),
    );
    expect(transport.called('auth.test')).toEqual([{ agentId: 'main', profileId: 'default' }]);
  });

  it('removes a key only after confirming, then lists the keys again', async () => {
    let profiles = [profile()];
    const transport = await connectFake({
      ...baseHandlers(),
      'auth.list': () => authList(profiles)(),
      'auth.remove': () => {
        profiles = [];
        return { removed: true };
      },
    });
    render(<SettingsView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove key Work key of main' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove this API key?' });
    expect(transport.called('auth.remove')).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Remove key Work key of main' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove key' }));
    await waitFor(() => expect(screen.getByText(/No key of its own/)).toBeTruthy());
    expect(transport.called('auth.remove')).toEqual([{ agentId: 'main', profileId: 'default' }]);
  });
});

describe('settings inside the desktop app', () => {
  const prefs = {
    startAtLogin: false,
    startAtLoginSupported: true,
    startGatewayOnLaunch: true,
    remoteAccess: { enabled: false, port: 47800 },
    theme: 'system',
  };
  beforeEach(() => {
    (window as unknown as { switchboard?: unknown }).switchboard = { request: async () => ({ ok: true, result: {} }), on: () => () => {} };
  });
  afterEach(() => {
    delete (window as unknown as { switchboard?: unknown }).switchboard;
  });

  it("shows the app's own prefs and changes them through desktop.prefs.set, theme included", async () => {
    let current = { ...prefs };
    const transport = await connectFake({
      ...baseHandlers(),
      'auth.list': authList([]),
      'desktop.prefs.get': () => current,
      'desktop.prefs.set': (patch: Record<string, unknown>) => {
        current = {
          ...current,
          ...patch,
          remoteAccess:
            patch.remoteAccess === undefined ? current.remoteAccess : { ...current.remoteAccess, enabled: patch.remoteAccess as boolean },
        } as typeof current;
        return current;
      },
    });
    render(<SettingsView />);
    const remote = await screen.findByRole('checkbox', { name: /Remote access/ });
    expect((remote as HTMLInputElement).checked).toBe(false);
    fireEvent.click(remote);
    await waitFor(() => expect(screen.getByText(/http:\/\/127\.0\.0\.1:47800\//)).toBeTruthy());
    fireEvent.click(screen.getByRole('checkbox', { name: /Start the gateway when the app opens/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Dark' }));
    await waitFor(() =>
      expect(transport.called('desktop.prefs.set')).toEqual([{ remoteAccess: true }, { startGatewayOnLaunch: false }, { theme: 'dark' }]),
    );
  });

  it('is not shown in a browser', async () => {
    delete (window as unknown as { switchboard?: unknown }).switchboard;
    await connectFake({ ...baseHandlers(), 'auth.list': authList([]) });
    render(<SettingsView />);
    await screen.findByRole('heading', { name: 'Appearance' });
    expect(screen.queryByRole('heading', { name: 'Desktop app' })).toBeNull();
  });
});
