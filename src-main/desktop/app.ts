// The desktop app's lifecycle, with every Electron object injected (src-main/electron/main.ts
// hands in the real ones): open the gateway host in-process, serve it over IPC (dashboard), the
// local socket (CLI) and — only when the user turns on remote access — a loopback WebSocket;
// tray, window, notifications, start-on-launch, reconnect after sleep or a network change, and a
// clean quit that stops the gateway (in-flight turns finish or are recorded as cancelled), and
// updates (updates.ts) that install only after that same clean stop.
import path from 'node:path';
import { DESKTOP_METHODS } from '../../src-shared/protocol/desktop-methods.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { PROTOCOL_VERSION } from '../../src-shared/protocol/methods.ts';
import { ControlService, type CallContext } from '../control/service.ts';
import { controlSocketPath, startControlServer, type ControlServer } from '../control/ws-server.ts';
import type { GatewayHost } from '../gateway/host.ts';
import { staticFiles } from '../gateway/static-files.ts';
import { createLogger, type Logger, type ModuleLogger } from '../log.ts';
import { DashboardWindow, viewHash, type DashboardWindowDeps } from './dashboard-window.ts';
import { forwardEvent, installControlBridge, type ControlBridge, type ControlCaller, type IpcMainLike } from './ipc-bridge.ts';
import type { LoginItem } from './login-item.ts';
import { NoticePolicy, type Notice } from './notices.ts';
import type { Prefs } from './prefs.ts';
import { NetworkWatch, reconnectChannels, ReconnectScheduler, type Timers } from './reconnect.ts';
import { TrayController, type TrayControllerOptions } from './tray.ts';
import { TrayFeed } from './tray-feed.ts';
import type { Theme, TrayActions, TrayMenuPrefs } from './tray-menu.ts';
import type { TrayPairing } from './tray-state.ts';
import { UpdateService, updateLabel, type UpdaterPort } from './updates.ts';

const INTERNAL: CallContext = { transport: 'internal', clientId: 'desktop' };

export interface DesktopAppDeps<Menu> {
  platform: NodeJS.Platform;
  log: Logger;
  prefs: Prefs;
  loginItem: LoginItem;
  /** Opens the gateway host for the state dir (instance lock, config, credentials, service). */
  openHost(): Promise<GatewayHost>;
  stateDir: string;
  /** The dashboard build, also served over the remote-access WebSocket's HTTP side. */
  rendererDir: string;
  /** Local control socket path; default controlSocketPath(stateDir). Null disables it. */
  socketPath?: string | null;
  tray: Omit<TrayControllerOptions<Menu>, 'actions' | 'prefs' | 'platform'>;
  window: Omit<DashboardWindowDeps, 'prefs' | 'log'>;
  ipcMain: IpcMainLike;
  notify(notice: Notice & { onClick(): void }): void;
  nativeTheme: { themeSource: Theme };
  /** powerMonitor: 'resume' after sleep triggers a reconnect; 'shutdown' (macOS, Linux) a clean quit. */
  powerMonitor: {
    on(event: 'resume', listener: () => void): unknown;
    on(event: 'shutdown', listener: () => void): unknown;
  };
  /** Fingerprint of the current network (see networkFingerprint); polled for changes. */
  networkFingerprint(): string;
  /** app.quit(): ends the app; handleBeforeQuit() holds it until the gateway has stopped. */
  quit(): void;
  /** electron-updater's autoUpdater in a packaged app; absent where updates do not apply (unpackaged, .deb). */
  updater?: UpdaterPort | null;
  /** Opens a folder in the file manager (shell.openPath); "Open logs" uses it. */
  openFolder?(dir: string): Promise<void>;
  /**
   * The file the app's logger writes (gatewayLogger's `file.path`): "Open logs" shows its folder.
   * One value for both, so they cannot disagree (on a macOS new install it is ~/Library/Logs/Switchboard).
   */
  logFile: string;
  timers?: Timers;
  reconnectDelayMs?: number;
  networkPollMs?: number;
}

