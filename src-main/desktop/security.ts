// The desktop app's security policy as plain data and pure functions (Electron's security
// checklist): the dashboard's origin and CSP, the BrowserWindow webPreferences, what a page may
// navigate to or open, which links go to the user's browser, and that no permission is granted.
// src-main/electron applies them to real objects; test/desktop/security.test.ts pins them down.

/** The renderer is served from app://switchboard/ (see app-protocol.ts), never from file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'switchboard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * Content-Security-Policy of every app:// response. Scripts only from the app itself (no inline,
 * no eval), no network at all: the dashboard talks to main through the preload's IPC bridge.
 * Inline styles stay allowed because React's `style` props need them; images may be data: URLs
 * (QR codes are rendered by the app).
 */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'none'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers sent with every app:// response besides Content-Type. */
export const APP_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': APP_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-cache',
};

/** Whether `url` belongs to the dashboard (app://switchboard/…). WHATWG URL gives custom schemes an opaque origin, so compare the parts. */
export function isAppUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/** The subset of Electron's WebPreferences the dashboard window is created with. */
export interface DashboardWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  safeDialogs: true;
  spellcheck: false;
  devTools: boolean;
}

export function dashboardWebPreferences(preload: string, opts: { devTools: boolean }): DashboardWebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: opts.devTools,
  };
}

/** In-app navigation (reloads, `#/view` changes) stays on app://switchboard; everything else is refused. */
export function navigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/**
 * Links the user may open in their browser: https only, a real host name, no credentials in the
 * URL. Everything else (http:, file:, javascript:, custom schemes that launch other apps) is refused.
 */
export function externalUrlAllowed(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.hostname !== '' && parsed.username === '' && parsed.password === '' && url.length <= 2048;
}

export type WindowOpenVerdict = { action: 'deny'; openExternal?: string };

/** window.open / target=_blank: never a new Electron window; an allowed https link goes to the browser instead. */
export function windowOpenVerdict(url: string): WindowOpenVerdict {
  return externalUrlAllowed(url) ? { action: 'deny', openExternal: url } : { action: 'deny' };
}

/** Minimal view of Electron's WebContents for hardening (structurally compatible with the real one). */
export interface HardenableContents {
  on(event: 'will-navigate', listener: (details: { url: string; preventDefault(): void }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface HardenOptions {
  /** shell.openExternal; only ever called with a URL externalUrlAllowed() accepted. */
  openExternal(url: string): Promise<void> | void;
  log?(message: string, fields: Record<string, unknown>): void;
}

/** Applies the navigation, window-open and webview policies to every web contents the app creates. */
export function hardenWebContents(contents: HardenableContents, opts: HardenOptions): void {
  contents.on('will-navigate', (details) => {
    if (navigationAllowed(details.url)) return;
    details.preventDefault();
    opts.log?.('navigation refused', { url: safeForLog(details.url) });
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const verdict = windowOpenVerdict(url);
    if (verdict.openExternal !== undefined) void Promise.resolve(opts.openExternal(verdict.openExternal)).catch(() => undefined);
    else opts.log?.('window.open refused', { url: safeForLog(url) });
    return { action: 'deny' };
  });
}

/** Permission requests (camera, notifications, clipboard…) from pages: none is ever granted. */
export function permissionRequestHandler(_webContents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

export function permissionCheckHandler(): boolean {
  return false;
}

/** Scheme + host + path only: a query string may carry anything, and logs are for people to read. */
function safeForLog(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`.slice(0, 200);
  } catch {
    return '(unparseable URL)';
  }
}
