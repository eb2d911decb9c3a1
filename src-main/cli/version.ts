// The package version, read once from package.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { appRoot } from '../app-root.ts';

let cached: string | undefined;

export function version(): string {
  cached ??= (JSON.parse(readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
