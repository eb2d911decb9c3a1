// Usage: what each agent spent over the last 7 or 30 days — tokens in and out per day as a chart
// with its daily budget, the estimated cost at list prices (models without a price: tokens only),
// and the split by model. Numbers come from `usage.daily`, i.e. the transcripts' usage records.
import { useState } from 'react';
import { estimateCost, type CostEstimate } from '../../../src-shared/config/index.ts';
import { useGateway, type AgentSummary } from '../../store/gateway.ts';
import { Badge, Banner, EmptyState, PageHeader, Segmented, Spinner } from '../../ui/controls.tsx';
import { compactNumber } from '../../ui/format.ts';
import { UsageBars } from './UsageBars.tsx';
import { approxCost, costText, formatUsd, useDailyUsage, type AgentDailyUsage } from './usage-data.ts';

type Range = '7' | '30';
const n = (x: number) => x.toLocaleString('en-US');

export function UsageView() {
  const [range, setRange] = useState<Range>('7');
  const { usage, error } = useDailyUsage(Number(range));
  const agents = useGateway((s) => s.agents);
  const nameOf = (id: string) => agents.find((a) => a.id === id)?.name ?? id;
  const all = usage?.agents ?? [];
  const grand = sumEstimates(all.map((a) => estimateCost(a.total.models)));
  // The period the numbers cover (right after a switch, the previous answer is still shown).
  const shown = all[0]?.days.length ?? Number(range);
  return (
    <div className="page usage-page">
      <PageHeader
        title="Usage"
        subtitle={
          <>
            Tokens as the agents’ transcripts record them; costs are an <strong>estimate</strong> at Anthropic’s list prices
            {usage ? `, days in ${usage.timeZone} time` : ''}.
          </>
        }
        actions={
          <Segmented
            label="Period"
            value={range}
            options={[
              { value: '7', label: '7 days' },
              { value: '30', label: '30 days' },
            ]}
            onChange={setRange}
          />
        }
      />
      {error && (
        <Banner tone="danger" title="Could not load usage:">
          {error}
        </Banner>
      )}
      {!usage ? (
        !error && <Spinner label="Loading usage" />
      ) : all.length === 0 ? (
        <div className="card">
          <EmptyState icon="▤" title="No agents">
            Usage appears here once an agent has answered.
          </EmptyState>
        </div>
      ) : (
        <>
          <section className="card" aria-labelledby="usage-summary-title">
            <div className="card-pad stack" style={{ gap: 8 }}>
              <h2 id="usage-summary-title">
                All agents, last {shown} days <Badge tone="warn">estimate</Badge>
              </h2>
              <table className="table usage-table">
                <thead>
                  <tr>
                    <th scope="col">Agent</th>
                    <th scope="col">Input tokens</th>
                    <th scope="col">Output tokens</th>
                    <th scope="col">Estimated cost</th>
                    <th scope="col">Daily budget</th>
                  </tr>
                </thead>
                <tbody>
                  {all.map((a) => (
                    <tr key={a.agentId} data-agent={a.agentId}>
                      <th scope="row">{nameOf(a.agentId)}</th>
                      <td>{n(a.total.inputTokens)}</td>
                      <td>{n(a.total.outputTokens)}</td>
                      <td>{costText(estimateCost(a.total.models), compactNumber)}</td>
                      <td>{a.dailyTokens === null ? '—' : `${n(a.dailyTokens)} tokens`}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">Total</th>
                    <td>{n(all.reduce((s, a) => s + a.total.inputTokens, 0))}</td>
                    <td>{n(all.reduce((s, a) => s + a.total.outputTokens, 0))}</td>
                    <td>{costText(grand, compactNumber)}</td>
                    <td />
                  </tr>
                </tfoot>
              </table>
            </div>
          </section>
          <div className="usage-agents">
            {all.map((a) => (
              <AgentUsageCard key={a.agentId} usage={a} agent={agents.find((x) => x.id === a.agentId)} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}

function sumEstimates(list: CostEstimate[]): CostEstimate {
  const out: CostEstimate = { usd: 0, unpriced: { inputTokens: 0, outputTokens: 0 }, unpricedModels: [] };
  for (const e of list) {
    out.usd += e.usd;
    out.unpriced.inputTokens += e.unpriced.inputTokens;
    out.unpriced.outputTokens += e.unpriced.outputTokens;
    out.unpricedModels.push(...e.unpricedModels.filter((m) => !out.unpricedModels.includes(m)));
  }
  return out;
}

function AgentUsageCard({ usage, agent }: { usage: AgentDailyUsage; agent: AgentSummary | undefined }) {
  const name = agent?.name ?? usage.agentId;
  const est = estimateCost(usage.total.models);
  const models = Object.entries(usage.total.models).sort(
    ([, x], [, y]) => y.inputTokens + y.outputTokens - (x.inputTokens + x.outputTokens),
  );
  return (
    <article className="card usage-agent" aria-label={`Usage of ${name}`}>
      <div className="card-pad stack" style={{ gap: 10 }}>
        <div className="row">
          <span className="avatar" aria-hidden="true">
            {agent?.emoji ?? name.slice(0, 1).toUpperCase()}
          </span>
          <h3 className="grow">{name}</h3>
          <span className="usage-cost" aria-label={`Estimated cost of ${name}: ${costText(est, compactNumber)}`}>
            {approxCost(est, compactNumber)}
          </span>
        </div>
        <dl className="stats">
          <div>
            <dt>Input tokens</dt>
            <dd>{n(usage.total.inputTokens)}</dd>
          </div>
          <div>
            <dt>Output tokens</dt>
            <dd>{n(usage.total.outputTokens)}</dd>
          </div>
          <div>
            <dt>Daily budget</dt>
            <dd>{usage.dailyTokens === null ? 'none' : n(usage.dailyTokens)}</dd>
          </div>
        </dl>
        <UsageBars agentName={name} days={usage.days} dailyTokens={usage.dailyTokens} />
        <div className="row small muted usage-legend" aria-hidden="true">
          <span className="usage-key in" /> input <span className="usage-key out" /> output
          {usage.dailyTokens !== null && (
            <>
              <span className="usage-key budget" /> daily budget
            </>
          )}
        </div>
        {models.length > 0 && (
          <table className="table usage-table">
            <caption className="sr-only">Tokens of {name} by model</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Input tokens</th>
                <th scope="col">Output tokens</th>
                <th scope="col">Estimated cost</th>
              </tr>
            </thead>
            <tbody>
              {models.map(([model, t]) => {
                const one = estimateCost({ [model]: t });
                return (
                  <tr key={model}>
                    <th scope="row">{model ? <code>{model}</code> : <span className="muted">model not recorded</span>}</th>
                    <td>{n(t.inputTokens)}</td>
                    <td>{n(t.outputTokens)}</td>
                    <td>{one.unpricedModels.length ? <span className="muted">no price known — tokens only</span> : formatUsd(one.usd)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </article>
  );
}
