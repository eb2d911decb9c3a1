// A real gnome-keyring in a private D-Bus session for keychain tests
// (docs/testing.md#real-parts-instead-of-mocks): a session bus of our own, then
// `gnome-keyring-daemon --unlock --components=secrets --foreground` on it with a throw-away HOME.
// Without the tools, keychain suites fail under CI and skip (saying why) elsewhere.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { openSecretStore, type SecretStore } from '../../src-main/secrets/store.ts';

const TOOLS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon'];

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export const missingKeyringTools: string[] = process.platform === 'linux' ? TOOLS.filter((t) => !onPath(t)) : TOOLS;

/**
 * `describe` for suites that need the keyring: runs them when the tools exist; otherwise one test
 * that fails under CI (so CI can never skip silently) and a skipped suite with the reason elsewhere.
 */
export function describeWithKeyring(name: string, fn: () => void): void {
  if (missingKeyringTools.length === 0) {
    describe(name, fn);
    return;
  }
  const why = `needs ${missingKeyringTools.join(', ')} (apt-get install gnome-keyring dbus-x11 libsecret-1-dev)`;
  if (process.env.CI) {
    describe(name, () =>
      it('has a keyring to test against', () => {
        throw new Error(`keychain tests cannot run: ${why}`);
      }),
    );
  } else describe.skip(`${name} — skipped: ${why}`, fn);
}

export interface Keyring {
  /** Variables a client needs: DBUS_SESSION_BUS_ADDRESS. */
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => execFile(cmd, args, { env, timeout: 2000 }, (_err, stdout) => resolve(String(stdout))));
}

export async function startKeyring(): Promise<Keyring> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'sb-keyring-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.reverse()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await rm(home, { recursive: true, force: true });
  };
  try {
    const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(bus);
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      bus.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n');
        if (line.length > 1) resolve(line[0]!.trim());
      });
      bus.on('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
    });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      DBUS_SESSION_BUS_ADDRESS: address,
      XDG_DATA_HOME: path.join(home, 'data'),
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_RUNTIME_DIR: home,
      XDG_CACHE_HOME: path.join(home, 'cache'),
    };
    const daemon = spawn('gnome-keyring-daemon', ['--unlock', '--components=secrets', '--foreground'], {
      env,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    children.push(daemon);
    // The login keyring's password; --unlock creates the keyring with it and unlocks it.
    daemon.stdin!.end('switchboard-test');
    // Ready once the daemon owns the Secret Service name on our bus (checked without activating it).
    for (let i = 0; ; i++) {
      const reply = await run(
        'dbus-send',
        [
          '--session',
          '--dest=org.freedesktop.DBus',
          '--type=method_call',
          '--print-reply',
          '/org/freedesktop/DBus',
          'org.freedesktop.DBus.NameHasOwner',
          'string:org.freedesktop.secrets',
        ],
        env,
      );
      if (/boolean true/.test(reply)) break;
      if (daemon.exitCode !== null || i > 200) throw new Error('gnome-keyring-daemon did not come up');
      await new Promise((r) => setTimeout(r, 25));
    }
    return { env: { DBUS_SESSION_BUS_ADDRESS: address }, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A keyring for this test process and a SecretStore on it: keytar (through libsecret) reads the
 * bus address from this process's environment on first use, so the variable is pointed at the
 * keyring's bus; `keyring.stop()` puts the previous value back.
 */
export async function keyringWithStore(): Promise<{ keyring: Keyring; store: SecretStore }> {
  const started = await startKeyring();
  const previous = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = started.env.DBUS_SESSION_BUS_ADDRESS;
  const keyring: Keyring = {
    env: started.env,
    stop: async () => {
      if (previous === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = previous;
      await started.stop();
    },
  };
  return { keyring, store: openSecretStore() };
}
