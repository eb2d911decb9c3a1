// `switchboard gateway start|stop|restart|status`: act on the gateway that runs for a state dir,
// found through its gateway.json. A headless gateway is ended with SIGTERM (it drains in-flight
// turns and releases its lock); the desktop app's gateway is stopped and started through its
// control plane, so the tray app itself keeps running. `stop` never starts anything. A gateway
// under the service `gateway install` wrote is stopped/restarted by systemd or launchd.
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { appRoot } from '../../app-root.ts';
import { tokenFilePath } from '../../control/token.ts';
import { pidAlive } from '../../state/lock.ts';
import { runningGateway, type GatewayInfo } from '../../gateway/instance-lock.ts';
import { managedService, type CommandRunner, type ManagedService } from '../../gateway/service-control.ts';
import { flagString, type Command } from '../command.ts';
import { CliError, emit, out, type CliContext } from '../io.ts';
import { controlUrl, withRunningGateway } from './live.ts';
import { statusCommand } from './gateway.ts';

const DEFAULT_STOP_TIMEOUT_S = 30;
const START_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

function timeoutFlag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_STOP_TIMEOUT_S * 1000;
  if (!/^\d{1,4}$/.test(value)) throw new CliError(`--timeout must be a number of seconds, not "${value}"`, 'bad_request', {}, 2);
  return Number(value) * 1000;
}

/** Ends a headless gateway process (SIGTERM: it finishes or cancels in-flight turns, then exits). */
async function endProcess(info: GatewayInfo, timeoutMs: number): Promise<void> {
  try {
    process.kill(info.pid, 'SIGTERM');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
    throw new CliError(`cannot stop the gateway (pid ${info.pid}): ${(err as Error).message}`, 'unavailable');
  }
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(info.pid)) {
    if (Date.now() > deadline)
      throw new CliError(
        `the gateway (pid ${info.pid}) did not stop within ${Math.round(timeoutMs / 1000)} s; it may still be finishing a turn — try again, or end the process yourself`,
        'unavailable',
      );
    await sleep(POLL_MS);
  }
}

type StopOutcome = { running: false } | { running: true; pid: number; host: 'headless' | 'desktop' | 'service'; command?: string };

/** execFile without a shell; a program that is missing or fails resolves with its code (127 when it could not start). */
const runProgram: CommandRunner = (program, args) =>
  new Promise((resolve) => {
    execFile(program, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (err && !stderr ? err.message : '')) });
    });
  });

/** The installed service running this state dir's gateway, if any (docs/desktop.md#always-on-server). */
function serviceOf(ctx: CliContext): Promise<ManagedService | null> {
  return managedService({
    platform: process.platform,
    homeDir: ctx.homeDir,
    env: process.env,
    stateDir: ctx.loc.stateDir,
    uid: process.getuid?.() ?? 0,
    run: runProgram,
  });
}

async function runService(argv: string[]): Promise<void> {
  const [program, ...args] = argv;
  const result = await runProgram(program!, args);
  if (result.code !== 0)
    throw new CliError(
      `"${argv.join(' ')}" failed: ${(result.stderr || result.stdout).trim() || `exit code ${result.code}`}`,
      'unavailable',
    );
}

async function stopRunning(ctx: CliContext, timeoutMs: number): Promise<StopOutcome> {
  const info = await runningGateway(ctx.loc.stateDir);
  if (!info) return { running: false };
  if (info.host === 'desktop') {
    await withRunningGateway(ctx, (client) => client.request('gateway.stop', {}));
    return { running: true, pid: info.pid, host: 'desktop' };
  }
  const service = await serviceOf(ctx);
  if (service) {
    // The manager sends SIGTERM itself and records the stop as wanted; wait for the lock as below.
    await runService(service.stop);
    await waitGone(info, timeoutMs);
    return { running: true, pid: info.pid, host: 'service', command: service.stop.join(' ') };
  }
  await endProcess(info, timeoutMs);
  return { running: true, pid: info.pid, host: 'headless' };
}

