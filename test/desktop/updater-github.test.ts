// The real electron-updater (AppImageUpdater, its GitHubProvider, latest-linux.yml parsing, semver
// comparison, the download with its sha512 check, the install step) against a GitHub stand-in on
// 127.0.0.1, driven by UpdateService. What needs Electron is replaced, and only that: the app
// adapter (app version, paths, quit) and the HTTP executor (Electron's `net` → Node's http, same
// builder-util-runtime base class). quitAndInstall's final step (emit on Electron's autoUpdater,
// app.quit) needs Electron, so the test calls install(), which is what quitAndInstall runs first.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { RequestOptions } from 'node:https';
import { configureRequestOptions, configureRequestUrl, HttpExecutor, type DownloadOptions } from 'builder-util-runtime';
import { AppImageUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpdateService, type UpdaterPort, type UpdateState } from '../../src-main/desktop/updates.ts';

/** Node's http in place of Electron's net (what ElectronHttpExecutor does, minus the Electron session). */
class NodeExecutor extends HttpExecutor<ClientRequest> {
  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    return http.request(options as http.RequestOptions, callback);
  }
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers || undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        { destination, options, onCancel, callback: (error) => (error ? reject(error) : resolve(destination)), responseHandler: null },
        0,
      );
    });
  }
}

const sha512 = (data: Buffer) => createHash('sha512').update(data).digest('base64');

interface Release {
  tag: string;
  version: string;
  artifact: Buffer;
  /** What latest-linux.yml claims (defaults to the artifact's real hash). */
  claimedSha512?: string;
}

