// Shared bench plumbing: figures print as text, or with --json as one object per line
// `{"bench", "params", "value", "unit"}` so later benches can add theirs in the same form.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(import.meta.url);

/** The project folder: the nearest one up with a package.json (bench/ under tsx, dist/bench/ bundled). */
export const ROOT = ((): string => {
  for (let dir = path.dirname(HERE); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${HERE}`);
  }
})();

/**
 * Node's arguments for another bench entry point (bench/<name>.ts), run the way this one runs:
 * its bundle next to this one (`npm run bench`), or the source through tsx.
 */
export function benchEntry(name: string): string[] {
  return HERE.endsWith('.ts')
    ? ['--import', 'tsx', path.join(path.dirname(HERE), `${name}.ts`)]
    : [path.join(path.dirname(HERE), `${name}.mjs`)];
}
export interface Figure {
  bench: string;
  params: Record<string, string | number>;
  value: number;
  unit: string;
}

export interface BenchOptions {
  json: boolean;
  /** CI smoke run: small sizes, same code paths. */
  smoke: boolean;
  only?: string;
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const onlyAt = argv.indexOf('--only');
  return {
    json: argv.includes('--json'),
    smoke: argv.includes('--smoke'),
    ...(onlyAt >= 0 && argv[onlyAt + 1] ? { only: argv[onlyAt + 1]! } : {}),
  };
}

export function report(opts: BenchOptions, figure: Figure, target?: string): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(figure)}\n`);
    return;
  }
  const params = Object.entries(figure.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const value = figure.value >= 1000 ? Math.round(figure.value).toLocaleString('en-US') : figure.value.toFixed(figure.value < 10 ? 2 : 1);
  process.stdout.write(
    `${figure.bench.padEnd(20)} ${params.padEnd(48)} ${value.padStart(14)} ${figure.unit}${target ? `   (target ${target})` : ''}\n`,
  );
}

export function now(): number {
  return performance.now();
}
