// GatewayClient: the dashboard's only way to the gateway. Method names, params, results and event
// payloads are typed from the src-shared control contract; errors arrive as ControlError with the
// server's code, so views can tell "conflict" (someone else edited the config) from a bad input.
import type { EventDataOf, ParamsInputOf, ResultOf } from '../../src-shared/protocol/contract.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import type { DesktopEvents, DesktopMethods } from '../../src-shared/protocol/desktop-methods.ts';
import type { ControlEvents, ControlMethods } from '../../src-shared/protocol/methods.ts';
import type { ConnectionState, Transport } from './transport.ts';

/** The gateway's methods, plus the desktop app's own (answered only inside the app). */
type Methods = ControlMethods & DesktopMethods;
/** The gateway's events, plus the desktop app's own (sent only inside the app). */
type Events = ControlEvents & DesktopEvents;
export type MethodName = keyof Methods & string;
export type EventName = keyof Events & string;
export type Result<K extends MethodName> = ResultOf<Methods[K]>;
export type Params<K extends MethodName> = ParamsInputOf<Methods[K]>;
export type EventData<K extends EventName> = EventDataOf<Events[K]>;

export class GatewayClient {
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly transport: Transport) {
    this.unsubscribe = transport.onEvent((event, data) => {
      for (const cb of this.listeners.get(event) ?? []) {
        try {
          cb(data);
        } catch (err) {
          // One broken view must not starve the others of events.
          console.error(`listener for ${event} failed`, err);
        }
      }
    });
  }

  get state(): ConnectionState {
    return this.transport.state;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    return this.transport.onState(listener);
  }

  async request<K extends MethodName>(
    method: K,
    ...args: undefined extends Params<K> ? [params?: Params<K>] : [params: Params<K>]
  ): Promise<Result<K>> {
    const outcome = await this.transport.request(method, args[0]);
    if (!outcome.ok) throw ControlError.fromBody(outcome.error);
    return outcome.result as Result<K>;
  }

  on<K extends EventName>(event: K, cb: (data: EventData<K>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const listener = cb as (data: unknown) => void;
    set.add(listener);
    return () => set.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    this.transport.close();
  }
}

/** A message for the user from anything a request may throw. */
export function errorText(err: unknown): string {
  if (err instanceof ControlError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
