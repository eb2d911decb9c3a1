// Control methods and the live event of the Logs view (issue 20): the gateway's recent log entries
// (already redacted where they were logged), a live stream of them in bounded batches, and the
// diagnostics bundle a user pastes into a bug report. docs/architecture.md#logs-view has the bounds.
import { z } from 'zod';
import { defineEvent, defineMethod } from './contract.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const logLevelSchema = z.enum(LOG_LEVELS);

/** One log entry as the dashboard sees it; `agentId`/`channel` lifted from its fields for filtering. */
export const logEntrySchema = z.object({
  /** Increases by one per entry this gateway logged; a gap in a live batch means entries were skipped. */
  seq: z.number().int(),
  time: z.string(),
  level: logLevelSchema,
  module: z.string().optional(),
  msg: z.string(),
  agentId: z.string().optional(),
  channel: z.string().optional(),
  /** The entry's other fields as JSON, cut to LOG_FIELDS_MAX characters ("…" at the end when cut). */
  fields: z.string().optional(),
});

/** Longest message and fields text (characters) one entry carries; the log file keeps them whole. */
export const LOG_MSG_MAX = 2000;
export const LOG_FIELDS_MAX = 2000;
/** Entries the gateway keeps in memory for `logs.tail` and the bundle. */
export const LOG_TAIL_KEEP = 2000;
/** Entries in a diagnostics bundle. */
export const DIAGNOSTICS_LOG_LINES = 200;

const logFilter = {
  /** The lowest level shown: `warn` shows warn and error. */
  level: logLevelSchema.optional(),
  agentId: z.string().min(1).max(64).optional(),
  channel: z.string().min(1).max(64).optional(),
};

/** Takes `status`'s result schema (methods.ts owns it; passed in so the two modules do not import each other). */
export function logMethods<S extends z.ZodType>(statusSchema: S) {
  return {
    /** The last `limit` entries (oldest first) that pass the filters; `log.entries` events continue from `lastSeq`. */
    'logs.tail': defineMethod({
      params: z.object({ limit: z.number().int().min(1).max(LOG_TAIL_KEEP).optional(), ...logFilter }).optional(),
      result: z.object({
        entries: z.array(logEntrySchema),
        /** seq of the newest entry logged (filtered or not); 0 before the first. */
        lastSeq: z.number().int(),
        /** The level the gateway logs at: entries below it are never written. */
        level: z.enum([...LOG_LEVELS, 'silent']),
        /** Where the log file is, when this gateway writes one (older entries, whole lines). */
        file: z.string().nullable(),
      }),
    }),
    /**
     * Versions, the config (secrets masked, `{ secret }`/`{ env }` references kept), status and the
     * last DIAGNOSTICS_LOG_LINES entries, all redacted: safe to paste into a public bug report.
     */
    'diagnostics.bundle': defineMethod({
      params: z.object({}).optional(),
      result: z.object({
        format: z.literal('switchboard.diagnostics'),
        version: z.literal(1),
        generatedAt: z.string(),
        versions: z.object({
          app: z.string(),
          node: z.string(),
          electron: z.string().nullable(),
          os: z.string(),
          arch: z.string(),
          protocol: z.string(),
        }),
        config: z.object({
          path: z.string(),
          exists: z.boolean(),
          hash: z.string(),
          raw: z.record(z.string(), z.unknown()).nullable(),
          issues: z.array(z.object({ severity: z.string(), message: z.string(), path: z.string() })),
        }),
        status: statusSchema,
        logs: z.object({ level: z.string(), file: z.string().nullable(), entries: z.array(logEntrySchema) }),
      }),
    }),
  };
}

export const LOG_EVENTS = {
  /**
   * New entries, at most one batch per LOG_BATCH_MS with at most LOG_BATCH_MAX entries and
   * LOG_BATCH_BYTES of text; `skipped` counts entries a log storm made the batch leave out.
   */
  'log.entries': defineEvent(z.object({ entries: z.array(logEntrySchema), skipped: z.number().int() })),
};

export const LOG_BATCH_MS = 250;
export const LOG_BATCH_MAX = 100;
export const LOG_BATCH_BYTES = 64 * 1024;
