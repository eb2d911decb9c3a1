// Automatic updates of the installed app (docs/desktop.md#updates): checks the GitHub releases at
// start and every few hours, downloads in the background, then offers "Update ready — restart".
// The updater (electron-updater's autoUpdater in the app) and the clock are injected; installing
// never cuts a turn short: restart() drains the gateway first (its stop lets in-flight turns finish).

/** The part of electron-updater's AppUpdater in use (its autoUpdater fits). */
export interface UpdaterPort {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  /** Quits the app (windows closed, then `before-quit`) and runs the downloaded installer. */
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: UpdaterEvent, listener: (payload: unknown) => void): unknown;
}

export type UpdaterEvent =
  'checking-for-update' | 'update-available' | 'update-not-available' | 'download-progress' | 'update-downloaded' | 'error';

export type UpdateState =
  /** No updater in this build (an unpackaged run, a .deb install) or checks turned off. */
  | { phase: 'off'; reason: 'unsupported' | 'disabled' }
  | { phase: 'idle' }
  | { phase: 'checking' }
  | { phase: 'up-to-date'; checkedAt: number }
  | { phase: 'downloading'; version: string; percent: number }
  | { phase: 'ready'; version: string }
  /** restart() was asked for: the gateway is draining, then the installer runs. */
  | { phase: 'installing'; version: string }
  | { phase: 'error'; message: string; at: number };

export interface UpdateTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(timer: unknown): void;
}

export interface UpdateServiceOptions {
  /** Null where updates cannot apply (not packaged, or a package manager owns the install). */
  updater: UpdaterPort | null;
  /** The "check for updates automatically" pref, read at every decision. */
  enabled(): boolean;
  /** Stops the gateway (grace period for in-flight turns) and everything else that must end before the installer runs. */
  drain(): Promise<void>;
  onChange?(state: UpdateState): void;
  log?(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  timers?: UpdateTimers;
  now?(): number;
  /** First check after start, so it does not compete with opening the gateway. */
  firstCheckDelayMs?: number;
  everyMs?: number;
}

export const UPDATE_CHECK_EVERY_MS = 4 * 60 * 60 * 1000;
export const FIRST_UPDATE_CHECK_DELAY_MS = 30_000;

const unref = (timer: unknown) => (timer as { unref?(): void } | null)?.unref?.();

const DEFAULT_TIMERS: UpdateTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (t) => clearInterval(t as NodeJS.Timeout),
};

function versionOf(payload: unknown): string {
  const v = (payload as { version?: unknown } | null)?.version;
  return typeof v === 'string' ? v : 'unknown';
}

export class UpdateService {
  private state: UpdateState;
  private first: unknown;
  private every: unknown;
  private readonly timers: UpdateTimers;

  constructor(private readonly opts: UpdateServiceOptions) {
    this.timers = opts.timers ?? DEFAULT_TIMERS;
    const updater = opts.updater;
    this.state = updater
      ? opts.enabled()
        ? { phase: 'idle' }
        : { phase: 'off', reason: 'disabled' }
      : { phase: 'off', reason: 'unsupported' };
    if (!updater) return;
    // Download in the background; a downloaded update is installed when the user quits (quit drains the gateway too).
    updater.autoDownload = true;
    updater.autoInstallOnAppQuit = true;
    updater.on('checking-for-update', () => this.whenNotReady({ phase: 'checking' }));
    updater.on('update-available', (info) => this.whenNotReady({ phase: 'downloading', version: versionOf(info), percent: 0 }));
    updater.on('update-not-available', () => this.whenNotReady({ phase: 'up-to-date', checkedAt: this.now() }));
    updater.on('download-progress', (p) => {
      const percent = Number((p as { percent?: unknown } | null)?.percent);
      if (this.state.phase === 'downloading' && Number.isFinite(percent))
        this.set({ ...this.state, percent: Math.max(0, Math.min(100, Math.round(percent))) });
    });
    updater.on('update-downloaded', (info) => {
      if (this.state.phase === 'installing') return;
      this.set({ phase: 'ready', version: versionOf(info) });
      this.opts.log?.('info', 'update downloaded; installs on restart or quit', { version: versionOf(info) });
    });
    updater.on('error', (err) => {
      const message = err instanceof Error ? err.message : String(err);
      this.opts.log?.('warn', 'update check or download failed', { error: message });
      // A failed later check must not hide an update that is already downloaded.
      this.whenNotReady({ phase: 'error', message: message.split('\n')[0]!.slice(0, 300), at: this.now() });
    });
  }

