// The `switchboard` command as a user runs it: a real process (bin/switchboard.mjs) with HOME
// pointed at a temp folder and none of the caller's SWITCHBOARD_* settings (nor XDG_CONFIG_HOME,
// under which a new install's folder would land on Linux), so each test owns its files.
import { execFile } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'switchboard.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], home: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          HOME: home,
          USERPROFILE: home,
          CI: 'true',
          SWITCHBOARD_STATE_DIR: undefined,
          SWITCHBOARD_CONFIG_PATH: undefined,
          SWITCHBOARD_PROFILE: undefined,
          XDG_CONFIG_HOME: undefined,
          ...env,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}
