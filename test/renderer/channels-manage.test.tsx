// Adding and managing channel accounts on the Channels page: the token goes to the gateway in a
// password field and is checked there (the bot's name, or what to fix), the change is based on the
// config hash read when the dialog opened, "Answer with…" binds an agent, and removal lists the
// bindings that depend on the account before it can go.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelsView } from '../../src-renderer/views/channels/ChannelsView.tsx';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { useToasts } from '../../src-renderer/store/toasts.ts';
import { agent, baseHandlers, connectFake, status } from './channels-fake-gateway.ts';

afterEach(cleanup);

const HASH = 'a'.repeat(64);
const TOKEN = '7001:AAH-secret-token-from-botfather';
const toasts = () => useToasts.getState().toasts.map((t) => `${t.tone}: ${t.text}`);

function configGet(raw: Record<string, unknown>, hash = HASH) {
  return () => ({ configPath: '/home/u/.switchboard/switchboard.json', exists: true, hash, raw, issues: [] });
}

describe('adding an account', () => {
  it('checks a Telegram token through the gateway, shows the bot, and adds the account with the hash it read', async () => {
    const transport = await connectFake({
      ...baseHandlers(status({ channels: [] })),
      'config.get': configGet({ agents: { list: [{ id: 'main', default: true }] } }),
      'channels.validate': () => ({ ok: true, bot: { id: '7001', name: 'Family Helper', username: 'family_helper_bot' } }),
      'channels.add': (p: { accountId: string }) => ({
        channel: 'telegram',
        accountId: p.accountId,
        hash: 'b'.repeat(64),
        bot: { id: '7001', name: 'Family Helper', username: 'family_helper_bot' },
        secret: `telegram/${p.accountId}`,
      }),
    });
    render(<ChannelsView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add an account' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a channel account' });
    const token = within(dialog).getByLabelText('Bot token') as HTMLInputElement;
    expect(token.type).toBe('password');
    expect((within(dialog).getByLabelText('Account id') as HTMLInputElement).value).toBe('default');
    const add = within(dialog).getByRole('button', { name: 'Add account' }) as HTMLButtonElement;
    fireEvent.change(token, { target: { value: TOKEN } });
    // Not before the gateway has said the token works.
    expect(add.disabled).toBe(true);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Check token' }));
    await waitFor(() => expect(within(dialog).getByRole('status', { name: 'Token check' }).textContent).toContain('Family Helper'));
    expect(within(dialog).getByRole('status', { name: 'Token check' }).textContent).toContain('@family_helper_bot');
    expect(transport.called('channels.validate')).toEqual([{ channel: 'telegram', token: TOKEN, accountId: 'default' }]);

    await waitFor(() => expect(add.disabled).toBe(false));
    fireEvent.click(add);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(transport.called('channels.add')).toEqual([{ baseHash: HASH, channel: 'telegram', accountId: 'default', token: TOKEN }]);
    expect(toasts()).toContain('ok: Telegram account default added — Family Helper');
    expect(document.body.textContent).not.toContain(TOKEN);
  });

  it('a Discord bot without the Message Content intent gets the fix, and cannot be added', async () => {
    const transport = await connectFake({
      ...baseHandlers(status({ channels: [] })),
      'config.get': configGet({}),
      'channels.validate': () => ({
        ok: false,
        problem: 'missing_intent',
        bot: { id: '1', name: 'mutebot', username: 'mutebot' },
        error: 'The bot mutebot does not have the Message Content intent … enable it in the Discord Developer Portal',
      }),
    });
    render(<ChannelsView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add account' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a channel account' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Discord' }));
    fireEvent.change(within(dialog).getByLabelText('Bot token'), { target: { value: 'MTA.discord.token' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Check token' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('The bot cannot read messages yet.');
    expect(alert.textContent).toContain('Discord Developer Portal');
    expect((within(dialog).getByRole('button', { name: 'Add account' }) as HTMLButtonElement).disabled).toBe(true);
    expect(transport.called('channels.add')).toEqual([]);
  });

  it('WhatsApp takes no token: the account is written and its QR code opens', async () => {
    const transport = await connectFake({
      ...baseHandlers(status({ channels: [] })),
      'config.get': configGet({}),
      'channels.add': () => ({ channel: 'whatsapp', accountId: 'default', hash: 'c'.repeat(64) }),
      'channels.login': () => new Promise(() => {}),
    });
    render(<ChannelsView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add account' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a channel account' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'WhatsApp' }));
    expect(within(dialog).queryByLabelText('Bot token')).toBeNull();
    const link = within(dialog).getByRole('button', { name: 'Add and link' }) as HTMLButtonElement;
    await waitFor(() => expect(link.disabled).toBe(false)); // once the config (its hash) is read
    fireEvent.click(link);
    await screen.findByRole('dialog', { name: 'Link WhatsApp account “default”' });
    expect(transport.called('channels.add')).toEqual([{ baseHash: HASH, channel: 'whatsapp', accountId: 'default' }]);
    expect(transport.called('channels.login')).toHaveLength(1);
  });

  it('says so when the config changed since the dialog read it, and nothing was saved', async () => {
    await connectFake({
      ...baseHandlers(status({ channels: [] })),
      'config.get': configGet({}),
      'channels.add': () => {
        throw new ControlError('conflict', 'the config file changed since you read it (someone else edited it); reload it');
      },
    });
    render(<ChannelsView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add account' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a channel account' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'WhatsApp' }));
    const link = within(dialog).getByRole('button', { name: 'Add and link' }) as HTMLButtonElement;
    await waitFor(() => expect(link.disabled).toBe(false)); // once the config (its hash) is read
    fireEvent.click(link);
    expect((await within(dialog).findByText('The config changed since you opened this.')).textContent).toBeTruthy();
  });
});

