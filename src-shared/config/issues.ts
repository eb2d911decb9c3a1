// A config problem as a value the user can act on: what is wrong, where (config path, and
// file:line:column when the text is known), and whether it stops the config from loading.
import { formatPath as formatJsonPath, type JsonPath } from '../json5/index.ts';

export type { JsonPath };

export interface ConfigIssue {
  severity: 'error' | 'warning';
  /** Stable machine-readable code, e.g. `unknown_agent`, `shadowed_binding`. */
  code: string;
  message: string;
  path: JsonPath;
  file?: string;
  line?: number;
  column?: number;
}

/** `agents.list[0].id`, `channels.discord.guilds["123"]`; the empty path is `(root)`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(root)' : formatJsonPath([...path]);
}

/** One line for a terminal: `file:12:5: error: bindings[2].agentId: unknown agent "wrok" …`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file
    ? `${issue.file}${issue.line !== undefined ? `:${issue.line}:${issue.column ?? 1}` : ''}: `
    : issue.line !== undefined
      ? `${issue.line}:${issue.column ?? 1}: `
      : '';
  const path = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  return `${where}${issue.severity}: ${path}${issue.message}`;
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest known name, if it is close enough to be a plausible typo. */
export function suggest(input: string, known: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of known) {
    const score = editDistance(lower, candidate.toLowerCase());
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  const limit = Math.max(2, Math.floor(input.length / 3));
  return bestScore <= limit ? best : undefined;
}

export function didYouMean(input: string, known: readonly string[]): string {
  const hit = suggest(input, known);
  return hit ? ` (did you mean "${hit}"?)` : '';
}
