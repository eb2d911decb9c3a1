#!/usr/bin/env node
// `npm start`: launch the desktop app. Where the Electron binary is missing (offline installs,
// ELECTRON_SKIP_BINARY_DOWNLOAD, build machines) say so plainly and offer the headless gateway.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    // The `electron` package exports the path of its downloaded binary, and throws if it is absent.
    return require('electron');
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
if (typeof binary !== 'string') {
  process.stderr.write(`Switchboard's desktop shell needs the Electron binary, which is not installed on this machine
(it is downloaded when "npm install" can reach Electron's release servers; it is skipped offline or with
ELECTRON_SKIP_BINARY_DOWNLOAD). Everything else works without it: run "npm run gateway" to start the
gateway headless and open the dashboard address it prints in your browser.
`);
  process.exit(1);
}
const result = spawnSync(binary, ['.'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
