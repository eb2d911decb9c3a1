// The "Add API key" dialog (src-renderer/ui/ApiKeyDialog.tsx): with a keychain it stores the key;
// without one it says why, how to start a keychain on this platform and how to use ANTHROPIC_API_KEY
// instead, and does not offer a save that can only fail.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKeyDialog } from '../../src-renderer/ui/ApiKeyDialog.tsx';
import { NoKeychainHelp } from '../../src-renderer/ui/keychain-help.tsx';
import { agent, connectFake, status, type Handler } from './fake-gateway.ts';

const base = (keychain = { available: true, reason: null as string | null }): Record<string, Handler> => ({
  status: () => status({ keychain }),
  'agents.list': () => ({ agents: [agent('main', { default: true })] }),
  'pairing.list': () => ({ pending: [] }),
});

afterEach(cleanup);

const noop = () => {};

describe('Add API key dialog', () => {
  it('with a keychain: no keychain help, and the key goes to auth.add', async () => {
    const transport = await connectFake({ ...base(), 'auth.add': () => ({ profileId: 'anthropic:1' }) });
    render(<ApiKeyDialog agentIds={['main']} onClose={noop} />);
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).queryByTestId('no-keychain-help')).toBeNull();
    fireEvent.change(within(dialog).getByLabelText('API key'), { target: { value: 'sk-ant-test-key' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save key' }));
    await expect
      .poll(() => transport.called('auth.add'))
      .toEqual([expect.objectContaining({ agentId: 'main', apiKey: 'sk-ant-test-key' })]);
  });

  it('without a keychain: says why, how to start one and how to use ANTHROPIC_API_KEY, and cannot save', async () => {
    const reason = 'no Secret Service (D-Bus session) is running';
    const transport = await connectFake(base({ available: false, reason }));
    render(<ApiKeyDialog agentIds={['main']} onClose={noop} />);
    const dialog = screen.getByRole('dialog');
    expect(
      within(dialog)
        .getByText(/no keychain the gateway can use/)
        .closest('.banner')!.textContent,
    ).toContain(reason);
    const help = within(dialog).getByTestId('no-keychain-help');
    expect(help.textContent).toContain('ANTHROPIC_API_KEY=sk-ant-… switchboard gateway');
    expect((within(dialog).getByLabelText('API key') as HTMLInputElement).disabled).toBe(true);
    expect((within(dialog).getByRole('button', { name: 'Save key' }) as HTMLButtonElement).disabled).toBe(true);
    expect(transport.called('auth.add')).toEqual([]);
  });

  it('on Linux the help names a Secret Service and how to run one without a desktop', () => {
    render(<NoKeychainHelp platform="linux" />);
    const help = screen.getByTestId('no-keychain-help').textContent!;
    expect(help).toContain('GNOME Keyring');
    expect(help).toContain('dbus-run-session');
    expect(help).toContain('gnome-keyring-daemon --unlock');
  });

  it('on macOS the help points at Keychain Access instead', () => {
    render(<NoKeychainHelp platform="mac" />);
    const help = screen.getByTestId('no-keychain-help').textContent!;
    expect(help).toContain('Keychain Access');
    expect(help).not.toContain('dbus-run-session');
  });
});
