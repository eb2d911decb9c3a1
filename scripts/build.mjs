#!/usr/bin/env node
// `npm run build`: bundles the main-process code (CLI + gateway) into dist/ with esbuild, so a
// packaged app runs without tsx. The renderer and Electron entry points join as they are built.
import { build } from 'esbuild';
import { mkdir } from 'node:fs/promises';

await mkdir('dist', { recursive: true });
await build({
  entryPoints: { cli: 'src-main/cli/entry.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  packages: 'external',
  sourcemap: true,
  outExtension: { '.js': '.mjs' },
  logLevel: process.argv.includes('--quiet') ? 'warning' : 'info',
});
