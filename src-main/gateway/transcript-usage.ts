// Tokens per agent, local day and model, summed from the usage records of the agent's transcripts
// (`usage.daily`, docs/dashboard.md#usage-and-cost). The transcripts are the truth; this keeps, per
// transcript file, how far it has read and what it found there, so a query reads only the bytes
// appended since the last one. Kept in memory: the first query after a start reads every transcript once.
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { agentSessionsDir } from '../sessions/paths.ts';
import { localDate } from './usage-ledger.ts';

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
}
export interface DayUsage extends TokenCounts {
  date: string;
  /** The same tokens by the model that spent them; '' for usage recorded without a model. */
  models: Record<string, TokenCounts>;
}

/**
 * Usage is bucketed by UTC quarter-hour, not by date: every time zone's offset is a multiple of 15
 * minutes, so a quarter-hour lies within one local day whatever zone the dates are asked in later
 * (the laptop may travel), and the buckets never need rebuilding.
 */
const SLOT_MS = 15 * 60_000;
const CHUNK = 1024 * 1024;
const NL = 0x0a;
const SEQ_PREFIX = /^\{"v":\d+,"seq":(\d+)[,}]/;
const USAGE_KEY = Buffer.from('"usage":{');

type Slots = Map<number, Map<string, TokenCounts>>;
interface FileUsage {
  /** Bytes read: always just after a newline (a line still being written is read next time). */
  offset: number;
  /** Seq of the last line read: the next line must continue it, or the file was cut and is read again. */
  lastSeq: number;
  slots: Slots;
}
interface AgentUsage {
  files: Map<string, FileUsage>;
  /** The sum of every file's slots, so a query adds up buckets, not files. */
  total: Slots;
  /** Queries of one agent take turns, so two never read the same bytes twice. */
  queue: Promise<unknown>;
}

const count = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export class TranscriptUsage {
  private readonly agents = new Map<string, AgentUsage>();

  constructor(
    private readonly stateDir: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The last `count` local days ending today, oldest first, with zeros for quiet days. */
  days(agentId: string, count: number): Promise<DayUsage[]> {
    let agent = this.agents.get(agentId);
    if (!agent) this.agents.set(agentId, (agent = { files: new Map(), total: new Map(), queue: Promise.resolve() }));
    const run = agent.queue.then(async () => {
      await this.refresh(agentId, agent);
      return this.sum(agent, count);
    });
    agent.queue = run.catch(() => undefined);
    return run;
  }

  private sum(agent: AgentUsage, count: number): DayUsage[] {
    const today = this.clock();
    const byDate = new Map<string, DayUsage>();
    const out: DayUsage[] = [];
    for (let back = count - 1; back >= 0; back--) {
      const date = localDate(new Date(today.getFullYear(), today.getMonth(), today.getDate() - back));
      const day: DayUsage = { date, inputTokens: 0, outputTokens: 0, models: {} };
      byDate.set(date, day);
      out.push(day);
    }
    for (const [slot, models] of agent.total) {
      const day = byDate.get(localDate(new Date(slot * SLOT_MS)));
      if (!day) continue;
      for (const [model, t] of models) {
        day.inputTokens += t.inputTokens;
        day.outputTokens += t.outputTokens;
        const m = (day.models[model] ??= { inputTokens: 0, outputTokens: 0 });
        m.inputTokens += t.inputTokens;
        m.outputTokens += t.outputTokens;
      }
    }
    return out;
  }

  /** Brings every transcript of the agent up to date; a deleted one drops out with its usage. */
  private async refresh(agentId: string, agent: AgentUsage): Promise<void> {
    const dir = agentSessionsDir(this.stateDir, agentId);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      names = [];
    }
    const present = new Set(names);
    const drop = (name: string) => {
      const f = agent.files.get(name);
      if (f) addSlots(agent.total, f.slots, -1);
      agent.files.delete(name);
    };
    for (const name of agent.files.keys()) if (!present.has(name)) drop(name);
    for (const name of names) {
      const file = path.join(dir, name);
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch {
        drop(name); // deleted meanwhile
        continue;
      }
      const known = agent.files.get(name);
      if (known && known.offset === size) continue;
      // What a file adds is read into its own buckets, then added to the total, so a file found
      // cut back can be taken out again whole.
      let f: FileUsage = known && size >= known.offset ? known : { offset: 0, lastSeq: 0, slots: new Map() };
      const fresh: Slots = new Map();
      if (!(await readFrom(file, f, size, fresh))) {
        f = { offset: 0, lastSeq: 0, slots: new Map() };
        fresh.clear();
        await readFrom(file, f, size, fresh);
      }
      if (f !== known) drop(name);
      agent.files.set(name, f);
      addSlots(f.slots, fresh, 1);
      addSlots(agent.total, fresh, 1);
    }
  }
}

