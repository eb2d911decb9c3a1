// `npm start` (scripts/start.mjs) run as a real process against fake `electron` package folders.
// Their install.js stands in for Electron's installer (a real child process, as the real one is):
// it downloads from a local HTTP server the way @electron/get does (global fetch), so the progress
// hook and the failure path run for real; nothing here can reach Electron's real download.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ZIP = 'electron-v45.4.1-linux-x64.zip';
let dir: string;
let marker: string;
let server: http.Server | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-start-'));
  marker = path.join(dir, 'index-required');
  // Like node_modules/electron: package.json, index.js (downloads on require), no binary yet.
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '45.4.1', main: 'index.js' }));
  await writeFile(path.join(dir, 'index.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes'); module.exports = 'x'`);
});
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** install.js that downloads `url` like @electron/get (fetch, body to a file), then unpacks a fake binary like electron's extractFile. */
function installer(url: string, opts: { unpack?: boolean } = {}) {
  return `
const fs = require('fs'); const path = require('path');
fs.writeFileSync(path.join(__dirname, 'installer-env'), JSON.stringify({ noProgress: process.env.ELECTRON_GET_NO_PROGRESS ?? null }));
(async () => {
  const response = await fetch(${JSON.stringify(url)});
  if (!response.ok) throw new Error('HTTP ' + response.status);
  fs.writeFileSync(path.join(__dirname, 'downloaded.zip'), Buffer.from(await response.arrayBuffer()));
  if (${opts.unpack !== false}) {
    fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), '#!/bin/sh\\necho "launched $1 runAsNode=\${ELECTRON_RUN_AS_NODE:-unset}"\\nexit 3\\n', { mode: 0o755 });
    fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');
  }
})().catch((err) => { console.error(err.stack); process.exit(1); });
`;
}

async function serveZip(body: Buffer): Promise<string> {
  server = http.createServer((req, res) => {
    if (req.url !== `/${ZIP}`) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/zip' });
    // In pieces, as a real download arrives.
    let at = 0;
    const next = () => {
      if (at >= body.length) return void res.end();
      res.write(body.subarray(at, (at += 64 * 1024)), next);
    };
    next();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/${ZIP}`;
}

/** A URL where nothing listens (a port just closed). */
async function closedUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return `http://127.0.0.1:${port}/${ZIP}`;
}

function start(env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { ELECTRON_OVERRIDE_DIST_PATH: _override, ELECTRON_GET_NO_PROGRESS: _np, ...base } = process.env;
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: ROOT,
    env: { ...base, SWITCHBOARD_ELECTRON_DIR: dir, SWITCHBOARD_START_SKIP_BUILD: '1', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

const paragraph = (text: string) => text.trimEnd().split('\n').at(-1)!;

describe.skipIf(process.platform === 'win32')('npm start without the Electron binary', () => {
  it("fetches it with Electron's installer, showing the download's progress, then launches it", async () => {
    const body = Buffer.alloc(300 * 1024, 7);
    await writeFile(path.join(dir, 'install.js'), installer(await serveZip(body)));
    const run = await start({ ELECTRON_RUN_AS_NODE: '1' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Downloading ${ZIP}: 0% of 0.3 MB`);
    expect(lines).toContain(`Downloading ${ZIP}: 100% of 0.3 MB`);
    expect(lines.filter((l) => l.startsWith('Downloading')).length).toBeGreaterThan(2);
    expect(lines.at(-1)).toBe(`launched ${ROOT} runAsNode=unset`);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('Electron 45.4.1 is not installed yet (it was never downloaded); fetching it with its own installer');
    expect(run.stderr).toContain('Electron 45.4.1 installed.');
    // The hook counts the bytes without changing them; @electron/get's own late bar is off.
    expect((await readFile(path.join(dir, 'downloaded.zip'))).equals(body)).toBe(true);
    expect(JSON.parse(await readFile(path.join(dir, 'installer-env'), 'utf8'))).toEqual({ noProgress: '1' });
    expect(existsSync(marker)).toBe(false);
  });

  it("prints today's paragraph after the installer's own output when the download fails, and exits 1", async () => {
    const url = await closedUrl();
    await writeFile(path.join(dir, 'install.js'), installer(url));
    const run = await start();
    expect(run.status).toBe(1);
    // The real cause, not just "fetch failed".
    expect(run.stderr).toMatch(new RegExp(`Could not download ${url.replace(/[.?]/g, '\\$&')}: connect ECONNREFUSED`));
    const last = paragraph(run.stderr);
    expect(last).toContain(
      "the Electron binary it runs on is not installed (Electron's installer failed (exit code 1; its output is above))",
    );
    expect(last).toContain('"npm run gateway"');
    expect(run.stdout).toBe('');
    expect(existsSync(marker)).toBe(false);
  });

  it('says so when the installer succeeds but leaves no binary', async () => {
    await writeFile(path.join(dir, 'install.js'), installer(await serveZip(Buffer.alloc(10)), { unpack: false }));
    const run = await start();
    expect(run.status).toBe(1);
    expect(paragraph(run.stderr)).toContain("not installed (Electron's installer finished but it was never downloaded)");
  });

  it('names a binary that path.txt points to but that is gone, and tries the installer', async () => {
    await writeFile(path.join(dir, 'path.txt'), 'electron');
    await writeFile(path.join(dir, 'install.js'), 'process.exit(2)');
    const run = await start();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/not installed yet \(.*dist[\\/]electron is missing\)/);
    expect(paragraph(run.stderr)).toContain("Electron's installer failed (exit code 2; its output is above)");
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like electron itself does, without running the installer', async () => {
    await writeFile(path.join(dir, 'install.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes')`);
    const run = await start({ ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'nowhere') });
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('ELECTRON_OVERRIDE_DIST_PATH has no electron');
    expect(existsSync(marker)).toBe(false);
  });

  it('says so when the electron package itself is absent', async () => {
    const run = await start({ SWITCHBOARD_ELECTRON_DIR: path.join(dir, 'missing') });
    expect(run.status).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('the "electron" package is not installed');
    expect(run.stderr).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
    expect(run.stderr).not.toMatch(/\n\s+at |Error:/);
  });
});

describe.skipIf(process.platform === 'win32')('npm start with the Electron binary', () => {
  it('launches it on the app folder and exits with its status, without the installer', async () => {
    await writeFile(path.join(dir, 'install.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes')`);
    await writeFile(path.join(dir, 'path.txt'), 'electron');
    await mkdir(path.join(dir, 'dist'));
    const fake = path.join(dir, 'dist', 'electron');
    await writeFile(fake, `#!/bin/sh\necho "launched $1 runAsNode=\${ELECTRON_RUN_AS_NODE:-unset}"\nexit 3\n`);
    await chmod(fake, 0o755);
    const run = await start({ ELECTRON_RUN_AS_NODE: '1' });
    expect(run.stdout.trim()).toBe(`launched ${ROOT} runAsNode=unset`);
    expect(run.status).toBe(3);
    expect(existsSync(marker)).toBe(false);
  });
});
