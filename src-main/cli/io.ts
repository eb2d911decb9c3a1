// The CLI's shared plumbing: the context every command gets, errors a user can act on, and the
// two output modes (human text on stdout/stderr, or `--json` objects on stdout).
import type { Readable, Writable } from 'node:stream';
import { formatIssue, type ConfigIssue } from '../../src-shared/config/index.ts';
import type { Folders, Locations } from '../config/paths.ts';
import { ConfigStore } from '../config/store.ts';

export interface CliContext {
  loc: Folders;
  json: boolean;
  store: ConfigStore;
  stdout: Writable;
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean };
  /** True when prompts may be shown (stdin is a terminal and not CI). */
  interactive: boolean;
  homeDir: string;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 'bad_request',
    readonly where: { path?: string; line?: number; column?: number } = {},
    readonly exitCode = 1,
    readonly issues: ConfigIssue[] = [],
  ) {
    super(message);
  }
}

export function out(ctx: CliContext, text: string): void {
  ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value)}\n`);
}

export function warn(ctx: CliContext, issues: ConfigIssue[]): void {
  if (ctx.json) return;
  for (const issue of issues.filter((i) => i.severity === 'warning')) ctx.stderr.write(`${formatIssue(issue)}\n`);
}

/** Prints a value as JSON (with --json) or runs the human printer. */
export function emit(ctx: CliContext, value: unknown, human: () => void): void {
  if (ctx.json) printJson(ctx, value);
  else human();
}

export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function newStore(loc: Locations, homeDir: string): ConfigStore {
  return new ConfigStore(loc, homeDir);
}
