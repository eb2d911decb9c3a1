// The config checker: JSON5 text → canonical config plus every error and warning, each with its
// config path and, when the text is known, line:column. Pure: the file system checks (real
// paths of workspaces) are added by src-main's loader.
import { Json5SyntaxError, parseJson5, type Json5Document } from '../json5/index.ts';
import { convertArgentos, mapPath } from './argentos.ts';
import { IssueCollector } from './collector.ts';
import { substituteEnv, type Env } from './env-subst.ts';
import { locateIn, resolveIncludes, type IncludeOrigin, type IncludeReader } from './includes.ts';
import type { ConfigIssue } from './issues.ts';
import { normalizeConfig } from './normalize.ts';
import { rawConfigSchema, type RawConfig } from './schema.ts';
import type { SwitchboardConfig } from './types.ts';
import { validateConfig } from './validate.ts';

export interface ConfigCheck {
  ok: boolean;
  /** Present when there are no errors. */
  config?: SwitchboardConfig;
  /** The parsed file as written (before normalisation); editors change this and write it back. */
  raw?: unknown;
  issues: ConfigIssue[];
  /** The file used the ArgentOS `agents: { <id>: {...} }` map form. */
  argentos: boolean;
  /** Files pulled in by `$include` (real paths), besides the main one. */
  includedFiles?: string[];
}

function deletePath(root: unknown, path: (string | number)[]): boolean {
  if (path.length === 0) return false;
  let node = root as Record<string | number, unknown> | undefined;
  for (const part of path.slice(0, -1)) {
    node = node?.[part] as Record<string | number, unknown> | undefined;
    if (typeof node !== 'object' || node === null) return false;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else if (node && last in node) delete node[last];
  else return false;
  return true;
}

/**
 * Schema check. On failure the offending parts are dropped from a copy and the check repeats, so
 * the rules after it still run on the rest and the user sees every error at once.
 */
function schemaIssues(value: unknown, out: IssueCollector): RawConfig | undefined {
  let current = value;
  let copied = false;
  const seen = new Set<string>();
  for (let round = 0; round < 50; round++) {
    const parsed = rawConfigSchema.safeParse(current);
    if (parsed.success) return parsed.data;
    if (!copied) {
      current = structuredClone(current);
      copied = true;
    }
    let progressed = false;
    // Delete deepest paths first so array indices of earlier issues stay valid.
    const issues = [...parsed.error.issues].sort((a, b) => b.path.length - a.path.length);
    for (const issue of issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const at = key === undefined ? path : [...path, key];
        const id = `${JSON.stringify(at)}|${issue.message}`;
        if (!seen.has(id)) {
          seen.add(id);
          const code =
            issue.code === 'unrecognized_keys'
              ? path.length === 1 && path[0] === 'channels'
                ? 'unknown_channel'
                : 'unknown_key'
              : 'schema';
          out.error(
            issue.code === 'unrecognized_keys' && keys.length === 1 ? at : issue.code === 'unrecognized_keys' ? path : at,
            code,
            issue.message,
          );
        }
        if (deletePath(current, at)) progressed = true;
      }
      if (issue.code === 'unrecognized_keys' && keys.length > 1) continue;
    }
    if (!progressed) return undefined;
  }
  return undefined;
}

/** Checks an already-parsed value (e.g. a config sent by the dashboard). */
export function checkConfigValue(value: unknown, doc?: Json5Document, file?: string): ConfigCheck {
  return checkResolved(value, value, (issue) => locateIssue(issue, doc, file));
}

/**
 * `value`: the config after includes and `${VAR}`s; `raw`: the main file as written, which is what
 * editors change and write back (so a `${VAR}` or an `$include` stays in the file).
 */
