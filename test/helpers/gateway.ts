// Test harness: a real headless gateway (in-process, port 0, temp state dir) talking to the local
// Anthropic peer, plus an authenticated control-plane client that records every event.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ControlEvents, ControlMethods } from '../../src-shared/protocol/methods.ts';
import { connectControl, type ControlClient } from '../../src-main/control/ws-client.ts';
import type { AdapterFactory } from '../../src-main/gateway/channel-set.ts';
import { startHeadlessGateway, type HeadlessGateway } from '../../src-main/gateway/headless.ts';
import type { OpenPath } from '../../src-main/gateway/open-path.ts';
import type { ExecSandbox } from '../../src-main/agents/sandbox/index.ts';
import type { HeartbeatClock } from '../../src-main/gateway/heartbeat.ts';
import type { RetryPolicy } from '../../src-main/agents/turn.ts';
import { silentLogger, type Logger } from '../../src-main/log.ts';
import { startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';

export type Client = ControlClient<ControlMethods, ControlEvents>;

export interface TestGateway {
  dir: string;
  peer: AnthropicPeer;
  headless: HeadlessGateway;
  client: Client;
  events: { event: string; data: Record<string, unknown> }[];
  /** Resolves with the first event matching `pred` (already received or future). */
  waitFor(event: string, pred?: (data: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export const TEST_API_KEY = 'sk-test-key-123';

export async function startTestGateway(
  opts: {
    config?: (peerUrl: string) => Record<string, unknown>;
    adapters?: AdapterFactory;
    env?: NodeJS.ProcessEnv;
    peer?: AnthropicPeer;
    openPath?: OpenPath;
    /** Where the gateway logs (default: nowhere). */
    log?: Logger;
    sandbox?: ExecSandbox;
    /** The home folder `~` means (default: the state dir). */
    homeDir?: string;
    /** Parent folder of the temp state dir (default the OS temp dir), e.g. a small tmpfs. */
    parentDir?: string;
    /** Heartbeat timers (default: real ones). */
    clock?: HeartbeatClock;
    /** The runner's model-call retries, e.g. `{ maxAttempts: 1 }` so a 529 fails at once instead of after backoff. */
    retry?: Partial<RetryPolicy>;
  } = {},
): Promise<TestGateway> {
  const dir = await mkdtemp(path.join(opts.parentDir ?? os.tmpdir(), 'sb-gw-'));
  const peer = opts.peer ?? (await startAnthropicPeer());
  const config = opts.config?.(peer.url) ?? { models: { anthropic: { baseUrl: peer.url } } };
  await writeFile(path.join(dir, 'switchboard.json'), JSON.stringify(config, null, 2));
  const headless = await startHeadlessGateway({
    loc: { stateDir: dir, configPath: path.join(dir, 'switchboard.json') },
    version: 'test',
    log: opts.log ?? silentLogger,
    homeDir: opts.homeDir ?? dir,
    port: 0,
    env: opts.env ?? { ANTHROPIC_API_KEY: TEST_API_KEY },
    stopGraceMs: 2000,
    ...(opts.adapters ? { adapters: opts.adapters } : {}),
    ...(opts.openPath ? { openPath: opts.openPath } : {}),
    ...(opts.sandbox ? { sandbox: opts.sandbox } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
  });
  const client = await connectControl<ControlMethods, ControlEvents>(headless.url, headless.token, { timeoutMs: 5000 });
  const events: TestGateway['events'] = [];
  const waiters: { event: string; pred: (d: Record<string, unknown>) => boolean; resolve: (d: Record<string, unknown>) => void }[] = [];
  for (const name of Object.keys({
    'gateway.state': 1,
    'message.inbound': 1,
    'agent.delta': 1,
    'agent.tool': 1,
    'message.outbound': 1,
    'message.dropped': 1,
    'agent.state': 1,
    'config.changed': 1,
    'storage.state': 1,
  })) {
    client.on(name as keyof ControlEvents, (data: unknown) => {
      const d = data as Record<string, unknown>;
      events.push({ event: name, data: d });
      for (const w of [...waiters]) {
        if (w.event === name && w.pred(d)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(d);
        }
      }
    });
  }
  return {
    dir,
    peer,
    headless,
    client,
    events,
    waitFor(event, pred = () => true, timeoutMs = 10_000) {
      const seen = events.find((e) => e.event === event && pred(e.data));
      if (seen) return Promise.resolve(seen.data);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs);
        waiters.push({
          event,
          pred,
          resolve: (d) => {
            clearTimeout(timer);
            resolve(d);
          },
        });
      });
    },
    async close() {
      client.close();
      await headless.close();
      if (!opts.peer) await peer.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
