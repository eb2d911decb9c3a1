// The dashboard window with a fake BrowserWindow: one window, hidden on close, bounds and last view
// remembered, the Dock icon only while it is shown (macOS), and where it reopens on changed screens.
import { describe, expect, it } from 'vitest';
import { DashboardWindow, dashboardUrl, viewHash, type DashboardWindowOptions } from '../../src-main/desktop/dashboard-window.ts';
import { restoreBounds, DEFAULT_SIZE } from '../../src-main/desktop/window-bounds.ts';
import { FakeWindow, memoryPrefs } from './fakes.ts';

const DISPLAY = { workArea: { x: 0, y: 0, width: 1920, height: 1080 } };

function setup(initial: Record<string, unknown> = {}) {
  const prefs = memoryPrefs(initial);
  const windows: FakeWindow[] = [];
  const dock = {
    shown: 0,
    hidden: 0,
    show() {
      this.shown++;
    },
    hide() {
      this.hidden++;
    },
  };
  const dashboard = new DashboardWindow({
    createWindow: (options: DashboardWindowOptions) => {
      const win = new FakeWindow(options);
      windows.push(win);
      return win;
    },
    prefs,
    displays: () => [DISPLAY],
    preload: '/app/dist/electron/preload.cjs',
    devTools: false,
    dock,
    saveDelayMs: 0,
  });
  const ready = () => windows.at(-1)!.emit('ready-to-show');
  return { prefs, windows, dock, dashboard, ready };
}

describe('dashboard window', () => {
  it('is created on first show with the secure webPreferences, on the last view, and shown when ready', () => {
    const t = setup({ lastView: '#/bindings' });
    t.dashboard.show();
    const win = t.windows[0]!;
    expect(win.options).toMatchObject({ title: 'Switchboard', show: false, width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height });
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(win.loaded).toEqual(['app://switchboard/index.html#/bindings']);
    expect(win.visible).toBe(false);
    t.ready();
    expect(win.visible).toBe(true);
  });

  it('there is only ever one window: showing again focuses it and can switch the view', () => {
    const t = setup();
    t.dashboard.show();
    t.ready();
    t.windows[0]!.minimized = true;
    t.dashboard.show(viewHash('inspector', 'home'));
    expect(t.windows).toHaveLength(1);
    expect(t.windows[0]!.minimized).toBe(false);
    expect(t.windows[0]!.loaded.at(-1)).toBe('app://switchboard/index.html#/inspector/home');
    expect(t.windows[0]!.focused).toBeGreaterThan(0);
  });

  it('closing the window hides it instead (the app keeps running in the tray)', () => {
    const t = setup();
    t.dashboard.show();
    t.ready();
    expect(t.windows[0]!.userClose()).toBe(false);
    expect(t.windows[0]!.visible).toBe(false);
    expect(t.dashboard.contents()).toBeDefined();
  });

  it('when quitting the window really closes', () => {
    const t = setup();
    t.dashboard.show();
    t.dashboard.allowClose();
    expect(t.windows[0]!.userClose()).toBe(true);
    expect(t.dashboard.contents()).toBeUndefined();
    t.dashboard.show(); // a later show (should the app stay) makes a new window
    expect(t.windows).toHaveLength(2);
  });

  it('macOS: the Dock icon shows with the window and goes away when it is hidden', () => {
    const t = setup();
    t.dashboard.show();
    t.ready();
    expect(t.dock.shown).toBe(1);
    t.windows[0]!.userClose();
    expect(t.dock.hidden).toBe(1);
  });

  it('size and position are saved when moved, maximised or closed, and restored next time', async () => {
    const t = setup();
    t.dashboard.show();
    t.windows[0]!.moveTo({ x: 200, y: 150, width: 1000, height: 700 });
    await new Promise((r) => setTimeout(r, 5));
    expect(t.prefs.get('window')).toEqual({ bounds: { x: 200, y: 150, width: 1000, height: 700 }, maximized: false });
    t.windows[0]!.maximize();
    expect(t.prefs.get('window').maximized).toBe(true);
    t.dashboard.allowClose();
    t.windows[0]!.userClose();
    t.dashboard.show();
    expect(t.windows[1]!.options).toMatchObject({ x: 200, y: 150, width: 1000, height: 700 });
    expect(t.windows[1]!.maximized).toBe(true);
  });

  it('the view the user navigates to inside the dashboard is remembered', () => {
    const t = setup();
    t.dashboard.show();
    t.windows[0]!.webContents.navigateInPage('app://switchboard/index.html#/inspector/work');
    expect(t.prefs.get('lastView')).toBe('#/inspector/work');
    t.windows[0]!.webContents.navigateInPage('https://elsewhere.example/#/x');
    t.windows[0]!.webContents.navigateInPage('app://switchboard/index.html#/channels', false);
    expect(t.prefs.get('lastView')).toBe('#/inspector/work');
  });

  it('dashboard URLs always point into the app and default to the overview', () => {
    expect(dashboardUrl('#/agents')).toBe('app://switchboard/index.html#/agents');
    expect(dashboardUrl('https://evil.example')).toBe('app://switchboard/index.html#/overview');
    expect(viewHash('inspector', 'a b/c')).toBe('#/inspector/a%20b%2Fc');
  });
});

describe('restoring window bounds', () => {
  it('no saved bounds: the default size, placed by the OS', () => {
    expect(restoreBounds(null, [DISPLAY])).toEqual(DEFAULT_SIZE);
  });

  it('saved bounds on a connected display are used', () => {
    expect(restoreBounds({ x: 100, y: 80, width: 1200, height: 800 }, [DISPLAY])).toEqual({ x: 100, y: 80, width: 1200, height: 800 });
  });

  it('bounds on a monitor that is gone keep their size but not their position', () => {
    expect(restoreBounds({ x: 2500, y: 100, width: 1200, height: 800 }, [DISPLAY])).toEqual({ width: 1200, height: 800 });
  });

  it('a window whose title bar would be off screen is not placed there', () => {
    expect(restoreBounds({ x: 100, y: -700, width: 1200, height: 800 }, [DISPLAY])).not.toHaveProperty('x');
  });

  it('a window larger than its display is shrunk to fit', () => {
    expect(restoreBounds({ x: 0, y: 0, width: 5000, height: 3000 }, [DISPLAY])).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
  });

  it('a window on a second display to the left (negative x) stays there', () => {
    const left = { workArea: { x: -1440, y: 0, width: 1440, height: 900 } };
    expect(restoreBounds({ x: -1300, y: 50, width: 900, height: 700 }, [DISPLAY, left])).toEqual({
      x: -1300,
      y: 50,
      width: 900,
      height: 700,
    });
  });
});
