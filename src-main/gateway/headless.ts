// `switchboard gateway`: the gateway without Electron. Takes the state dir's instance lock, loads
// the config (the embedded default when there is none), serves the control plane on loopback,
// watches the config for changes and stops cleanly on SIGINT/SIGTERM.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { CONTROL_EVENTS, CONTROL_METHODS, PROTOCOL_VERSION, type ControlEvents, type ControlMethods } from '../../src-shared/protocol/methods.ts';
import { AgentTurnRunner } from '../agents/turn.ts';
import type { ApiKeySource } from '../agents/turn-types.ts';
import type { Locations } from '../config/paths.ts';
import { ConfigStore } from '../config/store.ts';
import { ControlService } from '../control/service.ts';
import { loadOrCreateToken, tokenFilePath } from '../control/token.ts';
import { startControlServer, type ControlServer } from '../control/ws-server.ts';
import { appRoot } from '../app-root.ts';
import { redactingLogger, type Logger } from '../log.ts';
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
import { InstanceLock } from './instance-lock.ts';
import { PairingStore } from './pairing.ts';
import { staticFiles } from './static-files.ts';

export const DEFAULT_CONTROL_PORT = 47800;

export interface HeadlessOptions {
  loc: Locations;
  version: string;
  log: Logger;
  homeDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Control port; 0 = any free port; default: config `gateway.port`, else 47800. */
  port?: number;
  runner?: TurnRunner;
  /** Default: auth profiles in the OS keychain, ANTHROPIC_API_KEY for agents without one. */
  keys?: ApiKeySource;
  /** Default: openSecretStore() (keytar, or an unavailable store saying why). */
  secrets?: SecretStore;
  adapters?: AdapterFactory;
  /** Folder with the dashboard build; default dist/renderer next to the sources. */
  dashboardDir?: string;
  stopGraceMs?: number;
}

export interface HeadlessGateway {
  gateway: Gateway;
  service: ControlService<ControlMethods, ControlEvents>;
  port: number;
  url: string;
  token: string;
  tokenPath: string;
  /** Whether a dashboard build is being served at http://127.0.0.1:<port>/. */
  hasDashboard: boolean;
  /** The keychain, and the resolver channel adapters use for `{ secret }` / `{ env }` references. */
  credentials: { store: SecretStore; resolver: SecretResolver };
  close(): Promise<void>;
}