export class DesktopApp<Menu = unknown> {
  readonly window: DashboardWindow;
  private tray: TrayController<Menu> | undefined;
  private readonly feed: TrayFeed;
  readonly updates: UpdateService;
  private readonly notices = new NoticePolicy();
  private bridge: ControlBridge | undefined;
  private host: GatewayHost | undefined;
  private opening: Promise<GatewayHost | undefined> | undefined;
  private socket: ControlServer | undefined;
  private remote: ControlServer | undefined;
  private unsubscribeNotices: (() => void) | undefined;
  private readonly network: NetworkWatch;
  private readonly reconnect: ReconnectScheduler;
  private startAtLogin = false;
  private phase: 'new' | 'running' | 'quitting' | 'done' = 'new';
  private shutdownPromise: Promise<void> | undefined;
  /** Reconnects performed (for logs and tests). */
  readonly reconnects: { reasons: string[]; restarted: string[] }[] = [];

  private readonly log: ModuleLogger;

  constructor(private readonly deps: DesktopAppDeps<Menu>) {
    this.log = createLogger('desktop', deps.log);
    this.window = new DashboardWindow({
      ...deps.window,
      prefs: deps.prefs,
      log: this.log.child('window').log,
    });
    this.feed = new TrayFeed({ onChange: (state) => this.tray?.update(state) });
    this.updates = new UpdateService({
      updater: deps.updater ?? null,
      enabled: () => deps.prefs.get('autoUpdate'),
      // The same clean stop as Quit: running turns finish (grace period), transports close, the lock goes.
      drain: () => this.shutdown(),
      onChange: (state) => {
        this.tray?.refreshMenu();
        forwardEvent(this.window.contents(), 'desktop.update', state);
      },
      log: (level, message, fields) => this.log.log(level, message, fields),
      ...(deps.timers ? { timers: deps.timers } : {}),
    });
    this.reconnect = new ReconnectScheduler({
      ...(deps.timers ? { timers: deps.timers } : {}),
      delayMs: deps.reconnectDelayMs ?? 3_000,
      run: async (reasons) => {
        const gateway = this.host?.gateway;
        if (!gateway) return;
        const restarted = await reconnectChannels(gateway);
        this.reconnects.push({ reasons, restarted });
        if (restarted.length > 0) this.log.info('channels reconnected', { reasons, restarted });
      },
    });
    this.network = new NetworkWatch({
      fingerprint: deps.networkFingerprint,
      onChange: () => this.reconnect.request('network'),
      everyMs: deps.networkPollMs ?? 5_000,
      ...(deps.timers ? { timers: deps.timers } : {}),
    });
  }

  get gatewayHost(): GatewayHost | undefined {
    return this.host;
  }

  get remoteServer(): ControlServer | undefined {
    return this.remote;
  }

  get socketServer(): ControlServer | undefined {
    return this.socket;
  }

  get trayController(): TrayController<Menu> | undefined {
    return this.tray;
  }

  /** Everything after app ready. `hidden`: a login launch — stay in the tray. */
  async launch(opts: { hidden: boolean }): Promise<void> {
    if (this.phase !== 'new') return;
    this.phase = 'running';
    const { deps } = this;
    deps.nativeTheme.themeSource = deps.prefs.get('theme');
    this.startAtLogin = deps.loginItem.supported ? await deps.loginItem.isEnabled().catch(() => false) : deps.prefs.get('startAtLogin');
    this.tray = new TrayController({ ...deps.tray, platform: deps.platform, actions: this.actions(), prefs: () => this.menuPrefs() });
    this.bridge = installControlBridge({
      ipcMain: deps.ipcMain,
      service: () => this.caller(),
      dashboard: () => this.window.contents(),
      log: createLogger('ipc', deps.log).log,
    });
    deps.powerMonitor.on('resume', () => this.reconnect.request('resume'));
    // The OS is going down: stop the gateway like Quit does (acknowledged messages are on disk anyway).
    deps.powerMonitor.on('shutdown', () => deps.quit());
    this.network.start();
    // The dashboard opens once the control service can answer it (or the tray says why it cannot).
    const host = await this.openHost();
    if (!opts.hidden) this.window.show();
    if (host && deps.prefs.get('startGatewayOnLaunch')) await this.call('gateway.start');
    this.updates.start();
  }

