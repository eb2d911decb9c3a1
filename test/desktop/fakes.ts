// Fake Electron objects for the desktop tests: plain classes with the same shape as the ports in
// src-main/desktop, recording what was done to them. No module mocks, no Electron binary.
import { EventEmitter } from 'node:events';
import type { MenuItemTemplate } from '../../src-main/desktop/tray-menu.ts';
import type { TrayPort } from '../../src-main/desktop/tray.ts';
import type { DashboardWindowOptions, WindowPort } from '../../src-main/desktop/dashboard-window.ts';
import type { IpcInvokeEventLike, IpcMainLike } from '../../src-main/desktop/ipc-bridge.ts';
import { Prefs, PrefsSchema, type PrefsBackend } from '../../src-main/desktop/prefs.ts';
import type { Rect } from '../../src-main/desktop/window-bounds.ts';
import type { Timers } from '../../src-main/desktop/reconnect.ts';

/** A "menu" is just the template it was built from. */
export interface FakeMenu {
  template: MenuItemTemplate[];
}

export class FakeTray implements TrayPort<FakeMenu> {
  images: string[] = [];
  tooltip = '';
  menu: FakeMenu | null = null;
  menuSets = 0;
  destroyed = false;
  private readonly clicks: (() => void)[] = [];

  constructor(readonly initialImage: string) {
    this.images.push(initialImage);
  }

  setImage(image: string): void {
    this.images.push(image);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu;
    this.menuSets++;
  }
  on(_event: 'click', listener: () => void): this {
    this.clicks.push(listener);
    return this;
  }
  destroy(): void {
    this.destroyed = true;
  }
  click(): void {
    for (const fn of this.clicks) fn();
  }
  get image(): string {
    return this.images.at(-1)!;
  }
  /** Finds a menu item by id (searching submenus). */
  item(id: string): MenuItemTemplate | undefined {
    return findItem(this.menu?.template ?? [], id);
  }
}

export function findItem(items: MenuItemTemplate[], id: string): MenuItemTemplate | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const inner = item.submenu ? findItem(item.submenu, id) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

let nextContentsId = 100;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  url = '';
  destroyed = false;
  sent: unknown[][] = [];

  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.url;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  /** The page changed its #/route (what Chromium reports as an in-page navigation). */
  navigateInPage(url: string, isMainFrame = true): void {
    this.url = url;
    this.emit('did-navigate-in-page', {}, url, isMainFrame);
  }
}

export class FakeWindow extends EventEmitter implements WindowPort {
  readonly webContents = new FakeWebContents();
  visible = false;
  minimized = false;
  maximized = false;
  destroyed = false;
  focused = 0;
  loaded: string[] = [];
  bounds: Rect;

  constructor(readonly options: DashboardWindowOptions) {
    super();
    this.bounds = { x: options.x ?? 100, y: options.y ?? 100, width: options.width, height: options.height };
  }

  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    this.webContents.url = url;
  }
  show(): void {
    const was = this.visible;
    this.visible = true;
    if (!was) this.emit('show');
  }
  hide(): void {
    const was = this.visible;
    this.visible = false;
    if (was) this.emit('hide');
  }
  focus(): void {
    this.focused++;
  }
  restore(): void {
    this.minimized = false;
  }
  maximize(): void {
    this.maximized = true;
    this.emit('maximize');
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  getNormalBounds(): Rect {
    return { ...this.bounds };
  }
  /** What clicking the window's close button does: 'close' (cancellable), then 'closed'. */
  userClose(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      this.visible = false;
      this.destroyed = true;
      this.webContents.destroyed = true;
      this.emit('closed');
    }
    return !prevented;
  }
  moveTo(bounds: Rect): void {
    this.bounds = bounds;
    this.emit('move');
  }
}

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>>();

  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, event: IpcInvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  }
}

/** An IPC event as Electron builds it: the sending web contents and its frame. */
export function ipcEvent(senderId: number, frame: { url: string; parent: unknown } | null): IpcInvokeEventLike {
  return { sender: { id: senderId }, senderFrame: frame };
}

/** Prefs over an in-memory object (conf itself is exercised in prefs.test.ts). */
export function memoryPrefs(initial: Record<string, unknown> = {}): Prefs {
  const data: Record<string, unknown> = { ...PrefsSchema.parse({}), ...initial };
  const backend: PrefsBackend = {
    get store() {
      return structuredClone(data);
    },
    set(key, value) {
      data[key] = structuredClone(value);
    },
  };
  return new Prefs(backend);
}

/** Timers that only fire when the test says so. */
export class ManualTimers implements Timers {
  private seq = 0;
  readonly pending = new Map<number, { fn: () => void; ms: number; repeat: boolean }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { fn, ms, repeat: false });
    return id;
  }
  clearTimeout(timer: unknown): void {
    this.pending.delete(timer as number);
  }
  setInterval(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { fn, ms, repeat: true });
    return id;
  }
  clearInterval(timer: unknown): void {
    this.pending.delete(timer as number);
  }
  /** Runs every pending timer once (one-shot timers are removed). */
  fireAll(): void {
    for (const [id, timer] of [...this.pending]) {
      if (!timer.repeat) this.pending.delete(id);
      timer.fn();
    }
  }
  get timeouts(): number {
    return [...this.pending.values()].filter((t) => !t.repeat).length;
  }
}
