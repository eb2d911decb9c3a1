// The gateway without any transport: the state dir's instance lock, config, credentials, pairing,
// the gateway itself, its ControlService and config watching. `switchboard gateway` (headless.ts)
// puts a loopback WebSocket in front of it; the desktop app serves it over IPC and a local socket.
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { CONTROL_EVENTS, CONTROL_METHODS, type ControlEvents, type ControlMethods } from '../../src-shared/protocol/methods.ts';
import { AgentTurnRunner, type RetryPolicy } from '../agents/turn.ts';
import type { ApiKeySource } from '../agents/turn-types.ts';
import type { Locations } from '../config/paths.ts';
import { ConfigStore } from '../config/store.ts';
import { ControlService } from '../control/service.ts';
import { loadOrCreateToken, tokenFilePath } from '../control/token.ts';
import { createLogger, effectiveLevel, redactingLogger, type Logger, type ModuleLogger } from '../log.ts';
import { LogTail } from '../log-tail.ts';
import { ProfileApiKeySource } from '../secrets/api-keys.ts';
import { agentAuthRef } from '../secrets/auth-profiles.ts';
import { findPlaintextSecrets } from '../secrets/credentials.ts';
import { redactValue } from '../secrets/redact.ts';
import { keychainResolver, type SecretResolver } from '../secrets/resolver.ts';
import { openSecretStore, type SecretStore } from '../secrets/store.ts';
import type { AdapterFactory } from './channel-set.ts';
import { channelAdapterFactory } from '../channels/index.ts';
import { Gateway, type TurnRunner } from './gateway.ts';
import { gatewayHandlers } from './handlers.ts';
import { logHandlers } from './log-handlers.ts';
import { sweepTmpLeftovers } from '../state/tmp-sweep.ts';
import { InstanceLock, type GatewayInfo } from './instance-lock.ts';
import type { OpenPath } from './open-path.ts';
import type { ExecSandbox } from '../agents/sandbox/index.ts';
import type { HeartbeatClock } from './heartbeat.ts';
import { PairingStore } from './pairing.ts';

export interface GatewayHostOptions {
  loc: Locations;
  version: string;
  log: Logger;
  homeDir?: string;
  env?: NodeJS.ProcessEnv;
  runner?: TurnRunner;
  /** The model-call retry policy of the default runner (tests keep it to one quick attempt). */
  retry?: Partial<RetryPolicy>;
  /** Default: auth profiles in the OS keychain, ANTHROPIC_API_KEY for agents without one. */
  keys?: ApiKeySource;
  /** Default: openSecretStore() (keytar, or an unavailable store saying why). */
  secrets?: SecretStore;
  adapters?: AdapterFactory;
  stopGraceMs?: number;
  /** The OS sandbox for agents that ask for one; default this machine's (tests inject detection). */
  sandbox?: ExecSandbox;
  /** How `config.open` opens the config file; default the platform's opener (the desktop app passes shell.openPath). */
  openPath?: OpenPath;
  /** Drives heartbeat timers; tests inject one they advance. */
  clock?: HeartbeatClock;
  /** The JSON log file the embedder writes (log-file.ts): seeds the Logs view with the lines before this start. */
  logFile?: string;
}

/** What `<stateDir>/gateway.json` tells the CLI: where the running gateway can be reached. */
export interface PublishedEndpoints {
  /** Loopback WebSocket port; 0 when none is open (the desktop app without remote access). */
  port: number;
  /** Local socket (`<stateDir>/control.sock`) or Windows named pipe, when one is served. */
  socket?: string;
  /** Who runs the gateway: `switchboard gateway stop` ends a headless process, but only stops the desktop app's gateway. */
  host: 'headless' | 'desktop';
}

export type GatewayService = ControlService<ControlMethods, ControlEvents>;

