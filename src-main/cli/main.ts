// `switchboard` command line: global flags, command dispatch, and one place that turns errors into
// a message on stderr (or a JSON error object with --json) and a non-zero exit code.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { formatIssue, formatPath } from '../../src-shared/config/index.ts';
import { suggest } from '../../src-shared/config/issues.ts';
import { redactText } from '../secrets/redact.ts';
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
import { gatewayControlCommands } from './commands/gateway-control.ts';
import { gatewayServiceCommands } from './commands/gateway-service.ts';
import { importCommand } from './commands/import.ts';
import { modelCommands } from './commands/models.ts';
import { pairingCommands } from './commands/pairing.ts';
import { pathsCommand } from './commands/paths.ts';
import { routeCommand } from './commands/route.ts';
import { secretCommands } from './commands/secrets.ts';
import { CliError, newStore, type CliContext } from './io.ts';
import { version } from './version.ts';

export { version };

export const COMMANDS: Command[] = [
  ...gatewayCommands,
  ...gatewayControlCommands,
  ...gatewayServiceCommands,
  chatCommand,
  ...channelCommands,
  ...agentCommands,
  ...modelCommands,
  ...bindingCommands,
  routeCommand,
  ...pairingCommands,
  ...configCommands,
  pathsCommand,
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
 * The first words that are not flags, with their positions. The value of a global flag given
 * as a separate word (`--state-dir DIR agents list`) is not a command word.
 */
function commandWords(argv: string[], max = 2): { word: string; at: number }[] {
  const words: { word: string; at: number }[] = [];
  for (let i = 0; i < argv.length && words.length < max; i++) {
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
  const words = commandWords(argv, 3);
  // The longest name that matches wins: `gateway stop` before `gateway`.
  let best: { command: Command; length: number } | undefined;
  for (const command of COMMANDS) {
    const parts = command.name.split(' ');
    if (parts.every((p, i) => words[i]?.word === p) && parts.length > (best?.length ?? 0)) best = { command, length: parts.length };
  }
  if (!best) return undefined;
  const taken = new Set(words.slice(0, best.length).map((w) => w.at));
  return { command: best.command, rest: argv.filter((_, i) => !taken.has(i)) };
}

/** "did you mean" for a mistyped command: the closest command name, by its words typed so far. */
function suggestCommand(words: string[]): string | undefined {
  const typed = words.join(' ');
  const names = COMMANDS.map((c) => c.name);
  const prefixes = [...new Set(names.map((n) => n.split(' ')[0]!))];
  const byWords = names.filter((n) => n.split(' ').length <= Math.max(1, words.length));
  return suggest(typed, byWords) ?? suggest(words[0] ?? '', prefixes);
}

/** One command's help: usage, what it does, and every option it takes. */
function commandHelp(command: Command): string {
  // The placeholder the usage line gives an option (`--port N`), else VALUE.
  const placeholder = (name: string) => {
    const token = new RegExp(`--${name} ([^\\s\\]…|]+)`).exec(command.usage)?.[1];
    return token && !token.startsWith('-') && !token.startsWith('[') ? token : 'VALUE';
  };
  const opt = (name: string, o: { type: string; short?: string; multiple?: boolean }) =>
    `  --${name}${o.type === 'string' ? ` ${placeholder(name)}` : ''}${o.short ? `, -${o.short}` : ''}${o.multiple ? ' (repeatable)' : ''}`;
  const own = Object.entries(command.options ?? {}).map(([name, o]) => opt(name, o));
  const global = [
    '  --config FILE     the config file',
    '  --state-dir DIR   the state folder',
    '  --json            machine-readable output',
  ];
  return `usage: switchboard ${command.usage}\n${command.summary}\n\n${own.length ? `Options:\n${own.join('\n')}\n\n` : ''}Global options:\n${global.join('\n')}\n`;
}

/** What follows the command's words must fit its positional slots. */
function checkPositionals(command: Command, positionals: string[]): void {
  const [min, max] = command.positionals ?? [0, 0];
  if (positionals.length > max) {
    // Redacted: a key or token typed as an argument by mistake is not echoed back to the terminal.
    const extra = redactText(positionals.slice(max).join(' '));
    // `gateway restrat` is a mistyped sub-command, not an argument of `gateway`.
    const subCommands = COMMANDS.filter((c) => c.name.startsWith(`${command.name} `)).map((c) => c.name.slice(command.name.length + 1));
    const hit = max === 0 && positionals[0] ? suggest(positionals[0], subCommands) : undefined;
    const hint = hit ? ` (did you mean "${command.name} ${hit}"?)` : '';
    throw new CliError(`unexpected "${extra}" after "${command.name}"${hint}\nusage: switchboard ${command.usage}`, 'bad_request', {}, 2);
  }
  if (positionals.length < min)
    throw new CliError(`"${command.name}" needs more words\nusage: switchboard ${command.usage}`, 'bad_request', {}, 2);
}

/** parseArgs' errors in a line a user can act on, with the nearest option of this command. */
function optionError(message: string, command: Command): string {
  const m = /Unknown option '(-{1,2}[^']+)'/.exec(message);
  if (!m) return message;
  const known = [...Object.keys(command.options ?? {}), ...Object.keys(GLOBAL_OPTIONS)];
  const hit = suggest(m[1]!.replace(/^-+/, ''), known);
  return `unknown option "${m[1]}" for "${command.name}"${hit ? ` (did you mean "--${hit}"?)` : ''}`;
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
  // `switchboard help agents add` is `switchboard agents add --help`.
  const first = commandWords(argv, 1)[0];
  if (first?.word === 'help' && argv.length > first.at + 1) return main([...argv.filter((_, i) => i !== first.at), '--help'], io);
  const found = findCommand(argv);
  if (!found) {
    if (argv.length === 0 || argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
      stdout.write(helpText());
      return argv.length === 0 ? 2 : 0;
    }
    const words = commandWords(argv).map((w) => w.word);
    const hit = suggestCommand(words);
    const message = `unknown command "${words.join(' ')}"${hit ? ` (did you mean "${hit}"?)` : ''}; run "switchboard --help" for the list`;
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
      throw new CliError(`${optionError((err as Error).message, command)}\nusage: switchboard ${command.usage}`, 'bad_request', {}, 2);
    }
    const flags = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (flags.help) {
      stdout.write(commandHelp(command));
      return 0;
    }
    checkPositionals(command, parsed.positionals);
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
