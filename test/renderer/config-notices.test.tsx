// A config change the owner should notice (the model endpoint the API key goes to) is announced
// in the dashboard when the gateway reports it with `config.changed`.
import { act, cleanup } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useToasts } from '../../src-renderer/store/toasts.ts';
import { agent, connectFake, status } from './fake-gateway.ts';

afterEach(cleanup);

const handlers = () => ({
  status: () => status(),
  'agents.list': () => ({ agents: [agent('main', { default: true })] }),
  'pairing.list': () => ({ pending: [] }),
});

describe('config change notices', () => {
  it('each notice of a config.changed event is shown', async () => {
    const transport = await connectFake(handlers());
    act(() =>
      transport.emit('config.changed', {
        hash: 'b'.repeat(64),
        ok: true,
        errors: [],
        notices: ['Model endpoint changed: https://a.example → https://b.example'],
      }),
    );
    expect(useToasts.getState().toasts).toEqual([
      expect.objectContaining({ tone: 'info', text: 'Model endpoint changed: https://a.example → https://b.example' }),
    ]);
  });

  it('a change without notices shows nothing', async () => {
    const transport = await connectFake(handlers());
    act(() => transport.emit('config.changed', { hash: 'c'.repeat(64), ok: true, errors: [] }));
    expect(useToasts.getState().toasts).toEqual([]);
  });
});
