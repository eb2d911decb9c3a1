#!/usr/bin/env node
// `npm start`: build the desktop shell (main + preload, and the dashboard when its build script
// exists) and launch Electron on it. Where the Electron binary is missing (offline installs,
// ELECTRON_SKIP_BINARY_DOWNLOAD, build machines) run Electron's own installer (its install.js,
// with our download progress) and launch what it fetched; only where that fails say so in one
// paragraph and point at the headless gateway. Never `require('electron')`: its index.js would
// download silently, without progress, on the first require.
//
// Testing hooks: SWITCHBOARD_ELECTRON_DIR points at another `electron` package folder (its
// install.js is the installer that runs); SWITCHBOARD_START_SKIP_BUILD=1 skips the builds.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Where node_modules/electron/index.js would find the binary, without its download fall-back:
 * path.txt names the executable inside dist/ (or inside $ELECTRON_OVERRIDE_DIST_PATH).
 */
export function findElectronBinary(electronDir, env = process.env) {
  if (!electronDir || !existsSync(path.join(electronDir, 'package.json'))) {
    return { ok: false, why: 'the "electron" package is not installed' };
  }
  const pathFile = path.join(electronDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, executable || 'electron');
    return existsSync(binary) ? { ok: true, binary } : { ok: false, why: `ELECTRON_OVERRIDE_DIST_PATH has no ${executable || 'electron'}` };
  }
  const installable = existsSync(path.join(electronDir, 'install.js'));
  if (!executable) return { ok: false, why: 'it was never downloaded', installable };
  const binary = path.join(electronDir, 'dist', executable);
  return existsSync(binary) ? { ok: true, binary } : { ok: false, why: `${path.relative(ROOT, binary) || binary} is missing`, installable };
}

/**
 * Runs the electron package's own install.js (downloads through @electron/get into its cache,
 * checks the sha256 against checksums.json, unzips into dist/, writes path.txt) with the
 * progress hook loaded, its output shown as it comes. Resolves with its exit code.
 */
export async function runElectronInstaller(electronDir, env = process.env) {
  const hook = pathToFileURL(path.join(ROOT, 'scripts', 'electron-install-progress.mjs')).href;
  // The hook shows progress from the first byte; @electron/get's own bar (after 30 s) would draw over it.
  const child = spawn(process.execPath, ['--import', hook, path.join(electronDir, 'install.js')], {
    cwd: electronDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...env, ELECTRON_GET_NO_PROGRESS: '1' },
  });
  const [code, signal] = await new Promise((resolve) => {
    child.on('error', (err) => resolve([err, null]));
    child.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  if (code instanceof Error) return { ok: false, why: `its installer could not be started: ${code.message}` };
  if (code === 0) return { ok: true };
  return { ok: false, why: `Electron's installer failed (${signal ? `signal ${signal}` : `exit code ${code}`}; its output is above)` };
}

/** The binary, fetched first by Electron's installer when it is missing and the package is there. */
export async function ensureElectronBinary(electronDir, env = process.env, write = (line) => process.stderr.write(line)) {
  const found = findElectronBinary(electronDir, env);
  // Nothing to install into without the package; ELECTRON_OVERRIDE_DIST_PATH names a binary the user provides.
  if (found.ok || !found.installable) return found;
  const version = JSON.parse(readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version ?? '';
  write(
    `Electron ${version} is not installed yet (${found.why}); fetching it with its own installer (${path.join(path.relative(ROOT, electronDir) || electronDir, 'install.js')})…\n`,
  );
  const installed = await runElectronInstaller(electronDir, env);
  if (!installed.ok) return { ok: false, why: installed.why };
  const after = findElectronBinary(electronDir, env);
  if (!after.ok) return { ok: false, why: `Electron's installer finished but ${after.why}` };
  write(`Electron ${version} installed.\n`);
  return after;
}

export function missingElectronMessage(why) {
  return `Switchboard's desktop app cannot start here: the Electron binary it runs on is not installed (${why}). npm does not download it offline or when ELECTRON_SKIP_BINARY_DOWNLOAD is set; on a machine with internet access, "node node_modules/electron/install.js" (or a fresh "npm install") fetches it. Everything but the tray and its window works without it: "npm run gateway" runs the same gateway headless and prints the dashboard address to open in your browser.\n`;
}

function electronDir(env) {
  if (env.SWITCHBOARD_ELECTRON_DIR) return path.resolve(env.SWITCHBOARD_ELECTRON_DIR);
  try {
    // Resolving package.json reads no code: index.js (the downloader) is never evaluated.
    return path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

function run(script, args = []) {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', script), ...args], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function main() {
  const env = process.env;
  const found = await ensureElectronBinary(electronDir(env), env);
  if (!found.ok) {
    process.stderr.write(missingElectronMessage(found.why));
    process.exit(1);
  }
  if (env.SWITCHBOARD_START_SKIP_BUILD !== '1') {
    run('build-electron.mjs', ['--quiet']);
    if (existsSync(path.join(ROOT, 'scripts', 'build-renderer.mjs'))) run('build-renderer.mjs', ['--quiet']);
  }
  // ELECTRON_RUN_AS_NODE would turn the app into a plain Node process.
  const { ELECTRON_RUN_AS_NODE: _asNode, ...childEnv } = env;
  const child = spawn(found.binary, [ROOT, ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit', env: childEnv });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    process.stderr.write(`could not launch Electron (${found.binary}): ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
