// The desktop app's composition root: the only place (with preload.ts) that touches Electron.
// It hands real Electron objects to the plain-Node modules of src-main/desktop, where all the
// logic lives and is tested. Keep it that way: anything that needs a decision belongs there.
import os from 'node:os';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  net,
  Notification,
  powerMonitor,
  protocol,
  screen,
  session,
  shell,
  Tray,
} from 'electron';
import Store, { type Schema } from 'electron-store';
// CommonJS; its autoUpdater is created on first access (it picks the NSIS/Mac/AppImage/deb updater).
import electronUpdater from 'electron-updater';
import { resolveLocations } from '../config/paths.ts';
import { DesktopApp } from '../desktop/app.ts';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler } from '../desktop/app-protocol.ts';
import { launchedHidden, loginItem } from '../desktop/login-item.ts';
import { adoptLegacyPrefs, openPrefs, PREFS_FILE_NAME, PREFS_JSON_SCHEMA, prefsStoreOptions } from '../desktop/prefs.ts';
import { networkFingerprint } from '../desktop/reconnect.ts';
import { stateDirAllowsStart } from '../desktop/start-check.ts';
import {
  APP_SCHEME,
  externalUrlAllowed,
  hardenWebContents,
  permissionCheckHandler,
  permissionRequestHandler,
} from '../desktop/security.ts';
import { openGatewayHost } from '../gateway/host.ts';
import { gatewayLogger } from '../log-file.ts';
import { createLogger, terminalFormat } from '../log.ts';

// Before `ready`, synchronously (this bundle has no top-level await, so it all runs before ready).
// The same folders as the CLI (docs/desktop.md#folders): Electron's userData (prefs, its caches,
// the single-instance lock) lives in the state dir's `desktop/`, so one state dir = one app.
const loc = resolveLocations({ env: process.env });
const legacyPrefsFile = path.join(app.getPath('userData'), `${PREFS_FILE_NAME}.json`);
// A read-only state folder would make the single-instance lock fail, and the app quit silently.
const writable = stateDirAllowsStart(loc.stateDir, {
  platform: process.platform,
  stderr: (text) => process.stderr.write(text),
  showErrorBox: (title, content) => dialog.showErrorBox(title, content),
  exit: (code) => app.exit(code),
});
app.setPath('userData', loc.prefsDir);
app.setAppLogsPath(loc.logsDir);
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
if (!writable) {
  // exiting: app.exit(1) above
} else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  // Registered before anything slow, so a second launch or a quit during start-up is not missed.
  const ready: { desktop?: DesktopApp<Menu> } = {};
  app.on('second-instance', () => ready.desktop?.focus());
  app.on('activate', () => ready.desktop?.focus());
  app.on('before-quit', (event) => ready.desktop?.handleBeforeQuit(event));
  const appPath = app.getAppPath();
  const { log, file: logFile } = gatewayLogger({
    stateDir: loc.stateDir,
    logsDir: loc.logsDir,
    env: process.env,
    stderr: (line) => process.stderr.write(line),
    stderrFormat: terminalFormat(process.stderr),
  });
  const appLog = createLogger('app', log);
  const rendererDir = path.join(appPath, 'dist', 'renderer');
  app.on('window-all-closed', () => {}); // a tray app: closing the window never quits
  if (process.platform === 'win32') app.setAppUserModelId('dev.switchboard.app');
  await app.whenReady();
  if (process.platform !== 'darwin') Menu.setApplicationMenu(null);
  app.dock?.hide();
  session.defaultSession.setPermissionRequestHandler(permissionRequestHandler);
  session.defaultSession.setPermissionCheckHandler(permissionCheckHandler);
  protocol.handle(APP_SCHEME, appProtocolHandler({ root: rendererDir, log: appLog.warn }));
  const openExternal = (url: string) => (externalUrlAllowed(url) ? shell.openExternal(url) : undefined);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, { openExternal, log: appLog.warn }));
  const prefsFile = path.join(loc.prefsDir, `${PREFS_FILE_NAME}.json`);
  await adoptLegacyPrefs(legacyPrefsFile, prefsFile, createLogger('prefs', log).log);
  const { prefs } = await openPrefs({
    file: prefsFile,
    log: createLogger('prefs', log).log,
    create: () =>
      new Store({ ...prefsStoreOptions(), schema: PREFS_JSON_SCHEMA as Schema<Record<string, unknown>>, name: PREFS_FILE_NAME }),
  });
  const desktop = (ready.desktop = new DesktopApp<Menu>({
    platform: process.platform,
    log,
    prefs,
    stateDir: loc.stateDir,
    rendererDir,
    loginItem: loginItem({
      platform: process.platform,
      isPackaged: app.isPackaged,
      app,
      executable: process.env.APPIMAGE ?? process.execPath,
      configHome: process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'),
    }),
    openHost: () =>
      openGatewayHost({
        loc,
        version: app.getVersion(),
        log,
        logFile: logFile.path,
        openPath: async (file) => {
          const err = await shell.openPath(file);
          if (err) throw new Error(err);
        },
      }),
    tray: {
      createTray: (icon) => new Tray(icon),
      buildMenu: (template) => Menu.buildFromTemplate(template),
      resourcesDir: path.join(appPath, 'resources'),
    },
    window: {
      createWindow: (options) => new BrowserWindow(options),
      displays: () => screen.getAllDisplays(),
      preload: path.join(import.meta.dirname, 'preload.cjs'),
      devTools: !app.isPackaged,
      ...(process.platform === 'darwin' ? { dock: app.dock! } : { icon: path.join(appPath, 'resources', 'icon.png') }),
    },
    ipcMain,
    notify: (notice) => {
      if (!Notification.isSupported()) return;
      const shown = new Notification({ title: notice.title, body: notice.body });
      shown.on('click', notice.onClick);
      shown.show();
    },
    nativeTheme,
    powerMonitor,
    networkFingerprint: () => networkFingerprint(os.networkInterfaces(), net.isOnline()),
    quit: () => app.quit(),
    // Unpackaged runs have no app-update.yml: no updater (the tray and Settings say updates are unavailable).
    updater: app.isPackaged ? withLogger(electronUpdater.autoUpdater, createLogger('updates', log)) : null,
    openFolder: async (dir) => {
      const err = await shell.openPath(dir);
      if (err) throw new Error(err);
    },
    logFile: logFile.path,
  }));
  await desktop.launch({ hidden: launchedHidden(process.argv, app.getLoginItemSettings().wasOpenedAtLogin) });
}

function withLogger<U extends { logger: unknown }>(
  updater: U,
  logger: { info(m: string): void; warn(m: string): void; error(m: string): void },
): U {
  updater.logger = {
    info: (m: unknown) => logger.info(String(m)),
    warn: (m: unknown) => logger.warn(String(m)),
    error: (m: unknown) => logger.error(String(m)),
  };
  return updater;
}