  get current(): UpdateState {
    return this.state;
  }

  /** Checks now, then every `everyMs`, while the pref is on. Timers are unref'd (they never keep the app alive). */
  start(): void {
    this.stop();
    if (!this.opts.updater) return;
    if (!this.opts.enabled()) {
      this.whenNotReady({ phase: 'off', reason: 'disabled' });
      return;
    }
    if (this.state.phase === 'off') this.set({ phase: 'idle' });
    this.first = this.timers.setTimeout(() => void this.check(), this.opts.firstCheckDelayMs ?? FIRST_UPDATE_CHECK_DELAY_MS);
    unref(this.first);
    this.every = this.timers.setInterval(() => void this.check(), this.opts.everyMs ?? UPDATE_CHECK_EVERY_MS);
    unref(this.every);
  }

  stop(): void {
    if (this.first !== undefined) this.timers.clearTimeout(this.first);
    if (this.every !== undefined) this.timers.clearInterval(this.every);
    this.first = this.every = undefined;
  }

  /** The pref changed: start or stop the periodic checks. */
  setEnabled(on: boolean): void {
    if (on) this.start();
    else {
      this.stop();
      this.whenNotReady({ phase: 'off', reason: 'disabled' });
    }
  }

  /** One check (the periodic one, or "Check for updates" from the user). Never throws; failures become the `error` state. */
  async check(): Promise<void> {
    const updater = this.opts.updater;
    if (!updater || !this.opts.enabled()) return;
    if (this.state.phase === 'ready' || this.state.phase === 'installing' || this.state.phase === 'downloading') return;
    try {
      // Resolves null when electron-updater considers itself inactive (e.g. an AppImage run without $APPIMAGE).
      const result = await updater.checkForUpdates();
      // With autoDownload the result carries the download's promise; its failure (e.g. a sha512
      // mismatch) is also emitted as 'error', but left unhandled it would be an unhandled rejection.
      const download = (result as { downloadPromise?: unknown } | null)?.downloadPromise;
      if (download instanceof Promise) download.catch(() => undefined);
      if (result === null && this.state.phase === 'checking') this.set({ phase: 'off', reason: 'unsupported' });
    } catch (err) {
      // electron-updater also emits 'error' for this; record it in case it did not.
      if (this.state.phase !== 'error') this.whenNotReady({ phase: 'error', message: (err as Error).message, at: this.now() });
    }
  }

  /**
   * "Restart to update": drains the gateway (running turns finish within its grace period) and
   * only then hands over to the installer. False when no update is ready.
   */
  async restart(): Promise<boolean> {
    const updater = this.opts.updater;
    if (!updater || this.state.phase !== 'ready') return false;
    const { version } = this.state;
    this.set({ phase: 'installing', version });
    this.stop();
    try {
      await this.opts.drain();
    } catch (err) {
      // The gateway is stopped either way (drain records cancelled turns); installing is still right.
      this.opts.log?.('warn', 'gateway did not stop cleanly before the update', { error: (err as Error).message });
    }
    this.opts.log?.('info', 'installing update', { version });
    updater.quitAndInstall(false, true);
    return true;
  }

  private whenNotReady(next: UpdateState): void {
    if (this.state.phase === 'ready' || this.state.phase === 'installing') return;
    this.set(next);
  }

  private set(next: UpdateState): void {
    this.state = next;
    this.opts.onChange?.(next);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }
}

/** The tray / dashboard line for a state; null when there is nothing to say. */
export function updateLabel(state: UpdateState): string | null {
  switch (state.phase) {
    case 'ready':
      return `Update ready — restart to install ${state.version}`;
    case 'installing':
      return `Installing ${state.version}…`;
    case 'downloading':
      return `Downloading update ${state.version} (${state.percent}%)`;
    default:
      return null;
  }
}
