// Log files in `<stateDir>/logs/` (docs/architecture.md#logs): one JSON line per entry, already
// redacted by the logger in front, rotated by size so a chatty gateway never fills the disk. Writes
// are synchronous appends: a line is on disk before the process can die, and there is no buffer to
// lose on a crash. The files are private to the user (0600 in a 0700 folder).
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { effectiveLevel, entryLogger, formatHuman, formatJson, type LogFormat, type Logger } from './log.ts';

export interface LogFileOptions {
  dir: string;
  /** Default `switchboard.log`; rotated copies are `switchboard.1.log` (newest) … `switchboard.<keep>.log`. */
  name?: string;
  /** Rotate before a write would take the file past this size (default 5 MiB). */
  maxBytes?: number;
  /** Rotated files kept besides the current one (default 3). */
  keep?: number;
}

export interface LogFile {
  readonly path: string;
  write(line: string): void;
  close(): void;
}

export function openLogFile(opts: LogFileOptions): LogFile {
  const name = opts.name ?? 'switchboard.log';
  const maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
  const keep = opts.keep ?? 3;
  const file = path.join(opts.dir, name);
  const ext = path.extname(name);
  const rotated = (n: number) => path.join(opts.dir, `${path.basename(name, ext)}.${n}${ext}`);
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  let fd = openSync(file, 'a', 0o600);
  let size = statSync(file).size;
  let closed = false;

  const rotate = () => {
    closeSync(fd);
    rmSync(rotated(keep), { force: true });
    for (let n = keep - 1; n >= 1; n--) {
      try {
        renameSync(rotated(n), rotated(n + 1));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    if (keep > 0) renameSync(file, rotated(1));
    else rmSync(file, { force: true });
    fd = openSync(file, 'a', 0o600);
    size = 0;
  };

  return {
    path: file,
    write(line) {
      if (closed) return;
      const bytes = Buffer.byteLength(line);
      try {
        if (size > 0 && size + bytes > maxBytes) rotate();
        writeSync(fd, line);
        size += bytes;
      } catch {
        // A full disk or a removed folder must not take the gateway down with it; stderr still has the line.
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

/**
 * The gateway's logger, headless or in the desktop app: redacted lines to stderr (JSON, or human
 * lines when `stderrFormat` is `human`) and JSON lines to `<logsDir>/switchboard.log`, at
 * SWITCHBOARD_LOG_LEVEL, else the config's `logging.level`.
 */
export function gatewayLogger(opts: {
  stateDir: string;
  /** `<stateDir>/logs` unless told (a macOS new install logs to ~/Library/Logs/Switchboard). */
  logsDir?: string;
  env: NodeJS.ProcessEnv;
  configLevel?: string | undefined;
  stderr: (line: string) => void;
  stderrFormat?: LogFormat;
}): { log: Logger; file: LogFile } {
  const level = effectiveLevel(opts.env, opts.configLevel);
  const file = openLogFile({ dir: opts.logsDir ?? path.join(opts.stateDir, 'logs') });
  const human = opts.stderrFormat === 'human';
  // One entry (redacted once), formatted for each sink; the file always gets JSON.
  const log = entryLogger((entry) => {
    const json = formatJson(entry);
    opts.stderr(human ? formatHuman(entry) : json);
    file.write(json);
  }, level);
  return { log, file };
}
