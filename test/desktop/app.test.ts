// The desktop app's lifecycle with fake Electron objects around a real in-process gateway (temp
// state dir, local Anthropic peer, in-memory Telegram account): start on launch, tray state,
// IPC from the dashboard, the CLI over the local socket, opt-in remote access, reconnect after
// sleep or a network change, notifications, and a quit that stops the gateway cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../src-shared/protocol/bridge.ts';
import type { ControlEvents, ControlMethods } from '../../src-shared/protocol/methods.ts';
import { connectControl } from '../../src-main/control/ws-client.ts';
import { controlSocketPath } from '../../src-main/control/ws-server.ts';
import { DesktopApp } from '../../src-main/desktop/app.ts';
import type { DashboardWindowOptions } from '../../src-main/desktop/dashboard-window.ts';
import { loginItem } from '../../src-main/desktop/login-item.ts';
import type { Notice } from '../../src-main/desktop/notices.ts';
import type { Theme } from '../../src-main/desktop/tray-menu.ts';
import type { UpdaterPort } from '../../src-main/desktop/updates.ts';
import { openGatewayHost } from '../../src-main/gateway/host.ts';
import { silentLogger } from '../../src-main/log.ts';
import { UnavailableSecretStore } from '../../src-main/secrets/store.ts';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { until } from '../helpers/wait.ts';
import { createGate, startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';
import { FakeIpcMain, FakeTray, FakeWindow, ipcEvent, ManualTimers, memoryPrefs, type FakeMenu } from './fakes.ts';

const RES = path.resolve(import.meta.dirname, '../../resources');
let peer: AnthropicPeer;
let app: Harness | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  peer = await startAnthropicPeer();
});
afterAll(async () => {
  await peer.close();
});
afterEach(async () => {
  await app?.dispose();
  app = undefined;
  for (const child of children.splice(0)) child.kill('SIGKILL');
  peer.reset();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type Harness = Awaited<ReturnType<typeof launch>>;

async function launch(
  opts: {
    prefs?: Record<string, unknown>;
    hidden?: boolean;
    before?: (dir: string) => Promise<void>;
    logFile?: (dir: string) => string;
    updater?: UpdaterPort;
  } = {},
) {
  // A short path: the control socket lives in the state dir and Unix socket paths are limited.
  const dir = await mkdtemp(path.join(process.platform === 'darwin' ? '/tmp' : os.tmpdir(), 'sbd-'));
  const configHome = path.join(dir, 'xdg');
  const rendererDir = path.join(dir, 'renderer');
  await mkdir(rendererDir);
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Switchboard</title>');
  await writeFile(
    path.join(dir, 'switchboard.json'),
    JSON.stringify({
      models: { anthropic: { baseUrl: peer.url } },
      channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'], accounts: { default: { botToken: { env: 'TG_TOKEN' } } } } },
    }),
  );
  await opts.before?.(dir);
  const channels = memoryChannels();
  const prefs = memoryPrefs(opts.prefs);
  const timers = new ManualTimers();
  const ipcMain = new FakeIpcMain();
  const power = new EventEmitter();
  const notices: (Notice & { onClick(): void })[] = [];
  const windows: FakeWindow[] = [];
  const trays: FakeTray[] = [];
  const theme = { themeSource: 'system' as Theme };
  let fingerprint = 'online|eth0/192.168.1.2';
  let exited = false;
  const openedFolders: string[] = [];
  const desktop: DesktopApp<FakeMenu> = new DesktopApp<FakeMenu>({
    platform: 'linux',
    log: silentLogger,
    prefs,
    stateDir: dir,
    rendererDir,
    loginItem: loginItem({
      platform: 'linux',
      isPackaged: true,
      app: { setLoginItemSettings() {}, getLoginItemSettings: () => ({ openAtLogin: false }) },
      executable: '/opt/Switchboard/switchboard',
      configHome,
    }),
    openHost: () =>
      openGatewayHost({
        loc: { stateDir: dir, configPath: path.join(dir, 'switchboard.json') },
        version: 'test',
        log: silentLogger,
        homeDir: dir,
        env: { ANTHROPIC_API_KEY: 'sk-test', TG_TOKEN: 't' },
        adapters: channels.factory,
        secrets: new UnavailableSecretStore('no keychain in tests'),
        stopGraceMs: 500,
      }),
    tray: {
      createTray: (icon) => {
        const t = new FakeTray(icon);
        trays.push(t);
        return t;
      },
      buildMenu: (template) => ({ template }),
      resourcesDir: RES,
    },
    window: {
      createWindow: (o: DashboardWindowOptions) => {
        const w = new FakeWindow(o);
        windows.push(w);
        return w;
      },
      displays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
      preload: '/app/preload.cjs',
      devTools: false,
    },
    ipcMain,
    notify: (n) => void notices.push(n),
    nativeTheme: theme,
    powerMonitor: power,
    networkFingerprint: () => fingerprint,
    // What app.quit() does in Electron: 'before-quit' (which may be prevented), then exit.
    quit: () => {
      let prevented = false;
      desktop.handleBeforeQuit({ preventDefault: () => (prevented = true) });
      if (!prevented) exited = true;
    },
    timers,
    reconnectDelayMs: 0,
    openFolder: async (folder) => void openedFolders.push(folder),
    updater: opts.updater ?? null,
    logFile: opts.logFile?.(dir) ?? path.join(dir, 'logs', 'switchboard.log'),
  });
  await desktop.launch({ hidden: opts.hidden ?? false });
  const tray = trays[0]!;
  const harness = {
    dir,
    desktop,
    prefs,
    timers,
    ipcMain,
    power,
    notices,
    windows,
    tray,
    theme,
    channels,
    openedFolders,
    get exited() {
      return exited;
    },
    setNetwork(fp: string) {
      fingerprint = fp;
    },
    get host() {
      return desktop.gatewayHost!;
    },
    click(id: string) {
      const item = tray.item(id);
      if (!item?.click) throw new Error(`no clickable tray item ${id}`);
      item.click();
    },
    /** A call from the dashboard's top frame, as the preload sends it. */
    ipc(method: string, params: unknown = {}) {
      const win = windows.at(-1)!;
      return ipcMain.invoke(IPC_REQUEST_CHANNEL, ipcEvent(win.webContents.id, { url: win.webContents.url, parent: null }), method, params);
    },
    async dispose() {
      await desktop.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
  app = harness;
  return harness;
}

describe('launch', () => {
  it('starts the gateway when the pref says so, shows it in the tray and opens the dashboard', async () => {
    const a = await launch();
    await until(() => a.tray.item('status')?.label?.startsWith('Gateway running') ?? false, 'tray shows running');
    expect(a.host.gateway.state).toBe('running');
    expect(a.tray.image).toBe(path.join(RES, 'tray/linux/tray-running.png'));
    expect(a.tray.item('status')!.label).toBe('Gateway running · 1 agent · 1/1 channels connected');
    expect(a.tray.item('agent:main')).toBeDefined();
    expect(a.windows).toHaveLength(1);
    expect(a.windows[0]!.loaded).toEqual(['app://switchboard/index.html#/overview']);
  });

  it('with "start the gateway when Switchboard opens" off, a login launch stays in the tray with the gateway stopped', async () => {
    const a = await launch({ prefs: { startGatewayOnLaunch: false }, hidden: true });
    expect(a.host.gateway.state).toBe('stopped');
    expect(a.windows).toHaveLength(0);
    expect(a.tray.item('gateway-toggle')!.label).toBe('Start gateway');
    a.click('gateway-toggle');
    await until(() => a.host.gateway.state === 'running', 'gateway started from the tray');
    await until(() => a.tray.item('gateway-toggle')?.label === 'Stop gateway', 'menu updated');
    a.click('gateway-toggle');
    await until(() => a.host.gateway.state === 'stopped', 'gateway stopped from the tray');
  });

  it('applies the theme pref, and the Appearance menu changes it', async () => {
    const a = await launch({ prefs: { theme: 'dark' } });
    expect(a.theme.themeSource).toBe('dark');
    a.click('theme-light');
    expect(a.theme.themeSource).toBe('light');
    expect(a.prefs.get('theme')).toBe('light');
  });

  it('when another gateway holds the state dir, the tray says so and Start retries once it is gone', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    children.push(other);
    const a = await launch({ before: (dir) => writeFile(path.join(dir, 'gateway.lock'), `${other.pid}\n`) });
    expect(a.desktop.gatewayHost).toBeUndefined();
    expect(a.tray.image).toBe(path.join(RES, 'tray/linux/tray-error.png'));
    expect(a.tray.item('status')!.label).toContain(`Gateway not running: another Switchboard gateway (pid ${other.pid})`);
    expect(a.notices.map((n) => n.title)).toEqual(['Switchboard could not start its gateway']);
    other.kill('SIGKILL');
    await new Promise((resolve) => other.once('exit', resolve));
    a.click('gateway-toggle');
    await until(() => a.desktop.gatewayHost?.gateway.state === 'running', 'gateway opened and started on retry');
  });
});

describe('control plane transports', () => {
  it('the dashboard calls the gateway over IPC and receives its events', async () => {
    const a = await launch();
    await until(() => a.host.gateway.state === 'running', 'running');
    const outcome = (await a.ipc('status')) as { ok: boolean; result: { state: string } };
    expect(outcome).toMatchObject({ ok: true, result: { state: 'running' } });
    await a.ipc('gateway.stop');
    expect(a.windows[0]!.webContents.sent).toContainEqual([IPC_EVENT_CHANNEL, 'gateway.state', { state: 'stopped' }]);
  });

  it('opens no TCP port by default: the CLI reaches it through <stateDir>/control.sock, as gateway.json says', async () => {
    if (process.platform === 'win32') return;
    const a = await launch();
    const info = JSON.parse(await readFile(path.join(a.dir, 'gateway.json'), 'utf8')) as { port: number; socket?: string; pid: number };
    expect(info).toMatchObject({ pid: process.pid, port: 0, socket: controlSocketPath(a.dir) });
    expect(a.desktop.remoteServer).toBeUndefined();
    const client = await connectControl<ControlMethods, ControlEvents>(`ws+unix://${info.socket}:/control`, a.host.token, {
      timeoutMs: 5000,
    });
    expect((await client.request('agents.list', {})).agents.map((x) => x.id)).toEqual(['main']);
    await client.close();
  });

  it("the dashboard reads and changes the app's own prefs over IPC (desktop.prefs.*), which the tray menu then shows", async () => {
    const a = await launch();
    const got = (await a.ipc('desktop.prefs.get')) as { ok: true; result: Record<string, unknown> };
    expect(got).toMatchObject({
      ok: true,
      result: { startGatewayOnLaunch: true, remoteAccess: { enabled: false }, theme: 'system', startAtLoginSupported: true },
    });
    const set = (await a.ipc('desktop.prefs.set', { startGatewayOnLaunch: false, theme: 'dark', startAtLogin: true })) as {
      ok: true;
      result: Record<string, unknown>;
    };
    expect(set.result).toMatchObject({ startGatewayOnLaunch: false, theme: 'dark', startAtLogin: true });
    expect([a.prefs.get('startGatewayOnLaunch'), a.prefs.get('theme'), a.theme.themeSource]).toEqual([false, 'dark', 'dark']);
    expect(await readFile(path.join(a.dir, 'xdg', 'autostart', 'switchboard.desktop'), 'utf8')).toContain('/opt/Switchboard/switchboard');
    // Schema checks as for every IPC call: unknown keys and wrong types are refused, nothing changes.
    expect(await a.ipc('desktop.prefs.set', { remoteAcces: true })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await a.ipc('desktop.prefs.set', { theme: 'purple' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(a.prefs.get('theme')).toBe('dark');
  });

  it("the real CLI talks to the desktop app through the local socket (`switchboard chat` gets the agent's reply)", async () => {
    if (process.platform === 'win32') return;
    const a = await launch();
    await until(() => a.host.gateway.state === 'running', 'running');
    const child = spawn(process.execPath, ['bin/switchboard.mjs', 'chat', 'over the socket', '--state-dir', a.dir, '--json'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, HOME: a.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).toBe(0);
    expect(out).toContain('echo: over the socket');
  });

  it('remote access is opt-in: a loopback WebSocket (and the dashboard over http) that the menu turns on and off', async () => {
    const port = await freePort();
    const a = await launch({ prefs: { remoteAccess: { enabled: false, port } } });
    const published = async () => (JSON.parse(await readFile(path.join(a.dir, 'gateway.json'), 'utf8')) as { port: number }).port;
    a.click('remote-access');
    await until(async () => (await published()) === port, 'remote access on and published in gateway.json');
    expect(a.desktop.remoteServer!.url).toBe(`ws://127.0.0.1:${port}/control`);
    const client = await connectControl<ControlMethods, ControlEvents>(`ws://127.0.0.1:${port}/control`, a.host.token, { timeoutMs: 5000 });
    expect((await client.request('status', {})).stateDir).toBe(a.dir);
    await client.close();
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(await page.text()).toContain('<title>Switchboard</title>');
    expect(a.prefs.get('remoteAccess').enabled).toBe(true);
    a.click('remote-access');
    await until(async () => a.desktop.remoteServer === undefined && (await published()) === 0, 'remote access off and unpublished');
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    expect(a.prefs.get('remoteAccess').enabled).toBe(false);
  });

  it('a remote-access port that is taken turns the pref back off and says why', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const a = await launch({ prefs: { remoteAccess: { enabled: true, port } } });
      expect(a.desktop.remoteServer).toBeUndefined();
      expect(a.prefs.get('remoteAccess')).toEqual({ enabled: false, port });
      expect(a.notices.map((n) => n.title)).toContain('Remote access is off');
      expect(a.host.gateway.state).toBe('running');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('tray actions and notices', () => {
  it('an agent entry opens its chat inspector; a second launch brings the dashboard back', async () => {
    const a = await launch({ hidden: true });
    await until(() => a.tray.item('agent:main') !== undefined, 'agents listed');
    a.click('agent-open:main');
    expect(a.windows[0]!.loaded).toEqual(['app://switchboard/index.html#/inspector/main']);
    a.windows[0]!.emit('ready-to-show');
    a.windows[0]!.userClose();
    expect(a.windows[0]!.visible).toBe(false);
    a.desktop.focus();
    expect(a.windows[0]!.visible).toBe(true);
  });

  it('Open logs shows the dashboard’s Logs view while the app holds a gateway', async () => {
    const a = await launch({ hidden: true });
    await until(() => a.host.gateway.state === 'running', 'running');
    a.click('open-logs');
    expect(a.windows[0]!.loaded).toEqual(['app://switchboard/index.html#/logs']);
  });

  it("without a gateway, Open logs opens the folder of the logger's own file (not <stateDir>/logs)", async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    children.push(other);
    const a = await launch({
      hidden: true,
      before: (dir) => writeFile(path.join(dir, 'gateway.lock'), `${other.pid}\n`),
      // Where gatewayLogger writes on a macOS new install.
      logFile: (dir) => path.join(dir, 'Library', 'Logs', 'Switchboard', 'switchboard.log'),
    });
    expect(a.desktop.gatewayHost).toBeUndefined();
    a.click('open-logs');
    await until(() => a.openedFolders.length === 1, 'folder opened');
    expect(a.openedFolders).toEqual([path.join(a.dir, 'Library', 'Logs', 'Switchboard')]);
  });

  it('a channel error the user must fix becomes a notification that opens the channels view', async () => {
    const a = await launch({ hidden: true });
    await until(() => a.host.gateway.state === 'running', 'running');
    a.host.service.emit('channel.state', {
      channel: 'telegram',
      accountId: 'default',
      state: 'error',
      reason: 'Telegram rejected the bot token (401)',
    });
    expect(a.notices).toEqual([
      expect.objectContaining({ title: 'Telegram "default" stopped', body: 'Telegram rejected the bot token (401)' }),
    ]);
    a.notices[0]!.onClick();
    expect(a.windows[0]!.loaded.at(-1)).toBe('app://switchboard/index.html#/channels');
    await until(() => a.tray.image.endsWith('tray-attention.png'), 'tray needs attention');
  });

  it('Start at login writes the autostart entry and checks the box', async () => {
    const a = await launch();
    a.click('start-at-login');
    await until(() => a.tray.item('start-at-login')?.checked === true, 'checked');
    expect(existsSync(path.join(a.dir, 'xdg', 'autostart', 'switchboard.desktop'))).toBe(true);
    expect(a.prefs.get('startAtLogin')).toBe(true);
  });
});

/** electron-updater's AppUpdater as far as the app uses it: each check emits the scripted events, as the real one does. */
class FakeUpdater extends EventEmitter implements UpdaterPort {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  script: [string, unknown?][] = [];
  installedWhile: string | undefined;
  constructor(private readonly gatewayState: () => string) {
    super();
  }
  async checkForUpdates(): Promise<unknown> {
    this.checks++;
    this.emit('checking-for-update');
    for (const [event, payload] of this.script) this.emit(event, payload);
    return { updateInfo: {} };
  }
  quitAndInstall(): void {
    this.installedWhile = this.gatewayState();
  }
}

describe('updates in the dashboard', () => {
  it('the dashboard checks, follows the download over desktop.update events, and Restart drains the gateway before installing', async () => {
    const holder: { desktop?: DesktopApp<FakeMenu> } = {};
    const updater = new FakeUpdater(() => holder.desktop?.gatewayHost?.gateway.state ?? 'none');
    const a = await launch({ updater });
    holder.desktop = a.desktop;
    await until(() => a.host.gateway.state === 'running', 'running');
    expect(await a.ipc('desktop.update.get')).toEqual({ ok: true, result: { phase: 'idle' } });
    updater.script = [
      ['update-available', { version: '0.1.1' }],
      ['download-progress', { percent: 41.6 }],
    ];
    expect(await a.ipc('desktop.update.check')).toEqual({ ok: true, result: { phase: 'downloading', version: '0.1.1', percent: 42 } });
    const sent = a.windows[0]!.webContents.sent;
    expect(sent).toContainEqual([IPC_EVENT_CHANNEL, 'desktop.update', { phase: 'checking' }]);
    expect(sent).toContainEqual([IPC_EVENT_CHANNEL, 'desktop.update', { phase: 'downloading', version: '0.1.1', percent: 42 }]);
    updater.emit('update-downloaded', { version: '0.1.1' });
    expect(sent.at(-1)).toEqual([IPC_EVENT_CHANNEL, 'desktop.update', { phase: 'ready', version: '0.1.1' }]);
    expect(a.tray.item('update')?.label).toBe('Update ready — restart to install 0.1.1');
    expect(await a.ipc('desktop.update.restart')).toEqual({ ok: true, result: { restarting: true } });
    // The installer ran only once the gateway was gone (stopped, transports closed, lock released).
    expect(updater.installedWhile).toBe('stopped');
    expect(existsSync(path.join(a.dir, 'gateway.lock'))).toBe(false);
  });

  it('turning automatic checks off from the dashboard persists, stops the schedule and refuses checks', async () => {
    const updater = new FakeUpdater(() => 'n/a');
    const a = await launch({ updater });
    const set = (await a.ipc('desktop.prefs.set', { autoUpdate: false })) as { ok: true; result: { autoUpdate: boolean } };
    expect(set.result.autoUpdate).toBe(false);
    expect(a.prefs.get('autoUpdate')).toBe(false);
    expect(await a.ipc('desktop.update.get')).toEqual({ ok: true, result: { phase: 'off', reason: 'disabled' } });
    a.timers.fireAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(updater.checks).toBe(0);
    expect(await a.ipc('desktop.update.check')).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringContaining('turned off') },
    });
    await a.ipc('desktop.prefs.set', { autoUpdate: true });
    expect(await a.ipc('desktop.update.get')).toEqual({ ok: true, result: { phase: 'idle' } });
    a.timers.fireAll();
    // The first check and the periodic one both fire here.
    await until(() => updater.checks === 2, 'the schedule checks again');
  });
});

describe('reconnects', () => {
  it('after resume from sleep the channel accounts are restarted', async () => {
    const a = await launch();
    await until(() => a.host.gateway.state === 'running', 'running');
    const tg = a.channels.get('telegram');
    expect(tg.starts).toBe(1);
    a.power.emit('resume');
    a.timers.fireAll();
    await until(() => a.desktop.reconnects.length === 1, 'reconnected');
    expect(a.desktop.reconnects[0]).toEqual({ reasons: ['resume'], restarted: ['telegram:default'] });
    const restarted = a.channels.created.filter((c) => c.channel === 'telegram');
    expect(restarted.at(-1)!.starts).toBe(1);
    expect(restarted.length).toBe(2);
  });

  it('a network change (new addresses) restarts them too', async () => {
    const a = await launch();
    await until(() => a.host.gateway.state === 'running', 'running');
    a.setNetwork('online|wlan0/10.0.0.7');
    a.timers.fireAll(); // the network poll sees the change and schedules a reconnect
    a.timers.fireAll(); // the reconnect runs
    await until(() => a.desktop.reconnects.length === 1, 'reconnected');
    expect(a.desktop.reconnects[0]!.reasons).toEqual(['network']);
  });
});

describe('quit', () => {
  it('a system shutdown quits the app the same clean way', async () => {
    const a = await launch({ hidden: true });
    await until(() => a.host.gateway.state === 'running', 'running');
    a.power.emit('shutdown');
    await until(() => a.exited, 'exited after a clean shutdown');
    expect(existsSync(path.join(a.dir, 'gateway.lock'))).toBe(false);
  });

  it('Quit holds the app until the gateway has stopped, records the in-flight turn, releases the state dir, then exits', async () => {
    const a = await launch();
    await until(() => a.host.gateway.state === 'running', 'running');
    const gate = createGate();
    peer.enqueue({ kind: 'hold', release: gate.promise, text: 'a long answer that never finishes' });
    const events: [string, unknown][] = [];
    a.host.service.onEvent((event, data) => events.push([event, data]));
    const sent = (await a.ipc('webchat.send', { agentId: 'main', text: 'go' })) as { ok: true; result: { messageId: string } };
    await peer.waitForRequest(1);
    a.click('quit');
    expect(a.exited).toBe(false); // held by before-quit
    await until(() => a.exited, 'app exited after shutdown', 15_000);
    gate.open();
    expect(events).toContainEqual(['message.outbound', expect.objectContaining({ messageId: sent.result.messageId, incomplete: true })]);
    expect(events).toContainEqual(['gateway.state', { state: 'stopped' }]);
    expect(existsSync(path.join(a.dir, 'gateway.lock'))).toBe(false);
    expect(existsSync(path.join(a.dir, 'gateway.json'))).toBe(false);
    expect(existsSync(controlSocketPath(a.dir))).toBe(false);
    expect(a.tray.destroyed).toBe(true);
    const sessions = path.join(a.dir, 'agents', 'main', 'sessions');
    const lines = (
      await Promise.all((await readdir(sessions)).filter((f) => f.endsWith('.jsonl')).map((f) => readFile(path.join(sessions, f), 'utf8')))
    )
      .flatMap((text) => text.trim().split('\n'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ type: 'message', role: 'user', text: 'go' }));
    expect(lines).toContainEqual(expect.objectContaining({ type: 'message', role: 'assistant', incomplete: true }));
  });
});
