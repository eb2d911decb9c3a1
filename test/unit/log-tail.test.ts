// The Logs view's memory (LogTail): the ring and its filters, the bounded live batches a log storm
// cannot grow, and seeding from the JSON log file the gateway wrote before this start.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOG_BATCH_BYTES, LOG_BATCH_MAX, LOG_FIELDS_MAX, LOG_MSG_MAX } from '../../src-shared/protocol/log-methods.ts';
import { createLogger, redactingLogger } from '../../src-main/log.ts';
import { LogTail, type TailBatch } from '../../src-main/log-tail.ts';
import { clearKnownSecrets, registerSecret } from '../../src-main/secrets/redact.ts';

afterEach(() => clearKnownSecrets());

/** A tail whose batches go out when the test says so (no timers). */
function manualTail(opts: { level?: 'debug' | 'info'; keep?: number } = {}) {
  const due: (() => void)[] = [];
  const tail = new LogTail({
    level: () => opts.level ?? 'info',
    ...(opts.keep !== undefined ? { keep: opts.keep } : {}),
    schedule: (flush) => void due.push(flush),
  });
  const batches: TailBatch[] = [];
  tail.subscribe((b) => batches.push(b));
  return { tail, batches, runDue: () => due.splice(0).forEach((f) => f()), due };
}

describe('LogTail ring', () => {
  it('keeps entries at or above the gateway level, with agent and channel lifted out of the fields', () => {
    const { tail } = manualTail();
    const log = createLogger('gateway', tail);
    log.debug('not kept');
    log.info('turn done', { agentId: 'main', model: 'm' });
    createLogger('telegram', tail, { channel: 'telegram', accountId: 'default' }).warn('poll failed');
    const entries = tail.tail(10);
    expect(entries.map((e) => e.msg)).toEqual(['turn done', 'poll failed']);
    expect(entries[0]).toMatchObject({ seq: 1, level: 'info', module: 'gateway', agentId: 'main', fields: '{"model":"m"}' });
    expect(entries[1]).toMatchObject({ seq: 2, level: 'warn', module: 'telegram', channel: 'telegram', fields: '{"accountId":"default"}' });
  });

  it('filters by lowest level, agent and channel, and returns the newest `limit` oldest first', () => {
    const { tail } = manualTail();
    tail.log('info', 'a1', { agentId: 'main' });
    tail.log('error', 'a2', { agentId: 'ops' });
    tail.log('warn', 'c1', { channel: 'discord' });
    tail.log('info', 'a3', { agentId: 'Main' });
    expect(tail.tail(10, { level: 'warn' }).map((e) => e.msg)).toEqual(['a2', 'c1']);
    expect(tail.tail(10, { agentId: 'main' }).map((e) => e.msg)).toEqual(['a1', 'a3']);
    expect(tail.tail(10, { channel: 'discord' }).map((e) => e.msg)).toEqual(['c1']);
    expect(tail.tail(2).map((e) => e.msg)).toEqual(['c1', 'a3']);
  });

  it('forgets the oldest entries past its size', () => {
    const { tail } = manualTail({ keep: 3 });
    for (let i = 1; i <= 5; i++) tail.log('info', `m${i}`);
    expect(tail.tail(10).map((e) => e.msg)).toEqual(['m3', 'm4', 'm5']);
    expect(tail.lastSeq).toBe(5);
  });

  it('cuts a huge message and huge fields to their limits', () => {
    const { tail } = manualTail();
    tail.log('info', 'x'.repeat(LOG_MSG_MAX * 3), { blob: 'y'.repeat(LOG_FIELDS_MAX * 3) });
    const [e] = tail.tail(1);
    expect(e!.msg.length).toBe(LOG_MSG_MAX);
    expect(e!.msg.endsWith('…')).toBe(true);
    expect(e!.fields!.length).toBe(LOG_FIELDS_MAX);
  });

  it('behind the redaction point it never holds a secret', () => {
    const { tail } = manualTail();
    registerSecret('kc-value-9f8e7d6c5b4a');
    const log = createLogger('agent', redactingLogger(tail));
    log.warn('model call failed with sk-ant-api03-abcdefghijklmnop', { key: 'kc-value-9f8e7d6c5b4a' });
    const text = JSON.stringify(tail.tail(10));
    expect(text).not.toContain('kc-value-9f8e7d6c5b4a');
    expect(text).not.toContain('abcdefghijklmnop');
    expect(text).toContain('[redacted]');
  });
});

