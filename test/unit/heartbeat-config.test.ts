// The `heartbeat` agent key: its checks (durations, clock times, zones, targets), the defaults
// inherited from agents.defaults, the active-hours window and the HEARTBEAT_OK rule.
import { describe, expect, it } from 'vitest';
import { checkConfigValue, stripHeartbeatOk, withinActiveHours } from '../../src-shared/config/index.ts';
import { errorsOf, warningsOf } from '../helpers/config.ts';

const agentWith = (heartbeat: unknown) => ({ agents: { list: [{ id: 'a', heartbeat }] } });

describe('heartbeat config', () => {
  it('normalises every, inherits from agents.defaults and leaves "0m" off', () => {
    const config = checkConfigValue({
      agents: { defaults: { heartbeat: { every: '1h' } }, list: [{ id: 'a' }, { id: 'b', heartbeat: { every: '0m' } }] },
    }).config!;
    expect(config.agents.list[0]!.heartbeat).toEqual({ everyMs: 3_600_000 });
    expect(config.agents.list[1]!.heartbeat).toBeUndefined();
  });

  it('refuses a bad duration, one under a minute, a bad clock time and an unknown zone, naming the key', () => {
    for (const [hb, key] of [
      [{ every: 'soon' }, 'every'],
      [{ every: '30s' }, 'every'],
      [{ every: '30m', activeHours: { start: '8am', end: '18:00' } }, 'start'],
      [{ every: '30m', activeHours: { start: '08:00', end: '18:00', timezone: 'Mars/Olympus' } }, 'timezone'],
    ] as const)
      expect([...new Set(errorsOf(agentWith(hb)).map((e) => e.path.at(-1)))]).toEqual([key]);
  });

  it('needs `to` with a channel target, refuses an unknown target and warns that "last" is not supported', () => {
    expect(errorsOf(agentWith({ every: '30m', target: 'telegram' }))).toMatchObject([{ code: 'missing_heartbeat_to' }]);
    expect(errorsOf(agentWith({ every: '30m', target: 'pager', to: '1' }))).toMatchObject([{ code: 'invalid_heartbeat_target' }]);
    expect(warningsOf(agentWith({ every: '30m', target: 'last' }))).toMatchObject([{ code: 'heartbeat_target_unsupported' }]);
    const ok = checkConfigValue(agentWith({ every: '30m', target: 'Telegram', to: 42 })).config!;
    expect(ok.agents.list[0]!.heartbeat!.target).toEqual({ channel: 'telegram', accountId: 'default', to: '42' });
  });
});

describe('active hours', () => {
  const at = (iso: string) => new Date(iso);
  it('is [start, end) in the given zone, wraps midnight, and is empty when start equals end', () => {
    const day = { start: '08:00', end: '24:00', timezone: 'UTC' };
    expect(withinActiveHours(day, at('2026-03-02T08:00:00Z'))).toBe(true);
    expect(withinActiveHours(day, at('2026-03-02T07:59:00Z'))).toBe(false);
    expect(withinActiveHours(day, at('2026-03-02T23:59:00Z'))).toBe(true);
    const night = { start: '22:00', end: '06:00', timezone: 'Europe/Berlin' };
    expect(withinActiveHours(night, at('2026-03-02T22:30:00Z'))).toBe(true); // 23:30 in Berlin
    expect(withinActiveHours(night, at('2026-03-02T12:00:00Z'))).toBe(false);
    expect(withinActiveHours({ start: '09:00', end: '09:00', timezone: 'UTC' }, at('2026-03-02T09:00:00Z'))).toBe(false);
  });
});

describe('HEARTBEAT_OK', () => {
  it('leaves nothing of a bare acknowledgement and keeps real news intact', () => {
    expect(stripHeartbeatOk(' HEARTBEAT_OK ')).toBe('');
    expect(stripHeartbeatOk('HEARTBEAT_OK.')).toBe('');
    expect(stripHeartbeatOk('HEARTBEAT_OK — the build is green.')).toBe('the build is green.');
    expect(stripHeartbeatOk('Your build failed.')).toBe('Your build failed.');
  });
});
