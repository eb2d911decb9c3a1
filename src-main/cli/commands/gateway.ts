// `switchboard gateway [--port N] [--json-logs]`: the headless gateway, and `switchboard status`.
import { assertStateDirWritable } from '../../gateway/storage-health.ts';
import { gatewayLogger } from '../../log-file.ts';
import { terminalFormat } from '../../log.ts';
import { flagString, type Command } from '../command.ts';
import { CliError, emit, out } from '../io.ts';
import { version } from '../version.ts';
import { withRunningGateway } from './live.ts';

const gateway: Command = {
  name: 'gateway',
  usage: 'gateway [--port N] [--json-logs]',
  summary: 'Run the gateway headless: agents answer on the configured channels; the dashboard and CLI connect over loopback.',
  options: { port: { type: 'string' }, 'json-logs': { type: 'boolean' } },
  async run(ctx, flags) {
    const portFlag = flagString(flags, 'port');
    if (portFlag !== undefined && !/^\d{1,5}$/.test(portFlag))
      throw new CliError(`--port must be a port number (0 = any free port), not "${portFlag}"`, 'bad_request', {}, 2);
    // One line on a read-only or full state folder, before anything tries to write there.
    await assertStateDirWritable(ctx.loc.stateDir);
    // The level comes from the config as it is at start (an invalid config still starts: it is reported).
    const { log, file: logFile } = gatewayLogger({
      stateDir: ctx.loc.stateDir,
      logsDir: ctx.loc.logsDir,
      env: process.env,
      configLevel: (await ctx.store.load()).check.config?.logging.level,
      stderr: (line) => ctx.stderr.write(line),
      // Human lines for a person at a terminal; JSON lines for pipes, `--json-logs` and `--json`.
      stderrFormat: terminalFormat(ctx.stderr as { isTTY?: boolean }, flags['json-logs'] === true || ctx.json),
    });
    // Loaded here so the other commands start without the gateway's modules.
    const { startHeadlessGateway } = await import('../../gateway/headless.ts');
    let running;
    try {
      running = await startHeadlessGateway({
        loc: ctx.loc,
        version: version(),
        log,
        logFile: logFile.path,
        homeDir: ctx.homeDir,
        ...(portFlag !== undefined ? { port: Number(portFlag) } : {}),
      });
    } catch (err) {
      logFile.close();
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE') throw new CliError(`${e.message}; pass --port N (or --port 0 for any free port)`, 'conflict');
      throw err;
    }
    out(ctx, `control: ${running.url}`);
    if (!running.hasDashboard)
      out(ctx, 'dashboard: not in this build yet — talk to agents with "switchboard chat", watch with "switchboard status"');
    else if ((ctx.stdout as { isTTY?: boolean }).isTTY) out(ctx, `dashboard: http://127.0.0.1:${running.port}/#token=${running.token}`);
    else out(ctx, `dashboard: http://127.0.0.1:${running.port}/ (token in ${running.tokenPath})`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void running
          .close()
          .finally(() => logFile.close())
          .then(resolve, resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};

export const statusCommand: Command = {
  name: 'status',
  usage: 'status',
  summary: 'State of the running gateway: channels, agents, queues, dropped messages.',
  async run(ctx) {
    const result = await withRunningGateway(ctx, (client) => client.request('status', {}));
    if (!result) throw new CliError(`no gateway is running for ${ctx.loc.stateDir}; start one with "switchboard gateway"`, 'unavailable');
    emit(ctx, result, () => {
      out(ctx, `gateway ${result.state}${result.startedAt ? ` since ${result.startedAt}` : ''} (v${result.version})`);
      out(
        ctx,
        `config: ${result.configPath}${result.configErrors.length ? ` — last edit rejected: ${result.configErrors.map((e) => e.message).join('; ')}` : ''}`,
      );
      out(ctx, `agents: ${result.agents}   in flight: ${result.inFlight}   queued: ${result.queued}   processed: ${result.processed}`);
      for (const a of result.unavailableAgents ?? []) out(ctx, `  agent ${a.agentId}  unavailable: ${a.reason}`);
      for (const c of result.channels) out(ctx, `  ${c.channel}:${c.accountId}  ${c.state}${c.reason ? ` (${c.reason})` : ''}`);
      if (!result.storage.ok) out(ctx, `storage: cannot store messages — ${result.storage.reason ?? 'unknown reason'}`);
      const dropped = Object.entries(result.dropped);
      if (dropped.length) out(ctx, `dropped: ${dropped.map(([r, n]) => `${r} ${n}`).join(', ')}`);
    });
    return 0;
  },
};

export const gatewayCommands = [gateway, statusCommand];
