// The last seven days of an agent's work on its overview card, from `usage.summary`: one bar per
// day (messages), tokens in the tooltip. Re-read a moment after replies go out, so it stays live
// without polling.
import { useEffect, useState } from 'react';
import type { Result } from '../../gateway/client.ts';
import { useGateway } from '../../store/gateway.ts';
import { compactNumber } from '../../ui/format.ts';

export type AgentUsage = Result<'usage.summary'>['agents'][number];

const DAYS = 7;

/** Usage per agent id; empty until the first answer (and when the gateway cannot say). */
export function useWeeklyUsage(): Record<string, AgentUsage> {
  const client = useGateway((s) => s.client);
  const [usage, setUsage] = useState<Record<string, AgentUsage>>({});
  useEffect(() => {
    if (!client) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      client
        .request('usage.summary', { days: DAYS })
        .then((r) => {
          if (live) setUsage(Object.fromEntries(r.agents.map((a) => [a.agentId, a])));
        })
        .catch(() => undefined); // the card keeps today's counters; the chart is an extra
    };
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(load, 1500);
    };
    load();
    const offs = [client.on('message.outbound', soon), client.on('config.changed', soon)];
    return () => {
      live = false;
      clearTimeout(timer);
      offs.forEach((off) => off());
    };
  }, [client]);
  return usage;
}

export function UsageChart({ usage, agentName }: { usage: AgentUsage | undefined; agentName: string }) {
  if (!usage) return <div className="usage-chart" aria-hidden="true" />;
  const max = Math.max(1, ...usage.days.map((d) => d.messages));
  const label = `${agentName}, messages over the last ${usage.days.length} days: ${usage.days.map((d) => `${weekday(d.date)} ${d.messages}`).join(', ')}`;
  const total = usage.days.reduce((n, d) => n + d.messages, 0);
  return (
    <div className="usage">
      <div className="usage-caption">
        <span>Last {usage.days.length} days</span>
        <span>
          {compactNumber(total)} {total === 1 ? 'message' : 'messages'}
        </span>
      </div>
      <div className="usage-chart" role="img" aria-label={label}>
        {usage.days.map((d) => (
          <div
            key={d.date}
            className="usage-day"
            title={`${d.date}: ${d.messages} messages, ${compactNumber(d.inputTokens + d.outputTokens)} tokens`}
          >
            <div className="usage-bar" style={{ height: `${d.messages === 0 ? 0 : Math.max(8, (d.messages / max) * 100)}%` }} />
            <span className="usage-label">{weekday(d.date).slice(0, 1)}</span>
          </div>
        ))}
      </div>
    </div>
  );
}

function weekday(date: string): string {
  const d = new Date(`${date}T12:00:00`);
  return Number.isNaN(d.getTime()) ? date : d.toLocaleDateString([], { weekday: 'short' });
}
