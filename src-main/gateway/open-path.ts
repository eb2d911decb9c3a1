// Opens a file with the user's default application (the "Open in editor" of the dashboard's
// Settings). The gateway runs on the user's own machine, so the headless gateway can do this for a
// browser page that cannot; the desktop app injects Electron's shell.openPath instead. Only the
// config file is ever opened: the path never comes from a caller.
import { spawn } from 'node:child_process';

export type OpenPath = (file: string) => Promise<void>;

/** The platform's opener: `open` on macOS, `explorer` on Windows, `xdg-open` elsewhere. */
export function systemOpener(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): OpenPath {
  const command = platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer.exe' : 'xdg-open';
  return (file) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(command, [file], { detached: true, stdio: 'ignore', env });
      child.once('error', (err: NodeJS.ErrnoException) => {
        reject(new Error(err.code === 'ENOENT' ? `${command} is not available on this machine` : `${command} failed: ${err.message}`));
      });
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
}
