// The preload bridge of the desktop app (docs/desktop.md#security-electrons-checklist): what
// `window.switchboard` offers the renderer inside Electron. It carries the same method calls and
// events as the WebSocket transport; a call resolves to its outcome (never rejects), because error
// objects lose their fields crossing Electron's contextBridge while plain data does not.
import type { CallOutcome } from './frames.ts';

/** IPC channel names the preload and the main-process bridge agree on. */
export const IPC_REQUEST_CHANNEL = 'switchboard:request';
export const IPC_EVENT_CHANNEL = 'switchboard:event';

export interface SwitchboardBridge {
  /** Calls a control method; the main process validates params against the src-shared schemas. */
  request(method: string, params: unknown): Promise<CallOutcome>;
  /** Subscribes to one control event; returns the unsubscribe function. */
  on(event: string, listener: (data: unknown) => void): () => void;
}