/** The GitHub endpoints electron-updater's GitHubProvider reads (with `host` set, it uses the /api/v3 API path). */
function fakeGitHub(release: Release) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    const base = '/switchboard-app/switchboard/releases';
    if (url === `${base}.atom`) {
      res.setHeader('content-type', 'application/atom+xml');
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>tag:github.com,2008:Repository/1/${release.tag}</id>` +
          `<link rel="alternate" type="text/html" href="https://github.com${base}/tag/${release.tag}"/><title>Switchboard ${release.tag}</title><content type="html">Fixes.</content></entry></feed>`,
      );
    } else if (url === '/api/v3/repos/switchboard-app/switchboard/releases/latest') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ tag_name: release.tag }));
    } else if (url.startsWith(`${base}/download/${release.tag}/latest-linux`) && url.endsWith('.yml')) {
      const name = `Switchboard-${release.version}-linux-x86_64.AppImage`;
      const hash = release.claimedSha512 ?? sha512(release.artifact);
      res.end(
        `version: ${release.version}\nfiles:\n  - url: ${name}\n    sha512: ${hash}\n    size: ${release.artifact.length}\n` +
          `path: ${name}\nsha512: ${hash}\nreleaseDate: '2026-01-02T03:04:05.000Z'\n`,
      );
    } else if (url === `${base}/download/${release.tag}/Switchboard-${release.version}-linux-x86_64.AppImage`) {
      res.setHeader('content-length', String(release.artifact.length));
      res.end(release.artifact);
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  return { server, requests };
}

let dir: string;
let closeServer: (() => Promise<void>) | undefined;
const savedAppImage = process.env.APPIMAGE;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-update-'));
});
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
  if (savedAppImage === undefined) delete process.env.APPIMAGE;
  else process.env.APPIMAGE = savedAppImage;
  rmSync(dir, { recursive: true, force: true });
});

async function realUpdater(release: Release, currentVersion: string) {
  const { server, requests } = fakeGitHub(release);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeServer = () => new Promise((resolve) => server.close(() => resolve()));
  const port = (server.address() as AddressInfo).port;
  // The installed AppImage (no version in its name: electron-updater then replaces it in place).
  const installed = path.join(dir, 'Switchboard.AppImage');
  writeFileSync(installed, '#!/bin/sh\necho old\n');
  process.env.APPIMAGE = installed;
  const quits: number[] = [];
  const adapter: AppAdapter = {
    version: currentVersion,
    name: 'Switchboard',
    isPackaged: true,
    appUpdateConfigPath: path.join(dir, 'app-update.yml'),
    userDataPath: path.join(dir, 'userData'),
    baseCachePath: path.join(dir, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: () => {},
    quit: () => void quits.push(1),
    onQuit: () => {},
  };
  const updater = new AppImageUpdater(null, adapter);
  updater.logger = null;
  updater.disableDifferentialDownload = true; // no .blockmap on the stand-in
  (updater as unknown as { httpExecutor: HttpExecutor<ClientRequest> }).httpExecutor = new NodeExecutor();
  // What electron-builder writes into resources/app-update.yml from electron-builder.yml's `publish`,
  // plus host/protocol pointing at the stand-in; electron-updater reads it from disk as in the app.
  writeFileSync(
    adapter.appUpdateConfigPath,
    `owner: switchboard-app\nrepo: switchboard\nprovider: github\nhost: 127.0.0.1:${port}\nprotocol: http\nupdaterCacheDirName: switchboard-updater\n`,
  );
  return { updater, requests, installed, quits };
}

function service(updater: UpdaterPort, drain: () => Promise<void> = async () => {}) {
  const states: UpdateState[] = [];
  const svc = new UpdateService({ updater, enabled: () => true, drain, onChange: (s) => states.push(s), now: () => 7 });
  return { svc, states };
}

function until(predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (predicate() ? resolve() : setTimeout(poll, 10));
    poll();
  });
}

describe('electron-updater against a GitHub stand-in on 127.0.0.1', () => {
  it('finds a newer release, downloads it with a matching sha512, and installs it after the gateway drained', async () => {
    const marker = path.join(dir, 'new-version-ran');
    const artifact = Buffer.from(`#!/bin/sh\necho 0.1.1 > '${marker}'\n`);
    const { updater, requests, installed } = await realUpdater({ tag: 'v0.1.1', version: '0.1.1', artifact }, '0.1.0');
    const order: string[] = [];
    // quitAndInstall = install() + (Electron-only) emit and app.quit: the port runs the real install().
    const port: UpdaterPort = Object.assign(updater, {
      quitAndInstall: (_silent?: boolean, forceRunAfter?: boolean) => {
        order.push('install');
        updater.install(false, forceRunAfter ?? true);
      },
    });
    const { svc, states } = service(port, async () => void order.push('drained'));
    await svc.check();
    await until(() => svc.current.phase === 'ready' || svc.current.phase === 'error');
    expect(svc.current).toEqual({ phase: 'ready', version: '0.1.1' });
    expect(states.map((s) => s.phase)).toContain('downloading');
    expect(requests).toContain('/switchboard-app/switchboard/releases/download/v0.1.1/Switchboard-0.1.1-linux-x86_64.AppImage');
    // The verified download sits in electron-updater's cache until the install.
    expect(readFileSync(installed, 'utf8')).toContain('echo old');

    expect(await svc.restart()).toBe(true);
    expect(order).toEqual(['drained', 'install']);
    // The AppImage was replaced by the download and started (it writes the marker).
    expect(readFileSync(installed)).toEqual(artifact);
    await until(() => existsSync(marker));
    expect(readFileSync(marker, 'utf8').trim()).toBe('0.1.1');
  });

  it('reports no update when the release is not newer than the running version', async () => {
    const { updater, requests } = await realUpdater({ tag: 'v0.1.0', version: '0.1.0', artifact: Buffer.from('x') }, '0.1.0');
    const { svc } = service(updater);
    await svc.check();
    expect(svc.current).toEqual({ phase: 'up-to-date', checkedAt: 7 });
    expect(requests.some((r) => r.endsWith('.AppImage'))).toBe(false);
  });

  it('refuses a download whose sha512 does not match latest-linux.yml, and offers no restart', async () => {
    const artifact = Buffer.from('#!/bin/sh\necho tampered\n');
    const { updater, installed } = await realUpdater(
      { tag: 'v0.2.0', version: '0.2.0', artifact, claimedSha512: sha512(Buffer.from('what was published')) },
      '0.1.0',
    );
    const { svc } = service(updater);
    await svc.check();
    await until(() => svc.current.phase === 'ready' || svc.current.phase === 'error');
    expect(svc.current.phase).toBe('error');
    expect((svc.current as { message: string }).message).toMatch(/sha512 checksum mismatch/);
    expect(await svc.restart()).toBe(false);
    expect(readFileSync(installed, 'utf8')).toContain('echo old');
  });

  it('says what is wrong when the release has no latest-linux.yml', async () => {
    const { updater } = await realUpdater({ tag: 'v0.3.0', version: '0.3.0', artifact: Buffer.from('x') }, '0.1.0');
    // The stand-in only serves latest-linux*.yml for the tag; ask for another channel file.
    updater.channel = 'beta';
    const { svc } = service(updater);
    await svc.check();
    expect(svc.current.phase).toBe('error');
    expect((svc.current as { message: string }).message).toMatch(/Cannot find beta-linux\.yml in the latest release artifacts/);
  });
});
