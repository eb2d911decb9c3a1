// Whether this state dir's gateway runs under the service `gateway install` wrote, and the service
// manager's commands to stop or restart it. Stopping such a gateway with SIGTERM would leave the
// service "stopped" by accident, and a restart outside it would start a second, unmanaged gateway;
// `gateway stop|restart` go through systemctl / launchctl instead. The command runner is injected.
import { readFile } from 'node:fs/promises';
import { LAUNCHD_LABEL, serviceFilePath, SYSTEMD_UNIT_NAME, systemdWord, xml, type ServicePlatform } from './service.ts';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs a program without a shell; a program that cannot be started resolves with code 127. */
export type CommandRunner = (program: string, args: string[]) => Promise<RunResult>;

export interface ManagedService {
  platform: ServicePlatform;
  file: string;
  stop: string[];
  restart: string[];
}

/**
 * The installed service that runs `stateDir`'s gateway and that its manager reports as running
 * (systemd: `is-active` says active/activating/reloading; launchd: `print` finds the job), or null.
 * A manager that cannot answer (no user session bus, not on PATH) counts as "not managed".
 */
export async function managedService(opts: {
  platform: NodeJS.Platform;
  homeDir: string;
  env: NodeJS.ProcessEnv;
  stateDir: string;
  uid: number;
  run: CommandRunner;
}): Promise<ManagedService | null> {
  if (opts.platform !== 'linux' && opts.platform !== 'darwin') return null;
  const file = serviceFilePath(opts.platform, opts.homeDir, opts.env);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  // One service per user: it may belong to another state dir, whose gateway is not this one.
  if (text === undefined || !servesStateDir(text, opts.stateDir)) return null;
  if (opts.platform === 'linux') {
    const state = await opts.run('systemctl', ['--user', 'is-active', SYSTEMD_UNIT_NAME]);
    if (!['active', 'activating', 'reloading'].includes(state.stdout.trim())) return null;
    return {
      platform: 'linux',
      file,
      stop: ['systemctl', '--user', 'stop', SYSTEMD_UNIT_NAME],
      restart: ['systemctl', '--user', 'restart', SYSTEMD_UNIT_NAME],
    };
  }
  const target = `gui/${opts.uid}/${LAUNCHD_LABEL}`;
  const printed = await opts.run('launchctl', ['print', target]);
  if (printed.code !== 0) return null;
  return {
    platform: 'darwin',
    file,
    // bootout unloads the job (KeepAlive would otherwise bring it back); it loads again at the next login.
    stop: ['launchctl', 'bootout', target],
    // kickstart -k: kill the running instance and start it again, under launchd.
    restart: ['launchctl', 'kickstart', '-k', target],
  };
}

/** The service file passes this state dir as `--state-dir` (written by service.ts: a quoted unit word, a plist <string>). */
function servesStateDir(text: string, stateDir: string): boolean {
  return (
    text.includes(`"--state-dir" ${systemdWord(stateDir, true)}`) ||
    text.includes(`<string>--state-dir</string>\n    <string>${xml(stateDir)}</string>`)
  );
}
