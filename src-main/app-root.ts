// The folder holding Switchboard's package.json, found by walking up from this module: the same
// answer from the sources (src-main/…) and from the bundle (dist/cli.mjs).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

export function appRoot(): string {
  if (cached) return cached;
  let dir = import.meta.dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'switchboard') return (cached = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find Switchboard's package.json above ${import.meta.dirname}`);
    dir = up;
  }
}
