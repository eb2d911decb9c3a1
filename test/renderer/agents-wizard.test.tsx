// The agent wizard against a fake gateway: what each step refuses and why, what saving sends (and
// on which config hash), a conflicting edit shown with the user's input kept, the credentials and
// channels steps in their unusual states, Escape asking before anything typed is dropped.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useNav } from '../../src-renderer/store/nav.ts';
import { AgentsView } from '../../src-renderer/views/agents/AgentsView.tsx';
import { BUILTIN_TOOLS } from '../../src-shared/config/index.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import {
  agent,
  baseHandlers,
  configGet,
  connectFake,
  HASH_A,
  HASH_B,
  HASH_C,
  sampleConfig,
  status,
  type Handler,
} from './agents-fake-gateway.ts';

afterEach(cleanup);

const STALE = 'the config file changed since you read it (someone else edited it); reload it (config.get) and make your change again';

async function next(heading: string) {
  fireEvent.click(screen.getByRole('button', { name: 'Next' }));
  await screen.findByRole('heading', { name: heading });
}

async function openWizard(handlers: Record<string, Handler>, args = ['new']) {
  const transport = await connectFake(handlers);
  render(<AgentsView args={args} />);
  await screen.findByRole('heading', { name: 'Identity' });
  await waitFor(() => expect(screen.getByLabelText('Agent id')).toBeTruthy());
  return transport;
}

function fillIdentity(id = 'ops', name = 'Ops') {
  fireEvent.change(screen.getByLabelText('Agent id'), { target: { value: id } });
  fireEvent.change(screen.getByLabelText('Name'), { target: { value: name } });
}

/** A gateway whose config moves on with each write, like the real one. */
function liveConfig(raw = sampleConfig()) {
  const state = { raw, hash: HASH_A };
  const handlers: Record<string, Handler> = {
    ...baseHandlers(status(), raw),
    'config.get': () => configGet(state.raw, state.hash)(),
    'agents.create': (p: { agent: { id: string } }) => {
      state.raw = structuredClone(state.raw);
      (state.raw.agents as { list: unknown[] }).list.push({ id: p.agent.id });
      state.hash = HASH_B;
      return {
        agentId: p.agent.id,
        workspace: `/home/ann/.switchboard/workspace-${p.agent.id}`,
        agentDir: `/home/ann/.switchboard/agents/${p.agent.id}/agent`,
        hash: HASH_B,
      };
    },
    'config.apply': (p: { config: Record<string, unknown> }) => {
      state.raw = p.config;
      state.hash = HASH_C;
      return { hash: HASH_C, issues: [] };
    },
    'auth.add': (p: { agentId: string; shared?: boolean }) => ({
      agentId: p.agentId,
      profileId: 'default',
      scope: p.shared ? 'shared' : 'agent',
    }),
  };
  return { state, handlers };
}

