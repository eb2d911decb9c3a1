// End-to-end harness (docs/testing.md#real-parts-instead-of-mocks): a real `switchboard gateway`
// process (the dist bundle that `npm run gateway` runs) talking to the local Anthropic peer, a real
// gnome-keyring when the machine has one, and Debian's Chromium driven by playwright-core. Every
// step can save a screenshot under test-results/e2e/.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';
import { missingKeyringTools, startKeyring, type Keyring } from '../helpers/keyring.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SHOTS = path.join(ROOT, 'test-results', 'e2e');
export const CHROMIUM = process.env.SWITCHBOARD_CHROMIUM ?? '/usr/bin/chromium';

export interface E2E {
  stateDir: string;
  configPath: string;
  peer: AnthropicPeer;
  gateway: ChildProcess;
  port: number;
  token: string;
  /** http://127.0.0.1:<port>/#token=… — what the gateway prints on a terminal. */
  dashboardUrl: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Saves `test-results/e2e/<suite>-<nn>-<step>.png`. */
  shot(step: string): Promise<void>;
  output(): string;
  close(): Promise<void>;
}

export interface E2EOptions {
  /** Screenshot file prefix. */
  suite: string;
  /** Config to write before start; gets the peer URL. Default: the peer as base URL, nothing else. */
  config?: (peerUrl: string) => Record<string, unknown>;
  /** Runs before the gateway starts (e.g. to write a large transcript). */
  prepare?: (stateDir: string) => Promise<void>;
  /** Give the gateway an ANTHROPIC_API_KEY (default true). */
  envKey?: boolean;
  /** Start a private gnome-keyring for the gateway (default false). */
  keyring?: boolean;
  viewport?: { width: number; height: number };
  /** Extra environment for the gateway process (e.g. a bot token a config names with `{ env }`). */
  env?: Record<string, string>;
}

export async function startE2E(opts: E2EOptions): Promise<E2E> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'sb-e2e-'));
  const configPath = path.join(stateDir, 'switchboard.json');
  const peer = await startAnthropicPeer();
  let keyring: Keyring | undefined;
  let gateway: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    const config = opts.config?.(peer.url) ?? { models: { anthropic: { baseUrl: peer.url } } };
    await writeFile(configPath, JSON.stringify(config, null, 2));
    await opts.prepare?.(stateDir);
    if (opts.keyring && missingKeyringTools.length === 0) keyring = await startKeyring();
    const { DBUS_SESSION_BUS_ADDRESS: _bus, ...baseEnv } = process.env;
    const env: NodeJS.ProcessEnv = {
      ...baseEnv,
      HOME: stateDir,
      SWITCHBOARD_LOG_LEVEL: 'warn',
      ...(keyring?.env ?? {}),
      ...(opts.envKey === false ? {} : { ANTHROPIC_API_KEY: 'sk-e2e-test' }),
      ...(opts.env ?? {}),
    };
    if (opts.envKey === false) delete env.ANTHROPIC_API_KEY;
    const child = spawn(process.execPath, ['dist/cli.mjs', 'gateway', '--port', '0', '--state-dir', stateDir, '--config', configPath], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateway = child;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway did not start in 20 s:\n${out}`)), 20_000);
      child.stdout!.on('data', () => {
        const m = /^control: ws:\/\/127\.0\.0\.1:(\d+)\/control$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`gateway exited with ${code}:\n${out}`));
      });
    });
    const token = (await readFile(path.join(stateDir, 'control-token'), 'utf8')).trim();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1360, height: 860 }, colorScheme: 'light' });
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      out += `\n[pageerror] ${err.message}`;
    });
    await mkdir(SHOTS, { recursive: true });
    let step = 0;
    const running = { gateway: child, browser };
    return {
      stateDir,
      configPath,
      peer,
      gateway: child,
      port,
      token,
      dashboardUrl: `http://127.0.0.1:${port}/#token=${token}`,
      browser,
      context,
      page,
      async shot(name) {
        step++;
        const file = `${opts.suite}-${String(step).padStart(2, '0')}-${name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`;
        await page.screenshot({ path: path.join(SHOTS, file), fullPage: false });
      },
      output: () => out,
      async close() {
        await running.browser.close().catch(() => undefined);
        await stopChild(running.gateway);
        await peer.close();
        await keyring?.stop();
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    if (gateway) await stopChild(gateway);
    await peer.close();
    await keyring?.stop();
    await rm(stateDir, { recursive: true, force: true });
    throw err;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
