// Electron's security checklist as data and pure functions: CSP, webPreferences, navigation and
// window.open policy, which links may open in the browser, permissions.
import { describe, expect, it } from 'vitest';
import {
  APP_CSP,
  dashboardWebPreferences,
  externalUrlAllowed,
  hardenWebContents,
  isAppUrl,
  navigationAllowed,
  permissionCheckHandler,
  permissionRequestHandler,
  windowOpenVerdict,
  type HardenableContents,
} from '../../src-main/desktop/security.ts';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('content security policy', () => {
  const csp = directives(APP_CSP);

  it('denies by default and allows scripts only from the app itself', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
  });

  it('never allows eval, inline scripts or remote origins', () => {
    expect(APP_CSP).not.toMatch(/unsafe-eval|wasm-unsafe-eval|https?:|ws:|\*/);
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('locks down objects, base URI, forms, frames and framing', () => {
    for (const name of ['object-src', 'base-uri', 'form-action', 'frame-ancestors', 'frame-src', 'worker-src'])
      expect(csp.get(name), name).toEqual(["'none'"]);
  });

  it('lets images be data: URLs (QR codes) and styles be inline (React style props)', () => {
    expect(csp.get('img-src')).toEqual(["'self'", 'data:']);
    expect(csp.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
  });
});

describe('webPreferences', () => {
  it('isolates the renderer: contextIsolation, sandbox, no Node, no webview, no insecure content', () => {
    expect(dashboardWebPreferences('/app/preload.cjs', { devTools: false })).toEqual({
      preload: '/app/preload.cjs',
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
      devTools: false,
    });
  });
});

describe('navigation and window.open', () => {
  it('in-app navigation (reload, #/routes) is allowed; every other destination is not', () => {
    expect(navigationAllowed('app://switchboard/index.html#/inspector/home')).toBe(true);
    for (const url of [
      'https://example.com/',
      'file:///etc/passwd',
      'app://other/',
      'javascript:alert(1)',
      'data:text/html,x',
      'about:blank',
      '',
    ]) {
      expect(navigationAllowed(url), url).toBe(false);
    }
  });

  it('window.open never creates a window; https links go to the browser', () => {
    expect(windowOpenVerdict('https://docs.example.com/x')).toEqual({ action: 'deny', openExternal: 'https://docs.example.com/x' });
    expect(windowOpenVerdict('http://example.com/')).toEqual({ action: 'deny' });
    expect(windowOpenVerdict('app://switchboard/index.html')).toEqual({ action: 'deny' });
  });

  it('only https URLs with a host and no credentials may open externally', () => {
    expect(externalUrlAllowed('https://github.com/owner/repo')).toBe(true);
    for (const url of [
      'http://example.com',
      'file:///C:/Windows/system32/calc.exe',
      'smb://host/share',
      'javascript:alert(1)',
      'ms-settings:',
      'https://user:pw@example.com/',
      'https://',
      'not a url',
      `https://e.com/${'x'.repeat(3000)}`,
    ]) {
      expect(externalUrlAllowed(url), url).toBe(false);
    }
  });

  it('isAppUrl compares scheme and host (custom schemes have an opaque origin in WHATWG URL)', () => {
    expect(new URL('app://switchboard/').origin).toBe('null');
    expect(isAppUrl('app://switchboard/x')).toBe(true);
    // Chromium lower-cases the host of a standard scheme; the scheme is case-insensitive everywhere.
    expect(isAppUrl('APP://switchboard/x')).toBe(true);
    expect(isAppUrl('app://switchboard.evil/x')).toBe(false);
    expect(isAppUrl(undefined)).toBe(false);
  });
});

describe('hardening web contents', () => {
  function contents() {
    const listeners = new Map<string, (arg: never) => void>();
    let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
    const fake = {
      on(event: string, listener: (arg: never) => void) {
        listeners.set(event, listener);
        return fake;
      },
      setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
        openHandler = handler;
      },
    } as unknown as HardenableContents;
    return {
      fake,
      navigate(url: string) {
        let prevented = false;
        (listeners.get('will-navigate') as unknown as (d: { url: string; preventDefault(): void }) => void)({
          url,
          preventDefault: () => (prevented = true),
        });
        return prevented;
      },
      attachWebview() {
        let prevented = false;
        (listeners.get('will-attach-webview') as unknown as (e: { preventDefault(): void }) => void)({
          preventDefault: () => (prevented = true),
        });
        return prevented;
      },
      open: (url: string) => openHandler!({ url }),
    };
  }

  it('prevents navigation away from the app and lets in-app navigation through', () => {
    const c = contents();
    hardenWebContents(c.fake, { openExternal: () => {} });
    expect(c.navigate('https://evil.example/')).toBe(true);
    expect(c.navigate('app://switchboard/index.html#/agents')).toBe(false);
  });

  it('refuses <webview> tags', () => {
    const c = contents();
    hardenWebContents(c.fake, { openExternal: () => {} });
    expect(c.attachWebview()).toBe(true);
  });

  it('window.open is denied; an https link is handed to the browser, anything else is not', () => {
    const opened: string[] = [];
    const c = contents();
    hardenWebContents(c.fake, { openExternal: (url) => void opened.push(url) });
    expect(c.open('https://docs.example.com/')).toEqual({ action: 'deny' });
    expect(c.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://docs.example.com/']);
  });
});

describe('permissions', () => {
  it('no permission request is ever granted and checks answer false', () => {
    const answers: boolean[] = [];
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal'])
      permissionRequestHandler({}, permission, (granted) => answers.push(granted));
    expect(answers).toEqual([false, false, false, false, false]);
    expect(permissionCheckHandler()).toBe(false);
  });
});
