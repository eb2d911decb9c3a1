// Reaching the running gateway of a state dir from the CLI: commands that touch live state go
// through its control plane when one runs (docs/architecture.md#one-gateway-per-state-dir).
import { readFile } from 'node:fs/promises';
import type { ControlEvents, ControlMethods } from '../../../src-shared/protocol/methods.ts';
import { tokenFilePath } from '../../control/token.ts';
import { connectControl, type ControlClient } from '../../control/ws-client.ts';
import { runningGateway, type GatewayInfo } from '../../gateway/instance-lock.ts';
import { CliError, type CliContext } from '../io.ts';

export type GatewayClient = ControlClient<ControlMethods, ControlEvents>;

/** Runs `fn` against the running gateway; undefined when none runs for this state dir. */
export async function withRunningGateway<T>(ctx: CliContext, fn: (client: GatewayClient) => Promise<T>): Promise<T | undefined> {
  const info = await runningGateway(ctx.loc.stateDir);
  if (!info) return undefined;
  const token = (await readFile(tokenFilePath(ctx.loc.stateDir), 'utf8')).trim();
  const client = await connectControl<ControlMethods, ControlEvents>(controlUrl(info), token, { timeoutMs: 5000 });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/**
 * The local socket when the gateway serves one (the desktop app opens no TCP port unless remote
 * access is on, docs/desktop.md#control-plane-in-the-desktop-app), else its loopback WebSocket.
 */
export function controlUrl(info: GatewayInfo): string {
  if (info.socket) return `ws+unix://${info.socket}:/control`;
  if (info.port > 0) return `ws://127.0.0.1:${info.port}/control`;
  throw new CliError(`the gateway running as pid ${info.pid} publishes no control address; restart it`, 'unavailable');
}
