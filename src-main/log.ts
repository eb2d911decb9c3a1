// The logging seam: small interface, one JSON line per entry. The headless gateway writes to
// stderr; tests pass a collecting logger. Every line is redacted (secrets/redact.ts) on its way out.
import { redactText, redactValue } from './secrets/redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export function streamLogger(write: (line: string) => void, level: LogLevel | 'silent' = 'info', clock = () => new Date()): Logger {
  return {
    log(entryLevel, message, fields) {
      if (ORDER[entryLevel] < ORDER[level]) return;
      const safe = fields ? (redactValue(fields) as Record<string, unknown>) : {};
      write(`${JSON.stringify({ time: clock().toISOString(), level: entryLevel, msg: redactText(message), ...safe })}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };

/** Wraps any logger (a test's collector, an embedder's sink) so it only ever sees redacted entries. */
export function redactingLogger(inner: Logger): Logger {
  return {
    log(level, message, fields) {
      inner.log(level, redactText(message), fields ? (redactValue(fields) as Record<string, unknown>) : undefined);
    },
  };
}

/** `trace` (accepted in the config for OpenClaw compatibility) logs as `debug`. */
export function levelFrom(value: string | undefined, fallback: LogLevel | 'silent' = 'info'): LogLevel | 'silent' {
  if (value === 'trace') return 'debug';
  return value && value in ORDER ? (value as LogLevel | 'silent') : fallback;
}

/** The log level: SWITCHBOARD_LOG_LEVEL wins over the config's `logging.level`, else info. */
export function effectiveLevel(env: NodeJS.ProcessEnv, configLevel: string | undefined): LogLevel | 'silent' {
  return levelFrom(env.SWITCHBOARD_LOG_LEVEL, levelFrom(configLevel, 'info'));
}
