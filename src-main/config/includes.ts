// The file side of `$include` (docs/config.md#include): reading an included file relative to the
// file that names it, never outside the main config's folder (real paths, so a symlink cannot
// lead out), and spotting edits that would rewrite an include site.
import fs from 'node:fs';
import path from 'node:path';
import { INCLUDE_KEY, findIncludeSites, resolveIncludes, type IncludeReader, type IncludeSite } from '../../src-shared/config/index.ts';
import { parseJson5 } from '../../src-shared/json5/index.ts';

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** A reader for the config at `configPath`: includes resolve against the including file's folder. */
export function includeReader(configPath: string): IncludeReader {
  const root = realOrSelf(path.dirname(configPath));
  return (fromFile, includePath) => {
    const target = path.resolve(path.dirname(fromFile), includePath);
    let real: string;
    try {
      real = fs.realpathSync(target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { error: code === 'ENOENT' ? `no such file (${target})` : `cannot read ${target} (${code ?? String(err)})` };
    }
    if (!inside(root, real))
      return { error: `${target} is outside the config's folder ${root} (real path ${real}); included files must live beside the config` };
    try {
      return { file: real, text: fs.readFileSync(real, 'utf8') };
    } catch (err) {
      return { error: `cannot read ${real} (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
    }
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Include sites in `before` (the file as written) that `after` changes or drops, with the files they name. */
export function changedIncludes(before: unknown, after: unknown, at: string[] = []): { path: string; files: string }[] {
  if (typeof before !== 'object' || before === null) return [];
  const here = before as Record<string, unknown>;
  if (!Array.isArray(before) && INCLUDE_KEY in here) {
    if (sameJson(before, after)) return [];
    const spec = here[INCLUDE_KEY];
    return [{ path: at.join('.'), files: Array.isArray(spec) ? spec.join(', ') : String(spec) }];
  }
  const next = (typeof after === 'object' && after !== null ? after : {}) as Record<string, unknown>;
  return Object.keys(here).flatMap((k) => changedIncludes(here[k], next[k], [...at, k]));
}

/**
 * What each `$include` site of the main file brings in, for a dashboard that checks drafts of the
 * main file alone. A site that fails to resolve is left out (config.get reports its error anyway).
 */
export function includeSiteValues(configPath: string, raw: unknown): IncludeSite[] {
  const read = includeReader(configPath);
  const sites: IncludeSite[] = [];
  for (const site of findIncludeSites(raw)) {
    const resolved = resolveIncludes(parseJson5(JSON.stringify({ [INCLUDE_KEY]: site.spec })), configPath, read);
    if (resolved.issues.some((i) => i.severity === 'error')) continue;
    sites.push({ path: site.path, value: resolved.value });
  }
  return sites;
}
