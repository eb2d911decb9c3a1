// `session.resumeWindow` (docs/config.md): durations as ms or "90s"/"10m"/"2h", a clear error
// naming the key otherwise, and the cut-off notes' local time (docs/architecture.md#cut-off-turns).
import { describe, expect, it } from 'vitest';
import { checkConfigValue, parseDuration } from '../../src-shared/config/index.ts';
import { cutOffNote, localTimeOf } from '../../src-main/gateway/turn-resume.ts';

describe('session.resumeWindow', () => {
  it('reads milliseconds and strings with a unit', () => {
    expect([parseDuration(1500), parseDuration('90s'), parseDuration('10m'), parseDuration('2h'), parseDuration('250ms')]).toEqual([
      1500, 90_000, 600_000, 7_200_000, 250,
    ]);
    expect([parseDuration('10'), parseDuration('ten minutes'), parseDuration(-1), parseDuration('')]).toEqual([null, null, null, null]);
  });

  it('defaults to ten minutes and takes the configured window', () => {
    expect(checkConfigValue({}).config?.session.resumeWindowMs).toBe(600_000);
    expect(checkConfigValue({ session: { resumeWindow: '90s' } }).config?.session.resumeWindowMs).toBe(90_000);
  });

  it('refuses what is not a duration, naming the key', () => {
    const check = checkConfigValue({ session: { resumeWindow: '10 minutes' } });
    expect(check.ok).toBe(false);
    expect(check.issues).toContainEqual(
      expect.objectContaining({
        code: 'invalid_duration',
        path: ['session', 'resumeWindow'],
        message: expect.stringContaining('"10 minutes"'),
      }),
    );
  });
});

describe('cut-off notes', () => {
  it('name the time in local HH:MM, with the date when it was not today', () => {
    const sent = new Date(2025, 4, 3, 14, 2, 30);
    expect(localTimeOf(sent.toISOString(), new Date(2025, 4, 3, 18, 0))).toBe('14:02');
    expect(localTimeOf(sent.toISOString(), new Date(2025, 4, 4, 9, 0))).toBe('2025-05-03 14:02');
    const inbound = { v: 1 as const, seq: 3, ts: sent.toISOString(), type: 'message' };
    expect(cutOffNote({ action: 'tool_in_doubt', tools: ['exec'], toolsFinished: false, inbound }, new Date(2025, 4, 3, 15, 0))).toBe(
      "I was restarted in the middle of working on your message from 14:02 and can't tell whether exec finished — please check and ask again",
    );
  });
});
