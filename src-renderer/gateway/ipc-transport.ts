// Transport inside the desktop app: the preload's `window.switchboard` bridge (contextIsolation,
// sandbox). No socket and no token: the main process checks that calls come from our own frame.
import type { SwitchboardBridge } from '../../src-shared/protocol/bridge.ts';
import type { CallOutcome } from '../../src-shared/protocol/frames.ts';
import { DESKTOP_EVENTS } from '../../src-shared/protocol/desktop-methods.ts';
import { CONTROL_EVENTS } from '../../src-shared/protocol/methods.ts';
import type { ConnectionState, Transport } from './transport.ts';

export class IpcTransport implements Transport {
  readonly state: ConnectionState = { kind: 'open' };
  private readonly listeners = new Set<(event: string, data: unknown) => void>();
  private readonly unsubscribers: (() => void)[];

  constructor(private readonly bridge: SwitchboardBridge) {
    // The app's own events (its update state) come over the same bridge as the gateway's.
    this.unsubscribers = [...Object.keys(CONTROL_EVENTS), ...Object.keys(DESKTOP_EVENTS)].map((event) =>
      bridge.on(event, (data) => {
        for (const cb of this.listeners) cb(event, data);
      }),
    );
  }

  request(method: string, params: unknown): Promise<CallOutcome> {
    return this.bridge.request(method, params).catch((err: unknown) => ({
      ok: false as const,
      error: { code: 'unavailable' as const, message: err instanceof Error ? err.message : 'the app did not answer' },
    }));
  }

  onEvent(listener: (event: string, data: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(): () => void {
    return () => {};
  }

  close(): void {
    for (const off of this.unsubscribers) off();
  }
}

export function desktopBridge(): SwitchboardBridge | undefined {
  const candidate = (window as unknown as { switchboard?: SwitchboardBridge }).switchboard;
  return candidate && typeof candidate.request === 'function' && typeof candidate.on === 'function' ? candidate : undefined;
}
