// The agent's page (#/agents/<id>) against a fake gateway: it opens from the list in one click,
// the model changes in two (pick, save) with only that change sent on the hash it opened with, the
// model picker groups current models and keeps deprecated ones behind a toggle, the fallback chain
// is shown and edited, the other sections save only their own keys, and errors stay in place.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useNav } from '../../src-renderer/store/nav.ts';
import { AgentsView } from '../../src-renderer/views/agents/AgentsView.tsx';
import { DEPRECATED_MODELS } from '../../src-shared/config/index.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { agent, baseHandlers, configGet, connectFake, HASH_A, HASH_B, sampleConfig, status, type Handler } from './agents-fake-gateway.ts';

afterEach(cleanup);

const raw = () =>
  sampleConfig({
    agents: {
      list: [
        { id: 'main', default: true },
        { id: 'ops', name: 'Ops', model: { primary: 'claude-opus-5-5', fallbacks: ['claude-sonnet-5-5'] }, owners: ['telegram:1'] },
      ],
    },
    bindings: [{ agentId: 'ops', match: { channel: 'telegram', accountId: 'alerts' } }],
  });

function handlers(extra: Record<string, Handler> = {}): Record<string, Handler> {
  const state = { raw: raw(), hash: HASH_A };
  return {
    ...baseHandlers(status(), state.raw),
    'agents.list': () => ({ agents: [agent('main', { default: true }), agent('ops', { name: 'Ops', model: 'claude-opus-5-5' })] }),
    'config.get': () => configGet(state.raw, state.hash)(),
    'agents.update': () => {
      state.hash = HASH_B;
      return { agentId: 'ops', hash: HASH_B };
    },
    'agents.files.get': (p: { name: string }) => ({
      agentId: 'ops',
      name: p.name,
      path: `/home/ann/.switchboard/workspace-ops/${p.name}`,
      exists: true,
      content: `# ${p.name}\n`,
    }),
    ...extra,
  };
}

async function openPage(h: Record<string, Handler> = handlers()) {
  const transport = await connectFake(h);
  render(<AgentsView args={['ops']} />);
  await screen.findByRole('heading', { name: 'Model' });
  return transport;
}

const section = (name: string) => screen.getByRole('region', { name });

