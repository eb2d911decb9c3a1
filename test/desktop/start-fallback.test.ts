// `npm start` (scripts/start.mjs) run as a real process against fake `electron` package folders:
// a missing binary gives one clear paragraph and the headless alternative, without ever running
// electron's downloader; a present binary is launched on the app.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let marker: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-start-'));
  marker = path.join(dir, 'download-attempted');
  // Like node_modules/electron: package.json, an install.js that would download, no binary yet.
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '45.4.1', main: 'index.js' }));
  await writeFile(path.join(dir, 'install.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes')`);
  await writeFile(path.join(dir, 'index.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes'); module.exports = 'x'`);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(env: NodeJS.ProcessEnv = {}) {
  const { ELECTRON_OVERRIDE_DIST_PATH: _override, ...base } = process.env;
  return spawnSync(process.execPath, ['scripts/start.mjs'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...base, SWITCHBOARD_ELECTRON_DIR: dir, SWITCHBOARD_START_SKIP_BUILD: '1', ...env },
  });
}

describe('npm start without the Electron binary', () => {
  it('prints one paragraph that says what is missing and offers npm run gateway, and exits 1', () => {
    const run = start();
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const text = run.stderr;
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(text).toContain('the Electron binary it runs on is not installed (it was never downloaded)');
    expect(text).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
    expect(text).toContain('"npm run gateway"');
    expect(text).not.toMatch(/\n\s+at |Error:/);
  });

  it("never runs electron's index.js or its downloader", () => {
    start();
    expect(existsSync(marker)).toBe(false);
  });

  it('names a binary that path.txt points to but that is gone', async () => {
    await writeFile(path.join(dir, 'path.txt'), 'electron');
    const run = start();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/not installed \(.*dist[\\/]electron is missing\)/);
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like electron itself does', async () => {
    const run = start({ ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'nowhere') });
    expect(run.stderr).toContain('ELECTRON_OVERRIDE_DIST_PATH has no electron');
  });

  it('says so when the electron package itself is absent', () => {
    const run = start({ SWITCHBOARD_ELECTRON_DIR: path.join(dir, 'missing') });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the "electron" package is not installed');
  });
});

describe.skipIf(process.platform === 'win32')('npm start with the Electron binary', () => {
  it('launches it on the app folder and exits with its status', async () => {
    await writeFile(path.join(dir, 'path.txt'), 'electron');
    await mkdir(path.join(dir, 'dist'));
    const fake = path.join(dir, 'dist', 'electron');
    await writeFile(fake, `#!/bin/sh\necho "launched $1 runAsNode=\${ELECTRON_RUN_AS_NODE:-unset}"\nexit 3\n`);
    await chmod(fake, 0o755);
    const run = start({ ELECTRON_RUN_AS_NODE: '1' });
    expect(run.stdout.trim()).toBe(`launched ${ROOT} runAsNode=unset`);
    expect(run.status).toBe(3);
  });
});