async function waitGone(info: GatewayInfo, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(info.pid)) {
    if (Date.now() > deadline)
      throw new CliError(`the gateway service (pid ${info.pid}) did not stop within ${Math.round(timeoutMs / 1000)} s`, 'unavailable');
    await sleep(POLL_MS);
  }
}

/** After the manager's restart: the gateway that published itself with another pid. */
async function waitRestarted(ctx: CliContext, before: GatewayInfo | undefined): Promise<GatewayInfo> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const info = await runningGateway(ctx.loc.stateDir);
    if (info && info.pid !== before?.pid) return info;
    if (Date.now() > deadline)
      throw new CliError(
        `the gateway service did not come back within ${START_TIMEOUT_MS / 1000} s; see its log ("journalctl --user -u switchboard-gateway" or the logs folder)`,
        'unavailable',
      );
    await sleep(POLL_MS);
  }
}

/** The command that started this CLI (bin/switchboard.mjs from the sources, dist/cli.mjs from the bundle). */
export function cliEntry(): string {
  const self = process.argv[1];
  if (self && /switchboard(\.m?js)?$|cli\.mjs$/.test(self)) return path.resolve(self);
  return path.join(appRoot(), 'bin', 'switchboard.mjs');
}

/**
 * Starts `switchboard gateway` as a detached background process and waits until it has published
 * its address. Its stderr goes to `<logsDir>/gateway.out.log`, so a start that fails (a port
 * in use, a read-only folder) can say why.
 */
async function startDetached(ctx: CliContext, port: number | undefined): Promise<GatewayInfo> {
  const logDir = ctx.loc.logsDir;
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const outPath = path.join(logDir, 'gateway.out.log');
  const fd = openSync(outPath, 'w', 0o600);
  const args = [cliEntry(), 'gateway', '--state-dir', ctx.loc.stateDir, '--config', ctx.loc.configPath];
  if (port !== undefined) args.push('--port', String(port));
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd], env: process.env, windowsHide: true });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const info = await runningGateway(ctx.loc.stateDir);
    if (info && info.pid === child.pid) return info;
    if (exited !== undefined || Date.now() > deadline) {
      const said = readFileSync(outPath, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('error:'))
        .join('; ');
      if (exited === undefined) child.kill('SIGTERM');
      throw new CliError(
        `the gateway did not start${exited !== undefined ? ` (it exited with code ${exited})` : ` within ${START_TIMEOUT_MS / 1000} s`}${said ? `: ${said.replace(/^error: /, '')}` : ''}; its output is in ${outPath}`,
        'unavailable',
      );
    }
    await sleep(POLL_MS);
  }
}

function portFlag(flags: Record<string, unknown>): number | undefined {
  const v = flagString(flags as never, 'port');
  if (v === undefined) return undefined;
  if (!/^\d{1,5}$/.test(v)) throw new CliError(`--port must be a port number (0 = any free port), not "${v}"`, 'bad_request', {}, 2);
  return Number(v);
}

function describeStarted(ctx: CliContext, info: GatewayInfo): string {
  const address =
    info.port > 0
      ? `control: ${controlUrl(info)}\ndashboard: http://127.0.0.1:${info.port}/ (token in ${tokenFilePath(ctx.loc.stateDir)})`
      : '';
  return `gateway running (pid ${info.pid}) for ${ctx.loc.stateDir}${address ? `\n${address}` : ''}`;
}

const stopCommand: Command = {
  name: 'gateway stop',
  usage: 'gateway stop [--timeout SECONDS]',
  summary:
    "Stop the state dir's running gateway (a headless one exits; the desktop app's stops its agents and channels). Never starts one.",
  options: { timeout: { type: 'string' } },
  async run(ctx, flags) {
    const outcome = await stopRunning(ctx, timeoutFlag(flagString(flags, 'timeout')));
    emit(ctx, { stopped: outcome.running, ...outcome }, () => {
      if (!outcome.running) out(ctx, `no gateway is running for ${ctx.loc.stateDir}; nothing to stop`);
      else if (outcome.host === 'service')
        out(
          ctx,
          `gateway service stopped (pid ${outcome.pid}) with "${outcome.command}"; it starts again at the next login or with "switchboard gateway restart"`,
        );
      else if (outcome.host === 'desktop')
        out(ctx, `stopped the desktop app's gateway (pid ${outcome.pid}); the app keeps running — start it again from the tray menu`);
      else out(ctx, `gateway stopped (pid ${outcome.pid})`);
    });
    return 0;
  },
};

