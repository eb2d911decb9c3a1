// `switchboard gateway`: the gateway without Electron. Takes the state dir's instance lock, loads
// the config (the embedded default when there is none), serves the control plane on loopback,
// watches the config for changes and stops cleanly on SIGINT/SIGTERM.
import { watch, type FSWatcher } from 'node:fs';
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
import type { Logger } from '../log.ts';
import type { AdapterFactory } from './channel-set.ts';
import { Gateway, type TurnRunner } from './gateway.ts';
import { gatewayHandlers } from './handlers.ts';
import { InstanceLock } from './instance-lock.ts';
import { EnvApiKeySource } from './keys.ts';
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
  keys?: ApiKeySource;
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
  close(): Promise<void>;
}


export async function startHeadlessGateway(opts: HeadlessOptions): Promise<HeadlessGateway> {
  const lock = new InstanceLock(opts.loc.stateDir);
  await lock.acquire();
  let server: ControlServer | undefined;
  let watcher: FSWatcher | undefined;
  try {
    const store = new ConfigStore(opts.loc, opts.homeDir);
    const pairing = new PairingStore({ stateDir: opts.loc.stateDir });
    // The gateway emits through the control service and the runner messages through the gateway;
    // both are created after the objects that call them, hence these late-bound references.
    const late: { service?: ControlService<ControlMethods, ControlEvents>; gateway?: Gateway } = {};
    const runner = opts.runner ?? new AgentTurnRunner({
      keys: opts.keys ?? new EnvApiKeySource(opts.env), env: opts.env ?? process.env, log: opts.log,
      messenger: (from, to, text, signal) => late.gateway!.agentMessage(from, to, text, signal),
    });
    const gateway = new Gateway({
      loc: opts.loc, store, runner, pairing, log: opts.log, emit: (event, data) => late.service?.emit(event, data),
      ...(opts.adapters ? { adapters: opts.adapters } : {}), ...(opts.homeDir ? { homeDir: opts.homeDir } : {}),
      ...(opts.stopGraceMs !== undefined ? { stopGraceMs: opts.stopGraceMs } : {}),
    });
    late.gateway = gateway;
    await gateway.init();
    const service = new ControlService({
      methods: CONTROL_METHODS, events: CONTROL_EVENTS, handlers: gatewayHandlers(gateway, pairing, opts.version),
      log: (level, message, fields) => opts.log.log(level, message, fields),
    });
    late.service = service;
    const token = await loadOrCreateToken(opts.loc.stateDir);
    const port = opts.port ?? gateway.currentConfig.gateway.port ?? DEFAULT_CONTROL_PORT;
    server = await startControlServer({ service, token, port, version: PROTOCOL_VERSION, httpHandler: staticFiles(opts.dashboardDir ?? path.join(appRoot(), 'dist', 'renderer')) });
    await lock.publish({ pid: process.pid, port: server.port, startedAt: new Date().toISOString(), version: opts.version });
    watcher = watchConfig(opts.loc.configPath, () => void gateway.reload().catch((err: Error) => opts.log.log('error', 'config reload failed', { error: err.message })));
    await gateway.start();
    const running = server;
    let closing: Promise<void> | undefined;
    return {
      gateway, service, port: running.port, url: `ws://127.0.0.1:${running.port}/control`, token, tokenPath: tokenFilePath(opts.loc.stateDir),
      close: () => (closing ??= (async () => {
        watcher?.close();
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
