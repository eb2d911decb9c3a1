// Keeps the tray state current from the control plane: a snapshot (`status`, `agents.list`,
// `pairing.list`) when a gateway is attached, then its events. Pairing requests have no event of
// their own, so they are re-read when a message is held for pairing and every 30 s (codes expire).
import type { CallContext } from '../control/service.ts';
import type { ControlCaller } from './ipc-bridge.ts';
import { applyEvent, INITIAL_TRAY_STATE, withSnapshot, type TrayState, type TraySnapshot } from './tray-state.ts';

const INTERNAL: CallContext = { transport: 'internal', clientId: 'desktop-tray' };

export interface TrayFeedOptions {
  onChange(state: TrayState): void;
  pairingEveryMs?: number;
  setInterval?: (fn: () => void, ms: number) => { unref?(): void };
  clearInterval?: (timer: unknown) => void;
}

export class TrayFeed {
  private state: TrayState = INITIAL_TRAY_STATE;
  private service: ControlCaller | undefined;
  private unsubscribe: (() => void) | undefined;
  private timer: unknown;

  constructor(private readonly opts: TrayFeedOptions) {}

  get current(): TrayState {
    return this.state;
  }

  /** Follows a (newly opened) gateway. Resolves once the first snapshot is in. */
  async attach(service: ControlCaller): Promise<void> {
    this.detachQuietly();
    this.service = service;
    this.unsubscribe = service.onEvent((event, data) => this.onEvent(event, data));
    const every = this.opts.pairingEveryMs ?? 30_000;
    const timer = (this.opts.setInterval ?? setInterval)(() => void this.refresh(['pairing']), every);
    timer.unref?.();
    this.timer = timer;
    await this.refresh(['status', 'agents', 'pairing']);
  }

  /** The gateway could not be opened, or was closed: say why until a new one is attached. */
  closed(reason: string): void {
    this.detachQuietly();
    this.set({ ...INITIAL_TRAY_STATE, gateway: 'closed', reason });
  }

  /** Re-reads parts of the snapshot; failures keep what is shown. */
  async refresh(parts: ('status' | 'agents' | 'pairing')[] = ['status', 'agents', 'pairing']): Promise<void> {
    const service = this.service;
    if (!service) return;
    const snap: TraySnapshot = {};
    const read = async <K extends keyof TraySnapshot>(key: K, method: string) => {
      const outcome = await service.call(method, {}, INTERNAL);
      if (outcome.ok) snap[key] = outcome.result as TraySnapshot[K];
    };
    await Promise.all([
      parts.includes('status') ? read('status', 'status') : undefined,
      parts.includes('agents') ? read('agents', 'agents.list') : undefined,
      parts.includes('pairing') ? read('pairing', 'pairing.list') : undefined,
    ]);
    if (this.service !== service) return; // detached meanwhile
    this.set(withSnapshot(this.state, snap));
  }

  stop(): void {
    this.detachQuietly();
  }

  private onEvent(event: string, data: unknown): void {
    this.set(applyEvent(this.state, event, data));
    const d = data as { reason?: unknown; ok?: unknown; state?: unknown } | undefined;
    // Agents come and go with config edits; pairing requests appear when a sender is held back.
    if (event === 'config.changed' && d?.ok === true) void this.refresh(['status', 'agents']);
    if (event === 'message.dropped' && typeof d?.reason === 'string' && d.reason.startsWith('pairing')) void this.refresh(['pairing']);
    if (event === 'gateway.state' && (d?.state === 'running' || d?.state === 'stopped')) void this.refresh(['status']);
  }

  private set(state: TrayState): void {
    if (state === this.state) return;
    this.state = state;
    this.opts.onChange(state);
  }

  private detachQuietly(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.service = undefined;
    if (this.timer !== undefined) (this.opts.clearInterval ?? ((t) => clearInterval(t as NodeJS.Timeout)))(this.timer);
    this.timer = undefined;
  }
}
