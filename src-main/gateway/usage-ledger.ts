// Per-agent usage by local day (turns run, input and output tokens) for the dashboard's history,
// kept in `<stateDir>/agents/<id>/usage.json` so it survives restarts. Counted where the gateway
// counts today's activity (a finished turn); written at most every few seconds and on stop, so a
// crash loses a few seconds of statistics, never a message.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { atomicWrite } from '../state/atomic-write.ts';

export const USAGE_LEDGER_VERSION = 1;
/** Days older than this are dropped when the file is written. */
const KEEP_DAYS = 400;
const SAVE_DELAY_MS = 2000;

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
}
export interface UsageCounts extends TokenCounts {
  messages: number;
  /** The same tokens by the model that spent them (a turn that fell back spends on more than one); absent on quiet days. */
  models?: Record<string, TokenCounts>;
}

interface LedgerFile {
  version: number;
  days: Record<string, UsageCounts>;
}

interface AgentLedger {
  days: Map<string, UsageCounts>;
  dirty: boolean;
  /** A file written by a newer version: read what we understand, never overwrite it. */
  readOnly: boolean;
}

/** `YYYY-MM-DD` of the local calendar day (the day the daily budget and today's counters use). */
export function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const count = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);

function readModels(raw: unknown): Pick<UsageCounts, 'models'> {
  if (typeof raw !== 'object' || raw === null) return {};
  const models: Record<string, TokenCounts> = {};
  for (const [model, u] of Object.entries(raw as Record<string, Partial<TokenCounts> | undefined>))
    models[model] = { inputTokens: count(u?.inputTokens), outputTokens: count(u?.outputTokens) };
  return Object.keys(models).length ? { models } : {};
}

export class UsageLedger {
  private readonly agents = new Map<string, Promise<AgentLedger>>();
  private readonly saving = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private file(agentId: string): string {
    return path.join(this.stateDir, 'agents', agentId, 'usage.json');
  }

  private ledger(agentId: string): Promise<AgentLedger> {
    let ledger = this.agents.get(agentId);
    if (!ledger) {
      ledger = this.read(agentId);
      this.agents.set(agentId, ledger);
    }
    return ledger;
  }

  private async read(agentId: string): Promise<AgentLedger> {
    const days = new Map<string, UsageCounts>();
    let data: Partial<LedgerFile>;
    try {
      data = JSON.parse(await readFile(this.file(agentId), 'utf8')) as Partial<LedgerFile>;
    } catch {
      // Missing or unreadable: statistics start again rather than stopping turns.
      return { days, dirty: false, readOnly: false };
    }
    if (typeof data.days === 'object' && data.days !== null) {
      for (const [date, c] of Object.entries(data.days)) {
        if (/^\d{4}-\d{2}-\d{2}$/.test(date))
          days.set(date, {
            messages: count(c?.messages),
            inputTokens: count(c?.inputTokens),
            outputTokens: count(c?.outputTokens),
            ...readModels(c?.models),
          });
      }
    }
    return { days, dirty: false, readOnly: typeof data.version === 'number' && data.version > USAGE_LEDGER_VERSION };
  }

  /** Counts one finished turn of `agentId` on today's date; `byModel` splits its tokens by the model that spent them. */
  record(agentId: string, usage: TokenCounts, byModel?: Record<string, TokenCounts>): void {
    const date = localDate(this.clock());
    void this.ledger(agentId).then((l) => {
      const day = l.days.get(date) ?? { messages: 0, inputTokens: 0, outputTokens: 0 };
      day.messages += 1;
      day.inputTokens += count(usage.inputTokens);
      day.outputTokens += count(usage.outputTokens);
      for (const [model, u] of Object.entries(byModel ?? {})) {
        if (count(u.inputTokens) + count(u.outputTokens) === 0) continue;
        const m = ((day.models ??= {})[model] ??= { inputTokens: 0, outputTokens: 0 });
        m.inputTokens += count(u.inputTokens);
        m.outputTokens += count(u.outputTokens);
      }
      l.days.set(date, day);
      l.dirty = true;
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, SAVE_DELAY_MS).unref();
    });
  }

  /** The last `count` local days ending today, oldest first, with zeros for quiet days. */
  async days(agentId: string, count: number): Promise<(UsageCounts & { date: string })[]> {
    const l = await this.ledger(agentId);
    const today = this.clock();
    const out: (UsageCounts & { date: string })[] = [];
    for (let back = count - 1; back >= 0; back--) {
      const date = localDate(new Date(today.getFullYear(), today.getMonth(), today.getDate() - back));
      out.push({ date, ...(l.days.get(date) ?? { messages: 0, inputTokens: 0, outputTokens: 0 }) });
    }
    return out;
  }

  /** Writes every ledger with unsaved counts. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([...this.agents.keys()].map((agentId) => this.save(agentId)));
  }

  /** Drops an agent's counts from memory (its folder is being deleted); waits for a write in flight. */
  async forget(agentId: string): Promise<void> {
    const ledger = this.agents.get(agentId);
    this.agents.delete(agentId);
    if (ledger) (await ledger).dirty = false;
    await this.saving.get(agentId);
  }

  /** One write per agent at a time; a save requested meanwhile runs after it. */
  private save(agentId: string): Promise<void> {
    const previous = this.saving.get(agentId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const ledger = this.agents.get(agentId);
      const l = ledger && (await ledger);
      if (!l || !l.dirty || l.readOnly) return;
      l.dirty = false;
      const cutoff = localDate(new Date(this.clock().getTime() - KEEP_DAYS * 86_400_000));
      for (const date of l.days.keys()) if (date < cutoff) l.days.delete(date);
      const file: LedgerFile = {
        version: USAGE_LEDGER_VERSION,
        days: Object.fromEntries([...l.days].sort(([a], [b]) => a.localeCompare(b))),
      };
      try {
        await atomicWrite(this.file(agentId), `${JSON.stringify(file, null, 1)}\n`);
      } catch {
        l.dirty = true; // retried at the next flush
      }
    });
    const settled = next.catch(() => undefined);
    this.saving.set(agentId, settled);
    void settled.then(() => {
      if (this.saving.get(agentId) === settled) this.saving.delete(agentId);
    });
    return settled;
  }
}
