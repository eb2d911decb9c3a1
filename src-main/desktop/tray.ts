// The tray icon: image, tooltip and menu follow the tray state. Platform conventions:
// - macOS (menu bar): a click opens the menu, as every menu-bar item does; "Open dashboard" is in
//   it. Icons are template images (black + alpha) so the system tints them for light/dark bars.
// - Windows (notification area): left click opens the dashboard, right click the menu; .ico icons.
// - Linux: with AppIndicator/StatusNotifier (GNOME with the extension, KDE, Ubuntu) there are no
//   click events — any click opens the menu — and a changed menu only shows after setContextMenu()
//   is called again, so the whole menu is rebuilt and re-set on every change.
import path from 'node:path';
import { trayMenuTemplate, type MenuItemTemplate, type TrayActions, type TrayMenuPrefs } from './tray-menu.ts';
import { iconFor, INITIAL_TRAY_STATE, tooltipFor, type TrayIcon, type TrayState } from './tray-state.ts';

/** The parts of Electron's Tray in use (a real Tray fits). */
export interface TrayPort<Menu> {
  setImage(image: string): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: Menu | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayControllerOptions<Menu> {
  createTray(iconPath: string): TrayPort<Menu>;
  buildMenu(template: MenuItemTemplate[]): Menu;
  /** Folder holding tray/{mac,win,linux}/… (resources/ in the app). */
  resourcesDir: string;
  platform: NodeJS.Platform;
  actions: TrayActions;
  prefs(): TrayMenuPrefs;
}

/** The icon file for a state: template PNGs on macOS (Electron picks @2x itself), .ico on Windows, PNG on Linux. */
export function trayIconPath(resourcesDir: string, platform: NodeJS.Platform, icon: TrayIcon): string {
  if (platform === 'darwin') return path.join(resourcesDir, 'tray', 'mac', `tray-${icon}Template.png`);
  if (platform === 'win32') return path.join(resourcesDir, 'tray', 'win', `tray-${icon}.ico`);
  return path.join(resourcesDir, 'tray', 'linux', `tray-${icon}.png`);
}

export class TrayController<Menu> {
  private readonly tray: TrayPort<Menu>;
  private state: TrayState = INITIAL_TRAY_STATE;
  private icon: TrayIcon;
  private shown = '';

  constructor(private readonly opts: TrayControllerOptions<Menu>) {
    this.icon = iconFor(this.state);
    this.tray = opts.createTray(trayIconPath(opts.resourcesDir, opts.platform, this.icon));
    if (opts.platform !== 'darwin') this.tray.on('click', () => opts.actions.openDashboard());
    this.render(true);
  }

  get current(): TrayState {
    return this.state;
  }

  get currentIcon(): TrayIcon {
    return this.icon;
  }

  update(state: TrayState): void {
    this.state = state;
    this.render(false);
  }

  /** Prefs shown in the menu changed (checkboxes). */
  refreshMenu(): void {
    this.render(true);
  }

  destroy(): void {
    this.tray.destroy();
  }

  private render(force: boolean): void {
    const prefs = this.opts.prefs();
    // Rebuilding the native menu is not free and Linux indicators flicker on it: skip no-op updates.
    const signature = JSON.stringify([this.state, prefs]);
    if (!force && signature === this.shown) return;
    this.shown = signature;
    const icon = iconFor(this.state);
    if (icon !== this.icon) {
      this.icon = icon;
      this.tray.setImage(trayIconPath(this.opts.resourcesDir, this.opts.platform, icon));
    }
    this.tray.setToolTip(tooltipFor(this.state));
    this.tray.setContextMenu(this.opts.buildMenu(trayMenuTemplate(this.state, prefs, this.opts.actions, this.opts.platform)));
  }
}
