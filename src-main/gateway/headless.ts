// `switchboard gateway`: the gateway without Electron. Opens the gateway host (instance lock,
// config, credentials, control service, config watching; see host.ts), serves the control plane
// and the dashboard on loopback, and stops cleanly on SIGINT/SIGTERM (the CLI wires the signals).
import type { OpenPath } from './open-path.ts';
import type { ExecSandbox } from '../agents/sandbox/index.ts';
import type { HeartbeatClock } from './heartbeat.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROTOCOL_VERSION } from '../../src-shared/protocol/methods.ts';
import type { RetryPolicy } from '../agents/turn.ts';
import type { ApiKeySource } from '../agents/turn-types.ts';
import type { Locations } from '../config/paths.ts';
import { startControlServer } from '../control/ws-server.ts';
import { appRoot } from '../app-root.ts';
import type { Logger } from '../log.ts';
import type { SecretResolver } from '../secrets/resolver.ts';
import type { SecretStore } from '../secrets/store.ts';
import type { AdapterFactory } from './channel-set.ts';
import type { Gateway, TurnRunner } from './gateway.ts';
import { openGatewayHost, type GatewayService } from './host.ts';
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
  /** The model-call retry policy of the default runner (tests keep it to one quick attempt). */
  retry?: Partial<RetryPolicy>;
  /** Default: auth profiles in the OS keychain, ANTHROPIC_API_KEY for agents without one. */
  keys?: ApiKeySource;
  /** Default: openSecretStore() (keytar, or an unavailable store saying why). */
  secrets?: SecretStore;
  adapters?: AdapterFactory;
  /** Folder with the dashboard build; default dist/renderer next to the sources. */
  dashboardDir?: string;
  stopGraceMs?: number;
  /** The OS sandbox for agents that ask for one; default this machine's (tests inject detection). */
  sandbox?: ExecSandbox;
  /** How `config.open` opens the config file; default the platform's opener. */
  openPath?: OpenPath;
  /** Drives heartbeat timers; tests inject one they advance. */
  clock?: HeartbeatClock;
  /** The JSON log file written beside the gateway (log-file.ts), for the Logs view and the diagnostics bundle. */
  logFile?: string;
}

export interface HeadlessGateway {
  gateway: Gateway;
  service: GatewayService;
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
  const host = await openGatewayHost(opts);
  try {
    const port = opts.port ?? host.gateway.currentConfig.gateway.port ?? DEFAULT_CONTROL_PORT;
    const dashboardDir = opts.dashboardDir ?? path.join(appRoot(), 'dist', 'renderer');
    const server = await startControlServer({
      service: host.service,
      token: host.token,
      port,
      version: PROTOCOL_VERSION,
      httpHandler: staticFiles(dashboardDir),
    });
    host.attach(server);
    await host.publish({ port: server.port, host: 'headless' });
    await host.gateway.start();
    return {
      gateway: host.gateway,
      service: host.service,
      port: server.port,
      url: `ws://127.0.0.1:${server.port}/control`,
      token: host.token,
      tokenPath: host.tokenPath,
      hasDashboard: existsSync(path.join(dashboardDir, 'index.html')),
      credentials: host.credentials,
      close: () => host.close(),
    };
  } catch (err) {
    await host.close().catch(() => undefined);
    throw err;
  }
}
