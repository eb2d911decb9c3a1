// The main-process side of the preload bridge (src-shared/protocol/bridge.ts). Every ipcMain
// handler goes through guardIpc(): the call must come from the dashboard window's top frame on
// app://switchboard, its arguments must match a zod schema, and it always resolves to a
// CallOutcome (errors do not survive contextBridge). Control calls then go to ControlService,
// which validates params against the src-shared method schemas; events fan out to the dashboard.
import { z } from 'zod';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../src-shared/protocol/bridge.ts';
import type { CallOutcome } from '../../src-shared/protocol/frames.ts';
import type { CallContext } from '../control/service.ts';
import { isAppUrl } from './security.ts';

/** What an ipcMain.handle listener receives (a structural subset of IpcMainInvokeEvent). */
export interface IpcInvokeEventLike {
  readonly sender: { readonly id: number };
  /** null once the frame navigated away or was destroyed. */
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The dashboard window's web contents, as far as the bridge needs it. */
export interface BridgeContents {
  readonly id: number;
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, ...args: unknown[]): void;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

/** Top frame of the dashboard window, showing our own origin; anything else is refused. */
export function checkSender(event: IpcInvokeEventLike, dashboardId: number | undefined): SenderVerdict {
  const frame = event.senderFrame;
  if (frame === null) return { ok: false, reason: 'the sending frame is gone' };
  if (frame.parent !== null) return { ok: false, reason: 'not the top frame' };
  if (!isAppUrl(frame.url)) return { ok: false, reason: 'foreign origin' };
  if (dashboardId === undefined || event.sender.id !== dashboardId) return { ok: false, reason: 'not the dashboard window' };
  return { ok: true };
}

export interface GuardOptions<A> {
  channel: string;
  /** The id of the dashboard's web contents right now (undefined when no window exists). */
  dashboardId(): number | undefined;
  args: z.ZodType<A>;
  handle(args: A, event: IpcInvokeEventLike): Promise<CallOutcome>;
  log(level: 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
}

/** The one wrapper every ipcMain handler is built with. Never throws. */
export function guardIpc<A>(opts: GuardOptions<A>): (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<CallOutcome> {
  return async (event, ...raw) => {
    const sender = checkSender(event, opts.dashboardId());
    if (!sender.ok) {
      opts.log('warn', 'IPC call refused', { channel: opts.channel, reason: sender.reason });
      return { ok: false, error: { code: 'unauthorized', message: `IPC call refused: ${sender.reason}` } };
    }
    const args = opts.args.safeParse(raw);
    if (!args.success) {
      return { ok: false, error: { code: 'bad_request', message: `malformed IPC call on ${opts.channel}` } };
    }
    try {
      return await opts.handle(args.data, event);
    } catch (err) {
      opts.log('error', 'IPC handler failed', { channel: opts.channel, err });
      return { ok: false, error: { code: 'internal', message: 'internal error' } };
    }
  };
}

/** `request(method, params)`: a method name like those in the contract, and anything as params (the service checks them). */
export const RequestArgsSchema = z.tuple([
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z][\w.]*$/),
  z.unknown(),
]);

export interface ControlCaller {
  call(method: string, params: unknown, ctx: CallContext): Promise<CallOutcome>;
  onEvent(listener: (event: string, data: unknown) => void): () => void;
}

export interface ControlBridgeOptions {
  ipcMain: IpcMainLike;
  /** The running gateway's ControlService, or undefined while it is not open (calls answer `unavailable`). */
  service(): ControlCaller | undefined;
  /** The dashboard window's web contents, when it exists. */
  dashboard(): BridgeContents | undefined;
  log: GuardOptions<unknown>['log'];
}

export interface ControlBridge {
  /** Subscribes the dashboard to a (new) service's events; the previous subscription ends. */
  attach(service: ControlCaller): void;
  dispose(): void;
}

/** Registers the request handler and forwards control events to the dashboard window. */
export function installControlBridge(opts: ControlBridgeOptions): ControlBridge {
  const dashboardId = () => {
    const contents = opts.dashboard();
    return contents && !contents.isDestroyed() ? contents.id : undefined;
  };
  opts.ipcMain.handle(
    IPC_REQUEST_CHANNEL,
    guardIpc({
      channel: IPC_REQUEST_CHANNEL,
      dashboardId,
      args: RequestArgsSchema,
      log: opts.log,
      handle: async ([method, params], event) => {
        const service = opts.service();
        if (!service) return { ok: false, error: { code: 'unavailable', message: 'the gateway is not open yet' } };
        const ctx: CallContext = { transport: 'ipc', clientId: `ipc:${event.sender.id}` };
        return service.call(method, params, ctx);
      },
    }),
  );
  let unsubscribe: (() => void) | undefined;
  return {
    attach(service) {
      unsubscribe?.();
      unsubscribe = service.onEvent((event, data) => forwardEvent(opts.dashboard(), event, data));
    },
    dispose() {
      unsubscribe?.();
      unsubscribe = undefined;
      opts.ipcMain.removeHandler(IPC_REQUEST_CHANNEL);
    },
  };
}

/** Sends one event to the dashboard if it is alive and still showing our own page. */
export function forwardEvent(contents: BridgeContents | undefined, event: string, data: unknown): boolean {
  if (!contents || contents.isDestroyed() || !isAppUrl(contents.getURL())) return false;
  contents.send(IPC_EVENT_CHANNEL, event, data);
  return true;
}