const restartCommand: Command = {
  name: 'gateway restart',
  usage: 'gateway restart [--port N] [--timeout SECONDS]',
  summary: 'Stop the running gateway and start it again in the background, e.g. after editing the config (starts one if none runs).',
  options: { port: { type: 'string' }, timeout: { type: 'string' } },
  async run(ctx, flags) {
    const port = portFlag(flags);
    const before = await runningGateway(ctx.loc.stateDir);
    if (before?.host === 'desktop') {
      const result = await withRunningGateway(ctx, async (client) => {
        await client.request('gateway.stop', {});
        return client.request('gateway.start', {});
      });
      emit(ctx, { restarted: true, pid: before.pid, host: 'desktop', state: result?.state }, () =>
        out(ctx, `restarted the desktop app's gateway (pid ${before.pid}): ${result?.state ?? 'unknown state'}`),
      );
      return 0;
    }
    const service = await serviceOf(ctx);
    if (service) {
      // The service's own command line (and port) stays in force; --port would need "gateway install --force".
      if (port !== undefined)
        throw new CliError(
          `the gateway runs as a service (${service.file}): change its port with "switchboard gateway install --port ${port} --force"`,
          'conflict',
        );
      await runService(service.restart);
      const info = await waitRestarted(ctx, before);
      emit(
        ctx,
        { restarted: before !== undefined, pid: info.pid, port: info.port, host: 'service', command: service.restart.join(' ') },
        () => {
          out(ctx, `gateway service restarted with "${service.restart.join(' ')}" (pid ${before?.pid ?? 'none'} → ${info.pid})`);
          out(ctx, describeStarted(ctx, info));
        },
      );
      return 0;
    }
    const stopped = await stopRunning(ctx, timeoutFlag(flagString(flags, 'timeout')));
    // Keep the address the dashboard and scripts know, unless told otherwise.
    const info = await startDetached(ctx, port ?? (before && before.port > 0 ? before.port : undefined));
    emit(ctx, { restarted: stopped.running, pid: info.pid, port: info.port, host: 'headless' }, () => {
      out(ctx, stopped.running ? `gateway restarted (pid ${stopped.pid} → ${info.pid})` : 'no gateway was running; started one');
      out(ctx, describeStarted(ctx, info));
    });
    return 0;
  },
};

const startCommand: Command = {
  name: 'gateway start',
  usage: 'gateway start [--port N]',
  summary:
    'Start the gateway in the background (the foreground form is "switchboard gateway"); logs go to the logs folder ("switchboard paths").',
  options: { port: { type: 'string' } },
  async run(ctx, flags) {
    const port = portFlag(flags);
    const running = await runningGateway(ctx.loc.stateDir);
    if (running)
      throw new CliError(
        `a gateway is already running for ${ctx.loc.stateDir} (pid ${running.pid}); use "switchboard gateway restart" to restart it`,
        'conflict',
      );
    const info = await startDetached(ctx, port);
    emit(ctx, { started: true, pid: info.pid, port: info.port }, () => out(ctx, describeStarted(ctx, info)));
    return 0;
  },
};

const gatewayStatusCommand: Command = {
  name: 'gateway status',
  usage: 'gateway status',
  summary: 'Whether a gateway runs for this state dir, and its state (exit code 3 when none runs).',
  async run(ctx, flags, args) {
    const info = await runningGateway(ctx.loc.stateDir);
    if (!info) {
      emit(ctx, { running: false, stateDir: ctx.loc.stateDir }, () => out(ctx, `gateway: not running (state dir ${ctx.loc.stateDir})`));
      return 3;
    }
    if (!ctx.json) out(ctx, `gateway: running as pid ${info.pid} (${info.host ?? 'headless'}), started ${info.startedAt}`);
    return statusCommand.run(ctx, flags, args);
  },
};

export const gatewayControlCommands = [startCommand, stopCommand, restartCommand, gatewayStatusCommand];
