// The `heartbeat` agent key (docs/heartbeat-subagents.md): its duration and clock-time formats, the
// default prompt and "nothing to report" token taken from OpenClaw, and the active-hours test.
// Pure: the gateway's scheduler (src-main/gateway/heartbeat.ts) does the timing.

/** OpenClaw's default heartbeat prompt, sent when `heartbeat.prompt` is not set. */
export const DEFAULT_HEARTBEAT_PROMPT =
  'Read HEARTBEAT.md if it exists (workspace context). Follow it strictly. Do not infer or repeat old tasks from prior chats. If nothing needs attention, reply HEARTBEAT_OK.';

/** A heartbeat reply that is only this token (at its start or end) is recorded, never sent. */
export const HEARTBEAT_OK = 'HEARTBEAT_OK';

/** Shortest interval: a heartbeat is a paid model turn, and an idle tray app should stay asleep. */
export const HEARTBEAT_MIN_MS = 60_000;

const CLOCK = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** "08:00" → minutes after midnight; "24:00" → 1440 (end of day); null when not HH:MM. */
export function parseClockTime(text: string): number | null {
  const m = CLOCK.exec(text.trim());
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes > 1440 ? null : minutes;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export interface ActiveHours {
  start: string;
  end: string;
  /** IANA zone; absent or "local" = the machine's zone. */
  timezone?: string;
}

/**
 * Whether `at` falls inside the window. start < end: [start, end); start > end: the window wraps
 * midnight (22:00–06:00); start == end: never (an empty window, as in OpenClaw).
 */
export function withinActiveHours(hours: ActiveHours, at: Date): boolean {
  const start = parseClockTime(hours.start);
  const end = parseClockTime(hours.end);
  if (start === null || end === null || start === end) return false;
  const zone = hours.timezone && hours.timezone !== 'local' ? hours.timezone : undefined;
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(
    at,
  );
  const now = Number(parts.find((p) => p.type === 'hour')?.value) * 60 + Number(parts.find((p) => p.type === 'minute')?.value);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * What is left of a heartbeat reply once HEARTBEAT_OK at its start or end is taken off; an empty
 * result means "nothing to report".
 */
export function stripHeartbeatOk(reply: string): string {
  let text = reply.trim();
  // Punctuation right next to the token ("HEARTBEAT_OK." / "— HEARTBEAT_OK") goes with it.
  if (text.startsWith(HEARTBEAT_OK)) text = text.slice(HEARTBEAT_OK.length).replace(/^[\s.!:,—-]+/, '');
  if (text.endsWith(HEARTBEAT_OK)) text = text.slice(0, -HEARTBEAT_OK.length).replace(/[\s:,—-]+$/, '');
  return text.trim();
}
