// The tray controller over a fake Tray (icon files, tooltip, menu, clicks per platform) and the feed
// that keeps its state current from a control service.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallOutcome } from '../../src-shared/protocol/frames.ts';
import type { ControlCaller } from '../../src-main/desktop/ipc-bridge.ts';
import { TrayController, trayIconPath } from '../../src-main/desktop/tray.ts';
import { TrayFeed } from '../../src-main/desktop/tray-feed.ts';
import type { TrayActions, TrayMenuPrefs } from '../../src-main/desktop/tray-menu.ts';
import { INITIAL_TRAY_STATE, type TrayState } from '../../src-main/desktop/tray-state.ts';
import { FakeTray, ManualTimers, type FakeMenu } from './fakes.ts';

const RES = path.resolve('/app/resources');
const prefs: TrayMenuPrefs = {
  startAtLogin: false,
  startAtLoginSupported: true,
  startGatewayOnLaunch: true,
  remoteAccess: { enabled: false, port: 47800 },
  theme: 'system',
  autoUpdate: true,
};

function controller(platform: NodeJS.Platform) {
  const opened: string[] = [];
  const actions = new Proxy({}, { get: (_t, name) => () => opened.push(String(name)) }) as TrayActions;
  let tray!: FakeTray;
  const c = new TrayController<FakeMenu>({
    createTray: (icon) => (tray = new FakeTray(icon)),
    buildMenu: (template) => ({ template }),
    resourcesDir: RES,
    platform,
    actions,
    prefs: () => prefs,
  });
  return { c, tray: () => tray, opened };
}

const running: TrayState = { ...INITIAL_TRAY_STATE, gateway: 'running' };

describe('tray controller', () => {
  it('uses template images on macOS, .ico on Windows and PNG on Linux', () => {
    expect(trayIconPath(RES, 'darwin', 'running')).toBe(path.join(RES, 'tray/mac/tray-runningTemplate.png'));
    expect(trayIconPath(RES, 'win32', 'error')).toBe(path.join(RES, 'tray/win/tray-error.ico'));
    expect(trayIconPath(RES, 'linux', 'attention')).toBe(path.join(RES, 'tray/linux/tray-attention.png'));
  });

  it('starts with the stopped icon, a tooltip and a menu', () => {
    const t = controller('linux');
    expect(t.tray().image).toBe(path.join(RES, 'tray/linux/tray-stopped.png'));
    expect(t.tray().tooltip).toBe('Switchboard — Gateway stopped');
    expect(t.tray().item('status')!.label).toBe('Gateway stopped');
  });

  it('switches the icon with the state and rebuilds the menu (Linux indicators only show a re-set menu)', () => {
    const t = controller('linux');
    const sets = t.tray().menuSets;
    t.c.update(running);
    expect(t.tray().image).toBe(path.join(RES, 'tray/linux/tray-running.png'));
    expect(t.tray().menuSets).toBe(sets + 1);
    t.c.update({ ...running, channels: [{ channel: 'whatsapp', accountId: 'personal', state: 'linking' }] });
    expect(t.tray().image).toBe(path.join(RES, 'tray/linux/tray-attention.png'));
    t.c.update({ ...running, gateway: 'error', reason: 'x' });
    expect(t.tray().image).toBe(path.join(RES, 'tray/linux/tray-error.png'));
  });

  it('an update that changes nothing does not touch the native menu', () => {
    const t = controller('linux');
    t.c.update(running);
    const sets = t.tray().menuSets;
    const images = t.tray().images.length;
    t.c.update({ ...running });
    expect(t.tray().menuSets).toBe(sets);
    expect(t.tray().images).toHaveLength(images);
  });

  it('Windows and Linux: a left click opens the dashboard', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const t = controller(platform);
      t.tray().click();
      expect(t.opened).toEqual(['openDashboard']);
    }
  });

  it('macOS: a click opens the menu (menu-bar convention), not the dashboard', () => {
    const t = controller('darwin');
    t.tray().click();
    expect(t.opened).toEqual([]);
    expect(t.tray().menu).not.toBeNull();
  });
});

