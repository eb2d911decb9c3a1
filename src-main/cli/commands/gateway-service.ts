// `switchboard gateway install|uninstall [--now]`: the headless gateway of this state dir as a
// per-user service (systemd on Linux, launchd on macOS), for a small always-on server. The file
// text comes from gateway/service.ts; here it is written, and systemctl/launchctl are run only
// with --now (otherwise the commands are printed). docs/desktop.md#always-on-server.
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  LAUNCHD_LABEL,
  serviceArgv,
  serviceFilePath,
  serviceFileText,
  ServiceSpecError,
  SYSTEMD_UNIT_NAME,
  type ServicePlatform,
  type ServiceSpec,
} from '../../gateway/service.ts';
import { flagString, type Command, type Flags } from '../command.ts';
import { CliError, emit, out, type CliContext } from '../io.ts';
import { cliEntry } from './gateway-control.ts';

const run = promisify(execFile);

/** The program's absolute path if it is on PATH. */
function onPath(program: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function specFor(ctx: CliContext, port?: number): ServiceSpec {
  const { loc } = ctx;
  return {
    node: process.execPath,
    cliEntry: cliEntry(),
    stateDir: loc.stateDir,
    ...(loc.configPath !== path.join(loc.stateDir, 'switchboard.json') ? { configPath: loc.configPath } : {}),
    logsDir: loc.logsDir,
    ...(port !== undefined ? { port } : {}),
    ...(process.env.PATH ? { pathEnv: process.env.PATH } : {}),
  };
}

/** Linux or macOS; elsewhere an error that says what to do instead. */
function servicePlatform(ctx: CliContext): ServicePlatform {
  if (process.platform === 'linux' || process.platform === 'darwin') return process.platform;
  if (process.platform === 'win32') {
    const { node, cliEntry: entry, stateDir } = specFor(ctx);
    const task = `\\"${node}\\" \\"${entry}\\" gateway --state-dir \\"${stateDir}\\"`;
    throw new CliError(
      `Windows has no per-user service manager this command can use. Run the desktop app with "Start at login" instead, or let Task Scheduler start the gateway when you log in:\n  schtasks /Create /SC ONLOGON /TN "Switchboard gateway" /TR "${task}"`,
      'unavailable',
    );
  }
  throw new CliError(
    `installing the gateway as a service is not supported on ${process.platform}; run "switchboard gateway --state-dir ${ctx.loc.stateDir}" under your system's service manager`,
    'unavailable',
  );
}

/** What starts (or stops) the service, as the user would type it. */
function managerCommands(platform: ServicePlatform, file: string, action: 'start' | 'stop'): string[][] {
  if (platform === 'darwin') {
    const target = `gui/${os.userInfo().uid}`;
    return action === 'start' ? [['launchctl', 'bootstrap', target, file]] : [['launchctl', 'bootout', `${target}/${LAUNCHD_LABEL}`]];
  }
  return action === 'start'
    ? [
        ['systemctl', '--user', 'daemon-reload'],
        ['systemctl', '--user', 'enable', '--now', SYSTEMD_UNIT_NAME],
      ]
    : [['systemctl', '--user', 'disable', '--now', SYSTEMD_UNIT_NAME]];
}

const shellWord = (w: string) => (/^[\w./:@=-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
const shellLine = (argv: string[]) => argv.map(shellWord).join(' ');

/** Runs the service manager's commands; a failure says which command and what it printed. */
async function runManager(commands: string[][]): Promise<void> {
  const program = commands[0]![0]!;
  if (!onPath(program))
    throw new CliError(
      `--now needs ${program}, which is not on PATH; run these yourself:\n  ${commands.map(shellLine).join('\n  ')}`,
      'unavailable',
    );
  for (const [cmd, ...args] of commands) {
    try {
      await run(cmd!, args, { timeout: 60_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new CliError(`"${shellLine([cmd!, ...args])}" failed: ${(e.stderr || e.message).trim()}`, 'unavailable');
    }
  }
}

function portOf(flags: Flags): number | undefined {
  const v = flagString(flags, 'port');
  if (v === undefined) return undefined;
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new CliError(`--port must be a port number, not "${v}"`, 'bad_request', {}, 2);
  return Number(v);
}

const installCommand: Command = {
  name: 'gateway install',
  usage: 'gateway install [--now] [--port N] [--force]',
  summary: "Install this state dir's headless gateway as a per-user service (systemd on Linux, launchd on macOS); --now also starts it.",
  options: { now: { type: 'boolean' }, port: { type: 'string' }, force: { type: 'boolean' } },
  async run(ctx, flags) {
    const platform = servicePlatform(ctx);
    const spec = specFor(ctx, portOf(flags));
    let text: string;
    try {
      text = serviceFileText(platform, spec);
    } catch (err) {
      if (err instanceof ServiceSpecError) throw new CliError(err.message, 'bad_request');
      throw err;
    }
    const file = serviceFilePath(platform, ctx.homeDir, process.env);
    const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (existing !== undefined && existing !== text && !flags.force)
      throw new CliError(
        `${file} already exists with other settings (another state dir, port or Node); "switchboard gateway uninstall" first, or pass --force to replace it`,
        'conflict',
      );
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text, { mode: 0o644 });
    // launchd opens the log file itself and fails when its folder is missing.
    await fs.mkdir(ctx.loc.logsDir, { recursive: true, mode: 0o700 });
    const commands = managerCommands(platform, file, 'start');
    if (flags.now) await runManager(commands);
    emit(ctx, { installed: true, file, platform, started: flags.now === true, commands: flags.now ? [] : commands.map(shellLine) }, () => {
      out(ctx, `${existing === text ? 'already installed' : 'installed'}: ${file}`);
      out(ctx, `it runs: ${shellLine(serviceArgv(spec))}`);
      if (flags.now) out(ctx, 'started; "switchboard gateway status" shows it');
      else out(ctx, `start it now and at every login with:\n  ${commands.map(shellLine).join('\n  ')}`);
      if (platform === 'linux')
        out(ctx, `to keep it running while you are logged out (a server): loginctl enable-linger ${os.userInfo().username}`);
    });
    return 0;
  },
};

const uninstallCommand: Command = {
  name: 'gateway uninstall',
  usage: 'gateway uninstall [--now]',
  summary: 'Remove the gateway service that "gateway install" wrote; --now also stops it first.',
  options: { now: { type: 'boolean' } },
  async run(ctx, flags) {
    const platform = servicePlatform(ctx);
    const file = serviceFilePath(platform, ctx.homeDir, process.env);
    const exists = await fs.access(file).then(
      () => true,
      () => false,
    );
    if (!exists) {
      emit(ctx, { removed: false, file }, () => out(ctx, `no gateway service is installed (${file} does not exist)`));
      return 0;
    }
    const stop = managerCommands(platform, file, 'stop');
    if (flags.now) await runManager(stop);
    await fs.rm(file, { force: true });
    // What `systemctl --user enable` made; left behind it would point at nothing.
    if (platform === 'linux') await fs.rm(path.join(path.dirname(file), 'default.target.wants', SYSTEMD_UNIT_NAME), { force: true });
    const after = platform === 'linux' ? [['systemctl', '--user', 'daemon-reload']] : [];
    if (flags.now && after.length) await runManager(after);
    const todo = flags.now ? [] : [...(platform === 'linux' ? [['systemctl', '--user', 'stop', SYSTEMD_UNIT_NAME]] : stop), ...after];
    emit(ctx, { removed: true, file, stopped: flags.now === true, commands: todo.map(shellLine) }, () => {
      out(ctx, `removed ${file}`);
      if (todo.length) out(ctx, `if it is running, stop it with:\n  ${todo.map(shellLine).join('\n  ')}`);
    });
    return 0;
  },
};

export const gatewayServiceCommands = [installCommand, uninstallCommand];
