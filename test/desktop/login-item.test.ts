// "Start at login": Electron's login item on macOS/Windows (fake app object), an XDG autostart
// entry on Linux (a real file in a temp config home), and the --hidden login launch.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autostartEntry, autostartFile, launchedHidden, loginItem, quoteExecArg } from '../../src-main/desktop/login-item.ts';

let configHome: string;
beforeEach(async () => {
  configHome = await mkdtemp(path.join(os.tmpdir(), 'sb-login-'));
});
afterEach(async () => {
  await rm(configHome, { recursive: true, force: true });
});

/** Like Electron: on Windows an entry only matches a query with the same arguments. */
function fakeApp() {
  const calls: unknown[] = [];
  let entry: { openAtLogin: boolean; args: string[] } = { openAtLogin: false, args: [] };
  return {
    calls,
    setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }) {
      calls.push(settings);
      entry = { openAtLogin: settings.openAtLogin, args: settings.args ?? [] };
    },
    getLoginItemSettings: (options?: { args?: string[] }) => ({
      openAtLogin: entry.openAtLogin && JSON.stringify(options?.args ?? []) === JSON.stringify(entry.args),
    }),
  };
}

describe('start at login', () => {
  it('Windows: registers the app with --hidden through Electron', async () => {
    const app = fakeApp();
    const item = loginItem({ platform: 'win32', isPackaged: true, app, executable: 'C:\\Switchboard\\Switchboard.exe', configHome });
    await item.setEnabled(true);
    expect(app.calls).toEqual([{ openAtLogin: true, args: ['--hidden'] }]);
    expect(await item.isEnabled()).toBe(true);
  });

  it('macOS: registers the app through Electron (a login launch is recognised by wasOpenedAtLogin)', async () => {
    const app = fakeApp();
    const item = loginItem({
      platform: 'darwin',
      isPackaged: true,
      app,
      executable: '/Applications/Switchboard.app/Contents/MacOS/Switchboard',
      configHome,
    });
    await item.setEnabled(true);
    await item.setEnabled(false);
    expect(app.calls).toEqual([{ openAtLogin: true }, { openAtLogin: false }]);
  });

  it('Linux: writes and removes ~/.config/autostart/switchboard.desktop', async () => {
    const item = loginItem({
      platform: 'linux',
      isPackaged: true,
      app: fakeApp(),
      executable: '/home/ada/Apps/Switchboard-0.1.0.AppImage',
      configHome,
    });
    expect(await item.isEnabled()).toBe(false);
    await item.setEnabled(true);
    const text = await readFile(autostartFile(configHome), 'utf8');
    expect(text).toContain('[Desktop Entry]\nType=Application\n');
    expect(text).toContain('Exec="/home/ada/Apps/Switchboard-0.1.0.AppImage" --hidden\n');
    expect(await item.isEnabled()).toBe(true);
    await item.setEnabled(false);
    expect(await item.isEnabled()).toBe(false);
  });

  it('an unpackaged development run registers nothing', async () => {
    const app = fakeApp();
    for (const platform of ['win32', 'darwin', 'linux'] as const) {
      const item = loginItem({ platform, isPackaged: false, app, executable: '/usr/lib/electron/electron', configHome });
      expect(item.supported).toBe(false);
      await item.setEnabled(true);
    }
    expect(app.calls).toEqual([]);
    expect(await loginItem({ platform: 'linux', isPackaged: false, app, executable: 'x', configHome }).isEnabled()).toBe(false);
  });

  it('Exec quoting follows the Desktop Entry spec', () => {
    expect(quoteExecArg('/opt/My Apps/switch"board$')).toBe('"/opt/My Apps/switch\\"board\\$"');
    expect(quoteExecArg('/a\\b')).toBe('"/a\\\\\\\\b"');
    expect(quoteExecArg('/100%/x')).toBe('"/100%%/x"');
    expect(() => quoteExecArg('/a\nb')).toThrow();
    expect(autostartEntry('/x', 'Switch\nboard')).toContain('Name=Switch board\n');
  });

  it('a login launch starts hidden in the tray', () => {
    expect(launchedHidden(['/x/switchboard', '--hidden'])).toBe(true);
    expect(launchedHidden(['/x/switchboard'], true)).toBe(true);
    expect(launchedHidden(['/x/switchboard'])).toBe(false);
  });
});
