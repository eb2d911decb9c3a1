// The Agents view's test gateway: the shared fake (fake-gateway.ts) plus a sample config and the
// answers the stores and the wizard ask for.
import type { Status } from '../../src-renderer/store/gateway.ts';
import { agent, connectFake as connectShared, status, type FakeTransport, type Handler } from './fake-gateway.ts';

export { agent, status, FakeTransport, type Handler } from './fake-gateway.ts';

export const HASH_A = 'a'.repeat(64);
export const HASH_B = 'b'.repeat(64);
export const HASH_C = 'c'.repeat(64);

/** A config with `main`, a disabled Telegram account `alerts` and a Discord bot. */
export function sampleConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    agents: { list: [{ id: 'main', default: true, workspace: '~/.switchboard/workspace', agentDir: '~/.switchboard/agents/main/agent' }] },
    channels: {
      telegram: { accounts: { alerts: { botToken: { secret: 'telegram/alerts' }, enabled: false } } },
      discord: { token: { secret: 'discord/default' } },
    },
    ...extra,
  };
}

export function configGet(raw: Record<string, unknown>, hash = HASH_A) {
  return () => ({ configPath: '/home/ann/.switchboard/switchboard.json', exists: true, hash, raw: structuredClone(raw), issues: [] });
}

/** Default answers for what the stores and the wizard ask; tests override or add handlers. */
export function baseHandlers(s: Status = status(), raw: Record<string, unknown> = sampleConfig()): Record<string, Handler> {
  return {
    status: () => s,
    'agents.list': () => ({ agents: [agent('main', { default: true })] }),
    'pairing.list': () => ({ pending: [] }),
    'config.get': configGet(raw),
    'config.validate': () => ({ ok: true, issues: [] }),
    'auth.list': () => ({
      keychain: { available: true, reason: null },
      storage: { ok: true },
      agents: [{ agentId: 'main', scope: 'agent', envFallback: true, profiles: [] }],
    }),
  };
}

/** Fresh stores on the Agents view. */
export function connectFake(handlers: Record<string, Handler>): Promise<FakeTransport> {
  return connectShared(handlers, 'agents');
}
