// Memory search benchmark (issue 8): a pool of 100,000 notes (10,000 with --smoke) written as the
// JSONL file the tools write, indexed lazily on the first search, then 2,000 keyword queries.
// Reports the index build time and memory.search p50/p99 (target p99 <= 20 ms).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryPools, NOTES_FILE, type PoolRef } from '../src-main/agents/memory/index.ts';
import { now, report, type BenchOptions } from './harness.ts';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** A 20,000-word vocabulary drawn Zipf-like, so common words match many notes and rare ones few. */
function vocabulary(r: () => number): { words: string[]; pick: () => string } {
  const syll = ['ka', 'lo', 'mi', 'ran', 'te', 'vos', 'ul', 'pen', 'dri', 'sa', 'mo', 'ber', 'tin', 'gu', 'fel', 'ox'];
  const words = Array.from({ length: 20_000 }, (_, i) => {
    let w = '';
    for (let n = i + 1; n > 0; n = Math.floor(n / syll.length)) w += syll[n % syll.length]!;
    return `${w}${syll[Math.floor(r() * syll.length)]!}`;
  });
  return { words, pick: () => words[Math.min(words.length - 1, Math.floor(Math.exp(r() * Math.log(words.length))) - 1)]! };
}

export async function memoryBench(opts: BenchOptions): Promise<void> {
  const count = opts.smoke ? 10_000 : 100_000;
  const queries = 2000;
  const r = lcg(8);
  const { pick } = vocabulary(r);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sb-bench-memory-'));
  try {
    const lines: string[] = [];
    const t0 = Date.UTC(2025, 0, 1);
    for (let i = 0; i < count; i++) {
      const len = 8 + Math.floor(r() * 30);
      const text = Array.from({ length: len }, pick).join(' ');
      lines.push(
        JSON.stringify({ id: `m${i}`, text, tags: [pick(), pick()], createdAt: new Date(t0 + i * 60_000).toISOString(), author: 'bench' }),
      );
    }
    await fs.writeFile(path.join(dir, NOTES_FILE), `${lines.join('\n')}\n`);
    const ref: PoolRef = { kind: 'memory', scope: 'agent', name: 'bench', dir };
    const pool = new MemoryPools().get(ref);

    const b0 = now();
    await pool.search('warmup', 1); // the first search builds the index from the file
    report(opts, { bench: 'memory.load', params: { notes: count }, value: now() - b0, unit: 'ms' });

    const lat: number[] = [];
    for (let q = 0; q < queries; q++) {
      const query = Array.from({ length: 1 + Math.floor(r() * 3) }, pick).join(' ');
      const s = now();
      await pool.search(query, 10);
      lat.push(now() - s);
    }
    lat.sort((a, b) => a - b);
    for (const q of [0.5, 0.99]) {
      report(
        opts,
        {
          bench: 'memory.search',
          params: { notes: count, quantile: q },
          value: lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]!,
          unit: 'ms',
        },
        q === 0.99 ? '<= 20 ms' : undefined,
      );
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
