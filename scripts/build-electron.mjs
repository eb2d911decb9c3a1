#!/usr/bin/env node
// Bundles the desktop shell for Electron with esbuild:
// - dist/electron/main.mjs: the main process (ESM; Electron ≥ 28 loads it natively). Packages stay
//   external — they are resolved from node_modules at run time, as electron-builder packs them
//   (keytar's native module unpacked from the asar, channel libraries loaded lazily).
// - dist/electron/preload.cjs: the preload. Sandboxed preloads must be CommonJS and may require
//   nothing but `electron` (and a few polyfilled modules), so it is a fully self-contained bundle;
//   the build fails if anything else slipped in.
import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'dist', 'electron');
const quiet = process.argv.includes('--quiet');
const logLevel = quiet ? 'warning' : 'info';

await mkdir(outdir, { recursive: true });
await Promise.all([
  build({
    entryPoints: [path.join(root, 'src-main/electron/main.ts')],
    outfile: path.join(outdir, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    external: ['electron'],
    sourcemap: true,
    logLevel,
  }),
  build({
    entryPoints: [path.join(root, 'src-main/electron/preload.ts')],
    outfile: path.join(outdir, 'preload.cjs'),
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
    sourcemap: true,
    logLevel,
  }),
]);

const preload = await readFile(path.join(outdir, 'preload.cjs'), 'utf8');
const required = [...preload.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
const foreign = required.filter((name) => name !== 'electron');
if (foreign.length > 0) {
  process.stderr.write(`preload.cjs requires ${foreign.join(', ')}: a sandboxed preload can only require "electron"\n`);
  process.exit(1);
}
