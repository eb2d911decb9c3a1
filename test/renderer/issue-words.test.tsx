// Config problems in the user's words (src-renderer/ui/issue-words.ts): the real checker's issues on
// a real config become a sentence about the binding, agent or account, a "Fix" target (page + field)
// and the config path as a detail; the route tester says why in words (views/bindings/route-words.ts).
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { compileRouter } from '../../src-shared/routing/index.ts';
import { checkDraft } from '../../src-renderer/store/config.ts';
import { useNav } from '../../src-renderer/store/nav.ts';
import { humanizeIssue, parsePath } from '../../src-renderer/ui/issue-words.ts';
import { OverviewView } from '../../src-renderer/views/overview/OverviewView.tsx';
import { ChannelsView } from '../../src-renderer/views/channels/ChannelsView.tsx';
import { explainRoute } from '../../src-renderer/views/bindings/route-words.ts';
import { baseHandlers, connectFake, status } from './channels-fake-gateway.ts';

afterEach(cleanup);

const raw = (bindings: unknown[], channels: Record<string, unknown> = {}) => ({
  agents: {
    list: [
      { id: 'main', default: true, name: 'Main' },
      { id: 'work', name: 'Work' },
    ],
  },
  bindings,
  channels,
});

/** The checker's issues for `config`, each humanized against it. */
function problems(config: Record<string, unknown>) {
  return checkDraft(config).issues.map((i) => humanizeIssue(i, config));
}

describe('config problems in words', () => {
  it('a binding on a Telegram account that is not set up: says so, offers Add account, keeps the path as detail', () => {
    const config = raw([{ agentId: 'work', match: { channel: 'telegram', accountId: 'default' } }], {
      telegram: { accounts: { alerts: { enabled: false } } },
    });
    const [p] = problems(config).filter((x) => x.code === 'unknown_account');
    expect(p!.text).toBe('This binding uses the Telegram account "default", which isn\'t set up yet.');
    expect(p!.fix).toEqual({ label: 'Add account', hash: '#/channels/add/telegram/default' });
    expect(p!.path).toBe('bindings[0].match.accountId');
  });

  it('a binding on a channel with no accounts at all points at Add account for the account it names', () => {
    const config = raw([{ agentId: 'work', match: { channel: 'discord', accountId: 'team' } }]);
    const [p] = problems(config).filter((x) => x.code === 'unconfigured_channel');
    expect(p!.text).toContain('This binding is for Discord, where no account is set up yet');
    expect(p!.fix!.hash).toBe('#/channels/add/discord/team');
  });

  it('a binding to an agent that does not exist: names it, keeps the suggestion, and the fix opens its agent field', () => {
    const config = raw([{ agentId: 'wrok', match: { channel: 'telegram' } }], { telegram: { accounts: { default: {} } } });
    const [p] = problems(config).filter((x) => x.code === 'unknown_agent');
    expect(p!.text).toBe('This binding sends messages to the agent "wrok", which doesn\'t exist. Did you mean "work"?');
    expect(p!.fix).toEqual({ label: 'Choose an agent', hash: '#/bindings/edit/0', field: 'agentId' });
    expect(p!.path).toBe('bindings[0].agentId');
  });

  it('a problem in an agent names the agent and links to its editor', () => {
    const config = { agents: { list: [{ id: 'main', default: true, model: 'claude-sonet-4' }] } };
    const [p] = problems(config).filter((x) => x.code === 'unknown_model');
    expect(p!.text).toMatch(/^Agent "main" uses the model "claude-sonet-4", which this version does not know/);
    expect(p!.fix).toEqual({ label: 'Choose a model', hash: '#/agents/main', field: 'model' });
  });

  it("a problem outside bindings, agents and channels keeps the checker's words as a sentence, with no fix", () => {
    const p = humanizeIssue(
      { severity: 'error', code: 'x', message: 'session.dmScope must be one of main, per-peer', path: ['session', 'dmScope'] },
      {},
    );
    expect(p).toEqual({ severity: 'error', code: 'x', text: 'Session.dmScope must be one of main, per-peer.', path: 'session.dmScope' });
  });
});

