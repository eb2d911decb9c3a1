// The Usage page's data: `usage.daily` (tokens per agent, local day and model, summed by the
// gateway from the transcripts), re-read a moment after replies go out so it stays live without
// polling, and the cost estimate from the shared price table (unknown models: tokens only).
import { useEffect, useState } from 'react';
import { estimateCost, type CostEstimate } from '../../../src-shared/config/index.ts';
import type { Result } from '../../gateway/client.ts';
import { useGateway } from '../../store/gateway.ts';

export type DailyUsage = Result<'usage.daily'>;
export type AgentDailyUsage = DailyUsage['agents'][number];
export type UsageDay = AgentDailyUsage['days'][number];

export interface DailyUsageState {
  usage: DailyUsage | undefined;
  error: string | undefined;
}

const RELOAD_DELAY_MS = 1500;

/** `usage.daily` for the last `days` days; undefined until the first answer. */
export function useDailyUsage(days: number): DailyUsageState {
  const client = useGateway((s) => s.client);
  const [state, setState] = useState<DailyUsageState>({ usage: undefined, error: undefined });
  useEffect(() => {
    if (!client) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      client.request('usage.daily', { days }).then(
        (usage) => live && setState({ usage, error: undefined }),
        (err: unknown) => live && setState((s) => ({ usage: s.usage, error: err instanceof Error ? err.message : String(err) })),
      );
    };
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(load, RELOAD_DELAY_MS);
    };
    load();
    const offs = [client.on('message.outbound', soon), client.on('config.changed', soon)];
    return () => {
      live = false;
      clearTimeout(timer);
      offs.forEach((off) => off());
    };
  }, [client, days]);
  return state;
}

export const dayCost = (day: { models: UsageDay['models'] }): CostEstimate => estimateCost(day.models);

/** Dollars with enough digits that a small day is not shown as $0.00. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** "$0.42", "$0.42 + 1.2k tokens without a price", or "tokens only" when nothing had a price. */
export function costText(est: CostEstimate, compact: (n: number) => string): string {
  const unpriced = est.unpriced.inputTokens + est.unpriced.outputTokens;
  if (unpriced === 0) return formatUsd(est.usd);
  if (est.usd === 0) return 'tokens only';
  return `${formatUsd(est.usd)} + ${compact(unpriced)} tokens without a price`;
}

/** "≈ $0.42" (an estimate), or "tokens only" when nothing had a price. */
export function approxCost(est: CostEstimate, compact: (n: number) => string): string {
  const text = costText(est, compact);
  return text === 'tokens only' ? text : `≈ ${text}`;
}

/** Local-date label: "Mon 7" for the week, "7 Dec" for a month, "M" on a small chart. */
export function dayLabel(date: string, style: 'weekday' | 'short' | 'initial'): string {
  const d = new Date(`${date}T12:00:00`);
  if (Number.isNaN(d.getTime())) return date;
  const weekday = d.toLocaleDateString([], { weekday: 'short' });
  if (style === 'initial') return weekday.slice(0, 1);
  return style === 'weekday' ? `${weekday} ${d.getDate()}` : d.toLocaleDateString([], { day: 'numeric', month: 'short' });
}
