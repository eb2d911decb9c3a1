// The Bindings view against a gateway faked at the transport seam: the list as the config has it,
// reordering from the keyboard, problems shown on their row, the add dialog's field errors, the
// route tester following every edit, and saving (including someone else's conflicting change).
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallOutcome, ErrorBody } from '../../src-shared/protocol/frames.ts';
import { GatewayClient } from '../../src-renderer/gateway/client.ts';
import type { ConnectionState, Transport } from '../../src-renderer/gateway/transport.ts';
import { useConfig } from '../../src-renderer/store/config.ts';
import { useGateway } from '../../src-renderer/store/gateway.ts';
import { useNav } from '../../src-renderer/store/nav.ts';
import { BindingsView } from '../../src-renderer/views/bindings/BindingsView.tsx';
import { EMPTY_TESTER } from '../../src-renderer/views/bindings/draft.ts';
import { useBindingEditor } from '../../src-renderer/views/bindings/editor-store.ts';

type Handler = (params: unknown) => unknown;

/** A gateway that answers from `handlers`; a thrown `{code, message}` becomes an error response. */
class FakeTransport implements Transport {
  readonly calls: { method: string; params: unknown }[] = [];
  private readonly events = new Set<(event: string, data: unknown) => void>();
  readonly state: ConnectionState = { kind: 'open' };
  constructor(private readonly handlers: Record<string, Handler>) {}
  async request(method: string, params: unknown): Promise<CallOutcome> {
    this.calls.push({ method, params });
    const handler = this.handlers[method];
    if (!handler) return { ok: false, error: { code: 'not_found', message: `no method ${method}` } };
    try {
      return { ok: true, result: await handler(params) };
    } catch (err) {
      return { ok: false, error: err as ErrorBody };
    }
  }
  onEvent(listener: (event: string, data: unknown) => void) {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }
  onState() {
    return () => undefined;
  }
  emit(event: string, data: unknown) {
    for (const l of this.events) l(event, data);
  }
  close() {}
}

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

function configWith(bindings: unknown[]) {
  return {
    agents: {
      list: [
        { id: 'main', default: true, name: 'Main' },
        { id: 'ops', name: 'Ops', identity: { emoji: '🛠' } },
      ],
    },
    bindings,
    channels: { telegram: { accounts: { default: { enabled: false }, alerts: { enabled: false } } } },
  };
}

function startGateway(bindings: unknown[], extra: Record<string, Handler> = {}) {
  let current = { hash: HASH_A, raw: configWith(bindings) };
  const transport = new FakeTransport({
    'config.get': () => ({
      configPath: '/tmp/switchboard.json',
      exists: true,
      hash: current.hash,
      raw: structuredClone(current.raw),
      issues: [],
    }),
    'bindings.set': (params) => {
      const p = params as { baseHash: string; bindings: unknown[] };
      if (p.baseHash !== current.hash)
        throw {
          code: 'conflict',
          message: 'the config file changed since you read it (someone else edited it); reload it (config.get) and make your change again',
        };
      current = { hash: HASH_B, raw: { ...current.raw, bindings: p.bindings } };
      return { hash: HASH_B, shadowed: [] };
    },
    status: () => {
      throw { code: 'unavailable', message: 'not in this test' };
    },
    'agents.list': () => ({ agents: [] }),
    'pairing.list': () => ({ pending: [] }),
    ...extra,
  });
  useGateway.getState().attach(new GatewayClient(transport));
  return {
    transport,
    /** Someone else edits the file. */
    changeElsewhere(raw: ReturnType<typeof configWith>) {
      current = { hash: HASH_B, raw };
    },
  };
}

const rowNames = () =>
  within(screen.getByRole('list', { name: 'Bindings' }))
    .getAllByRole('listitem', { name: /^Binding \d+:/ })
    .map((li) => li.getAttribute('aria-label'));
const decidedBy = () => screen.getByTestId('decided-by').textContent;
const setField = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

beforeEach(() => {
  useConfig.setState({ snapshot: undefined, check: undefined, error: undefined, loading: false });
  useBindingEditor.setState({ draft: undefined, tester: EMPTY_TESTER });
});
afterEach(() => cleanup());

