// What the dashboard needs from a connection to the gateway, whichever way it is carried:
// the preload bridge inside Electron, or a WebSocket to the page's own origin in a browser.
import type { CallOutcome } from '../../src-shared/protocol/frames.ts';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  /** The gateway refused the token (or none was given): the user has to supply one. */
  | { kind: 'unauthorized'; message: string }
  /** Not reachable right now; the transport keeps retrying. */
  | { kind: 'offline'; message: string; retryInMs?: number };

export interface Transport {
  request(method: string, params: unknown): Promise<CallOutcome>;
  /** Every event frame, in order. Returns the unsubscribe function. */
  onEvent(listener: (event: string, data: unknown) => void): () => void;
  onState(listener: (state: ConnectionState) => void): () => void;
  readonly state: ConnectionState;
  close(): void;
}
