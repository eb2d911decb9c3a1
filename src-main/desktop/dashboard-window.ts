// The one dashboard window: created on first use, reopened where the user left it (bounds and
// the last view), hidden rather than closed (the gateway keeps running in the tray). On macOS the
// app has a Dock icon only while the window is shown.
import type { BridgeContents } from './ipc-bridge.ts';
import type { Prefs } from './prefs.ts';
import { APP_ORIGIN, dashboardWebPreferences, isAppUrl, type DashboardWebPreferences } from './security.ts';
import { MIN_SIZE, restoreBounds, type DisplayLike, type Rect } from './window-bounds.ts';

export interface DashboardContents extends BridgeContents {
  on(event: 'did-navigate-in-page', listener: (event: unknown, url: string, isMainFrame: boolean) => void): unknown;
}

/** The parts of Electron's BrowserWindow in use (a real BrowserWindow fits). */
export interface WindowPort {
  readonly webContents: DashboardContents;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  maximize(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  isMaximized(): boolean;
  getNormalBounds(): Rect;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  on(event: 'resize', listener: () => void): unknown;
  on(event: 'move', listener: () => void): unknown;
  on(event: 'maximize', listener: () => void): unknown;
  on(event: 'unmaximize', listener: () => void): unknown;
  on(event: 'show', listener: () => void): unknown;
  on(event: 'hide', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

export interface DashboardWindowOptions {
  title: string;
  show: false;
  width: number;
  height: number;
  x?: number;
  y?: number;
  minWidth: number;
  minHeight: number;
  autoHideMenuBar: true;
  icon?: string;
  webPreferences: DashboardWebPreferences;
}

export interface DashboardWindowDeps {
  createWindow(options: DashboardWindowOptions): WindowPort;
  prefs: Prefs;
  displays(): readonly DisplayLike[];
  preload: string;
  devTools: boolean;
  /** Window icon (Linux and Windows; macOS uses the bundle's). */
  icon?: string;
  /** macOS only: the Dock icon follows the window. */
  dock?: { show(): unknown; hide(): void };
  log?(level: 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
  saveDelayMs?: number;
}

export function dashboardUrl(view: string): string {
  return `${APP_ORIGIN}/index.html${view.startsWith('#/') ? view : '#/overview'}`;
}

/** `#/inspector/<agent>`: the route src-renderer/store/nav.ts reads. */
export function viewHash(view: string, ...args: string[]): string {
  return `#/${[view, ...args].map(encodeURIComponent).join('/')}`;
}

export class DashboardWindow {
  private win: WindowPort | undefined;
  private quitting = false;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: DashboardWindowDeps) {}

  /** The dashboard's web contents while the window exists (for the IPC bridge). */
  contents(): BridgeContents | undefined {
    return this.win && !this.win.isDestroyed() ? this.win.webContents : undefined;
  }

  isVisible(): boolean {
    return this.win !== undefined && !this.win.isDestroyed() && this.win.isVisible();
  }

  /** Shows the window (creating it if needed), optionally on a given view such as `#/inspector/home`. */
  show(view?: string): void {
    const existing = this.win && !this.win.isDestroyed() ? this.win : undefined;
    if (!existing) {
      this.create(view ?? this.deps.prefs.get('lastView'));
      return;
    }
    if (view !== undefined)
      void existing
        .loadURL(dashboardUrl(view))
        .catch((err: Error) => this.deps.log?.('warn', 'dashboard navigation failed', { error: err.message }));
    if (existing.isMinimized()) existing.restore();
    existing.show();
    existing.focus();
  }

  hide(): void {
    if (this.win && !this.win.isDestroyed()) this.win.hide();
  }

  /** From now on a close really closes (the app is quitting). */
  allowClose(): void {
    this.quitting = true;
    this.saveNow();
  }

  private create(view: string): void {
    const saved = this.deps.prefs.get('window');
    const bounds = restoreBounds(saved.bounds, this.deps.displays());
    const win = this.deps.createWindow({
      title: 'Switchboard',
      show: false,
      ...bounds,
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      autoHideMenuBar: true,
      ...(this.deps.icon ? { icon: this.deps.icon } : {}),
      webPreferences: dashboardWebPreferences(this.deps.preload, { devTools: this.deps.devTools }),
    });
    this.win = win;
    if (saved.maximized) win.maximize();
    win.once('ready-to-show', () => {
      win.show();
      win.focus();
    });
    win.on('show', () => void this.deps.dock?.show());
    win.on('hide', () => this.deps.dock?.hide());
    win.on('close', (event) => {
      this.saveNow();
      if (this.quitting) return;
      // Closing the window is not quitting: the gateway keeps running behind the tray icon.
      event.preventDefault();
      win.hide();
    });
    win.on('closed', () => {
      clearTimeout(this.saveTimer);
      if (this.win === win) this.win = undefined;
      this.deps.dock?.hide();
    });
    win.on('resize', () => this.scheduleSave());
    win.on('move', () => this.scheduleSave());
    win.on('maximize', () => this.saveNow());
    win.on('unmaximize', () => this.saveNow());
    win.webContents.on('did-navigate-in-page', (_event, url, isMainFrame) => {
      if (!isMainFrame || !isAppUrl(url)) return;
      const hash = new URL(url).hash;
      try {
        if (hash.startsWith('#/')) this.deps.prefs.set('lastView', hash);
      } catch {
        // A view the prefs schema does not accept is simply not remembered.
      }
    });
    void win
      .loadURL(dashboardUrl(view))
      .catch((err: Error) => this.deps.log?.('error', 'dashboard failed to load', { error: err.message }));
  }

  private scheduleSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.saveNow(), this.deps.saveDelayMs ?? 500);
    this.saveTimer.unref?.();
  }

  private saveNow(): void {
    clearTimeout(this.saveTimer);
    const win = this.win;
    if (!win || win.isDestroyed()) return;
    const b = win.getNormalBounds();
    try {
      this.deps.prefs.set('window', {
        bounds: { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) },
        maximized: win.isMaximized(),
      });
    } catch (err) {
      this.deps.log?.('warn', 'window bounds not saved', { error: (err as Error).message });
    }
  }
}
