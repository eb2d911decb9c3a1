// `switchboard` command line: global flags, command dispatch, and one place that turns errors into
// a message on stderr (or a JSON error object with --json) and a non-zero exit code.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { formatIssue, formatPath } from '../../src-shared/config/index.ts';
import { resolveLocations } from '../config/paths.ts';
import { ConfigConflictError, ConfigInvalidError } from '../config/store.ts';
import type { Command } from './command.ts';
import { agentCommands } from './commands/agents.ts';
import { authCommands } from './commands/auth.ts';
import { bindingCommands } from './commands/bindings.ts';
import { channelCommands } from './commands/channels.ts';
import { chatCommand } from './commands/chat.ts';
import { configCommands } from './commands/config.ts';
import { gatewayCommands } from './commands/gateway.ts';
import { importCommand } from './commands/import.ts';
import { pairingCommands } from './commands/pairing.ts';
import { routeCommand } from './commands/route.ts';
import { secretCommands } from './commands/secrets.ts';
import { CliError, newStore, type CliContext } from './io.ts';
import { version } from './version.ts';

export { version };

export const COMMANDS: Command[] = [
  ...gatewayCommands,
  chatCommand,
  ...channelCommands,
  ...agentCommands,
  ...bindingCommands,
  routeCommand,
  ...pairingCommands,
  ...configCommands,
  importCommand,
  ...secretCommands,
  ...authCommands,
];

const GLOBAL_OPTIONS = {
  config: { type: 'string' },
  'state-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function helpText(): string {
  const lines = COMMANDS.map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `switchboard ${version()} — multi-agent chat gateway\n\nUsage: switchboard <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nEvery command takes --config FILE, --state-dir DIR and --json.\n`;
}

/**
 * The first two words that are not flags, with their positions. The value of a global flag given
 * as a separate word (`--state-dir DIR agents list`) is not a command word.
 */
function commandWords(argv: string[]): { word: string; at: number }[] {
  const words: { word: string; at: number }[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('-')) {
      if (arg === '--config' || arg === '--state-dir') i++;
      continue;
    }
    words.push({ word: arg, at: i });
  }
  return words;
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  const words = commandWords(argv);
  for (const command of COMMANDS) {
    const parts = command.name.split(' ');
    if (parts.every((p, i) => words[i]?.word === p)) {
      const taken = new Set(words.slice(0, parts.length).map((w) => w.at));
      return { command, rest: argv.filter((_, i) => !taken.has(i)) };
    }
  }
  return undefined;
}

export interface MainIO {
  stdout?: NodeJS.WritableStream & { write(s: string): boolean };
  stderr?: NodeJS.WritableStream & { write(s: string): boolean };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

export async function main(argv: string[], io: MainIO = {}): Promise<number> {
  const stdout = (io.stdout ?? process.stdout) as CliContext['stdout'];
  const stderr = (io.stderr ?? process.stderr) as CliContext['stderr'];
  const stdin = (io.stdin ?? process.stdin) as CliContext['stdin'];
  const env = io.env ?? process.env;
  if (argv[0] === '--version' || argv[0] === '-v') {
    stdout.write(`${version()}\n`);
    return 0;
  }
  const json = argv.includes('--json');
  const found = findCommand(argv);
  if (!found) {
    if (argv.length === 0 || argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
      stdout.write(helpText());
      return argv.length === 0 ? 2 : 0;
    }
    const message = `unknown command "${commandWords(argv)
      .map((w) => w.word)
      .join(' ')}"; run "switchboard --help" for the list`;
    if (json) stdout.write(`${JSON.stringify({ error: { code: 'bad_request', message } })}\n`);
    else stderr.write(`error: ${message}\n`);
    return 2;
  }
  const { command, rest } = found;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    } catch (err) {
      throw new CliError(`${(err as Error).message}\nusage: switchboard ${command.usage}`, 'bad_request', {}, 2);
    }
    const flags = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (flags.help) {
      stdout.write(`usage: switchboard ${command.usage}\n${command.summary}\n`);
      return 0;
    }
    const homeDir = env.HOME ?? os.homedir();
    const loc = resolveLocations({
      stateDir: flags['state-dir'] as string | undefined,
      configPath: flags.config as string | undefined,
      env,
      homeDir,
    });
    const ctx: CliContext = {
      loc,
      json,
      stdout,
      stderr,
      stdin,
      homeDir,
      store: newStore(loc, homeDir),
      interactive: Boolean(stdin.isTTY) && !env.CI && !json,
    };
    return await command.run(ctx, flags, parsed.positionals);
  } catch (err) {
    return reportError(err, json, stdout, stderr);
  }
}

const USER_ERROR_CODES = new Set(['bad_request', 'not_found', 'conflict', 'unavailable', 'unauthorized']);

function reportError(err: unknown, json: boolean, stdout: CliContext['stdout'], stderr: CliContext['stderr']): number {
  let cliError: CliError;
  if (err instanceof CliError) cliError = err;
  else if (err instanceof ConfigInvalidError) {
    const first = err.issues.find((i) => i.severity === 'error');
    const where = first
      ? { path: formatPath(first.path), ...(first.line !== undefined ? { line: first.line, column: first.column } : {}) }
      : {};
    cliError = new CliError(
      `the change would make the config invalid${first ? `: ${formatPath(first.path)}: ${first.message}` : ''}`,
      'bad_request',
      where,
      1,
      err.issues,
    );
  } else if (err instanceof ConfigConflictError) cliError = new CliError(err.message, 'conflict');
  // Errors a user can act on (ConfigEditError, UnsafeAgentIdError) carry one of the protocol's codes.
  else if (err instanceof Error && 'code' in err && USER_ERROR_CODES.has((err as { code: unknown }).code as string)) {
    cliError = new CliError(err.message, (err as { code: string }).code);
  } else cliError = new CliError(`unexpected failure: ${(err as Error)?.message ?? String(err)}`, 'internal');
  if (json) {
    const { path, line, column } = cliError.where;
    const error = {
      code: cliError.code,
      message: cliError.message,
      ...(path ? { path } : {}),
      ...(line !== undefined ? { line, column } : {}),
      ...(cliError.issues.length ? { issues: cliError.issues } : {}),
    };
    stdout.write(`${JSON.stringify({ error })}\n`);
  } else {
    stderr.write(`error: ${cliError.message}\n`);
    for (const issue of cliError.issues) stderr.write(`  ${formatIssue(issue)}\n`);
  }
  return cliError.exitCode;
}
