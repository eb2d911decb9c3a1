// `$include` (OpenClaw's form): `{ "$include": "./agents.json5" }` or a list of files merged in
// order, with sibling keys merged over the included object. Pure: reading a file (and keeping it
// inside the config's folder) is the caller's `read`; this walks, merges and remembers which file
// each part came from so that an error is reported at that file's line:column.
import { Json5SyntaxError, parseJson5, type Json5Document, type LocatedPos } from '../json5/index.ts';
import type { ConfigIssue, JsonPath } from './issues.ts';

export const INCLUDE_KEY = '$include';
export const MAX_INCLUDE_DEPTH = 10;

export interface IncludeSource {
  /** The file's real path: what cycles are detected on and what issues name. */
  file: string;
  text: string;
}

/** Resolves `includePath` as written in `fromFile`; an error string (missing, outside the folder) otherwise. */
export type IncludeReader = (fromFile: string, includePath: string) => IncludeSource | { error: string };

/** A part of the merged config and the document it was written in. */
export interface IncludeOrigin {
  prefix: JsonPath;
  doc: Json5Document;
  docPrefix: JsonPath;
  file: string;
}

export interface ResolvedIncludes {
  value: unknown;
  origins: IncludeOrigin[];
  issues: ConfigIssue[];
  /** Every file read (besides the main one), for watchers. */
  files: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** OpenClaw's merge: arrays concatenate, objects merge key by key, anything else: the later wins. */
export function deepMerge(target: unknown, source: unknown): unknown {
  if (Array.isArray(target) && Array.isArray(source)) return [...target, ...source];
  if (isObject(target) && isObject(source)) {
    const result: Record<string, unknown> = { ...target };
    for (const [k, v] of Object.entries(source)) result[k] = k in result ? deepMerge(result[k], v) : v;
    return result;
  }
  return source;
}

/** Short name for an include chain: the path relative to the main file's folder when inside it. */
function shortName(file: string, root: string): string {
  const dir = root.replace(/[^/\\]*$/, '');
  return file.startsWith(dir) ? file.slice(dir.length) : file;
}

export function resolveIncludes(mainDoc: Json5Document, mainFile: string, read: IncludeReader): ResolvedIncludes {
  const origins: IncludeOrigin[] = [{ prefix: [], doc: mainDoc, docPrefix: [], file: mainFile }];
  const issues: ConfigIssue[] = [];
  const files = new Set<string>();
  const fail = (doc: Json5Document, file: string, at: JsonPath, message: string, code = 'include') => {
    const pos = doc.locate(at);
    issues.push({ severity: 'error', code, message, path: [], file, ...(pos ? { line: pos.line, column: pos.column } : {}) });
  };

  // `chain`: the files from the main one to the one being walked (for cycles and messages).
  const walk = (node: unknown, path: JsonPath, doc: Json5Document, docPath: JsonPath, chain: string[]): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i], doc, [...docPath, i], chain));
    if (!isObject(node)) return node;
    if (!(INCLUDE_KEY in node)) {
      const result: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) result[k] = walk(v, [...path, k], doc, [...docPath, k], chain);
      return result;
    }
    const from = chain[chain.length - 1]!;
    const spec = node[INCLUDE_KEY];
    const specPath = [...docPath, INCLUDE_KEY];
    const list = typeof spec === 'string' ? [spec] : Array.isArray(spec) && spec.every((s) => typeof s === 'string') ? spec : undefined;
    if (!list) {
      fail(doc, from, specPath, `${INCLUDE_KEY} takes a file name or a list of file names (relative to ${shortName(from, mainFile)})`);
      return undefined;
    }
    let included: unknown = list.length > 0 ? undefined : {};
    list.forEach((name, i) => {
      const at = typeof spec === 'string' ? specPath : [...specPath, i];
      const loaded = load(name, path, doc, at, chain);
      included = included === undefined ? loaded : deepMerge(included, loaded);
    });
    const siblings = Object.keys(node).filter((k) => k !== INCLUDE_KEY);
    if (siblings.length === 0) return included;
    const rest: Record<string, unknown> = {};
    for (const k of siblings) rest[k] = walk(node[k], [...path, k], doc, [...docPath, k], chain);
    if (included !== undefined && !isObject(included)) {
      fail(doc, from, specPath, `keys beside ${INCLUDE_KEY} need the included file to hold an object`);
      return rest;
    }
    return deepMerge(included ?? {}, rest);
  };

  const load = (name: string, path: JsonPath, doc: Json5Document, at: JsonPath, chain: string[]): unknown => {
    const from = chain[chain.length - 1]!;
    const names = (extra?: string) => [...chain, ...(extra ? [extra] : [])].map((f) => shortName(f, mainFile)).join(' → ');
    if (chain.length > MAX_INCLUDE_DEPTH) {
      fail(doc, from, at, `includes nest deeper than ${MAX_INCLUDE_DEPTH} files: ${names()} → ${name}`);
      return undefined;
    }
    const source = read(from, name);
    if ('error' in source) {
      fail(doc, from, at, `cannot include "${name}": ${source.error} (include chain: ${names()} → ${name})`);
      return undefined;
    }
    if (chain.includes(source.file)) {
      fail(doc, from, at, `include cycle: ${names(source.file)}`, 'include_cycle');
      return undefined;
    }
    files.add(source.file);
    let included: Json5Document;
    try {
      included = parseJson5(source.text);
    } catch (err) {
      if (!(err instanceof Json5SyntaxError)) throw err;
      issues.push({
        severity: 'error',
        code: 'syntax',
        message: `${err.message} (included via ${names(source.file)})`,
        path: err.path ?? [],
        file: source.file,
        line: err.line,
        column: err.column,
      });
      return undefined;
    }
    origins.push({ prefix: path, doc: included, docPrefix: [], file: source.file });
    return walk(included.value, path, included, [], [...chain, source.file]);
  };

  const value = walk(mainDoc.value, [], mainDoc, [], [mainFile]);
  return { value, origins, issues, files: [...files] };
}

