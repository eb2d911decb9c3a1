// A gateway at the transport seam for the dashboard's component tests: control methods answered
// by small handlers (a thrown ControlError becomes an error frame), events pushed by the test,
// every call recorded. The real GatewayClient, stores and views sit on top of it.
import { GatewayClient } from '../../src-renderer/gateway/client.ts';
import type { ConnectionState, Transport } from '../../src-renderer/gateway/transport.ts';
import { useConfig } from '../../src-renderer/store/config.ts';
import { useGateway, type Status } from '../../src-renderer/store/gateway.ts';
import { useNav, type ViewName } from '../../src-renderer/store/nav.ts';
import { useToasts } from '../../src-renderer/store/toasts.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import type { CallOutcome } from '../../src-shared/protocol/frames.ts';

export type Handler = (params: never) => unknown;

export class FakeTransport implements Transport {
  readonly state: ConnectionState = { kind: 'open' };
  readonly calls: { method: string; params: unknown }[] = [];
  private readonly listeners = new Set<(event: string, data: unknown) => void>();

  constructor(readonly handlers: Record<string, Handler>) {}

  async request(method: string, params: unknown): Promise<CallOutcome> {
    this.calls.push({ method, params });
    const handler = this.handlers[method];
    if (!handler) return { ok: false, error: { code: 'not_found', message: `unknown method ${method}` } };
    try {
      return { ok: true, result: await (handler as (p: unknown) => unknown)(params) };
    } catch (err) {
      if (err instanceof ControlError) return { ok: false, error: err.toBody() };
      return { ok: false, error: { code: 'internal', message: (err as Error).message } };
    }
  }

  emit(event: string, data: unknown): void {
    for (const listener of this.listeners) listener(event, data);
  }

  onEvent(listener: (event: string, data: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(): () => void {
    return () => {};
  }

  close(): void {}

  called(method: string): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
}

export function status(overrides: Partial<Status> = {}): Status {
  return {
    version: '0.1.0',
    state: 'running',
    startedAt: new Date().toISOString(),
    configPath: '/home/ann/.switchboard/switchboard.json',
    stateDir: '/home/ann/.switchboard',
    configHash: 'a'.repeat(64),
    configErrors: [],
    agents: 1,
    channels: [],
    inFlight: 0,
    queued: 0,
    processed: 0,
    dropped: {},
    keychain: { available: true, reason: null },
    storage: { ok: true },
    ...overrides,
  };
}

export const agent = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: null,
  emoji: null,
  default: false,
  model: 'claude-sonnet-5-5',
  workspace: `/home/ann/.switchboard/workspace-${id}`,
  state: 'idle',
  reason: null,
  bindings: [],
  today: { messages: 0, inputTokens: 0, outputTokens: 0 },
  lastActivity: null,
  ...extra,
});

/** Fresh stores, a fake transport, the real client attached; waits for the first refresh. */
export async function connectFake(handlers: Record<string, Handler>, view: ViewName = 'overview'): Promise<FakeTransport> {
  useGateway.setState({
    client: undefined,
    connection: { kind: 'connecting' },
    status: undefined,
    agents: [],
    channels: [],
    pairing: [],
    qr: {},
    loadError: undefined,
    loaded: false,
  });
  useConfig.setState({ snapshot: undefined, check: undefined, loading: false, error: undefined });
  useToasts.setState({ toasts: [] });
  useNav.setState({ route: { view, args: [] } });
  const transport = new FakeTransport(handlers);
  useGateway.getState().attach(new GatewayClient(transport));
  await useGateway.getState().refresh();
  return transport;
}
