// How a CLI command is declared: its words, its flags (node:util parseArgs), and its action.
import type { ParseArgsConfig } from 'node:util';
import type { CliContext } from './io.ts';

export type Flags = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  /** e.g. `agents add`. */
  name: string;
  usage: string;
  summary: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /**
   * How many words may follow the command's name (`agents add <id>`: [1, 1]). Default [0, 0]:
   * extra words are a usage error, never silently ignored (`gateway restart` is not `gateway`).
   */
  positionals?: readonly [min: number, max: number];
  run(ctx: CliContext, flags: Flags, args: string[]): Promise<number>;
}

export function flagString(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagList(flags: Flags, name: string): string[] {
  const v = flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
