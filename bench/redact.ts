// Redaction on hostile text: 1 MiB of word runs, dots, base64-ish runs and near-miss token shapes
// through the one redaction point. Reports the slowest shape's median (target < 100 ms); a pattern
// that backtracks over a word run would take minutes here.
import { clearKnownSecrets, redactText, registerSecret } from '../src-main/secrets/redact.ts';
import { now, report, type BenchOptions } from './harness.ts';

const SIZE = 1024 * 1024;
const fill = (unit: string): string => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);

const SHAPES: Record<string, string> = {
  word_run: fill('a'),
  digit_run: fill('1'),
  dots: fill('a.'),
  base64ish: fill('aB3_-xY9+/='),
  discord_near_miss: `${fill('a')}.abcdef.${'c'.repeat(26)}`,
  discord_repeated_near_miss: fill(`${'a'.repeat(30)}.abcde.${'b'.repeat(20)}.`),
  telegram_near_miss: `${fill('1')}:${'a'.repeat(29)}`,
  url_without_at: `http://${fill('a')}`,
  query_tokens: fill('&token=a'),
  // A registered secret that the text almost, but never, contains.
  known_secret_near_miss: fill('a'),
};

export function redactBench(opts: BenchOptions): void {
  registerSecret(`${'a'.repeat(39)}b`);
  try {
    const runs = opts.smoke ? 3 : 9;
    let worst = 0;
    let worstShape = '';
    for (const [shape, text] of Object.entries(SHAPES)) {
      redactText(text); // warm-up: V8 interprets a regexp's first runs before compiling it
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = now();
        redactText(text);
        times.push(now() - t0);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)]!;
      if (median > worst) [worst, worstShape] = [median, shape];
    }
    report(
      opts,
      {
        bench: 'redact.adversarial',
        params: { bytes: SIZE, shapes: Object.keys(SHAPES).length, worst: worstShape },
        value: worst,
        unit: 'ms',
      },
      '< 100 ms',
    );
  } finally {
    clearKnownSecrets();
  }
}
