// The Channels and Settings views' test gateway: the shared fake (fake-gateway.ts) plus the
// answers the stores ask for on connect.
import type { Status } from '../../src-renderer/store/gateway.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { agent, status, type Handler } from './fake-gateway.ts';

export { agent, connectFake, status, FakeTransport, type Handler } from './fake-gateway.ts';

/** Default answers for what the stores ask on connect; tests override or add handlers. */
export function baseHandlers(s: Status = status()): Record<string, Handler> {
  return {
    status: () => s,
    'agents.list': () => ({ agents: [agent('main', { default: true })] }),
    'pairing.list': () => ({ pending: [] }),
    'config.get': () => {
      throw new ControlError('unavailable', 'not in this test');
    },
  };
}
