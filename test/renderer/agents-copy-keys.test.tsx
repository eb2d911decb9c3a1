// "Copy keys from another agent" in the wizard's Credentials step, against a fake gateway: the
// agents and keys offered come from auth.list (by label), a new agent gets them with auth.copy
// right after agents.create, an existing one at once from a button, and the option is disabled,
// saying why, when the keychain is unavailable or no other agent has a key. No key is ever sent.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useToasts } from '../../src-renderer/store/toasts.ts';
import { AgentsView } from '../../src-renderer/views/agents/AgentsView.tsx';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { agent, baseHandlers, HASH_A, HASH_B, sampleConfig, status, type Handler } from './agents-fake-gateway.ts';
import { connectFake } from './agents-fake-gateway.ts';

afterEach(cleanup);

const profile = (profileId: string, label: string | undefined, keyStored: boolean | null = true) => ({
  profileId,
  provider: 'anthropic',
  kind: 'api_key',
  ...(label ? { label } : {}),
  scope: 'agent',
  createdAt: '2026-01-02T03:04:05.000Z',
  order: 0,
  keyStored,
});

/** main has a working "Work key" and a profile whose key went missing; research has one key. */
function authList(extra: Record<string, unknown>[] = []) {
  return {
    keychain: { available: true, reason: null },
    envKey: false,
    agents: [
      { agentId: 'main', scope: 'agent', envFallback: false, profiles: [profile('work', 'Work key'), profile('old', 'Old key', false)] },
      { agentId: 'research', scope: 'agent', envFallback: false, profiles: [profile('default', undefined)] },
      ...extra,
    ],
  };
}

function creating(overrides: Record<string, Handler> = {}): Record<string, Handler> {
  const raw = sampleConfig({ agents: { list: [{ id: 'main', default: true }, { id: 'research' }] } });
  return {
    ...baseHandlers(status(), raw),
    'agents.list': () => ({ agents: [agent('main', { default: true, name: 'Main' }), agent('research')] }),
    'auth.list': () => authList(),
    'agents.create': (p: { agent: { id: string } }) => ({
      agentId: p.agent.id,
      workspace: `/home/ann/.switchboard/workspace-${p.agent.id}`,
      agentDir: `/home/ann/.switchboard/agents/${p.agent.id}/agent`,
      hash: HASH_B,
    }),
    'auth.copy': (p: { fromAgentId: string; profileIds: string[] }) => ({
      toAgentId: 'ops',
      copied: p.profileIds.map((profileId) => ({ profileId, from: p.fromAgentId })),
      skipped: [],
    }),
    ...overrides,
  };
}

async function next(heading: string) {
  fireEvent.click(screen.getByRole('button', { name: 'Next' }));
  await screen.findByRole('heading', { name: heading });
}

async function toCredentials(handlers: Record<string, Handler>) {
  const transport = await connectFake(handlers);
  render(<AgentsView args={['new']} />);
  await waitFor(() => expect(screen.getByLabelText('Agent id')).toBeTruthy());
  fireEvent.change(screen.getByLabelText('Agent id'), { target: { value: 'ops' } });
  fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Ops' } });
  for (const heading of ['Model', 'Workspace', 'Credentials']) await next(heading);
  return transport;
}

const copyChoice = () => screen.getByRole('radio', { name: /Copy keys from another agent/ }) as HTMLInputElement;

