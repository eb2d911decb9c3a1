// The dashboard stays lean (docs/dashboard.md, "Bundle size"): a production build of the renderer
// ships at most 250 kB of JavaScript and CSS after gzip. The build goes to a temporary folder, so
// it never races the e2e suites over dist/renderer.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BUDGET_GZIP_BYTES = 250 * 1000;

describe('dashboard bundle size', () => {
  let outDir: string | undefined;
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('ships at most 250 kB of JS + CSS after gzip', { timeout: 120_000 }, async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'sb-bundle-'));
    // As scripts/build-renderer.mjs: under the test runner NODE_ENV is "test", which would bundle
    // React's development build and measure the wrong thing.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({
        configFile: path.join(ROOT, 'vite.renderer.config.ts'),
        mode: 'production',
        logLevel: 'error',
        build: { outDir, emptyOutDir: true, sourcemap: false },
      });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    const assets = (await readdir(path.join(outDir, 'assets'))).filter((f) => /\.(js|css)$/.test(f));
    expect(assets.some((f) => f.endsWith('.js'))).toBe(true);
    expect(assets.some((f) => f.endsWith('.css'))).toBe(true);
    const sizes = await Promise.all(
      assets.map(async (f) => ({ file: f, gzip: gzipSync(await readFile(path.join(outDir!, 'assets', f))).length })),
    );
    const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
    expect(total, `gzip sizes: ${sizes.map((s) => `${s.file} ${(s.gzip / 1000).toFixed(1)} kB`).join(', ')}`).toBeLessThanOrEqual(
      BUDGET_GZIP_BYTES,
    );
  });
});
