// The crash-resume scan at start (docs/architecture.md#cut-off-turns): after a kill -9, the first
// start reads the tail of every live session to find inbound records no outcome answers. Here
// 1,000 sessions of 20 answered turns each, one in ten ending in an unanswered message and one in
// a hundred with 80 messages queued unanswered (past the scan's first page). Reports the median
// scan of a freshly opened store (the gateway's start path), and checks every one was found.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findCutOffTurns } from '../src-main/gateway/turn-resume.ts';
import { SessionStores } from '../src-main/sessions/index.ts';
import { now, report, type BenchOptions } from './harness.ts';

const TURNS = 20;
const QUEUED = 80;

async function seed(stateDir: string, sessions: number): Promise<number> {
  const stores = await SessionStores.open(stateDir);
  const store = await stores.store('main');
  let unanswered = 0;
  const ts = new Date().toISOString();
  for (let s = 0; s < sessions; s++) {
    const key = `agent:main:telegram:dm:${s}`;
    for (let t = 0; t < TURNS; t++) {
      const q = await store.append(key, { type: 'message', role: 'user', text: `question ${t}`, ts, channel: 'telegram' });
      await store.append(key, { type: 'message', role: 'assistant', text: `answer ${t}`, stopReason: 'end_turn', inReplyTo: q.seq });
    }
    const open = s % 100 === 0 ? QUEUED : s % 10 === 0 ? 1 : 0;
    for (let i = 0; i < open; i++) await store.append(key, { type: 'message', role: 'user', text: `waiting ${i}`, ts });
    unanswered += open;
  }
  await stores.close();
  return unanswered;
}

export async function resumeScanBench(opts: BenchOptions): Promise<void> {
  const sessions = opts.smoke ? 50 : 1000;
  const runs = opts.smoke ? 1 : 5;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-bench-resume-'));
  try {
    const expected = await seed(dir, sessions);
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      // As at start: the stores open (index load, journal replay), then the scan.
      const stores = await SessionStores.open(dir);
      try {
        const t0 = now();
        const store = await stores.store('main');
        const found = await findCutOffTurns(store, 'main', { now: Date.now(), resumeWindowMs: 600_000 });
        times.push(now() - t0);
        if (found.length !== expected) throw new Error(`resume scan found ${found.length} cut-off turns, expected ${expected}`);
      } finally {
        await stores.close();
      }
    }
    times.sort((a, b) => a - b);
    report(
      opts,
      {
        bench: 'resume.scan',
        params: { sessions, records: sessions * TURNS * 2 + expected, unanswered: expected },
        value: times[Math.floor(times.length / 2)]!,
        unit: 'ms',
      },
      '<= 1,000 ms',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
