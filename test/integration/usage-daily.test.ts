// `usage.daily` against the real gateway and the local Anthropic peer: the numbers are exactly the
// usage records the gateway wrote into the transcripts, per agent, local day and model, and they
// follow new turns, a reset and a deleted session (docs/dashboard.md#usage-and-cost).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localDate } from '../../src-main/gateway/usage-ledger.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

type Tokens = { inputTokens: number; outputTokens: number };
type Sums = Record<string, Tokens & { models: Record<string, Tokens> }>;

/** What the transcripts on disk say: every record with a `usage`, by local day of its `ts` and by its model. */
async function transcriptSums(dir: string, agentId: string): Promise<{ byDay: Sums; records: number }> {
  const sessions = path.join(dir, 'agents', agentId, 'sessions');
  const byDay: Sums = {};
  let records = 0;
  for (const name of (await readdir(sessions)).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of (await readFile(path.join(sessions, name), 'utf8')).split('\n')) {
      if (!line) continue;
      const rec = JSON.parse(line) as { ts: string; model?: string; usage?: Tokens };
      if (!rec.usage) continue;
      records++;
      const day = (byDay[localDate(new Date(rec.ts))] ??= { inputTokens: 0, outputTokens: 0, models: {} });
      const m = (day.models[rec.model ?? ''] ??= { inputTokens: 0, outputTokens: 0 });
      for (const t of [day, m]) {
        t.inputTokens += rec.usage.inputTokens;
        t.outputTokens += rec.usage.outputTokens;
      }
    }
  }
  return { byDay, records };
}

async function send(g: TestGateway, agentId: string, text: string, sessionKey?: string) {
  const sent = await g.client.request('webchat.send', { agentId, text, ...(sessionKey ? { sessionKey } : {}) });
  const out = await g.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
  expect(out.failure).toBeUndefined();
}

/** All days added up (a test run may cross local midnight, so no assertion assumes a single day). */
const total = (sums: Sums): Tokens =>
  Object.values(sums).reduce((t, d) => ({ inputTokens: t.inputTokens + d.inputTokens, outputTokens: t.outputTokens + d.outputTokens }), {
    inputTokens: 0,
    outputTokens: 0,
  });

/** The days of `usage.daily` that have tokens, keyed like transcriptSums. */
async function reported(g: TestGateway, agentId: string): Promise<Sums> {
  const r = await g.client.request('usage.daily', { agentId, days: 7 });
  const out: Sums = {};
  for (const d of r.agents[0]!.days)
    if (d.inputTokens + d.outputTokens > 0) out[d.date] = { inputTokens: d.inputTokens, outputTokens: d.outputTokens, models: d.models };
  return out;
}

describe('usage.daily', () => {
  it('adds up exactly to the usage records the gateway wrote into each agent’s transcripts, by day and model', async () => {
    const g = (gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: {
          list: [
            { id: 'main', default: true, model: 'claude-sonnet-4-6' },
            { id: 'ops', model: 'claude-haiku-5-5', limits: { dailyTokens: 5000 } },
          ],
        },
      }),
    }));
    await send(g, 'main', 'hello there');
    // A turn with a tool round: two model calls, two usage records in one turn.
    g.peer.enqueue({ kind: 'tool_use', name: 'session_status', input: {} }, { kind: 'text', text: 'all good' });
    await send(g, 'main', 'how are you doing today, in some detail please?');
    await send(g, 'main', 'another chat', 'agent:main:webchat:side');
    await send(g, 'ops', 'status?');
    // A call that failed after the model had read the prompt: its usage is on the error record, under its model.
    g.peer.enqueue({ kind: 'stream_error', afterDeltas: 0, type: 'invalid_request_error', message: 'refused' });
    const failed = await g.client.request('webchat.send', { agentId: 'ops', text: 'one more' });
    expect((await g.waitFor('message.outbound', (d) => d.messageId === failed.messageId)).failure).toBeDefined();
    const history = await g.client.request('sessions.history', { agentId: 'ops', sessionKey: 'agent:ops:main' });
    const error = history.records.find((r) => r.type === 'error') as { model?: string; usage?: { inputTokens: number } } | undefined;
    expect(error?.model).toBe('claude-haiku-5-5');
    expect(error?.usage?.inputTokens).toBeGreaterThan(0);

    const main = await transcriptSums(g.dir, 'main');
    expect(main.records).toBe(4);
    expect(await reported(g, 'main')).toEqual(main.byDay);
    const ops = await transcriptSums(g.dir, 'ops');
    expect(ops.records).toBe(2);
    expect(await reported(g, 'ops')).toEqual(ops.byDay);

    for (const day of Object.values(main.byDay)) expect(Object.keys(day.models)).toEqual(['claude-sonnet-4-6']);
    expect(total(main.byDay).outputTokens).toBeGreaterThan(0);

    const all = await g.client.request('usage.daily', { days: 30 });
    const today = localDate(new Date());
    expect(all.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(all.agents.map((a) => [a.agentId, a.dailyTokens, a.days.length, a.days.at(-1)!.date])).toEqual([
      ['main', null, 30, today],
      ['ops', 5000, 30, today],
    ]);
    const mainTotal = all.agents[0]!.total;
    expect({ inputTokens: mainTotal.inputTokens, outputTokens: mainTotal.outputTokens }).toEqual(total(main.byDay));
    // The session index (sessions.json counters) agrees with the same records.
    const sessions = (await g.client.request('sessions.list', { agentId: 'main' })).sessions;
    expect(sessions.reduce((n, s) => n + s.inputTokens + s.outputTokens, 0)).toBe(mainTotal.inputTokens + mainTotal.outputTokens);
  });

  it('follows the transcripts: new turns are added, a reset keeps the archived usage, a deleted session takes its usage with it', async () => {
    const g = (gw = await startTestGateway());
    await send(g, 'main', 'first');
    const before = await reported(g, 'main');
    await send(g, 'main', 'second message, a little longer than the first one');
    const after = await reported(g, 'main');
    expect(after).toEqual((await transcriptSums(g.dir, 'main')).byDay);
    expect(total(after).outputTokens).toBeGreaterThan(total(before).outputTokens);

    await send(g, 'main', '/new');
    await send(g, 'main', 'after the reset');
    expect((await g.client.request('sessions.list', { agentId: 'main' })).sessions.filter((s) => s.archived)).toHaveLength(1);
    expect(await reported(g, 'main')).toEqual((await transcriptSums(g.dir, 'main')).byDay);

    await send(g, 'main', 'side chat', 'agent:main:webchat:side');
    const withSide = await reported(g, 'main');
    await g.client.request('sessions.delete', { agentId: 'main', sessionKey: 'agent:main:webchat:side' });
    const withoutSide = await reported(g, 'main');
    expect(withoutSide).toEqual((await transcriptSums(g.dir, 'main')).byDay);
    expect(total(withoutSide).inputTokens).toBeLessThan(total(withSide).inputTokens);
  });

  it('names an unknown agent in a not_found error', async () => {
    const g = (gw = await startTestGateway());
    await expect(g.client.request('usage.daily', { agentId: 'nobody' })).rejects.toThrow(/agent "nobody" does not exist \(agents: main\)/);
  });
});