describe("the agent's page", () => {
  it('opens from the agents list with one click on the name', async () => {
    await connectFake(handlers());
    render(<AgentsView args={[]} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Open Ops' }));
    expect(useNav.getState().route).toEqual({ view: 'agents', args: ['ops'] });
  });

  it('changes the model in two clicks, sending only the model on the hash it opened with', async () => {
    const transport = await openPage();
    const model = section('Model');
    expect(within(model).getByLabelText('Model chain').textContent).toBe('Tried in order: claude-opus-5-5 → claude-sonnet-5-5');
    fireEvent.click(within(model).getByRole('radio', { name: 'claude-haiku-5-5' }));
    fireEvent.click(within(model).getByRole('button', { name: 'Save model' }));
    await waitFor(() => expect(transport.called('agents.update')).toHaveLength(1));
    expect(transport.called('agents.update')[0]).toEqual({ agentId: 'ops', baseHash: HASH_A, patch: { model: 'claude-haiku-5-5' } });
    expect(transport.called('config.apply')).toEqual([]);
    expect(await within(section('Model')).findByRole('status')).toBeTruthy();
  });

  it('groups the current models by family and shows the deprecated ones only behind the toggle', async () => {
    await openPage();
    const model = section('Model');
    const deprecated = Object.keys(DEPRECATED_MODELS);
    expect(within(model).getByRole('group', { name: 'Opus' })).toBeTruthy();
    expect(within(model).getByRole('group', { name: 'Haiku' })).toBeTruthy();
    for (const m of deprecated) expect(within(model).queryByRole('radio', { name: m })).toBeNull();
    fireEvent.click(within(model).getByRole('checkbox', { name: `Show deprecated models (${deprecated.length})` }));
    for (const m of deprecated) expect(within(model).getByRole('radio', { name: new RegExp(`^${m} ends`) })).toBeTruthy();
  });

  it('edits the fallback chain in place: add, reorder, remove, saved as fallbacks', async () => {
    const transport = await openPage();
    const model = section('Model');
    fireEvent.change(within(model).getByLabelText('Fallback to add'), { target: { value: 'claude-haiku-5-5' } });
    fireEvent.click(within(model).getByRole('button', { name: 'Add fallback' }));
    fireEvent.click(within(model).getByRole('button', { name: 'Move claude-haiku-5-5 up' }));
    expect(within(model).getByLabelText('Model chain').textContent).toBe(
      'Tried in order: claude-opus-5-5 → claude-haiku-5-5 → claude-sonnet-5-5',
    );
    fireEvent.click(within(model).getByRole('button', { name: 'Remove fallback claude-sonnet-5-5' }));
    fireEvent.click(within(model).getByRole('button', { name: 'Save model' }));
    await waitFor(() => expect(transport.called('agents.update')).toHaveLength(1));
    expect(transport.called('agents.update')[0]).toMatchObject({ patch: { fallbacks: ['claude-haiku-5-5'] } });
  });

  it("shows the checker's error under owners and limits and sends nothing until they are fixed", async () => {
    const transport = await openPage();
    const owners = section('Owners');
    fireEvent.change(within(owners).getByLabelText('Owners'), { target: { value: 'telegram:1\nfax:9' } });
    expect(within(owners).getByRole('alert').textContent).toContain('owner "fax:9" must be "<channel>:<sender id>"');
    expect(within(owners).getByRole('alert').textContent).toContain('agents.list[1].owners[1]');
    fireEvent.click(within(owners).getByRole('button', { name: 'Save owners' }));
    const limits = section('Limits');
    fireEvent.change(within(limits).getByLabelText('Tokens a day'), { target: { value: '12k' } });
    expect(within(limits).getByRole('alert').textContent).toContain('Tokens a day: enter a whole number above 0');
    fireEvent.click(within(limits).getByRole('button', { name: 'Save limits' }));
    await act(async () => {});
    expect(transport.called('agents.update')).toEqual([]);
    fireEvent.change(within(limits).getByLabelText('Tokens a day'), { target: { value: '20000' } });
    fireEvent.click(within(limits).getByRole('button', { name: 'Save limits' }));
    await waitFor(() => expect(transport.called('agents.update')).toHaveLength(1));
    // Only the limits: the owners typed in the other section stay unsaved (and are not lost).
    expect(transport.called('agents.update')[0]).toMatchObject({ patch: { limits: { dailyTokens: 20000 } } });
    expect(Object.keys((transport.called('agents.update')[0] as { patch: object }).patch)).toEqual(['limits']);
    expect((within(section('Owners')).getByLabelText('Owners') as HTMLTextAreaElement).value).toBe('telegram:1\nfax:9');
  });

  it('saves memory as a shared pool, and a persona file with agents.files.set', async () => {
    const transport = await openPage(
      handlers({
        'agents.files.set': (p: { name: string; content: string }) => ({
          agentId: 'ops',
          name: p.name,
          path: '/x',
          bytes: p.content.length,
          created: false,
        }),
      }),
    );
    const memory = section('Memory');
    fireEvent.click(within(memory).getByRole('radio', { name: /A shared memory pool/ }));
    fireEvent.change(within(memory).getByLabelText('Pool name'), { target: { value: 'team' } });
    fireEvent.click(within(memory).getByRole('button', { name: 'Save memory' }));
    await waitFor(() => expect(transport.called('agents.update')).toHaveLength(1));
    expect(transport.called('agents.update')[0]).toMatchObject({ patch: { memory: { scope: 'shared', pool: 'team' } } });

    const identity = section('Identity and persona');
    const soul = await within(identity).findByLabelText('SOUL.md');
    expect((soul as HTMLTextAreaElement).value).toBe('# SOUL.md\n');
    fireEvent.change(soul, { target: { value: '# Ops\nCalm and brief.\n' } });
    fireEvent.click(within(identity).getByRole('button', { name: 'Save SOUL.md' }));
    await waitFor(() =>
      expect(transport.called('agents.files.set')).toEqual([{ agentId: 'ops', name: 'SOUL.md', content: '# Ops\nCalm and brief.\n' }]),
    );
  });

  it('says what an agent inherits from agents.defaults where it sets nothing itself', async () => {
    const inheriting = sampleConfig({
      agents: {
        defaults: { owners: ['telegram:99'], limits: { perSenderPerMinute: 4 } },
        list: [
          { id: 'main', default: true },
          { id: 'ops', name: 'Ops' },
        ],
      },
    });
    await openPage({ ...handlers(), 'config.get': configGet(inheriting) });
    expect(within(section('Owners')).getByText(/the owners of agents.defaults apply \(telegram:99\)/)).toBeTruthy();
    expect(within(section('Limits')).getByLabelText('Messages a minute per sender').getAttribute('placeholder')).toBe(
      '4 (agents.defaults)',
    );
    expect(within(section('Limits')).getByLabelText('Tokens a day').getAttribute('placeholder')).toBe('no limit');
  });

  it('shows a conflict as the reload banner and keeps what was picked', async () => {
    await openPage(
      handlers({
        'agents.update': () => {
          throw new ControlError('conflict', 'the config file changed since you read it');
        },
      }),
    );
    fireEvent.click(within(section('Model')).getByRole('radio', { name: 'claude-haiku-5-5' }));
    fireEvent.click(within(section('Model')).getByRole('button', { name: 'Save model' }));
    expect(await screen.findByText('Not saved: the config changed since you opened this — reload.')).toBeTruthy();
    expect((within(section('Model')).getByRole('radio', { name: 'claude-haiku-5-5' }) as HTMLInputElement).checked).toBe(true);
  });
});