/** Where a merged-config path was written: the deepest include holding it exactly, else the nearest ancestor. */
export function locateIn(
  origins: readonly IncludeOrigin[],
  path: JsonPath,
  key: boolean,
): { file: string; pos: LocatedPos | undefined } | undefined {
  const candidates = origins
    .filter((o) => o.prefix.length <= path.length && o.prefix.every((seg, i) => String(seg) === String(path[i])))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  let fallback: { file: string; pos: LocatedPos | undefined } | undefined;
  for (const o of candidates) {
    const inner = [...o.docPrefix, ...path.slice(o.prefix.length)];
    const pos = key ? (o.doc.locateKey(inner) ?? o.doc.locate(inner)) : o.doc.locate(inner);
    if (pos?.exact) return { file: o.file, pos };
    fallback ??= { file: o.file, pos };
  }
  return fallback;
}

/** What one `$include` site of the main file brings in (its files merged, siblings not yet applied). */
export interface IncludeSite {
  path: JsonPath;
  value: unknown;
}

/** The `$include` sites of a config as written, outermost first (nested ones live in the included files). */
export function findIncludeSites(raw: unknown, at: JsonPath = []): { path: JsonPath; spec: unknown }[] {
  if (Array.isArray(raw)) return raw.flatMap((item, i) => findIncludeSites(item, [...at, i]));
  if (!isObject(raw)) return [];
  if (INCLUDE_KEY in raw) return [{ path: at, spec: raw[INCLUDE_KEY] }];
  return Object.entries(raw).flatMap(([k, v]) => findIncludeSites(v, [...at, k]));
}

/**
 * The config a draft stands for, with each known include site replaced by what it brings in and
 * the draft's sibling keys merged over it — what the dashboard checks before it saves, since the
 * renderer cannot read the included files itself. Sites not in `sites` stay as written.
 */
export function expandIncludes(raw: unknown, sites: readonly IncludeSite[], at: JsonPath = []): unknown {
  if (sites.length === 0) return raw;
  if (Array.isArray(raw)) return raw.map((item, i) => expandIncludes(item, sites, [...at, i]));
  if (!isObject(raw)) return raw;
  const key = JSON.stringify(at);
  const site = INCLUDE_KEY in raw ? sites.find((s) => JSON.stringify(s.path) === key) : undefined;
  if (!site) {
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) result[k] = expandIncludes(v, sites, [...at, k]);
    return result;
  }
  const siblings = Object.keys(raw).filter((k) => k !== INCLUDE_KEY);
  if (siblings.length === 0) return structuredClone(site.value);
  const rest: Record<string, unknown> = {};
  for (const k of siblings) rest[k] = expandIncludes(raw[k], sites, [...at, k]);
  return deepMerge(structuredClone(site.value ?? {}), rest);
}
