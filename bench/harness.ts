// Shared bench plumbing: figures print as text, or with --json as one object per line
// `{"bench", "params", "value", "unit"}` (plus `"target"` and, in a full run, `"met"` where the
// figure has a target) so later benches can add theirs in the same form.
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

/** A target as the benches write it (`<= 10 ms`, `>= 2,000`, `< 100 ms`, `<= 0.2%`): comparison and limit. */
export function parseTarget(target: string): { op: '<=' | '>=' | '<' | '>'; limit: number } {
  const m = /^(<=|>=|<|>)\s*([\d,]*\.?\d+)/.exec(target.trim());
  if (!m) throw new Error(`bench target "${target}" is not of the form "<= N unit" or ">= N unit"`);
  return { op: m[1] as '<=' | '>=' | '<' | '>', limit: Number(m[2]!.replace(/,/g, '')) };
}

export function meetsTarget(value: number, target: string): boolean {
  const { op, limit } = parseTarget(target);
  return op === '<=' ? value <= limit : op === '>=' ? value >= limit : op === '<' ? value < limit : value > limit;
}

/**
 * Prints one figure, with its target if it has one. Targets are checked only in a full run: the
 * smoke run's sizes and windows are not the conditions a target is stated for.
 */
export function report(opts: BenchOptions, figure: Figure, target?: string): void {
  const met = target === undefined || opts.smoke ? undefined : meetsTarget(figure.value, target);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...figure, ...(target ? { target } : {}), ...(met !== undefined ? { met } : {}) })}\n`);
    return;
  }
  const params = Object.entries(figure.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const value = figure.value >= 1000 ? Math.round(figure.value).toLocaleString('en-US') : figure.value.toFixed(figure.value < 10 ? 2 : 1);
  const verdict = target === undefined ? '' : `   (target ${target}${met === undefined ? ', full run only' : met ? ': met' : ': MISSED'})`;
  process.stdout.write(`${figure.bench.padEnd(20)} ${params.padEnd(48)} ${value.padStart(14)} ${figure.unit}${verdict}\n`);
}

export function now(): number {
  return performance.now();
}
