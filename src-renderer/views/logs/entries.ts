// The Logs view's list: entries as the gateway sends them (src-shared/protocol/log-methods.ts), the
// filter the toolbar sets, and the bounded append that keeps a long-open view from growing forever.
import type { z } from 'zod';
import type { logEntrySchema, LOG_LEVELS } from '../../../src-shared/protocol/log-methods.ts';

export type LogEntry = z.output<typeof logEntrySchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];
export interface LogFilter {
  level?: LogLevel | undefined;
  agentId?: string | undefined;
  channel?: string | undefined;
}

/** Lines the view keeps; older ones drop off the top (the gateway and its log file still have them). */
export const VIEW_KEEP = 2000;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The same rule as the gateway's `logs.tail` filter, for live entries. */
export function entryMatches(e: LogEntry, f: LogFilter): boolean {
  if (f.level && ORDER[e.level] < ORDER[f.level]) return false;
  if (f.agentId && e.agentId?.toLowerCase() !== f.agentId.toLowerCase()) return false;
  if (f.channel && e.channel?.toLowerCase() !== f.channel.toLowerCase()) return false;
  return true;
}

export function appendEntries(list: LogEntry[], more: LogEntry[]): LogEntry[] {
  if (more.length === 0) return list;
  const next = list.concat(more);
  return next.length > VIEW_KEEP ? next.slice(next.length - VIEW_KEEP) : next;
}

/** `23:42:05` in local time: log lines a second apart must read apart. */
export function logTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
