// TranscriptUsage on transcript files written here: local days, records without a model, a line
// still being written, appends read incrementally, and a file cut back and written again.
import { appendFile, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TranscriptUsage } from '../../src-main/gateway/transcript-usage.ts';

let dir: string;
let sessions: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-usage-'));
  sessions = path.join(dir, 'agents', 'main', 'sessions');
  await mkdir(sessions, { recursive: true });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const NOW = new Date(2026, 11, 6, 12, 0); // local noon, whatever the test machine's zone
const at = (day: number, h: number, m = 0) => new Date(2026, 11, day, h, m).toISOString();
const line = (seq: number, ts: string, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ v: 1, seq, ts, type: 'message', ...extra })}\n`;
const reply = (seq: number, ts: string, inputTokens: number, outputTokens: number, model = 'claude-sonnet-4-6') =>
  line(seq, ts, { role: 'assistant', text: 'x', model, usage: { inputTokens, outputTokens } });

const nonZero = (days: Awaited<ReturnType<TranscriptUsage['days']>>) => days.filter((d) => d.inputTokens + d.outputTokens > 0);

describe('TranscriptUsage', () => {
  it('puts each usage record on the local day of its time, by model, with zeros for quiet days', async () => {
    await writeFile(
      path.join(sessions, 'a.jsonl'),
      line(1, at(5, 9), { type: 'session' }) +
        line(2, at(5, 23, 59), { role: 'user', text: 'hi "usage":{' }) +
        reply(3, at(5, 23, 59), 100, 10) +
        reply(4, at(6, 0, 1), 200, 20) +
        line(5, at(6, 0, 2), { type: 'error', kind: 'stream_cut', usage: { inputTokens: 7, outputTokens: 1 } }),
    );
    await writeFile(path.join(sessions, 'b.jsonl'), reply(1, at(6, 8), 50, 5, 'claude-haiku-4-5'));
    const days = await new TranscriptUsage(dir, () => NOW).days('main', 3);
    expect(days.map((d) => d.date)).toEqual(['2026-12-04', '2026-12-05', '2026-12-06']);
    expect(days[0]).toEqual({ date: '2026-12-04', inputTokens: 0, outputTokens: 0, models: {} });
    expect(days[1]).toEqual({
      date: '2026-12-05',
      inputTokens: 100,
      outputTokens: 10,
      models: { 'claude-sonnet-4-6': { inputTokens: 100, outputTokens: 10 } },
    });
    expect(days[2]).toEqual({
      date: '2026-12-06',
      inputTokens: 257,
      outputTokens: 26,
      models: {
        'claude-sonnet-4-6': { inputTokens: 200, outputTokens: 20 },
        'claude-haiku-4-5': { inputTokens: 50, outputTokens: 5 },
        '': { inputTokens: 7, outputTokens: 1 },
      },
    });
  });

  it('reads what was appended since the last query, and a line still being written only once it is complete', async () => {
    const file = path.join(sessions, 'a.jsonl');
    await writeFile(file, reply(1, at(6, 9), 100, 10));
    const usage = new TranscriptUsage(dir, () => NOW);
    expect(nonZero(await usage.days('main', 1))[0]).toMatchObject({ inputTokens: 100, outputTokens: 10 });
    const next = reply(2, at(6, 10), 30, 3);
    await appendFile(file, next.slice(0, 20));
    expect(nonZero(await usage.days('main', 1))[0]).toMatchObject({ inputTokens: 100, outputTokens: 10 });
    await appendFile(file, next.slice(20));
    expect(nonZero(await usage.days('main', 1))[0]).toMatchObject({ inputTokens: 130, outputTokens: 13 });
  });

  it('reads a file again when it was cut back and written past the old end (its counts would otherwise be stale)', async () => {
    const file = path.join(sessions, 'a.jsonl');
    const first = reply(1, at(6, 9), 100, 10);
    await writeFile(file, first + reply(2, at(6, 9), 40, 4));
    const usage = new TranscriptUsage(dir, () => NOW);
    expect(nonZero(await usage.days('main', 1))[0]).toMatchObject({ inputTokens: 140, outputTokens: 14 });
    await truncate(file, first.length);
    await appendFile(file, reply(2, at(6, 10), 1, 1, 'claude-opus-5-5') + reply(3, at(6, 11), 1000, 100));
    const [today] = nonZero(await usage.days('main', 1));
    expect(today).toMatchObject({ inputTokens: 1101, outputTokens: 111 });
    expect(today!.models['claude-opus-5-5']).toEqual({ inputTokens: 1, outputTokens: 1 });
  });

  it('drops a deleted transcript and answers zeros for an agent without a sessions folder', async () => {
    await writeFile(path.join(sessions, 'a.jsonl'), reply(1, at(6, 9), 100, 10));
    const usage = new TranscriptUsage(dir, () => NOW);
    expect(nonZero(await usage.days('main', 1))).toHaveLength(1);
    await rm(path.join(sessions, 'a.jsonl'));
    expect(nonZero(await usage.days('main', 1))).toEqual([]);
    expect(await usage.days('other', 2)).toEqual([
      { date: '2026-12-05', inputTokens: 0, outputTokens: 0, models: {} },
      { date: '2026-12-06', inputTokens: 0, outputTokens: 0, models: {} },
    ]);
  });
});