export async function startHeadlessGateway(opts: HeadlessOptions): Promise<HeadlessGateway> {
  const lock = new InstanceLock(opts.loc.stateDir);
  await lock.acquire();
  // Every log line of the gateway passes the redaction point, whatever sink the embedder gave us.
  const log = redactingLogger(opts.log);
  const env = opts.env ?? process.env;
  let server: ControlServer | undefined;
  let watcher: FSWatcher | undefined;
  try {
    const store = new ConfigStore(opts.loc, opts.homeDir);
    const pairing = new PairingStore({ stateDir: opts.loc.stateDir });
    // The gateway emits through the control service and the runner messages through the gateway;
    // both are created after the objects that call them, hence these late-bound references.
    const late: { service?: ControlService<ControlMethods, ControlEvents>; gateway?: Gateway } = {};
    const secrets = opts.secrets ?? openSecretStore();
    const profileKeys = new ProfileApiKeySource({
      store: secrets, stateDir: opts.loc.stateDir, env,
      // Read from the live config on every turn: a reload or a new profile applies at once.
      agent: (agentId) => {
        const config = late.gateway?.currentConfig;
        const agent = config?.agents.list.find((a) => a.id === agentId);
        return config && agent ? agentAuthRef(agent, config, late.gateway!.currentLoc, opts.homeDir) : undefined;
      },
    });
    const runner = opts.runner ?? new AgentTurnRunner({
      keys: opts.keys ?? profileKeys, env, log,
      messenger: (from, to, text, signal) => late.gateway!.agentMessage(from, to, text, signal),
    });
    const adapters = opts.adapters ?? channelAdapterFactory({
      stateDir: opts.loc.stateDir, log, secrets: keychainResolver(secrets, env), keychain: secrets,
      onQr: (channel, accountId, qr) => late.service?.emit('channel.qr', { channel, accountId, qr }),
    });
    const gateway = new Gateway({
      loc: opts.loc, store, runner, pairing, log, emit: (event, data) => late.service?.emit(event, data), adapters, ...(opts.homeDir ? { homeDir: opts.homeDir } : {}),
      ...(opts.stopGraceMs !== undefined ? { stopGraceMs: opts.stopGraceMs } : {}),
    });
    late.gateway = gateway;
    await gateway.init();
    await reportCredentials(gateway, secrets, log);
    const service = new ControlService({
      methods: CONTROL_METHODS, events: CONTROL_EVENTS,
      handlers: gatewayHandlers(gateway, pairing, opts.version, { store: secrets, profiles: profileKeys.profiles, env, ...(opts.homeDir ? { homeDir: opts.homeDir } : {}) },
        { keychain: secrets, log, emitQr: (data) => late.service?.emit('channel.qr', data) }),
      log: (level, message, fields) => log.log(level, message, fields),
      redact: redactValue,
    });
    late.service = service;
    const token = await loadOrCreateToken(opts.loc.stateDir);
    const port = opts.port ?? gateway.currentConfig.gateway.port ?? DEFAULT_CONTROL_PORT;
    const dashboardDir = opts.dashboardDir ?? path.join(appRoot(), 'dist', 'renderer');
    server = await startControlServer({ service, token, port, version: PROTOCOL_VERSION, httpHandler: staticFiles(dashboardDir) });
    await lock.publish({ pid: process.pid, port: server.port, startedAt: new Date().toISOString(), version: opts.version });
    watcher = watchConfig(opts.loc.configPath, () => void gateway.reload().catch((err: Error) => log.log('error', 'config reload failed', { error: err.message })));
    await gateway.start();
    const channelWatch = gateway.watchChannels((status) => service.emit('channel.state', status));
    const running = server;
    let closing: Promise<void> | undefined;
    return {
      gateway, service, port: running.port, url: `ws://127.0.0.1:${running.port}/control`, token, tokenPath: tokenFilePath(opts.loc.stateDir),
      hasDashboard: existsSync(path.join(dashboardDir, 'index.html')),
      credentials: { store: secrets, resolver: keychainResolver(secrets, env) },
      close: () => (closing ??= (async () => {
        watcher?.close();
        channelWatch.stop();
        await gateway.stop();
        await running.close();
        await lock.release();
      })()),
    };
  } catch (err) {
    watcher?.close();
    await server?.close().catch(() => undefined);
    await lock.release();
    throw err;
  }
}

/** Start-up warnings: plaintext secrets still in the config, and a keychain that cannot be reached. */
async function reportCredentials(gateway: Gateway, secrets: SecretStore, log: Logger): Promise<void> {
  const plaintext = findPlaintextSecrets(gateway.currentLoaded.check.raw ?? {});
  if (plaintext.length > 0) {
    log.log('warn', 'plaintext secrets in the config; move them into the OS keychain with "switchboard secrets migrate"', { paths: plaintext.map((p) => p.path.join('.')) });
  }
  const status = await secrets.status();
  if (!status.available) log.log('warn', `keychain unavailable: ${status.reason ?? 'unknown reason'}; agents with auth profiles and channels with { secret } references report "credentials unavailable"`);
}

/** Calls `onChange` (debounced) when the config file is written, renamed into place or removed. */
function watchConfig(configPath: string, onChange: () => void): FSWatcher | undefined {
  const name = path.basename(configPath);
  let timer: NodeJS.Timeout | undefined;
  try {
    const watcher = watch(path.dirname(configPath), (_event, file) => {
      if (file !== null && file !== name) return;
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