export interface GatewayHost {
  readonly gateway: Gateway;
  readonly service: GatewayService;
  readonly token: string;
  readonly tokenPath: string;
  /** The keychain, and the resolver channel adapters use for `{ secret }` / `{ env }` references. */
  readonly credentials: { store: SecretStore; resolver: SecretResolver };
  /** Writes gateway.json so the CLI finds this gateway; call again when the endpoints change. */
  publish(endpoints: PublishedEndpoints): Promise<void>;
  /** A transport to close after the gateway has stopped and before the lock is released. */
  attach(transport: { close(): Promise<void> }): void;
  /** Stops the gateway (in-flight turns get their grace period), closes transports, releases the lock. */
  close(): Promise<void>;
}

/** Takes the instance lock and builds everything; the gateway is initialised but not started. */
export async function openGatewayHost(opts: GatewayHostOptions): Promise<GatewayHost> {
  const lock = new InstanceLock(opts.loc.stateDir);
  await lock.acquire();
  const env = opts.env ?? process.env;
  // The Logs view's memory of recent entries, at the level the config asks for (read per entry, so a reload applies).
  const late: { service?: GatewayService; gateway?: Gateway } = {};
  const tail = new LogTail({ level: () => effectiveLevel(env, late.gateway?.currentConfig.logging.level) });
  if (opts.logFile) tail.seedFromFile(opts.logFile);
  // Every log line of the gateway passes the redaction point, whatever sink the embedder gave us;
  // the tail sits after it, so what the dashboard and the diagnostics bundle see is redacted too.
  const log = redactingLogger(teeLogger(opts.log, tail));
  const hostLog = createLogger('gateway', log);
  // Holding the lock, no other gateway writes here: temp files of interrupted writes can go.
  const swept = await sweepTmpLeftovers(opts.loc.stateDir, { beside: [opts.loc.configPath] }).catch((err: Error) => {
    hostLog.warn('could not clear leftover temp files', { error: err.message });
    return [];
  });
  if (swept.length > 0) hostLog.info('removed temp files left by interrupted writes', { files: swept });
  try {
    const store = new ConfigStore(opts.loc, opts.homeDir, env);
    const pairing = new PairingStore({ stateDir: opts.loc.stateDir });
    // The gateway emits through the control service and the runner messages through the gateway;
    // both are created after the objects that call them, hence the late-bound references (`late`).
    const secrets = opts.secrets ?? openSecretStore();
    const profileKeys = new ProfileApiKeySource({
      store: secrets,
      stateDir: opts.loc.stateDir,
      env,
      // Read from the live config on every turn: a reload or a new profile applies at once.
      agent: (agentId) => {
        const config = late.gateway?.currentConfig;
        const agent = config?.agents.list.find((a) => a.id === agentId);
        return config && agent ? agentAuthRef(agent, config, late.gateway!.currentLoc, opts.homeDir) : undefined;
      },
    });
    const runner =
      opts.runner ??
      new AgentTurnRunner({
        keys: opts.keys ?? profileKeys,
        env,
        log,
        ...(opts.retry ? { retry: opts.retry } : {}),
        messenger: (from, to, text, signal) => late.gateway!.agentMessage(from, to, text, signal),
        spawner: (task, label, signal) => late.gateway!.spawnSubagent(task, label, signal),
      });
    const adapters =
      opts.adapters ??
      channelAdapterFactory({
        stateDir: opts.loc.stateDir,
        log,
        secrets: keychainResolver(secrets, env),
        keychain: secrets,
        env,
        onQr: (channel, accountId, qr) => late.service?.emit('channel.qr', { channel, accountId, qr }),
      });
    const gateway = new Gateway({
      loc: opts.loc,
      store,
      runner,
      pairing,
      log,
      emit: (event, data) => late.service?.emit(event, data),
      adapters,
      ...(opts.homeDir ? { homeDir: opts.homeDir } : {}),
      ...(opts.stopGraceMs !== undefined ? { stopGraceMs: opts.stopGraceMs } : {}),
      env,
      ...(opts.sandbox ? { sandbox: opts.sandbox } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    late.gateway = gateway;
    await gateway.init();
    await reportCredentials(gateway, secrets, hostLog);
    const handlers = gatewayHandlers(
      gateway,
      pairing,
      opts.version,
      { store: secrets, profiles: profileKeys.profiles, env, ...(opts.homeDir ? { homeDir: opts.homeDir } : {}) },
      { keychain: secrets, log, emitQr: (data) => late.service?.emit('channel.qr', data) },
      opts.openPath,
    );
    const service: GatewayService = new ControlService({
      methods: CONTROL_METHODS,
      events: CONTROL_EVENTS,
      handlers: {
        ...handlers,
        ...logHandlers({
          gateway,
          tail,
          version: opts.version,
          logFile: opts.logFile ?? null,
          status: () => handlers.status(undefined, { transport: 'internal', clientId: 'diagnostics' }),
        }),
      },
      log: createLogger('control', log).log,
      redact: redactValue,
    });
    late.service = service;
    const token = await loadOrCreateToken(opts.loc.stateDir);
    const watcher = watchConfig(
      opts.loc.configPath,
      () => gateway.currentLoaded.check.includedFiles ?? [],
      () => void gateway.reload().catch((err: Error) => hostLog.error('config reload failed', { error: err.message })),
    );
    const channelWatch = gateway.watchChannels((status) => service.emit('channel.state', status));
    // Live entries reach authenticated clients only (the transports send events to no one else), in bounded batches.
    const stopTail = tail.subscribe((batch) => service.emit('log.entries', batch));
    const transports: { close(): Promise<void> }[] = [];
    const startedAt = new Date().toISOString();
    let closing: Promise<void> | undefined;
    return {
      gateway,
      service,
      token,
      tokenPath: tokenFilePath(opts.loc.stateDir),
      credentials: { store: secrets, resolver: keychainResolver(secrets, env) },
      publish: async (endpoints) => {
        const info: GatewayInfo & { socket?: string } = {
          pid: process.pid,
          port: endpoints.port,
          startedAt,
          version: opts.version,
          host: endpoints.host,
          ...(endpoints.socket !== undefined ? { socket: endpoints.socket } : {}),
        };
        await lock.publish(info);
      },
      attach: (transport) => void transports.push(transport),
      close: () =>
        (closing ??= (async () => {
          watcher?.close();
          channelWatch.stop();
          stopTail();
          try {
            await gateway.stop();
          } finally {
            for (const transport of transports.splice(0).reverse()) {
              await transport
                .close()
                .catch((err: Error) => hostLog.warn('control transport did not close cleanly', { error: err.message }));
            }
            await lock.release();
          }
        })()),
    };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** Start-up warnings: plaintext secrets still in the config, and a keychain that cannot be reached. */
async function reportCredentials(gateway: Gateway, secrets: SecretStore, log: ModuleLogger): Promise<void> {
  const plaintext = findPlaintextSecrets(gateway.currentLoaded.check.raw ?? {});
  if (plaintext.length > 0) {
    log.warn('plaintext secrets in the config; move them into the OS keychain with "switchboard secrets migrate"', {
      paths: plaintext.map((p) => p.path.join('.')),
    });
  }
  const status = await secrets.status();
  if (!status.available)
    log.warn(
      `keychain unavailable: ${status.reason ?? 'unknown reason'}; agents with auth profiles and channels with { secret } references report "credentials unavailable"`,
    );
}

/**
 * Calls `onChange` (debounced) when the config file, or a file it `$include`s that sits in the same
 * folder, is written, renamed into place or removed. Included files in subfolders are not watched
 * (docs/config.md#include): the watch is on the one folder, which is not recursive on every OS.
 */
function watchConfig(configPath: string, included: () => string[], onChange: () => void): FSWatcher | undefined {
  const name = path.basename(configPath);
  const dir = path.dirname(configPath);
  let timer: NodeJS.Timeout | undefined;
  try {
    const watcher = watch(dir, (_event, file) => {
      if (file !== null && file !== name && !included().some((f) => path.basename(f) === file)) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, 150);
    });
    watcher.unref();
    return watcher;
  } catch {
    // The folder may not exist yet (no config file): edits then arrive through the control plane.
    return undefined;
  }
}

/** Both sinks get every entry (the embedder's file/stderr, and the Logs view's memory). */
function teeLogger(a: Logger, b: Logger): Logger {
  return {
    log(level, message, fields) {
      a.log(level, message, fields);
      b.log(level, message, fields);
    },
  };
}
