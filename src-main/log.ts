// The logging seam: a small sink interface (`Logger`), named module loggers on top of it
// (`createLogger('gateway', sink)`: every entry carries `module`), and the line formats — JSON
// lines for files and pipes, a short human line on a terminal. Every line is redacted
// (secrets/redact.ts) on its way out; tests pass a collecting logger.
import { redactText, redactValue } from './secrets/redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'human';
type Fields = Record<string, unknown>;
const ORDER: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Where entries go. Module loggers put their name in `fields.module`. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Fields): void;
}

/** A logger bound to one part of the program; its methods are bound, so `log.warn` can be passed on. */
export interface ModuleLogger extends Logger {
  readonly module: string;
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  /** A logger for a part of this module: `gateway` → `gateway.lanes`. */
  child(name: string): ModuleLogger;
}

// A module logger handed on as a sink is unwrapped: its bindings carry over, and the new name
// replaces its name (one `module` per entry, the innermost).
const parents = new WeakMap<Logger, { root: Logger; bindings: Fields }>();

/**
 * The logger of module `name`, writing to `sink` (the injected seam: a stream, a file, a test's
 * collector). `bindings` go into every entry (e.g. the account a channel adapter serves).
 */
export function createLogger(name: string, sink: Logger, bindings: Fields = {}): ModuleLogger {
  const parent = parents.get(sink);
  const root = parent?.root ?? sink;
  const bound = parent ? { ...parent.bindings, ...bindings } : bindings;
  const log = (level: LogLevel, message: string, fields?: Fields) => root.log(level, message, { ...bound, ...fields, module: name });
  const logger: ModuleLogger = {
    module: name,
    log,
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    child: (child) => createLogger(`${name}.${child}`, logger),
  };
  parents.set(logger, { root, bindings: bound });
  return logger;
}

/** One entry, already redacted, as the formats see it. */
export interface LogEntry {
  time: Date;
  level: LogLevel;
  module?: string;
  msg: string;
  fields: Fields;
}

/** Filters by level, redacts, and hands each entry to `write`. */
export function entryLogger(write: (entry: LogEntry) => void, level: LogLevel | 'silent' = 'info', clock = () => new Date()): Logger {
  return {
    log(entryLevel, message, fields) {
      if (ORDER[entryLevel] < ORDER[level]) return;
      const { module, ...rest } = fields ? (redactValue(fields) as Fields) : {};
      write({
        time: clock(),
        level: entryLevel,
        ...(typeof module === 'string' ? { module } : {}),
        msg: redactText(message),
        fields: rest,
      });
    },
  };
}

/** Today's file and pipe format: `{"time","level","module","msg",...fields}` and a newline. */
export function formatJson(e: LogEntry): string {
  return `${JSON.stringify({ time: e.time.toISOString(), level: e.level, ...(e.module ? { module: e.module } : {}), msg: e.msg, ...e.fields })}\n`;
}

/** For a person at a terminal: `20:31:02 WARN  gateway  message key=value …` (local time). */
export function formatHuman(e: LogEntry): string {
  const time = [e.time.getHours(), e.time.getMinutes(), e.time.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  const pairs = Object.entries(e.fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}=${humanValue(v)}`);
  // One entry, one line: a newline inside a message would pass for the start of another entry.
  const msg = e.msg.replace(/\r?\n/g, '\\n');
  return `${time} ${e.level.toUpperCase().padEnd(5)} ${(e.module ?? '').padEnd(8)} ${msg}${pairs.join('')}\n`;
}

function humanValue(v: unknown): string {
  if (typeof v === 'string') return v !== '' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** JSON lines for files and pipes; `human` when a person reads the stream (see `terminalFormat`). */
export function streamLogger(
  write: (line: string) => void,
  level: LogLevel | 'silent' = 'info',
  opts: { format?: LogFormat; clock?: () => Date } = {},
): Logger {
  const format = opts.format === 'human' ? formatHuman : formatJson;
  return entryLogger((entry) => write(format(entry)), level, opts.clock);
}

/** Human lines on a terminal, JSON lines otherwise or when asked for (`--json-logs`). */
export function terminalFormat(stream: { isTTY?: boolean }, forceJson = false): LogFormat {
  return stream.isTTY && !forceJson ? 'human' : 'json';
}

export const silentLogger: Logger = { log() {} };

/** Wraps any logger (a test's collector, an embedder's sink) so it only ever sees redacted entries. */
export function redactingLogger(inner: Logger): Logger {
  return {
    log(level, message, fields) {
      inner.log(level, redactText(message), fields ? (redactValue(fields) as Fields) : undefined);
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