/** A control service stand-in: canned results per method, and an event stream the test drives. */
function fakeService(results: Record<string, unknown>) {
  const listeners = new Set<(event: string, data: unknown) => void>();
  const calls: string[] = [];
  const svc: ControlCaller = {
    async call(method): Promise<CallOutcome> {
      calls.push(method);
      return method in results ? { ok: true, result: results[method] } : { ok: false, error: { code: 'not_found', message: method } };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { svc, calls, results, emit: (event: string, data: unknown) => listeners.forEach((l) => l(event, data)), listeners };
}

const snapshot = {
  status: { state: 'running', channels: [{ channel: 'telegram', accountId: 'default', state: 'connected' }], configErrors: [] },
  'agents.list': { agents: [{ id: 'home', name: 'Home', emoji: null, state: 'idle', reason: null }] },
  'pairing.list': { pending: [] },
};

describe('tray feed', () => {
  it('attaching loads status, agents and pairing requests', async () => {
    const states: TrayState[] = [];
    const feed = new TrayFeed({ onChange: (s) => states.push(s), setInterval: () => ({}), clearInterval: () => {} });
    const f = fakeService(snapshot);
    await feed.attach(f.svc);
    expect(f.calls.sort()).toEqual(['agents.list', 'pairing.list', 'status']);
    expect(feed.current).toMatchObject({ gateway: 'running', agents: [{ id: 'home' }], channels: [{ state: 'connected' }] });
    expect(states.length).toBeGreaterThan(0);
  });

  it('events update the state; a held-back sender re-reads the pairing requests', async () => {
    const feed = new TrayFeed({ onChange: () => {}, setInterval: () => ({}), clearInterval: () => {} });
    const f = fakeService(snapshot);
    await feed.attach(f.svc);
    f.calls.length = 0;
    f.emit('channel.state', { channel: 'whatsapp', accountId: 'personal', state: 'linking' });
    expect(feed.current.channels).toContainEqual({ channel: 'whatsapp', accountId: 'personal', state: 'linking' });
    f.results['pairing.list'] = {
      pending: [{ channel: 'telegram', account: 'default', code: 'ABCD2345', senderId: '7', createdAt: 0, expiresAt: 1 }],
    };
    f.emit('message.dropped', { channel: 'telegram', accountId: 'default', reason: 'pairing_pending', senderId: '7' });
    await new Promise((r) => setTimeout(r, 0));
    expect(f.calls).toEqual(['pairing.list']);
    expect(feed.current.pairing).toEqual([{ channel: 'telegram', account: 'default', code: 'ABCD2345', senderId: '7', expiresAt: 1 }]);
  });

  it('a good config edit re-reads the agents (they may have been added or removed)', async () => {
    const feed = new TrayFeed({ onChange: () => {}, setInterval: () => ({}), clearInterval: () => {} });
    const f = fakeService(snapshot);
    await feed.attach(f.svc);
    f.results['agents.list'] = {
      agents: [
        { id: 'home', name: 'Home', emoji: null, state: 'idle', reason: null },
        { id: 'work', name: null, emoji: null, state: 'idle', reason: null },
      ],
    };
    f.emit('config.changed', { hash: 'h', ok: true, errors: [] });
    await new Promise((r) => setTimeout(r, 0));
    expect(feed.current.agents.map((a) => a.id)).toEqual(['home', 'work']);
  });

  it('pairing requests are polled (codes expire without an event)', async () => {
    const timers = new ManualTimers();
    const feed = new TrayFeed({
      onChange: () => {},
      setInterval: (fn, ms) => {
        timers.setInterval(fn, ms);
        return {};
      },
      clearInterval: () => {},
    });
    const f = fakeService(snapshot);
    await feed.attach(f.svc);
    f.calls.length = 0;
    timers.fireAll();
    expect(f.calls).toEqual(['pairing.list']);
  });

  it('closed(reason) detaches and shows why the gateway is not there', async () => {
    const feed = new TrayFeed({ onChange: () => {}, setInterval: () => ({}), clearInterval: () => {} });
    const f = fakeService(snapshot);
    await feed.attach(f.svc);
    feed.closed('another Switchboard gateway (pid 7) is already running');
    expect(f.listeners.size).toBe(0);
    expect(feed.current).toMatchObject({ gateway: 'closed', reason: 'another Switchboard gateway (pid 7) is already running', agents: [] });
  });
});