  /** A second launch of the app (single-instance lock) or a Dock click: bring the dashboard up. */
  focus(): void {
    if (this.phase === 'running') this.window.show();
  }

  /**
   * Wire to app 'before-quit'. The first quit is held until the gateway has stopped cleanly, then
   * quit() is called again and let through.
   */
  handleBeforeQuit(event: { preventDefault(): void }): void {
    if (this.phase === 'done') return;
    event.preventDefault();
    void this.shutdown().finally(() => this.deps.quit());
  }

  /** Stops everything in order; idempotent. */
  shutdown(): Promise<void> {
    return (this.shutdownPromise ??= (async () => {
      this.phase = 'quitting';
      this.updates.stop();
      this.network.stop();
      this.reconnect.cancel();
      this.unsubscribeNotices?.();
      this.feed.stop();
      this.window.allowClose();
      try {
        const host = this.host ?? (await this.opening);
        // Stops the gateway (grace period for turns, then cancel; both recorded), closes transports, releases the lock.
        await host?.close();
      } catch (err) {
        this.log.error('gateway did not stop cleanly', { error: (err as Error).message });
      } finally {
        this.bridge?.dispose();
        this.tray?.destroy();
        this.phase = 'done';
      }
    })());
  }

  private async openHost(): Promise<GatewayHost | undefined> {
    if (this.host) return this.host;
    this.opening ??= (async () => {
      try {
        const host = await this.deps.openHost();
        if (this.phase !== 'running') {
          await host.close();
          return undefined;
        }
        this.host = host;
        this.bridge?.attach(host.service);
        this.unsubscribeNotices = host.service.onEvent((event, data) => {
          const notice = this.notices.consider(event, data);
          if (notice) this.deps.notify({ ...notice, onClick: () => this.window.show(notice.view) });
        });
        host.attach({ close: () => this.closeTransports() });
        await this.openSocket(host);
        if (this.deps.prefs.get('remoteAccess').enabled)
          await this.openRemote(host).catch(() =>
            this.deps.prefs.set('remoteAccess', { ...this.deps.prefs.get('remoteAccess'), enabled: false }),
          );
        await this.publish();
        await this.feed.attach(host.service);
        return host;
      } catch (err) {
        const reason = (err as Error).message;
        this.log.error('gateway could not be opened', { error: reason });
        this.feed.closed(reason);
        this.deps.notify({
          title: 'Switchboard could not start its gateway',
          body: reason.slice(0, 240),
          view: '#/overview',
          onClick: () => this.window.show(),
        });
        return undefined;
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  private async openSocket(host: GatewayHost): Promise<void> {
    if (this.deps.socketPath === null) return;
    const socketPath = this.deps.socketPath ?? controlSocketPath(this.deps.stateDir);
    try {
      this.socket = await startControlServer({
        service: host.service,
        token: host.token,
        port: 0,
        socketPath,
        version: PROTOCOL_VERSION,
        log: createLogger('control', this.deps.log).log,
      });
    } catch (err) {
      // The dashboard still works; only the CLI cannot reach this gateway (remote access can stand in).
      this.log.warn('local control socket not available; the CLI cannot reach the desktop gateway', {
        error: (err as Error).message,
      });
    }
  }

  /** The opt-in loopback WebSocket (and the dashboard over http://127.0.0.1). Never any other address. */
  private async openRemote(host: GatewayHost): Promise<void> {
    if (this.remote) return;
    const { port } = this.deps.prefs.get('remoteAccess');
    try {
      this.remote = await startControlServer({
        service: host.service,
        token: host.token,
        port,
        host: '127.0.0.1',
        version: PROTOCOL_VERSION,
        httpHandler: staticFiles(this.deps.rendererDir),
        log: createLogger('control', this.deps.log).log,
      });
    } catch (err) {
      const reason = (err as Error).message;
      this.log.warn('remote access could not start', { error: reason });
      this.deps.notify({
        title: 'Remote access is off',
        body: `${reason}. Choose another port in prefs.json or stop what uses it.`,
        view: '#/settings',
        onClick: () => this.window.show('#/settings'),
      });
      throw err;
    }
  }

  private async closeRemote(): Promise<void> {
    const remote = this.remote;
    this.remote = undefined;
    await remote?.close();
  }

  private async closeTransports(): Promise<void> {
    await this.closeRemote();
    const socket = this.socket;
    this.socket = undefined;
    await socket?.close();
  }

  private async publish(): Promise<void> {
    await this.host?.publish({
      port: this.remote?.port ?? 0,
      host: 'desktop',
      ...(this.socket ? { socket: this.deps.socketPath ?? controlSocketPath(this.deps.stateDir) } : {}),
    });
  }

  private async call(method: string, params: unknown = {}): Promise<boolean> {
    const host = this.host;
    if (!host) return false;
    const outcome = await host.service.call(method, params, INTERNAL);
    if (!outcome.ok) {
      this.log.warn(`${method} failed`, { code: outcome.error.code, message: outcome.error.message });
      this.deps.notify({
        title: `Switchboard: ${method} failed`,
        body: outcome.error.message,
        view: '#/overview',
        onClick: () => this.window.show(),
      });
    }
    return outcome.ok;
  }

  private async setStartAtLogin(on: boolean): Promise<void> {
    await this.deps.loginItem.setEnabled(on);
    this.startAtLogin = on;
    this.deps.prefs.set('startAtLogin', on);
  }

  private async setRemoteAccess(on: boolean): Promise<void> {
    const current = this.deps.prefs.get('remoteAccess');
    this.deps.prefs.set('remoteAccess', { ...current, enabled: on });
    const host = this.host;
    if (!host) return;
    try {
      if (on) await this.openRemote(host);
      else await this.closeRemote();
    } catch {
      this.deps.prefs.set('remoteAccess', { ...current, enabled: false });
    }
    await this.publish();
  }

  private setTheme(theme: Theme): void {
    this.deps.prefs.set('theme', theme);
    this.deps.nativeTheme.themeSource = theme;
  }

  /** The dashboard's calls: `desktop.*` are the app's own; the rest go to the gateway. */
  private caller(): ControlCaller {
    const host = this.host;
    return {
      call: (method, params, ctx) => {
        if (this.desktopControl.has(method)) return this.desktopControl.call(method, params, ctx);
        if (!host) return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'the gateway is not open yet' } });
        return host.service.call(method, params, ctx);
      },
      onEvent: (listener) => host?.service.onEvent(listener) ?? (() => {}),
    };
  }

  private readonly desktopControl = new ControlService({
    methods: DESKTOP_METHODS,
    handlers: {
      'desktop.prefs.get': async () => this.desktopPrefs(),
      'desktop.prefs.set': async (patch) => {
        if (patch.startAtLogin !== undefined && patch.startAtLogin !== this.startAtLogin) {
          if (!this.deps.loginItem.supported)
            throw new ControlError('unavailable', 'this installation cannot start at login (run the installed app)');
          await this.setStartAtLogin(patch.startAtLogin);
        }
        if (patch.startGatewayOnLaunch !== undefined) this.deps.prefs.set('startGatewayOnLaunch', patch.startGatewayOnLaunch);
        if (patch.remoteAccess !== undefined && patch.remoteAccess !== this.deps.prefs.get('remoteAccess').enabled)
          await this.setRemoteAccess(patch.remoteAccess);
        if (patch.theme !== undefined) this.setTheme(patch.theme);
        if (patch.autoUpdate !== undefined) this.setAutoUpdate(patch.autoUpdate);
        this.tray?.refreshMenu();
        return this.desktopPrefs();
      },
      'desktop.update.get': async () => this.updates.current,
      'desktop.update.check': async () => {
        if (!this.deps.prefs.get('autoUpdate')) throw new ControlError('unavailable', 'update checks are turned off in Settings');
        await this.updates.check();
        return this.updates.current;
      },
      'desktop.update.restart': async () => ({ restarting: await this.updates.restart() }),
    },
    log: (level, message, fields) => this.log.log(level, message, fields),
  });

  private menuPrefs(): TrayMenuPrefs {
    const label = updateLabel(this.updates.current);
    return { ...this.desktopPrefs(), update: label ? { label, ready: this.updates.current.phase === 'ready' } : null };
  }

  /** What `desktop.prefs.*` answers. */
  private desktopPrefs(): Omit<TrayMenuPrefs, 'update'> {
    const prefs = this.deps.prefs.all();
    return {
      startAtLogin: this.startAtLogin,
      startAtLoginSupported: this.deps.loginItem.supported,
      startGatewayOnLaunch: prefs.startGatewayOnLaunch,
      remoteAccess: prefs.remoteAccess,
      theme: prefs.theme,
      autoUpdate: prefs.autoUpdate,
    };
  }

  private setAutoUpdate(on: boolean): void {
    this.deps.prefs.set('autoUpdate', on);
    this.updates.setEnabled(on);
  }

  /**
   * The dashboard's Logs view while this app holds a gateway (its log lives there, live); without
   * one (another gateway holds the state folder, or it failed to open) the log files' folder.
   */
  private openLogs(): void {
    if (this.host) return this.window.show('#/logs');
    const dir = path.dirname(this.deps.logFile);
    void (this.deps.openFolder?.(dir) ?? Promise.resolve()).catch((err: Error) => {
      this.log.warn('logs folder could not be opened', { dir, error: err.message });
      this.deps.notify({ title: 'Could not open the logs folder', body: `${dir}: ${err.message}`, view: '#/overview', onClick: () => {} });
    });
  }

  private actions(): TrayActions {
    const refresh = () => this.tray?.refreshMenu();
    return {
      startGateway: () =>
        void (async () => {
          // After a failed open (another gateway held the state dir, a bad config) Start tries again.
          const host = await this.openHost();
          if (host) await this.call('gateway.start');
        })(),
      stopGateway: () => void this.call('gateway.stop'),
      openDashboard: () => this.window.show(),
      openAgent: (agentId) => this.window.show(viewHash('inspector', agentId)),
      setAgentPaused: (agentId, paused) =>
        void this.call(paused ? 'agents.pause' : 'agents.resume', { agentId }).then(() => this.feed.refresh(['agents'])),
      openLogs: () => this.openLogs(),
      restartToUpdate: () => void this.updates.restart(),
      setAutoUpdate: (on) => {
        this.setAutoUpdate(on);
        refresh();
      },
      openPairing: () => this.window.show(viewHash('channels')),
      approvePairing: (p: TrayPairing) =>
        void this.call('pairing.approve', { channel: p.channel, code: p.code, account: p.account }).then(() =>
          this.feed.refresh(['pairing']),
        ),
      setStartAtLogin: (on) =>
        void this.setStartAtLogin(on).then(refresh, (err: Error) => this.log.warn('start at login not changed', { error: err.message })),
      setStartGatewayOnLaunch: (on) => {
        this.deps.prefs.set('startGatewayOnLaunch', on);
        refresh();
      },
      setRemoteAccess: (on) => void this.setRemoteAccess(on).then(refresh),
      setTheme: (theme) => {
        this.setTheme(theme);
        refresh();
      },
      quit: () => this.deps.quit(),
    };
  }
}