describe('managing an account', () => {
  const TELEGRAM = { channel: 'telegram', accountId: 'helper', state: 'connected' as const };
  const RAW = {
    agents: {
      list: [
        { id: 'main', default: true },
        { id: 'work', name: 'Work' },
      ],
    },
    bindings: [
      { agentId: 'work', match: { channel: 'telegram', accountId: 'helper' } },
      { agentId: 'main', match: { channel: 'telegram', accountId: 'helper', peer: { kind: 'direct', id: '42' } } },
      { agentId: 'main', match: { channel: 'discord' } },
    ],
    channels: { telegram: { accounts: { helper: { botToken: { secret: 'telegram/helper' } } } } },
  };

  it('"Answer with…" binds the account to the agent picked', async () => {
    const transport = await connectFake({
      ...baseHandlers(status({ channels: [TELEGRAM] })),
      'agents.list': () => ({ agents: [agent('main', { default: true }), agent('work', { name: 'Work' })] }),
      'config.get': configGet(RAW),
      'channels.bind': (p: { agentId: string }) => ({
        channel: 'telegram',
        accountId: 'helper',
        agentId: p.agentId,
        bindingIndex: 0,
        hash: 'd'.repeat(64),
      }),
    });
    render(<ChannelsView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Answer Telegram account helper with…' }));
    const dialog = screen.getByRole('dialog', { name: 'Answer Telegram account helper with…' });
    fireEvent.change(within(dialog).getByLabelText('Agent'), { target: { value: 'work' } });
    await waitFor(() => expect(transport.called('config.get').length).toBeGreaterThan(0));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Answer with this agent' }));
    await waitFor(() => expect(toasts()).toContain('ok: Work now answers Telegram account helper'));
    expect(transport.called('channels.bind')).toEqual([{ baseHash: HASH, channel: 'telegram', accountId: 'helper', agentId: 'work' }]);
  });

  it('removal lists the bindings that depend on the account and needs them dropped too', async () => {
    const transport = await connectFake({
      ...baseHandlers(status({ channels: [TELEGRAM] })),
      'config.get': configGet(RAW),
      'channels.remove': () => ({
        channel: 'telegram',
        accountId: 'helper',
        hash: 'e'.repeat(64),
        removedBindings: [0, 1],
        deletedSecret: 'telegram/helper',
        warnings: [],
      }),
    });
    render(<ChannelsView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove Telegram account helper' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove Telegram account helper?' });
    const list = await within(dialog).findByRole('list', { name: 'Bindings to this account' });
    // The two bindings naming the account; the Discord one does not depend on it.
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.querySelector('code')!.textContent),
    ).toEqual(['bindings[0]', 'bindings[1]']);
    expect(within(dialog).getByText(/keychain entry "telegram\/helper"/)).toBeTruthy();
    const remove = within(dialog).getByRole('button', { name: 'Remove account' }) as HTMLButtonElement;
    expect(remove.disabled).toBe(true);
    fireEvent.click(within(dialog).getByLabelText('Remove these 2 bindings too'));
    expect(remove.disabled).toBe(false);
    fireEvent.click(remove);
    await waitFor(() => expect(toasts()).toContain('ok: Removed Telegram account helper and 2 bindings; its token left the keychain'));
    expect(transport.called('channels.remove')).toEqual([{ baseHash: HASH, channel: 'telegram', accountId: 'helper', dropBindings: true }]);
  });

  it('Edit sends only what changed, a new token included, and shows a refusal with what to do', async () => {
    const transport = await connectFake({
      ...baseHandlers(status({ channels: [TELEGRAM] })),
      'config.get': configGet(RAW),
      'channels.update': () => {
        throw new ControlError('bad_request', 'the token was not saved: Telegram rejected the bot token (401); check it with @BotFather');
      },
    });
    render(<ChannelsView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit Telegram account helper' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit Telegram account helper' });
    const name = (await within(dialog).findByLabelText('Display name')) as HTMLInputElement;
    fireEvent.change(name, { target: { value: 'Helper' } });
    const token = within(dialog).getByLabelText('New bot token (optional)') as HTMLInputElement;
    expect(token.type).toBe('password');
    fireEvent.change(token, { target: { value: '1:bad' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('check it with @BotFather');
    expect(transport.called('channels.update')).toEqual([
      { baseHash: HASH, channel: 'telegram', accountId: 'helper', name: 'Helper', token: '1:bad' },
    ]);
  });
});
