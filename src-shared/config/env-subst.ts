// `${VAR}` references in config string values (OpenClaw's form): replaced by the variable's value
// at load time, never in the file. The environment is passed in (this module runs in the renderer
// too, which has no process.env). Rules and their reasons: docs/config.md#environment-variables.
import type { IssueCollector } from './collector.ts';
import type { JsonPath } from './issues.ts';

/** `$${NAME}` (escape) or `${NAME}`; only upper-case names, as OpenClaw: `${lower}` stays literal text. */
const REFERENCE = /\$(\$?)\{([A-Z_][A-Z0-9_]*)\}/g;

export type Env = Readonly<Record<string, string | undefined>>;

/** Whether a string holds at least one `${VAR}` reference (an escaped `$${VAR}` is not one). */
export function hasEnvReference(text: string): boolean {
  for (const m of text.matchAll(REFERENCE)) if (m[1] === '') return true;
  return false;
}

/** One string: references replaced, escapes unescaped; `missing` gets the names with no (or an empty) value. */
export function substituteString(text: string, env: Env, missing: string[]): string {
  if (!text.includes('${')) return text;
  return text.replace(REFERENCE, (whole, escape: string, name: string) => {
    if (escape) return whole.slice(1);
    const value = env[name];
    if (value === undefined || value === '') {
      missing.push(name);
      return whole;
    }
    return value;
  });
}

export interface EnvSubstitution {
  value: unknown;
  /** Config paths (JSON-encoded) whose string came from a `${VAR}` reference: not plaintext in the file. */
  envPaths: Set<string>;
}

/** Walks a parsed config; every unset or empty variable is an error at the string's path. Keys are left alone. */
export function substituteEnv(value: unknown, env: Env, out: IssueCollector): EnvSubstitution {
  const envPaths = new Set<string>();
  const walk = (node: unknown, path: JsonPath): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('${')) return node;
      const missing: string[] = [];
      const next = substituteString(node, env, missing);
      if (hasEnvReference(node)) envPaths.add(JSON.stringify(path));
      for (const name of new Set(missing))
        out.error(
          path,
          'env_missing',
          `environment variable ${name} is ${env[name] === '' ? 'empty' : 'not set'} (referenced as \${${name}}); set it before starting Switchboard, or write $\${${name}} for a literal "\${${name}}"`,
        );
      return next;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (typeof node === 'object' && node !== null) {
      const result: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) result[k] = walk(v, [...path, k]);
      return result;
    }
    return node;
  };
  return { value: walk(value, []), envPaths };
}
