// What the preload exposes as `window.switchboard` (src-shared/protocol/bridge.ts), built over an
// ipcRenderer-like object so it can be tested without Electron. It runs in the sandboxed preload,
// so it imports nothing but src-shared. The page never sees ipcRenderer or an IPC event object:
// only outcomes and event payloads cross the context bridge.
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, type SwitchboardBridge } from '../../src-shared/protocol/bridge.ts';
import type { CallOutcome } from '../../src-shared/protocol/frames.ts';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

const UNAVAILABLE: CallOutcome = { ok: false, error: { code: 'unavailable', message: 'the app did not answer' } };

function isOutcome(value: unknown): value is CallOutcome {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (v.ok === true) return 'result' in v;
  return v.ok === false && typeof v.error?.code === 'string' && typeof v.error.message === 'string';
}

export function createBridge(ipc: IpcRendererLike): SwitchboardBridge {
  // One IPC listener for all events, dispatched here: no per-subscription ipcRenderer listeners
  // (the renderer subscribes once per event name, more than EventEmitter's default of 10).
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  ipc.on(IPC_EVENT_CHANNEL, (_event, name, data) => {
    if (typeof name !== 'string') return;
    for (const listener of [...(listeners.get(name) ?? [])]) {
      try {
        listener(data);
      } catch {
        // One failing subscriber must not starve the others.
      }
    }
  });
  return Object.freeze({
    request(method: string, params: unknown): Promise<CallOutcome> {
      if (typeof method !== 'string')
        return Promise.resolve({ ok: false, error: { code: 'bad_request', message: 'method must be a string' } });
      return ipc.invoke(IPC_REQUEST_CHANNEL, method, params).then(
        (value) => (isOutcome(value) ? value : UNAVAILABLE),
        () => UNAVAILABLE,
      );
    },
    on(event: string, listener: (data: unknown) => void): () => void {
      if (typeof event !== 'string' || typeof listener !== 'function') throw new TypeError('on(event: string, listener: function)');
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  });
}