describe('Bindings view', () => {
  it('says every message goes to the default agent when there are no bindings, and offers to add one', async () => {
    startGateway([]);
    render(<BindingsView />);
    expect(await screen.findByRole('heading', { name: 'No bindings yet' })).toBeTruthy();
    expect(screen.getByText(/Every message goes to the default agent/).textContent).toContain('Main');
    expect(screen.getAllByRole('button', { name: 'Add binding' }).length).toBeGreaterThan(0);
    expect(decidedBy()).toContain('No binding matched → default agent main');
  });

  it('shows each binding with its tier and lets the route tester find the one that decides', async () => {
    startGateway([
      { agentId: 'ops', match: { channel: 'telegram', peer: { kind: 'group', id: '-100' } } },
      { agentId: 'main', match: { channel: 'telegram', accountId: 'alerts' } },
    ]);
    render(<BindingsView />);
    await screen.findByRole('list', { name: 'Bindings' });
    expect(rowNames()).toEqual(['Binding 0: Ops ← Telegram, default account, group -100', 'Binding 1: Main ← Telegram, account alerts']);
    expect(within(screen.getByRole('listitem', { name: /^Binding 0/ })).getByTitle('Tier 1: binding.peer')).toBeTruthy();
    setField('Peer kind', 'group');
    setField('Peer id', '-100');
    expect(decidedBy()).toBe('Binding 0');
    expect(screen.getByTestId('session-key').textContent).toBe('agent:ops:telegram:group:-100');
    expect(screen.getByRole('listitem', { name: /^Binding 0/ }).className).toContain('decided');
  });

  it('reorders with Alt+Arrow on a focused row, keeps focus on it and re-runs the tester on the draft', async () => {
    startGateway([
      { agentId: 'ops', match: { channel: 'telegram', accountId: 'alerts' } },
      { agentId: 'main', match: { channel: 'telegram', accountId: 'alerts' } },
    ]);
    render(<BindingsView />);
    await screen.findByRole('list', { name: 'Bindings' });
    setField('Account', 'alerts');
    const tester = screen.getByRole('region', { name: 'Route decision' });
    expect(within(tester).getByText('Ops')).toBeTruthy();
    expect(screen.getByRole('listitem', { name: /^Binding 1/ }).textContent).toContain('Never matches');

    const second = screen.getByRole('listitem', { name: /^Binding 1/ });
    second.focus();
    fireEvent.keyDown(second, { key: 'ArrowUp', altKey: true });

    expect(rowNames()).toEqual(['Binding 0: Main ← Telegram, account alerts', 'Binding 1: Ops ← Telegram, account alerts']);
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Binding 0: Main ← Telegram, account alerts');
    expect(within(tester).getByText('Main')).toBeTruthy();
    expect(screen.getByText('Unsaved changes')).toBeTruthy();
  });

  it('keeps one row in the tab order, walks rows with the arrows and removes with Delete', async () => {
    startGateway([
      { agentId: 'ops', match: { channel: 'telegram' } },
      { agentId: 'main', match: { channel: 'telegram', accountId: 'alerts' } },
      { agentId: 'ops', match: { channel: 'discord', accountId: '*' } },
    ]);
    render(<BindingsView />);
    await screen.findByRole('list', { name: 'Bindings' });
    const rows = () => within(screen.getByRole('list', { name: 'Bindings' })).getAllByRole('listitem');
    expect(rows().map((r) => r.tabIndex)).toEqual([0, -1, -1]);
    rows()[0]!.focus();
    fireEvent.keyDown(rows()[0]!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(rows()[1]);
    expect(rows().map((r) => r.tabIndex)).toEqual([-1, 0, -1]);
    fireEvent.keyDown(rows()[1]!, { key: 'Delete' });
    expect(rowNames()).toEqual(['Binding 0: Ops ← Telegram, default account', 'Binding 1: Ops ← Discord, every account']);
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Binding 1: Ops ← Discord, every account');
  });

  it('moves with the Move buttons and treats moving back as no change', async () => {
    startGateway([
      { agentId: 'ops', match: { channel: 'telegram' } },
      { agentId: 'main', match: { channel: 'telegram', accountId: 'alerts' } },
    ]);
    render(<BindingsView />);
    await screen.findByRole('list', { name: 'Bindings' });
    fireEvent.click(screen.getByRole('button', { name: 'Move binding 0 down' }));
    expect(rowNames()[1]).toMatch(/^Binding 1: Ops/);
    expect(screen.getByText('Unsaved changes')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Move binding 1 up' }));
    expect(rowNames()[0]).toMatch(/^Binding 0: Ops/);
    expect(screen.queryByText('Unsaved changes')).toBeNull();
  });

  it('shows a binding to an unknown agent loudly, in words with a fix link and the config path as detail', async () => {
    startGateway([{ agentId: 'ghost', match: { channel: 'telegram' } }]);
    render(<BindingsView />);
    const row = await screen.findByRole('listitem', { name: /^Binding 0/ });
    expect(within(row).getByText('Unknown agent')).toBeTruthy();
    expect(row.textContent).toContain('bindings[0].agentId');
    expect(row.textContent).toContain('This binding sends messages to the agent "ghost", which doesn\'t exist.');
    expect(within(row).getByRole('link', { name: 'Choose an agent' }).getAttribute('href')).toBe('#/bindings/edit/0');
  });

  it('the Fix link of a problem opens that binding with the field to fix focused', async () => {
    startGateway([{ agentId: 'ghost', match: { channel: 'telegram' } }]);
    render(<BindingsView />);
    const row = await screen.findByRole('listitem', { name: /^Binding 0/ });
    const link = within(row).getByRole('link', { name: 'Choose an agent' });
    window.history.replaceState(null, '', link.getAttribute('href'));
    act(() => useNav.getState().sync());
    const dialog = await screen.findByRole('dialog', { name: 'Edit binding 0' });
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByLabelText('Agent')));
    expect(useNav.getState().route).toEqual({ view: 'bindings', args: [] });
  });

  it('the route tester says in words who answers and why', async () => {
    startGateway([{ agentId: 'ops', match: { channel: 'telegram', peer: { kind: 'group', id: '-1001234' } } }]);
    render(<BindingsView />);
    await screen.findByRole('listitem', { name: /^Binding 0/ });
    setField('Peer kind', 'group');
    setField('Peer id', '-1001234');
    expect(screen.getByTestId('route-explanation').textContent).toBe(
      'Answered by Ops because the message comes from the Telegram group -1001234 (a peer binding, the most specific kind, binding 0).',
    );
  });

  it("adds a binding through the dialog, with the checker's error on the field it belongs to", async () => {
    startGateway([]);
    render(<BindingsView />);
    fireEvent.click((await screen.findAllByRole('button', { name: 'Add binding' }))[0]!);
    const dialog = screen.getByRole('dialog', { name: 'Add binding' });
    const field = (label: string) => within(dialog).getByLabelText(label);
    fireEvent.change(field('Agent'), { target: { value: 'ops' } });
    fireEvent.change(field('Roles'), { target: { value: 'admin' } });
    fireEvent.blur(field('Roles'));
    expect(within(dialog).getByRole('alert').textContent).toBe(
      'Roles only apply inside a guild: add match.guildId. (bindings[0].match.roles)',
    );
    expect(field('Roles').getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(field('Roles'), { target: { value: '' } });
    fireEvent.change(field('Peer kind'), { target: { value: 'group' } });
    fireEvent.change(field('Peer id'), { target: { value: '-100' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add binding' }));

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(rowNames()).toEqual(['Binding 0: Ops ← Telegram, default account, group -100']);
  });

  it('saves the draft with the hash it was based on and shows the saved list', async () => {
    const { transport } = startGateway([{ agentId: 'ops', match: { channel: 'telegram' } }]);
    render(<BindingsView />);
    await screen.findByRole('list', { name: 'Bindings' });
    fireEvent.click(screen.getByRole('button', { name: 'Remove binding 0' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    });
    const set = transport.calls.find((c) => c.method === 'bindings.set');
    expect(set?.params).toEqual({ baseHash: HASH_A, bindings: [] });
    await waitFor(() => expect(screen.queryByText('Unsaved changes')).toBeNull());
    expect(screen.getByRole('heading', { name: 'No bindings yet' })).toBeTruthy();
  });

  it('on a conflict, says someone else changed the config and keeps the draft until the user chooses', async () => {
    const gw = startGateway([{ agentId: 'ops', match: { channel: 'telegram' } }]);
    render(<BindingsView />);
    await screen.findByRole('list', { name: 'Bindings' });
    fireEvent.click(screen.getByRole('button', { name: 'Remove binding 0' }));
    gw.changeElsewhere(configWith([{ agentId: 'main', match: { channel: 'telegram' } }]));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    });

    expect(await screen.findByText('The config changed elsewhere since you started editing.')).toBeTruthy();
    expect(screen.getByText(/Their change touched the bindings too/)).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'No bindings yet' })).toBeTruthy();

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Reload theirs, discard mine' }));
    });
    await waitFor(() => expect(rowNames()).toEqual(['Binding 0: Main ← Telegram, default account']));
  });

  it('fixes a file whose bindings are broken by replacing the file, since bindings.set only edits a valid one', async () => {
    const { transport } = startGateway([{ agentId: 'ghost', match: { channel: 'telegram' } }], {
      'config.get': () => ({
        configPath: '/tmp/switchboard.json',
        exists: true,
        hash: HASH_A,
        raw: configWith([{ agentId: 'ghost', match: { channel: 'telegram' } }]),
        issues: [
          {
            severity: 'error',
            code: 'unknown_agent',
            message: 'binding names agent "ghost", which is not defined',
            path: 'bindings[0].agentId',
          },
        ],
      }),
      'config.apply': () => ({ hash: HASH_B, issues: [] }),
    });
    render(<BindingsView />);
    expect(await screen.findByText('switchboard.json has errors in its bindings.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save changes' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Edit binding 0' }));
    fireEvent.change(within(screen.getByRole('dialog')).getByLabelText('Agent'), { target: { value: 'ops' } });
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Apply' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    });
    const apply = transport.calls.find((c) => c.method === 'config.apply');
    expect(apply?.params).toMatchObject({
      baseHash: HASH_A,
      config: { bindings: [{ agentId: 'ops', match: { channel: 'telegram' } }], agents: configWith([]).agents },
    });
    expect(transport.calls.some((c) => c.method === 'bindings.set')).toBe(false);
  });

  it("shows the server's message when it refuses the change", async () => {
    startGateway([{ agentId: 'ops', match: { channel: 'telegram' } }], {
      'bindings.set': () => {
        throw { code: 'bad_request', message: 'the change would make the config invalid: bindings[0].match.channel: unknown channel' };
      },
    });
    render(<BindingsView />);
    await screen.findByRole('list', { name: 'Bindings' });
    fireEvent.click(screen.getByRole('button', { name: 'Remove binding 0' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    });
    expect((await screen.findByText('Could not save the bindings:')).parentElement!.textContent).toContain(
      'bindings[0].match.channel: unknown channel',
    );
  });
});
