// The app:// protocol handler: Request in, Response out, over a real folder. Only files inside the
// dashboard build are served, with the CSP and nosniff headers.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler, resolveAppPath } from '../../src-main/desktop/app-protocol.ts';
import { APP_CSP } from '../../src-main/desktop/security.ts';

let dir: string;
let root: string;
let handler: (request: Request) => Promise<Response>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-proto-'));
  root = path.join(dir, 'renderer');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Switchboard</title>');
  await writeFile(path.join(root, 'assets', 'main.js'), 'console.log(1)');
  await writeFile(path.join(root, 'assets', 'a b.css'), 'body{}');
  await writeFile(path.join(dir, 'secret.txt'), 'not for the renderer');
  await symlink(path.join(dir, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
  handler = appProtocolHandler({ root });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

describe('app:// protocol', () => {
  it('serves index.html for / with the CSP, nosniff and an HTML content type', async () => {
    const res = await get('app://switchboard/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Switchboard</title>');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves assets with their content type; a #route never reaches the handler path', async () => {
    const js = await get('app://switchboard/assets/main.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('app://switchboard/index.html#/inspector/home')).status).toBe(200);
    expect((await get('app://switchboard/assets/a%20b.css')).status).toBe(200);
  });

  it('HEAD answers headers only; other methods are refused', async () => {
    const head = await get('app://switchboard/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String('<!doctype html><title>Switchboard</title>'.length));
    expect((await get('app://switchboard/index.html', 'POST')).status).toBe(405);
  });

  it('a missing file is a 404 that still carries the CSP', async () => {
    const res = await get('app://switchboard/nope.js');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBe(APP_CSP);
  });

  it('another host under app:// is refused', async () => {
    expect((await get('app://evil/index.html')).status).toBe(403);
  });

  it('encoded traversal, backslashes, NUL bytes and drive letters are refused', async () => {
    for (const url of [
      'app://switchboard/..%2fsecret.txt',
      'app://switchboard/assets/..%2f..%2fsecret.txt',
      'app://switchboard/%2e%2e%2fsecret.txt',
      'app://switchboard/assets%2f..%2f..%2fsecret.txt',
      'app://switchboard/..%5csecret.txt',
      'app://switchboard/assets%5c..%5c..%5csecret.txt',
      'app://switchboard/index.html%00.js',
      'app://switchboard/C:%5cWindows%5cwin.ini',
      'app://switchboard//etc/passwd',
      'app://switchboard/%E0%A4%A',
    ]) {
      const res = await get(url);
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(await res.text(), url).not.toContain('not for the renderer');
    }
  });

  it('plain ../ segments are normalised by the URL parser and stay inside the build', async () => {
    // new URL() resolves them before the handler sees the path: this asks for /secret.txt inside root.
    const res = await get('app://switchboard/assets/../../secret.txt');
    expect(res.status).toBe(404);
  });

  it('a symlink inside the build that points outside it is refused', async () => {
    const res = await get('app://switchboard/assets/link.txt');
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('not for the renderer');
  });

  it('without a build the 404 says how to make one', async () => {
    const empty = appProtocolHandler({ root: path.join(dir, 'missing') });
    const res = await empty(new Request('app://switchboard/'));
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('build-renderer.mjs');
  });

  it('resolveAppPath maps URLs to files inside the root (pure)', () => {
    expect(resolveAppPath('/r', 'app://switchboard/')).toEqual({ ok: true, file: path.resolve('/r/index.html') });
    expect(resolveAppPath('/r', 'app://switchboard/assets/')).toEqual({ ok: true, file: path.resolve('/r/assets/index.html') });
    expect(resolveAppPath('/r', 'not a url')).toEqual({ ok: false, status: 400 });
    expect(resolveAppPath('/r', 'https://switchboard/')).toEqual({ ok: false, status: 403 });
  });

  it('the scheme is standard and secure, and never bypasses the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    });
    expect(APP_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('bypassCSP');
  });
});