function checkResolved(
  value: unknown,
  raw: unknown,
  locate: (issue: ConfigIssue) => ConfigIssue,
  out = new IssueCollector(),
  envPaths?: Set<string>,
): ConfigCheck {
  const { raw: converted, map, converted: argentos } = convertArgentos(value ?? {});
  const parsed = schemaIssues(converted, out);
  let config: SwitchboardConfig | undefined;
  // A dropped required field (e.g. an agent without id) can leave nothing valid to normalise.
  if (parsed) {
    config = normalizeConfig(parsed, out);
    const indexById = new Map<string, number>();
    (parsed.agents?.list ?? []).forEach((a, i) => {
      const id = a.id.trim().toLowerCase();
      if (!indexById.has(id)) indexById.set(id, i);
    });
    validateConfig(config, out, indexById);
  }
  const issues = out.issues
    .map((issue) => ({ ...issue, path: mapPath(issue.path, map) }))
    // A secret written as `${VAR}` lives in the environment, not in the file.
    .filter((issue) => !(issue.code === 'plaintext_secret' && envPaths?.has(JSON.stringify(issue.path))))
    .map(locate);
  const ok = !issues.some((i) => i.severity === 'error');
  return { ok, ...(ok && config ? { config } : {}), raw, issues, argentos };
}

function locateIssue(issue: ConfigIssue, doc: Json5Document | undefined, file: string | undefined): ConfigIssue {
  const located: ConfigIssue = { ...issue, ...(file ? { file } : {}) };
  if (!doc) return located;
  const pos =
    issue.code === 'unknown_key' || issue.code === 'unknown_channel'
      ? (doc.locateKey(issue.path) ?? doc.locate(issue.path))
      : doc.locate(issue.path);
  if (pos) {
    located.line = pos.line;
    located.column = pos.column;
  }
  return located;
}

export interface CheckTextOptions {
  /** Values for `${VAR}` references; without it strings are taken as written (the renderer's case). */
  env?: Env;
  /** Reads `$include`d files; without it an `$include` is an error (there is nothing to read from). */
  readInclude?: IncludeReader;
}

/** Checks the text of a config file. A syntax error is reported with its line and column. */
export function checkConfigText(text: string, file?: string, options: CheckTextOptions = {}): ConfigCheck {
  let doc: Json5Document;
  try {
    doc = parseJson5(text);
  } catch (err) {
    if (!(err instanceof Json5SyntaxError)) throw err;
    return {
      ok: false,
      argentos: false,
      issues: [
        {
          severity: 'error',
          code: 'syntax',
          message: err.message,
          path: err.path ?? [],
          line: err.line,
          column: err.column,
          ...(file ? { file } : {}),
        },
      ],
    };
  }
  let value = doc.value;
  let origins: IncludeOrigin[] = [{ prefix: [], doc, docPrefix: [], file: file ?? '' }];
  const early: ConfigIssue[] = [];
  let includedFiles: string[] = [];
  if (options.readInclude && file) {
    const resolved = resolveIncludes(doc, file, options.readInclude);
    ({ value, origins } = resolved);
    early.push(...resolved.issues);
    includedFiles = resolved.files;
  }
  const out = new IssueCollector();
  let envPaths: Set<string> | undefined;
  if (options.env) ({ value, envPaths } = substituteEnv(value, options.env, out));
  const locate = (issue: ConfigIssue): ConfigIssue => {
    const key = issue.code === 'unknown_key' || issue.code === 'unknown_channel';
    const found = locateIn(origins, issue.path, key);
    const where = found?.file ? { file: found.file } : {};
    return found?.pos ? { ...issue, ...where, line: found.pos.line, column: found.pos.column } : { ...issue, ...where };
  };
  const check = checkResolved(value, doc.value, locate, out, envPaths);
  if (early.length > 0) {
    const { config: _dropped, ...rest } = check;
    return { ...rest, ok: false, issues: [...early, ...check.issues], includedFiles };
  }
  for (const dup of doc.duplicateKeys) {
    check.issues.push({
      severity: 'warning',
      code: 'duplicate_key',
      message: 'this key appears twice in the same object; the last one wins',
      path: dup.path,
      line: dup.pos.line,
      column: dup.pos.column,
      ...(file ? { file } : {}),
    });
  }
  return includedFiles.length > 0 ? { ...check, includedFiles } : check;
}