/**
 * Reads the complete lines of [f.offset, size) into `f`. False (nothing kept) when what follows
 * the offset does not continue what was read: the file was cut back and written again.
 */
async function readFrom(file: string, f: FileUsage, size: number, found: Slots): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return true; // gone since the stat: the next query drops it
  }
  try {
    // From one byte early: that byte must be the newline that ended the last line read.
    let pos = f.offset > 0 ? f.offset - 1 : 0;
    let carry: Buffer = Buffer.alloc(0);
    let first = f.offset > 0;
    let continuing = f.offset > 0;
    while (pos < size) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - pos));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, pos);
      if (bytesRead === 0) break;
      let buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      pos += bytesRead;
      if (first) {
        if (buf[0] !== NL) return false;
        buf = buf.subarray(1);
        first = false;
      }
      let start = 0;
      for (let nl = buf.indexOf(NL); nl !== -1; nl = buf.indexOf(NL, start)) {
        const line = buf.subarray(start, nl);
        start = nl + 1;
        const seq = SEQ_PREFIX.exec(line.subarray(0, 40).toString('latin1'))?.[1];
        if (continuing) {
          if (seq === undefined || Number(seq) !== f.lastSeq + 1) return false;
          continuing = false;
        }
        if (seq !== undefined) f.lastSeq = Number(seq);
        if (line.includes(USAGE_KEY)) addLine(found, line);
      }
      carry = Buffer.from(buf.subarray(start));
      f.offset = pos - carry.length;
    }
    return true;
  } finally {
    await handle.close();
  }
}

/** Counts one record's usage the way the session counters do (records.ts applyRecord): any record with a `usage` object. */
function addLine(slots: Slots, line: Buffer): void {
  let rec: unknown;
  try {
    rec = JSON.parse(line.toString('utf8'));
  } catch {
    return;
  }
  if (!isObject(rec) || !isObject(rec.usage)) return;
  const inputTokens = count(rec.usage.inputTokens);
  const outputTokens = count(rec.usage.outputTokens);
  const at = typeof rec.ts === 'string' ? Date.parse(rec.ts) : NaN;
  if (inputTokens + outputTokens === 0 || Number.isNaN(at)) return;
  const slot = Math.floor(at / SLOT_MS);
  const model = typeof rec.model === 'string' ? rec.model : '';
  let models = slots.get(slot);
  if (!models) slots.set(slot, (models = new Map()));
  const t = models.get(model);
  if (t) {
    t.inputTokens += inputTokens;
    t.outputTokens += outputTokens;
  } else models.set(model, { inputTokens, outputTokens });
}

/** Adds (sign 1) or takes out (sign -1) `from` into `into`, dropping buckets that reach zero. */
function addSlots(into: Slots, from: Slots, sign: 1 | -1): void {
  for (const [slot, models] of from) {
    let target = into.get(slot);
    if (!target) into.set(slot, (target = new Map()));
    for (const [model, t] of models) {
      const x = target.get(model) ?? { inputTokens: 0, outputTokens: 0 };
      x.inputTokens += sign * t.inputTokens;
      x.outputTokens += sign * t.outputTokens;
      if (x.inputTokens === 0 && x.outputTokens === 0) target.delete(model);
      else target.set(model, x);
    }
    if (target.size === 0) into.delete(slot);
  }
}
