// Durations in the config: a number of milliseconds, or a string such as "90s", "10m", "2h"
// (one number and one unit: ms, s, m, h, d). Pure, shared by the checker and its tests.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/i;

/** Milliseconds of `raw`, or null when it is not a duration (negative, empty, unknown unit). */
export function parseDuration(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? Math.round(raw) : null;
  if (typeof raw !== 'string') return null;
  const m = DURATION_RE.exec(raw.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!);
}
