// The agents list and deleting an agent: every agent with its model, workspace, bindings and state;
// deletion warns about the bindings that route to the agent, needs an explicit "remove them too",
// keeps the agent's data unless asked, and reports a conflicting edit instead of overwriting it.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useNav } from '../../src-renderer/store/nav.ts';
import { useToasts } from '../../src-renderer/store/toasts.ts';
import { AgentsView } from '../../src-renderer/views/agents/AgentsView.tsx';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { agent, baseHandlers, configGet, connectFake, HASH_A, HASH_B, sampleConfig, status, type Handler } from './agents-fake-gateway.ts';

afterEach(cleanup);

const raw = sampleConfig({
  agents: {
    list: [
      { id: 'main', default: true },
      { id: 'ops', name: 'Ops', identity: { emoji: '🛠️' } },
    ],
  },
  bindings: [
    { agentId: 'main', match: { channel: 'discord' } },
    { agentId: 'ops', match: { channel: 'telegram', accountId: 'alerts' } },
  ],
});

function handlers(over: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    ...baseHandlers(status(), raw),
    'agents.list': () => ({
      agents: [
        agent('main', { default: true, bindings: [{ index: 0, channel: 'discord', accountId: 'default', matchedBy: 'binding.account' }] }),
        agent('ops', {
          name: 'Ops',
          emoji: '🛠️',
          state: 'thinking',
          bindings: [{ index: 1, channel: 'telegram', accountId: 'alerts', matchedBy: 'binding.account' }],
        }),
      ],
    }),
    'agents.delete': () => ({ agentId: 'ops', removedBindings: [1], purged: false, hash: HASH_B, warnings: [] }),
    ...over,
  };
}

async function openDelete(h: Record<string, Handler>) {
  const transport = await connectFake(h);
  render(<AgentsView args={[]} />);
  fireEvent.click(screen.getByRole('button', { name: 'Delete Ops' }));
  const dialog = await screen.findByRole('dialog', { name: 'Delete Ops?' });
  await within(dialog).findByText('1 binding routes messages to Ops.');
  return { transport, dialog };
}

