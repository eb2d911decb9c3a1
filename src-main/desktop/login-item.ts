// "Start at login". macOS and Windows have it in Electron (app.setLoginItemSettings); Linux has
// no such API, so an XDG autostart entry (~/.config/autostart/switchboard.desktop) is written.
// A login launch passes --hidden: the app starts in the tray without opening the dashboard.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const HIDDEN_FLAG = '--hidden';

export interface LoginItemSettingsApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
  /** On Windows the entry is matched by its arguments, so they must be passed here too. */
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean };
}

export interface LoginItem {
  /** False for an unpackaged (development) run: registering the bare Electron binary would be wrong. */
  readonly supported: boolean;
  isEnabled(): Promise<boolean>;
  setEnabled(on: boolean): Promise<void>;
}

export interface LoginItemOptions {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  app: LoginItemSettingsApp;
  /** The executable to start: process.execPath, or $APPIMAGE for an AppImage (its mount point changes every run). */
  executable: string;
  /** $XDG_CONFIG_HOME, else ~/.config (Linux only). */
  configHome: string;
  productName?: string;
}

export function loginItem(opts: LoginItemOptions): LoginItem {
  const supported = opts.isPackaged;
  if (opts.platform === 'darwin' || opts.platform === 'win32') {
    return {
      supported,
      isEnabled: async () => opts.app.getLoginItemSettings(opts.platform === 'win32' ? { args: [HIDDEN_FLAG] } : undefined).openAtLogin,
      setEnabled: async (on) => {
        if (!supported) return;
        // `args` is honoured on Windows; on macOS the app notices a login launch itself (wasOpenedAtLogin).
        opts.app.setLoginItemSettings({ openAtLogin: on, ...(opts.platform === 'win32' ? { args: [HIDDEN_FLAG] } : {}) });
      },
    };
  }
  const file = autostartFile(opts.configHome);
  return {
    supported,
    isEnabled: async () =>
      fs.access(file).then(
        () => true,
        () => false,
      ),
    setEnabled: async (on) => {
      if (!supported) return;
      if (!on) {
        await fs.rm(file, { force: true });
        return;
      }
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, autostartEntry(opts.executable, opts.productName ?? 'Switchboard'), { mode: 0o644 });
    },
  };
}

export function autostartFile(configHome: string): string {
  return path.join(configHome, 'autostart', 'switchboard.desktop');
}

/** A Desktop Entry launching `executable --hidden` (Exec quoting per the Desktop Entry spec). */
export function autostartEntry(executable: string, name: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${name.replace(/[\r\n]/g, ' ')}`,
    'Comment=Multi-agent chat gateway in your tray',
    `Exec=${quoteExecArg(executable)} ${HIDDEN_FLAG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function quoteExecArg(arg: string): string {
  if (/[\r\n]/.test(arg)) throw new Error('an executable path with a line break cannot go into a desktop entry');
  // Inside double quotes " ` $ take a backslash; a backslash needs four, because the key-file
  // string escape (\\ → \) applies before the Exec quoting rule; a literal % is written %%.
  return `"${arg.replace(/\\/g, '\\\\\\\\').replace(/["`$]/g, '\\$&').replace(/%/g, '%%')}"`;
}

/** Whether this launch came from the login item (start hidden in the tray). */
export function launchedHidden(argv: readonly string[], wasOpenedAtLogin = false): boolean {
  return wasOpenedAtLogin || argv.includes(HIDDEN_FLAG);
}