describe('the Add account fix link', () => {
  it('#/channels/add/<channel>/<account> opens the Add account dialog for that account', async () => {
    await connectFake({ ...baseHandlers(status({ channels: [] })) }, 'channels');
    render(<ChannelsView />);
    act(() => useNav.getState().navigate('channels', 'add', 'discord', 'team'));
    const dialog = await screen.findByRole('dialog', { name: 'Add a channel account' });
    expect((within(dialog).getByLabelText('Account id') as HTMLInputElement).value).toBe('team');
    expect(within(dialog).getByRole('button', { name: 'Discord' }).getAttribute('aria-pressed')).toBe('true');
    expect(useNav.getState().route).toEqual({ view: 'channels', args: [] });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('route tester in words', () => {
  const config = checkDraft(
    raw(
      [
        { agentId: 'work', match: { channel: 'telegram', peer: { kind: 'group', id: '-1001234' } } },
        { agentId: 'main', match: { channel: 'telegram', accountId: 'default' } },
      ],
      { telegram: { accounts: { default: {} } } },
    ),
  ).config!;
  const router = compileRouter(config);
  const say = (inbound: Parameters<typeof router.explain>[0], name: string) => {
    const e = router.explain(inbound);
    return explainRoute(
      e,
      config.bindings.find((b) => b.index === e.decision.bindingIndex),
      name,
    );
  };

  it('a message from the bound group: answered by Work because of a peer binding', () => {
    expect(say({ channel: 'telegram', accountId: 'default', peer: { kind: 'group', id: '-1001234' } }, 'Work')).toBe(
      'Answered by Work because the message comes from the Telegram group -1001234 (a peer binding, the most specific kind, binding 0).',
    );
  });

  it('any other message on the account: an account binding', () => {
    expect(say({ channel: 'telegram', accountId: 'default', peer: { kind: 'direct', id: '42' } }, 'Main')).toBe(
      'Answered by Main because the message arrived on the Telegram account "default" (an account binding, binding 1).',
    );
  });

  it('nothing matches: the default agent, said as such', () => {
    expect(say({ channel: 'discord', accountId: 'default' }, 'Main')).toBe(
      'Answered by Main, the default agent, because no binding matches a message like this one.',
    );
  });
});

describe('problems that arrive as text (status.configErrors)', () => {
  it('parses the printed path back, including quoted keys', () => {
    expect(parsePath('bindings[0].match.accountId')).toEqual(['bindings', 0, 'match', 'accountId']);
    expect(parsePath('channels.discord.guilds["123"].roles[2]')).toEqual(['channels', 'discord', 'guilds', '123', 'roles', 2]);
    expect(parsePath('')).toEqual([]);
  });

  it('the overview names the binding and links to it instead of showing only the path', async () => {
    await connectFake({
      ...baseHandlers(
        status({ configErrors: [{ path: 'bindings[2].match.roles', message: 'roles only apply inside a guild: add match.guildId' }] }),
      ),
      'auth.list': () => ({ keychain: { available: true, reason: null }, envKey: true, agents: [] }),
      'usage.summary': () => ({ agents: [] }),
    });
    render(<OverviewView />);
    const banner = (await screen.findByText(/The config file has errors/)).closest('.banner')!;
    expect(banner.textContent).toContain('Binding 2: Roles only apply inside a guild: add match.guildId.');
    expect(
      within(banner as HTMLElement)
        .getByRole('link', { name: 'Edit binding' })
        .getAttribute('href'),
    ).toBe('#/bindings/edit/2');
    expect(within(banner as HTMLElement).getByText('bindings[2].match.roles').tagName).toBe('CODE');
  });
});

describe('without the config at hand', () => {
  it('a binding problem names the binding by number rather than guessing its channel or account', () => {
    const p = humanizeIssue(
      {
        severity: 'warning',
        code: 'unknown_account',
        message: 'account "x" is not defined under channels.telegram.accounts',
        path: ['bindings', 4, 'match', 'accountId'],
      },
      undefined,
    );
    expect(p.text).toBe('Binding 4: Account "x" is not defined under channels.telegram.accounts.');
    expect(p.fix).toEqual({ label: 'Edit binding', hash: '#/bindings/edit/4', field: 'accountId' });
  });
});
