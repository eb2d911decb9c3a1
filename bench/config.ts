// Config parsing cost: a 1 MB hand-edited (commented) JSON5 config through the checker's parser.
import { parseJson5, stringifyJson5 } from '../src-shared/json5/index.ts';
import { now, report, type BenchOptions } from './harness.ts';

export function configBench(opts: BenchOptions): void {
  const agent = (i: number) => ({
    id: `agent-${i}`,
    name: `Agent ${i}`,
    workspace: `~/.switchboard/ws-${i}`,
    tools: { allow: ['read', 'exec'] },
    limits: { dailyTokens: 1e5 + i },
  });
  const text = stringifyJson5({ agents: { list: Array.from({ length: 6000 }, (_, i) => agent(i)) } }).replace(
    /\n {4}\{/g,
    '\n    // agent\n    {',
  );
  parseJson5(text);
  const runs = opts.smoke ? 3 : 10;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    parseJson5(text);
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  report(
    opts,
    { bench: 'config.parse', params: { bytes: text.length }, value: times[Math.floor(times.length / 2)]!, unit: 'ms' },
    '< 100 ms',
  );
}
