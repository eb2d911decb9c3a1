// The desktop app's first step, before Electron's single-instance lock and prefs touch the state
// folder: on a read-only, full or unwritable one it says so in one line naming the folder (the
// same line `switchboard gateway` prints) and exits, instead of quitting without a word.
import { stateDirWriteProblem } from '../gateway/storage-health.ts';

export interface StartRefusalPorts {
  platform: NodeJS.Platform;
  /** process.stderr.write */
  stderr(text: string): void;
  /** dialog.showErrorBox: callable before `ready`; on Linux it would only print to stderr again. */
  showErrorBox(title: string, content: string): void;
  /** app.exit */
  exit(code: number): void;
}

/** True when the app may start; otherwise the user has been told why and the app exits (1). */
export function stateDirAllowsStart(stateDir: string, ports: StartRefusalPorts, problem = stateDirWriteProblem): boolean {
  const reason = problem(stateDir);
  if (!reason) return true;
  const line = `Switchboard cannot start: ${reason}`;
  ports.stderr(`${line}\n`);
  if (ports.platform !== 'linux') ports.showErrorBox('Switchboard cannot start', line);
  ports.exit(1);
  return false;
}
