// CPU time and wake-ups of another process, read from Linux's /proc without disturbing it (reading
// /proc/<pid> does not wake the process): the idle benchmark samples the gateway twice and turns
// the difference into % of one core and wake-ups per second.
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

export interface ProcSample {
  /** When the sample was taken, ms (performance.now()). */
  atMs: number;
  /**
   * CPU time of the process's threads, s: from each live thread's schedstat (nanoseconds) where
   * the kernel has it, else utime + stime of /proc/<pid>/stat (every thread, in 10 ms ticks: at
   * an idle gateway's ~0.1% that is 3 ticks in 30 s, too coarse to compare runs by).
   */
  cpuSec: number;
  /**
   * Voluntary context switches of the threads alive at the sample, summed: each is a thread going
   * to sleep, so each is followed by a wake-up. Involuntary ones are left out: they count the
   * thread being put off a core while running (on this shared machine ~1/s of the idle gateway's
   * main thread), which says how busy the machine is, not how often the gateway wakes.
   */
  switches: number;
  /** Threads alive at the sample. */
  threads: number;
}

/**
 * utime + stime from the text of /proc/<pid>/stat (fields 14 and 15). The command name (field 2)
 * is in parentheses and may itself hold spaces or ')', so fields are counted after the last ')'.
 */
export function parseStatCpuTicks(stat: string): number {
  const end = stat.lastIndexOf(')');
  if (end < 0) throw new Error(`/proc stat line without a command name: "${stat.slice(0, 80)}"`);
  // After ") " come field 3 (state) onwards: utime is field 14, so index 11 here.
  const fields = stat
    .slice(end + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new Error(`/proc stat line has no utime/stime: "${stat.slice(0, 80)}"`);
  return utime + stime;
}

/** voluntary_ctxt_switches and nonvoluntary_ctxt_switches from the text of /proc/<pid>/task/<tid>/status. */
export function parseContextSwitches(status: string): { voluntary: number; involuntary: number } {
  const voluntary = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1];
  const involuntary = /^nonvoluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1];
  if (voluntary === undefined || involuntary === undefined) throw new Error('/proc status has no ctxt_switches lines');
  return { voluntary: Number(voluntary), involuntary: Number(involuntary) };
}

export interface IdleFigures {
  /** CPU used over the window, % of one core. */
  cpuPercent: number;
  /** Wake-ups per second over the window, all threads (voluntary context switches, see ProcSample). */
  wakeupsPerSec: number;
  windowSec: number;
}

/** The first field of /proc/<pid>/task/<tid>/schedstat: time the thread ran, ns. */
export function parseSchedstatNs(schedstat: string): number {
  const ns = /^\s*(\d+)\s/.exec(schedstat)?.[1];
  if (ns === undefined) throw new Error(`/proc schedstat line without a run time: "${schedstat.slice(0, 80)}"`);
  return Number(ns);
}

/** The figures between two samples of one process. */
export function idleFigures(before: ProcSample, after: ProcSample): IdleFigures {
  const windowSec = (after.atMs - before.atMs) / 1000;
  if (!(windowSec > 0)) throw new Error(`idle window must be positive, got ${windowSec} s`);
  const cpuSec = after.cpuSec - before.cpuSec;
  // A thread that exits inside the window takes its switches with it; never report fewer than none.
  const switches = Math.max(0, after.switches - before.switches);
  return { cpuPercent: (cpuSec / windowSec) * 100, wakeupsPerSec: switches / windowSec, windowSec };
}

/** The kernel's clock ticks per second for /proc CPU times (100 on nearly every Linux). */
export function clockTicksPerSecond(): number {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(out.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
}

/**
 * One sample of process `pid`; undefined where there is no /proc (not Linux). `ticksPerSec` is the
 * kernel's USER_HZ (clockTicksPerSecond()), used only without schedstat. The CPU source is chosen
 * per call: compare two samples of one process on one machine only.
 */
export async function sampleProcess(pid: number, ticksPerSec = 100): Promise<ProcSample | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  const tids = await readdir(`/proc/${pid}/task`);
  let switches = 0;
  let threads = 0;
  let runNs: number | undefined = 0;
  for (const tid of tids) {
    // A thread may exit between the listing and the reads.
    const status = await readFile(`/proc/${pid}/task/${tid}/status`, 'utf8').catch(() => undefined);
    if (status === undefined) continue;
    switches += parseContextSwitches(status).voluntary;
    threads++;
    const schedstat = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => undefined);
    runNs = schedstat === undefined || runNs === undefined ? undefined : runNs + parseSchedstatNs(schedstat);
  }
  const cpuSec = runNs !== undefined ? runNs / 1e9 : parseStatCpuTicks(stat) / ticksPerSec;
  return { atMs: performance.now(), cpuSec, switches, threads };
}
