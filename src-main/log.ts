// The logging seam: small interface, one JSON line per entry. The headless gateway writes to
// stderr; tests pass a collecting logger. (Rotation and redaction join with the credentials work.)

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export function streamLogger(write: (line: string) => void, level: LogLevel | 'silent' = 'info', clock = () => new Date()): Logger {
  return {
    log(entryLevel, message, fields) {
      if (ORDER[entryLevel] < ORDER[level]) return;
      write(`${JSON.stringify({ time: clock().toISOString(), level: entryLevel, msg: message, ...fields })}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };

export function levelFrom(value: string | undefined, fallback: LogLevel = 'info'): LogLevel | 'silent' {
  return value && value in ORDER ? (value as LogLevel | 'silent') : fallback;
}