describe('copying keys into a new agent', () => {
  it("offers the other agents with keys and lists the chosen one's keys by label, a missing key disabled", async () => {
    await toCredentials(creating());
    await waitFor(() => expect(copyChoice().disabled).toBe(false));
    fireEvent.click(copyChoice());
    const from = screen.getByLabelText('Copy from agent') as HTMLSelectElement;
    expect([...from.options].map((o) => o.textContent)).toEqual(['Choose an agent…', 'Main (main) — 1 key', 'research — 1 key']);
    fireEvent.change(from, { target: { value: 'main' } });
    const keys = screen.getByRole('group', { name: 'Keys to copy' });
    const work = within(keys).getByRole('checkbox', { name: /Work key/ }) as HTMLInputElement;
    const old = within(keys).getByRole('checkbox', { name: /Old key/ }) as HTMLInputElement;
    expect([work.checked, work.disabled]).toEqual([true, false]);
    expect([old.checked, old.disabled]).toEqual([false, true]);
    expect(old.closest('label')!.textContent).toContain('key missing');
  });

  it('creates the agent, then copies the chosen keys with auth.copy, without sending any key', async () => {
    const transport = await toCredentials(creating());
    await waitFor(() => expect(copyChoice().disabled).toBe(false));
    fireEvent.click(copyChoice());
    fireEvent.change(screen.getByLabelText('Copy from agent'), { target: { value: 'main' } });
    for (const heading of ['Channels', 'Tools', 'Review']) await next(heading);
    expect(
      screen.getByText('Its own copy of 1 key of agent "main" (work), copied inside the keychain when you create the agent.'),
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    await screen.findByRole('heading', { name: 'Ops is ready' });
    const order = transport.methods().filter((m) => m === 'agents.create' || (m.startsWith('auth.') && m !== 'auth.list'));
    expect(order).toEqual(['agents.create', 'auth.copy']);
    expect(transport.called('auth.copy')).toEqual([{ fromAgentId: 'main', toAgentId: 'ops', profileIds: ['work'] }]);
    expect((transport.called('agents.create')[0] as { baseHash: string }).baseHash).toBe(HASH_A);
    expect(screen.getByText(/Copied work from/).textContent).toBe('Copied work from main');
    expect(JSON.stringify(transport.calls)).not.toMatch(/sk-/);
  });

  it('refuses Next until an agent and at least one key are picked', async () => {
    await toCredentials(creating());
    await waitFor(() => expect(copyChoice().disabled).toBe(false));
    fireEvent.click(copyChoice());
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    const from = screen.getByLabelText('Copy from agent');
    await waitFor(() => expect(from.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('Pick the agent whose keys to copy, or choose another option.')).toBeTruthy();
    fireEvent.change(from, { target: { value: 'research' } });
    fireEvent.click(within(screen.getByRole('group', { name: 'Keys to copy' })).getByRole('checkbox', { name: /default/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByText('Pick at least one key to copy, or choose another option.');
    expect(screen.getByRole('heading', { name: 'Credentials' })).toBeTruthy();
  });

  it('is disabled, with the reason, when the keychain is unavailable', async () => {
    await toCredentials(
      creating({ status: () => status({ keychain: { available: false, reason: 'no Secret Service on the D-Bus session' } }) }),
    );
    expect(copyChoice().disabled).toBe(true);
    expect(copyChoice().closest('label')!.textContent).toContain('The keychain is not available: no Secret Service on the D-Bus session');
  });

  it('is disabled, with the reason, when no other agent has a key of its own', async () => {
    await toCredentials(
      creating({
        'auth.list': () => ({
          ...authList(),
          agents: [
            { agentId: 'main', scope: 'shared', envFallback: false, profiles: [{ ...profile('team', 'Team'), scope: 'shared' }] },
            { agentId: 'research', scope: 'agent', envFallback: true, profiles: [] },
          ],
        }),
      }),
    );
    await waitFor(() =>
      expect(copyChoice().closest('label')!.textContent).toContain('No other agent has a key of its own in the keychain yet.'),
    );
    expect(copyChoice().disabled).toBe(true);
  });

  it('reports a copy that failed after the agent was created, with what to do', async () => {
    await toCredentials(
      creating({
        'auth.copy': () => {
          throw new ControlError('unavailable', 'credentials unavailable: the keychain is locked');
        },
      }),
    );
    await waitFor(() => expect(copyChoice().disabled).toBe(false));
    fireEvent.click(copyChoice());
    fireEvent.change(screen.getByLabelText('Copy from agent'), { target: { value: 'main' } });
    for (const heading of ['Channels', 'Tools', 'Review']) await next(heading);
    fireEvent.click(screen.getByRole('button', { name: 'Create agent' }));
    await screen.findByRole('heading', { name: 'Ops is ready' });
    expect(useToasts.getState().toasts.map((t) => t.text)).toContain(
      'the keys of main were not copied: credentials unavailable: the keychain is locked. Try again from the agent\'s Credentials step or with "switchboard auth copy --from main --to ops".',
    );
  });
});

describe('copying keys into an existing agent', () => {
  const raw = sampleConfig({ agents: { list: [{ id: 'main', default: true }, { id: 'research' }, { id: 'ops', name: 'Ops' }] } });
  function editing(copy: Handler) {
    let copied = false;
    const handlers: Record<string, Handler> = {
      ...baseHandlers(status(), raw),
      'agents.list': () => ({ agents: [agent('main', { default: true, name: 'Main' }), agent('research'), agent('ops', { name: 'Ops' })] }),
      'auth.list': () =>
        authList([{ agentId: 'ops', scope: 'agent', envFallback: !copied, profiles: copied ? [profile('work', 'Work key')] : [] }]),
      'auth.copy': (p: never) => {
        const result = copy(p);
        copied = true;
        return result;
      },
    };
    return handlers;
  }

  async function openCredentials(handlers: Record<string, Handler>) {
    const transport = await connectFake(handlers);
    render(<AgentsView args={['ops', 'edit']} />);
    await screen.findByRole('heading', { name: 'Edit Ops' });
    fireEvent.click(screen.getByRole('button', { name: /^Credentials/ }));
    await screen.findByRole('heading', { name: 'Credentials' });
    return transport;
  }

  it('copies the chosen keys at once and shows them among its keys', async () => {
    const transport = await openCredentials(
      editing(() => ({ toAgentId: 'ops', copied: [{ profileId: 'work', from: 'main' }], skipped: [] })),
    );
    const section = screen.getByRole('region', { name: 'Copy keys from another agent' });
    await waitFor(() => expect(within(section).getByLabelText('Copy from agent')).toBeTruthy());
    fireEvent.change(within(section).getByLabelText('Copy from agent'), { target: { value: 'main' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Copy keys' }));
    expect(await within(section).findByText('Copied Work key from Main (main).')).toBeTruthy();
    expect(transport.called('auth.copy')).toEqual([{ fromAgentId: 'main', toAgentId: 'ops', profileIds: ['work'] }]);
    const stored = await screen.findByRole('list', { name: 'Stored keys' });
    expect(within(stored).getByText('Work key')).toBeTruthy();
    expect(transport.called('agents.update')).toEqual([]);
  });

  it('says which keys were skipped and why', async () => {
    await openCredentials(
      editing(() => ({
        toAgentId: 'ops',
        copied: [{ profileId: 'default', from: 'research' }],
        skipped: [{ profileId: 'extra', reason: 'agent "ops" already has this key' }],
      })),
    );
    const section = screen.getByRole('region', { name: 'Copy keys from another agent' });
    await waitFor(() => expect(within(section).getByLabelText('Copy from agent')).toBeTruthy());
    fireEvent.change(within(section).getByLabelText('Copy from agent'), { target: { value: 'research' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Copy keys' }));
    expect(await within(section).findByText('Not copied — extra: agent "ops" already has this key')).toBeTruthy();
  });

  it("shows the gateway's refusal", async () => {
    await openCredentials(
      editing(() => {
        throw new ControlError('bad_request', 'nothing to copy from agent "main" to agent "ops": agent "ops" already has this key');
      }),
    );
    const section = screen.getByRole('region', { name: 'Copy keys from another agent' });
    await waitFor(() => expect(within(section).getByLabelText('Copy from agent')).toBeTruthy());
    fireEvent.change(within(section).getByLabelText('Copy from agent'), { target: { value: 'main' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Copy keys' }));
    expect((await within(section).findByRole('alert')).textContent).toBe(
      'Not copied: nothing to copy from agent "main" to agent "ops": agent "ops" already has this key',
    );
  });
});