describe('LogTail live batches', () => {
  it('sends new entries together in one batch when the batch is due', () => {
    const { tail, batches, runDue, due } = manualTail();
    tail.log('info', 'one');
    tail.log('info', 'two');
    expect(due).toHaveLength(1); // one batch scheduled, not one per entry
    expect(batches).toHaveLength(0);
    runDue();
    expect(batches).toEqual([{ entries: [expect.objectContaining({ msg: 'one' }), expect.objectContaining({ msg: 'two' })], skipped: 0 }]);
  });

  it('in a storm sends at most one batch of LOG_BATCH_MAX entries and counts the rest as skipped', () => {
    const { tail, batches, runDue } = manualTail();
    for (let i = 0; i < 10_000; i++) tail.log('warn', `storm ${i}`);
    runDue();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.entries).toHaveLength(LOG_BATCH_MAX);
    expect(batches[0]!.skipped).toBe(10_000 - LOG_BATCH_MAX);
    // The ring still has the newest entries for logs.tail.
    expect(tail.tail(1)[0]!.msg).toBe('storm 9999');
  });

  it('keeps a batch under LOG_BATCH_BYTES of text', () => {
    const { tail, batches, runDue } = manualTail();
    for (let i = 0; i < LOG_BATCH_MAX; i++) tail.log('info', 'x'.repeat(LOG_MSG_MAX), { blob: 'y'.repeat(LOG_FIELDS_MAX) });
    runDue();
    const size = JSON.stringify(batches[0]!.entries).length;
    expect(size).toBeLessThanOrEqual(LOG_BATCH_BYTES);
    expect(batches[0]!.entries.length + batches[0]!.skipped).toBe(LOG_BATCH_MAX);
    expect(batches[0]!.skipped).toBeGreaterThan(0);
  });

  it('schedules nothing while no one listens', () => {
    const due: unknown[] = [];
    const tail = new LogTail({ schedule: (f) => void due.push(f) });
    tail.log('info', 'quiet');
    expect(due).toHaveLength(0);
    expect(tail.tail(1)[0]!.msg).toBe('quiet');
  });
});

describe('LogTail.seedFromFile', () => {
  it('reads the newest lines of the JSON log file before this run, redacted, with seq ≤ 0', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-tail-'));
    try {
      const file = path.join(dir, 'switchboard.log');
      const lines = [
        { time: '2025-01-01T00:00:00.000Z', level: 'info', module: 'gateway', msg: 'started' },
        'not json',
        {
          time: '2025-01-01T00:00:01.000Z',
          level: 'error',
          module: 'telegram',
          channel: 'telegram',
          msg: 'bot123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        },
      ].map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
      writeFileSync(file, `${lines.join('\n')}\n`);
      const { tail } = manualTail();
      tail.seedFromFile(file);
      tail.log('info', 'now');
      const entries = tail.tail(10);
      expect(entries.map((e) => [e.seq, e.msg])).toEqual([
        [-1, 'started'],
        [0, 'bot123456:[redacted]'],
        [1, 'now'],
      ]);
      expect(entries[1]).toMatchObject({ level: 'error', channel: 'telegram', time: '2025-01-01T00:00:01.000Z' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts empty when there is no file', () => {
    const { tail } = manualTail();
    tail.seedFromFile('/nonexistent/switchboard.log');
    expect(tail.tail(10)).toEqual([]);
  });
});
