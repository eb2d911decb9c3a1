// Specification of the idle benchmark's arithmetic (bench/proc-sample.ts): CPU time and wake-ups
// read from /proc, turned into % of one core and wake-ups per second (the last of those tests samples
// a real child process, so the parsing holds for this kernel's files too); and how targets are checked.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { meetsTarget, parseTarget } from '../../bench/harness.ts';
import { idleFigures, parseContextSwitches, parseSchedstatNs, parseStatCpuTicks, sampleProcess } from '../../bench/proc-sample.ts';

// A /proc/<pid>/stat line as Linux writes it: utime (14th field) 1234, stime (15th) 56.
const stat = (comm: string) =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 56 0 0 20 0 11 0 123456 1000000000 20000 18446744073709551615 0 0 0 0 0 0 0 4096 134234626 0 0 0 17 1 0 0 0 0 0\n`;

describe('bench/proc-sample', () => {
  it('reads utime + stime from a stat line', () => {
    expect(parseStatCpuTicks(stat('node'))).toBe(1290);
  });

  it('counts fields after the command name even when it holds spaces and parentheses', () => {
    expect(parseStatCpuTicks(stat('my (odd) proc 1 2 3'))).toBe(1290);
  });

  it('refuses a line that is not a stat line, naming it', () => {
    expect(() => parseStatCpuTicks('no parens here')).toThrow(/without a command name/);
    expect(() => parseStatCpuTicks('1 (node) S 1')).toThrow(/no utime\/stime/);
  });

  it("reads a thread's run time from its schedstat", () => {
    expect(parseSchedstatNs('669757159 1234567 812\n')).toBe(669_757_159);
    expect(() => parseSchedstatNs('')).toThrow(/without a run time/);
  });

  it('reads both context switch counters from a task status', () => {
    const status = 'Name:\tnode\nState:\tS (sleeping)\nvoluntary_ctxt_switches:\t371\nnonvoluntary_ctxt_switches:\t12\n';
    expect(parseContextSwitches(status)).toEqual({ voluntary: 371, involuntary: 12 });
    expect(() => parseContextSwitches('Name:\tnode\n')).toThrow(/ctxt_switches/);
  });

  it('turns two samples into % of one core and wake-ups per second', () => {
    // 30 s apart; 60 ms of CPU = 0.2% of a core; 45 wake-ups = 1.5/s.
    const before = { atMs: 1000, cpuSec: 7, switches: 100, threads: 11 };
    const after = { atMs: 31_000, cpuSec: 7.06, switches: 145, threads: 11 };
    const f = idleFigures(before, after);
    expect(f.windowSec).toBe(30);
    expect(f.cpuPercent).toBeCloseTo(0.2, 10);
    expect(f.wakeupsPerSec).toBeCloseTo(1.5, 10);
  });

  it('never reports negative wake-ups when a thread exits inside the window, and refuses an empty window', () => {
    const before = { atMs: 0, cpuSec: 0, switches: 500, threads: 12 };
    expect(idleFigures(before, { atMs: 1000, cpuSec: 0.01, switches: 420, threads: 11 }).wakeupsPerSec).toBe(0);
    expect(() => idleFigures(before, { ...before })).toThrow(/window must be positive/);
  });

  it.runIf(process.platform === 'linux')('samples a real process: a busy child shows CPU time and its threads', async () => {
    // Spins until it has used 300 ms of CPU by its own account (however busy the machine), then says so and idles.
    const script = 'while (process.cpuUsage().user < 300_000); process.stdout.write("spun\\n"); setInterval(() => {}, 1000)';
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((r) => child.stdout!.once('data', r));
      const s = await sampleProcess(child.pid!);
      expect(s).toBeDefined();
      // 300 ms of CPU by the child's own account (schedstat is exact; ticks would be within a few).
      expect(s!.cpuSec).toBeGreaterThanOrEqual(0.25);
      expect(s!.threads).toBeGreaterThan(1); // node's main thread plus its V8 and libuv workers
      expect(s!.switches).toBeGreaterThan(0);
    } finally {
      child.kill();
    }
  });
});

describe('bench/harness targets', () => {
  it('reads a target as the benches write it and checks a figure against it', () => {
    expect(parseTarget('>= 2,000')).toEqual({ op: '>=', limit: 2000 });
    expect(parseTarget('<= 0.2%')).toEqual({ op: '<=', limit: 0.2 });
    expect(meetsTarget(0.19, '<= 0.2%')).toBe(true);
    expect(meetsTarget(0.21, '<= 0.2%')).toBe(false);
    expect(meetsTarget(2_000, '>= 2,000')).toBe(true);
    expect(meetsTarget(100, '< 100 ms')).toBe(false);
    expect(() => parseTarget('about 3')).toThrow(/"about 3" is not of the form/);
  });
});