describe('agents list', () => {
  it('shows every agent with its id, model, workspace, bindings count and state', async () => {
    await connectFake(handlers());
    render(<AgentsView args={[]} />);
    const row = screen.getByRole('row', { name: 'Agent Ops' });
    expect(within(row).getByText('ops')).toBeTruthy();
    expect(within(row).getByText('claude-sonnet-5-5')).toBeTruthy();
    expect(within(row).getByText('/home/ann/.switchboard/workspace-ops')).toBeTruthy();
    expect(within(row).getByText('1 binding')).toBeTruthy();
    expect(within(row).getByText('Thinking…')).toBeTruthy();
    expect(within(screen.getByRole('row', { name: 'Agent main' })).getByText('default')).toBeTruthy();
  });

  it('shows a model chain as the primary, then its fallbacks in order', async () => {
    await connectFake(
      handlers({
        'agents.list': () => ({
          agents: [agent('main', { default: true, model: 'claude-opus-5-5', modelFallbacks: ['claude-sonnet-5-5', 'claude-haiku-5-5'] })],
        }),
      }),
    );
    render(<AgentsView args={[]} />);
    const row = await screen.findByRole('row', { name: 'Agent main' });
    expect(within(row).getByText('claude-opus-5-5 → claude-sonnet-5-5 → claude-haiku-5-5')).toBeTruthy();
  });

  it('opens the chats, the editor and the wizard from the list', async () => {
    await connectFake(handlers());
    render(<AgentsView args={[]} />);
    fireEvent.click(screen.getByRole('button', { name: 'Open chats of Ops' }));
    expect(useNav.getState().route).toEqual({ view: 'inspector', args: ['ops'] });
    fireEvent.click(screen.getByRole('button', { name: 'Edit Ops' }));
    expect(useNav.getState().route).toEqual({ view: 'agents', args: ['ops'] });
    fireEvent.click(screen.getByRole('button', { name: 'New agent' }));
    expect(useNav.getState().route).toEqual({ view: 'agents', args: ['new'] });
  });

  it('says there are no agents yet and offers the wizard', async () => {
    await connectFake({ ...handlers(), 'agents.list': () => ({ agents: [] }) });
    render(<AgentsView args={[]} />);
    expect(screen.getByRole('heading', { name: 'No agents yet' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Create your first agent' })).toBeTruthy();
  });
});

describe('deleting an agent', () => {
  it('lists the bindings that route to it and deletes only after they are explicitly removed too, keeping its data', async () => {
    const { transport, dialog } = await openDelete(handlers());
    const list = within(dialog).getByRole('list', { name: 'Bindings to this agent' });
    expect(within(list).getByText('bindings[1]')).toBeTruthy();
    expect(within(list).getByText('Telegram')).toBeTruthy();
    const purge = within(dialog).getByRole('checkbox', {
      name: 'Also delete its data (sessions, workspace, keychain entries)',
    }) as HTMLInputElement;
    expect(purge.checked).toBe(false);
    const remove = within(dialog).getByRole('button', { name: 'Delete agent' }) as HTMLButtonElement;
    expect(remove.disabled).toBe(true);
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Remove this binding too' }));
    expect(remove.disabled).toBe(false);
    fireEvent.click(remove);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(transport.called('agents.delete')).toEqual([{ agentId: 'ops', baseHash: HASH_A, dropBindings: true }]);
    expect(useToasts.getState().toasts.map((t) => t.text)).toContain('Deleted Ops and 1 binding; its data is kept');
  });

  it('deletes the data only when asked, and says what will go', async () => {
    const { transport, dialog } = await openDelete(
      handlers({
        'agents.delete': () => ({
          agentId: 'ops',
          removedBindings: [1],
          purged: true,
          hash: HASH_B,
          warnings: ['its keychain entries (agent:ops:auth:*) could not be deleted: locked'],
        }),
      }),
    );
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Remove this binding too' }));
    fireEvent.click(within(dialog).getByRole('checkbox', { name: /Also delete its data/ }));
    expect(within(dialog).getByRole('alert').textContent).toContain('permanently deletes /home/ann/.switchboard/workspace-ops');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete agent and its data' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(transport.called('agents.delete')).toEqual([{ agentId: 'ops', baseHash: HASH_A, dropBindings: true, purge: true }]);
    expect(useToasts.getState().toasts.find((t) => t.tone === 'danger')?.text).toContain('could not be deleted: locked');
  });

  it('reports a config changed elsewhere instead of deleting, and deletes on the new hash after Reload', async () => {
    let current = HASH_A;
    const h = handlers({
      'config.get': () => configGet(raw, current)(),
      'agents.delete': (p: { baseHash: string }) => {
        if (p.baseHash !== current)
          throw new ControlError(
            'conflict',
            'the config file changed since you read it (someone else edited it); reload it (config.get) and make your change again',
          );
        return { agentId: 'ops', removedBindings: [1], purged: false, hash: HASH_B, warnings: [] };
      },
    });
    const { transport, dialog } = await openDelete(h);
    current = HASH_B;
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Remove this binding too' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete agent' }));
    await within(dialog).findByText('The config changed since you opened this — reload.');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Reload' }));
    await waitFor(() => expect(within(dialog).queryByText('The config changed since you opened this — reload.')).toBeNull());
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete agent' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(transport.called('agents.delete').map((p) => (p as { baseHash: string }).baseHash)).toEqual([HASH_A, HASH_B]);
  });

  it('does not offer to delete the built-in agent of a config that lists none', async () => {
    await connectFake({ ...baseHandlers(status(), {}), 'agents.list': () => ({ agents: [agent('main', { default: true })] }) });
    render(<AgentsView args={[]} />);
    fireEvent.click(screen.getByRole('button', { name: 'Delete main' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete main?' });
    await within(dialog).findByText('This is the built-in agent.');
    expect((within(dialog).getByRole('button', { name: 'Delete agent' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
