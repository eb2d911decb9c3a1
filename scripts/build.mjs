#!/usr/bin/env node
// `npm run build`: bundles the main-process code (CLI + gateway) into dist/ with esbuild, so a
// packaged app runs without tsx. The renderer and Electron entry points join as they are built.
// `--bench` also bundles the benchmarks into dist/bench/ with the same options, so `npm run bench`
// measures the code as it ships (tsx's transform keeps function names, which costs time per closure).
import { build } from 'esbuild';
import { mkdir } from 'node:fs/promises';

const bench = process.argv.includes('--bench')
  ? {
      'bench/run': 'bench/run.ts',
      'bench/peer-server': 'bench/peer-server.ts',
      'bench/telegram-peer-server': 'bench/telegram-peer-server.ts',
      'bench/route-child': 'bench/route-child.ts',
    }
  : {};
await mkdir('dist', { recursive: true });
await build({
  entryPoints: { cli: 'src-main/cli/entry.ts', ...bench },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22.12',
  packages: 'external',
  sourcemap: true,
  outExtension: { '.js': '.mjs' },
  logLevel: process.argv.includes('--quiet') ? 'warning' : 'info',
});