describe('agent wizard: creating', () => {
  it("refuses Next on an invalid id and shows the checker's error with its config path under the field", async () => {
    await openWizard(baseHandlers());
    expect(document.activeElement).toBe(screen.getByLabelText('Agent id'));
    fillIdentity('ops!');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    const field = screen.getByLabelText('Agent id');
    await waitFor(() => expect(field.getAttribute('aria-invalid')).toBe('true'));
    const error = document.getElementById(
      field
        .getAttribute('aria-describedby')!
        .split(' ')
        .find((id) => id.endsWith('-error'))!,
    )!;
    expect(error.textContent).toContain('agent id "ops!" is not allowed');
    expect(error.textContent).toContain('(agents.list[1].id)');
    expect(screen.getByRole('heading', { name: 'Identity' })).toBeTruthy();
  });

  it('refuses the id main and a taken id under the field, and never sends agents.create', async () => {
    const raw = sampleConfig({ agents: {} });
    const transport = await openWizard({
      ...baseHandlers(status(), raw),
      'agents.list': () => ({ agents: [agent('main', { default: true })] }),
    });
    fillIdentity('main', 'Home');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    const field = screen.getByLabelText('Agent id');
    await waitFor(() => expect(field.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByRole('alert').textContent).toContain('the id "main" is reserved for the built-in agent; choose another id');
    expect(screen.getByRole('heading', { name: 'Identity' })).toBeTruthy();
    cleanup();
    const taken = await openWizard(
      baseHandlers(status(), sampleConfig({ agents: { list: [{ id: 'main', default: true }, { id: 'ops' }] } })),
    );
    fillIdentity('ops', 'Another Ops');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('an agent with the id "ops" already exists'));
    for (const t of [transport, taken]) expect(t.called('agents.create')).toEqual([]);
  });

  it('lower-cases the id as it is typed', async () => {
    await openWizard(baseHandlers());
    fireEvent.change(screen.getByLabelText('Agent id'), { target: { value: 'OPS' } });
    expect((screen.getByLabelText('Agent id') as HTMLInputElement).value).toBe('ops');
  });

  it('creates the agent with agents.create on the hash it opened with, then stores the key, then offers its chats', async () => {
    const { handlers } = liveConfig();
    const transport = await openWizard(handlers);
    fillIdentity();
    fireEvent.change(screen.getByLabelText('Persona'), { target: { value: 'You are Ops.' } });
    await next('Model');
    await next('Workspace');
    expect(screen.getByText('/home/ann/.switchboard/workspace-ops')).toBeTruthy();
    await next('Credentials');
    expect(transport.called('config.validate')).toHaveLength(1);
    fireEvent.change(screen.getByLabelText('Anthropic API key'), { target: { value: 'sk-ant-test-key' } });
    await next('Channels');
    fireEvent.click(screen.getByRole('button', { name: /Add a binding/ }));
    const row = screen.getByRole('group', { name: 'Binding 1' });
    expect((within(row).getByLabelText('Channel') as HTMLSelectElement).value).toBe('telegram');
    expect((within(row).getByLabelText('Account') as HTMLSelectElement).value).toBe('alerts');
    expect(within(row).getByText('Tier 7 · binding.account')).toBeTruthy();
    await next('Tools');
    fireEvent.click(screen.getByRole('radio', { name: /Read-only/ }));
    await next('Review');
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    await screen.findByRole('heading', { name: 'Ops is ready' });
    expect(transport.called('agents.create')).toEqual([
      {
        baseHash: HASH_A,
        agent: {
          id: 'ops',
          name: 'Ops',
          persona: 'You are Ops.',
          tools: { allow: ['read', 'sessions_list', 'sessions_history', 'session_status', 'memory_search', 'task_list'] },
        },
        bindings: [{ channel: 'telegram', accountId: 'alerts' }],
      },
    ]);
    expect(transport.called('auth.add')).toEqual([{ agentId: 'ops', apiKey: 'sk-ant-test-key', label: 'added in the agent wizard' }]);
    expect(transport.called('config.apply')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Open chats' }));
    expect(useNav.getState().route).toEqual({ view: 'inspector', args: ['ops'] });
  });

  it('asks the gateway about the workspace folder and shows its on-disk error under the field', async () => {
    const transport = await openWizard({
      ...baseHandlers(),
      'config.validate': () => ({
        ok: false,
        issues: [
          {
            severity: 'error',
            code: 'shared_path',
            path: 'agents.list[1].workspace',
            message:
              'agent "ops" would use /home/ann/.switchboard/workspace as its workspace, which is already the workspace of agent "main"; each agent needs its own folders',
          },
        ],
      }),
    });
    fillIdentity();
    await next('Model');
    await next('Workspace');
    fireEvent.click(screen.getByRole('radio', { name: /Another folder/ }));
    fireEvent.change(screen.getByLabelText('Workspace folder'), { target: { value: '~/.switchboard/workspace' } });
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(screen.getByLabelText('Workspace folder').getAttribute('aria-invalid')).toBe('true'));
    expect(
      screen.getByText(/which is already the workspace of agent "main"; each agent needs its own folders \(agents\.list\[1\]\.workspace\)/),
    ).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Workspace' })).toBeTruthy();
    const sent = transport.called('config.validate')[0] as { config: { agents: { list: { id: string; workspace: string }[] } } };
    expect(sent.config.agents.list[1]).toMatchObject({ id: 'ops', workspace: '~/.switchboard/workspace' });
  });

  it('keeps write, edit and exec for the owners unless opened to others on the tools step', async () => {
    const { handlers } = liveConfig();
    const transport = await openWizard(handlers);
    fillIdentity();
    for (const heading of ['Model', 'Workspace', 'Credentials']) await next(heading);
    fireEvent.click(screen.getByRole('radio', { name: /Skip for now/ }));
    for (const heading of ['Channels', 'Tools']) await next(heading);
    fireEvent.click(screen.getByRole('radio', { name: /Full/ }));
    expect(screen.getByText(/^write, edit, exec: only when one of its owners asks\./)).toBeTruthy();
    const others = screen.getByRole('group', { name: /Also for people who are not its owners/ });
    expect(
      within(others)
        .getAllByRole('button')
        .map((b) => [b.textContent, b.getAttribute('aria-pressed')]),
    ).toEqual([
      ['+write', 'false'],
      ['+edit', 'false'],
      ['+exec', 'false'],
    ]);
    fireEvent.click(within(others).getByRole('button', { name: /edit/ }));
    expect(screen.getByText(/^edit: for anyone who can write to it; write, exec: owners only\./)).toBeTruthy();
    // exec came with Full, and the sandbox with it (happy-dom reports Linux); "No sandbox" is not offered.
    const sandbox = screen.getByRole('radiogroup', { name: /Sandbox for exec/ });
    expect(within(sandbox).getByRole('radio', { name: /Every conversation/ })).toHaveProperty('checked', true);
    expect(within(sandbox).queryByRole('radio', { name: /No sandbox/ })).toBeNull();
    fireEvent.click(within(sandbox).getByRole('radio', { name: /All but the main conversation/ }));
    await next('Review');
    expect(screen.getByText(/; also for non-owners: edit; exec sandbox: all but the main conversation$/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    await screen.findByRole('heading', { name: 'Ops is ready' });
    const sent = (transport.called('agents.create')[0] as { agent: { tools: unknown; sandbox: unknown } }).agent;
    expect(sent.tools).toEqual({ allow: [...BUILTIN_TOOLS], nonOwners: { allow: ['edit'] } });
    expect(sent.sandbox).toEqual({ mode: 'non-main' });
  });

  it('opts into the shared pool with config.apply on the hash agents.create returned, and adds the pool key', async () => {
    const { handlers, state } = liveConfig();
    const transport = await openWizard(handlers);
    fillIdentity();
    await next('Model');
    await next('Workspace');
    await next('Credentials');
    fireEvent.click(screen.getByRole('radio', { name: /Use the shared key pool/ }));
    fireEvent.change(screen.getByLabelText('Add a key to the shared pool (optional)'), { target: { value: 'sk-ant-pool' } });
    for (const heading of ['Channels', 'Tools', 'Review']) await next(heading);
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    await screen.findByRole('heading', { name: 'Ops is ready' });
    expect(
      transport
        .methods()
        .filter((m) => ['agents.create', 'config.get', 'config.apply', 'auth.add'].includes(m))
        .slice(-4),
    ).toEqual(['agents.create', 'config.get', 'config.apply', 'auth.add']);
    expect((transport.called('config.apply')[0] as { baseHash: string }).baseHash).toBe(HASH_B);
    expect((state.raw.agents as { list: Record<string, unknown>[] }).list.find((a) => a.id === 'ops')).toEqual({
      id: 'ops',
      authProfiles: { scope: 'shared' },
    });
    expect(transport.called('auth.add')).toEqual([
      { agentId: 'ops', apiKey: 'sk-ant-pool', shared: true, label: 'added to the shared pool in the agent wizard' },
    ]);
  });

  it('on a conflict shows the reload banner, keeps the input, and saves on the new hash after Reload', async () => {
    const { handlers, state } = liveConfig();
    let refuse = true;
    const create = handlers['agents.create'] as (p: never) => unknown;
    handlers['agents.create'] = (p: never) => {
      if (refuse) throw new ControlError('conflict', STALE);
      return create(p);
    };
    const transport = await openWizard(handlers);
    fillIdentity();
    for (const heading of ['Model', 'Workspace', 'Credentials']) await next(heading);
    fireEvent.click(screen.getByRole('radio', { name: /Skip for now/ }));
    for (const heading of ['Channels', 'Tools', 'Review']) await next(heading);
    // Meanwhile the file changed elsewhere.
    state.hash = HASH_C;
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    await screen.findByText('Not saved: the config changed since you opened this — reload.');
    expect(screen.queryByRole('heading', { name: 'Ops is ready' })).toBeNull();
    refuse = false;
    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    await waitFor(() => expect(screen.queryByText('Not saved: the config changed since you opened this — reload.')).toBeNull());
    expect(screen.getAllByText('Ops').length).toBeGreaterThan(0);
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    await screen.findByRole('heading', { name: 'Ops is ready' });
    expect(transport.called('agents.create').map((p) => (p as { baseHash: string }).baseHash)).toEqual([HASH_A, HASH_C]);
  });

  it('says so as soon as the config changes elsewhere while the wizard is open', async () => {
    const transport = await openWizard(baseHandlers());
    act(() => transport.emit('config.changed', { hash: HASH_B, ok: true, errors: [] }));
    expect(await screen.findByText('The config changed since you opened this — reload.')).toBeTruthy();
  });

  it('disables adding a key, with the reason, when the keychain is unavailable', async () => {
    await openWizard(baseHandlers(status({ keychain: { available: false, reason: 'no Secret Service on the D-Bus session' } })));
    fillIdentity();
    for (const heading of ['Model', 'Workspace', 'Credentials']) await next(heading);
    const key = screen.getByRole('radio', { name: /Add an API key now/ }) as HTMLInputElement;
    expect(key.disabled).toBe(true);
    expect(key.closest('label')!.textContent).toContain('The keychain is not available: no Secret Service on the D-Bus session');
    expect((screen.getByRole('radio', { name: /Skip for now/ }) as HTMLInputElement).checked).toBe(true);
  });

  it('explains that an agent without channel accounts is still reachable from the dashboard', async () => {
    await openWizard(baseHandlers(status(), { agents: { list: [{ id: 'main' }] } }));
    fillIdentity();
    for (const heading of ['Model', 'Workspace', 'Credentials']) await next(heading);
    fireEvent.click(screen.getByRole('radio', { name: /Skip for now/ }));
    await next('Channels');
    expect(screen.getByRole('heading', { name: 'No channel accounts yet' })).toBeTruthy();
    expect(screen.getByText(/can still be reached from the dashboard/)).toBeTruthy();
  });

  it('asks before Escape drops what was typed, and leaves at once when nothing was', async () => {
    await openWizard(baseHandlers());
    fireEvent.keyDown(screen.getByLabelText('Agent id'), { key: 'Escape' });
    expect(useNav.getState().route).toEqual({ view: 'agents', args: [] });
    cleanup();
    useNav.setState({ route: { view: 'agents', args: ['new'] } });
    render(<AgentsView args={['new']} />);
    await waitFor(() => expect(screen.getByLabelText('Agent id')).toBeTruthy());
    fillIdentity();
    fireEvent.keyDown(screen.getByLabelText('Name'), { key: 'Escape' });
    const dialog = await screen.findByRole('dialog', { name: 'Discard this new agent?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep editing' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Ops');
    expect(useNav.getState().route.args).toEqual(['new']);
  });
});

describe('agent wizard: editing', () => {
  const raw = sampleConfig({
    agents: {
      list: [
        { id: 'main', default: true },
        { id: 'ops', name: 'Ops', model: 'claude-opus-5-5' },
      ],
    },
    bindings: [{ agentId: 'ops', match: { channel: 'telegram', accountId: 'alerts' } }],
  });
  const handlers = (): Record<string, Handler> => ({
    ...baseHandlers(status(), raw),
    'agents.list': () => ({ agents: [agent('main', { default: true }), agent('ops', { name: 'Ops', model: 'claude-opus-5-5' })] }),
    'agents.update': () => ({ agentId: 'ops', hash: HASH_B }),
  });

  it('prefills the steps, keeps the id read-only, and sends only the changed fields with agents.update', async () => {
    const transport = await openWizard(handlers(), ['ops', 'edit']);
    await screen.findByRole('heading', { name: 'Edit Ops' });
    expect((screen.getByLabelText('Agent id') as HTMLInputElement).readOnly).toBe(true);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Ops Desk' } });
    fireEvent.click(screen.getByRole('button', { name: /^Review/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(useNav.getState().route).toEqual({ view: 'agents', args: [] }));
    expect(transport.called('agents.update')).toEqual([{ agentId: 'ops', baseHash: HASH_A, patch: { name: 'Ops Desk' } }]);
    expect(transport.called('config.apply')).toEqual([]);
  });

  it('writes a removed binding with config.apply on the hash agents.update returned', async () => {
    const h = handlers();
    let current = { raw, hash: HASH_A };
    h['config.get'] = () => configGet(current.raw, current.hash)();
    h['agents.update'] = () => {
      current = { raw, hash: HASH_B };
      return { agentId: 'ops', hash: HASH_B };
    };
    h['config.apply'] = () => ({ hash: HASH_C, issues: [] });
    const transport = await openWizard(h, ['ops', 'edit']);
    await screen.findByRole('heading', { name: 'Edit Ops' });
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Ops Desk' } });
    fireEvent.click(screen.getByRole('button', { name: /^Channels/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Remove binding 1' }));
    fireEvent.click(screen.getByRole('button', { name: /^Review/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(transport.called('config.apply')).toHaveLength(1));
    const applied = transport.called('config.apply')[0] as { baseHash: string; config: { bindings: unknown[] } };
    expect(applied.baseHash).toBe(HASH_B);
    expect(applied.config.bindings).toEqual([]);
  });

  it('says when the agent does not exist', async () => {
    await connectFake(handlers());
    render(<AgentsView args={['ghost', 'edit']} />);
    expect(await screen.findByRole('heading', { name: 'There is no agent "ghost"' })).toBeTruthy();
  });
});
