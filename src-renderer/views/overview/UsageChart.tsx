// The last seven days of an agent's tokens on its overview card: the Usage page's chart in its
// compact form (with the daily budget line) and the week's estimated cost, from `usage.daily`.
import { estimateCost } from '../../../src-shared/config/index.ts';
import { compactNumber } from '../../ui/format.ts';
import { UsageBars } from '../usage/UsageBars.tsx';
import { approxCost, useDailyUsage, type AgentDailyUsage } from '../usage/usage-data.ts';

export type AgentUsage = AgentDailyUsage;

const DAYS = 7;

/** Usage per agent id; empty until the first answer (and when the gateway cannot say). */
export function useWeeklyUsage(): Record<string, AgentUsage> {
  const { usage } = useDailyUsage(DAYS);
  return Object.fromEntries((usage?.agents ?? []).map((a) => [a.agentId, a]));
}

export function UsageChart({ usage, agentName }: { usage: AgentUsage | undefined; agentName: string }) {
  if (!usage) return <div className="usage-figure compact" aria-hidden="true" />;
  const tokens = usage.total.inputTokens + usage.total.outputTokens;
  return (
    <div className="usage">
      <div className="usage-card-caption">
        <span>Last {usage.days.length} days</span>
        <span>
          {compactNumber(tokens)} tokens · {approxCost(estimateCost(usage.total.models), compactNumber)} (estimate)
        </span>
      </div>
      <UsageBars agentName={agentName} days={usage.days} dailyTokens={usage.dailyTokens} compact />
    </div>
  );
}
