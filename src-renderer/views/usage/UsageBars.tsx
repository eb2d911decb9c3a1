// One agent's tokens per day as an SVG bar chart: input and output stacked, the daily token budget
// (`limits.dailyTokens`) as a dashed line, days over it marked. For screen readers the SVG has a
// title and a description, and the same numbers follow as a table (visually hidden).
import { useId } from 'react';
import { compactNumber } from '../../ui/format.ts';
import { costText, dayCost, dayLabel, type UsageDay } from './usage-data.ts';
import './usage.css';

export interface UsageBarsProps {
  agentName: string;
  days: UsageDay[];
  /** The agent's daily token budget; null draws no line. */
  dailyTokens: number | null;
  /** The overview card's small version: no axis, one letter per day. */
  compact?: boolean;
}

const FULL = { width: 640, height: 200, left: 48, right: 8, top: 12, bottom: 22 };
const COMPACT = { width: 280, height: 60, left: 0, right: 0, top: 4, bottom: 12 };

/** A round axis maximum at or above `n` (1, 2, 2.5, 5 × 10^k). */
function niceMax(n: number): number {
  if (n <= 0) return 1;
  const mag = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * mag >= n) return step * mag;
  return 10 * mag;
}

export function UsageBars({ agentName, days, dailyTokens, compact = false }: UsageBarsProps) {
  const id = useId();
  const box = compact ? COMPACT : FULL;
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const totals = days.map((d) => d.inputTokens + d.outputTokens);
  const max = niceMax(Math.max(...totals, dailyTokens ?? 0));
  const y = (tokens: number) => box.top + plotH - (tokens / max) * plotH;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(2, Math.min(28, slot * 0.7));
  const sum = totals.reduce((a, b) => a + b, 0);
  const over = dailyTokens === null ? [] : days.filter((d) => d.inputTokens + d.outputTokens > dailyTokens);
  const title = `${agentName}: tokens per day, last ${days.length} days`;
  const desc =
    `${compactNumber(sum)} tokens in total` +
    (dailyTokens === null
      ? '; no daily budget.'
      : `; daily budget ${dailyTokens.toLocaleString('en-US')} tokens, ${over.length === 0 ? 'not exceeded' : `exceeded on ${over.length} ${over.length === 1 ? 'day' : 'days'}`}.`);
  const labelEvery = compact ? (days.length > 7 ? 0 : 1) : days.length > 14 ? 5 : 1;
  return (
    <figure className={`usage-figure${compact ? ' compact' : ''}`}>
      <svg
        className="usage-svg"
        viewBox={`0 0 ${box.width} ${box.height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        {!compact &&
          [0, 0.5, 1].map((f) => (
            <g key={f} className="usage-grid">
              <line x1={box.left} x2={box.width - box.right} y1={y(max * f)} y2={y(max * f)} />
              <text x={box.left - 6} y={y(max * f) + 4} textAnchor="end">
                {compactNumber(max * f)}
              </text>
            </g>
          ))}
        {days.map((d, i) => {
          const x = box.left + i * slot + (slot - barW) / 2;
          const total = d.inputTokens + d.outputTokens;
          const isOver = dailyTokens !== null && total > dailyTokens;
          return (
            <g key={d.date} className={`usage-day-bar${isOver ? ' over' : ''}`} data-date={d.date}>
              <title>{`${d.date}: ${d.inputTokens.toLocaleString('en-US')} in, ${d.outputTokens.toLocaleString('en-US')} out, ${costText(dayCost(d), compactNumber)}`}</title>
              {d.inputTokens > 0 && (
                <rect className="usage-in" x={x} width={barW} y={y(d.inputTokens)} height={Math.max(1, y(0) - y(d.inputTokens))} />
              )}
              {d.outputTokens > 0 && (
                <rect className="usage-out" x={x} width={barW} y={y(total)} height={Math.max(1, y(d.inputTokens) - y(total))} />
              )}
              {labelEvery > 0 && (i % labelEvery === 0 || i === days.length - 1) && (
                <text className="usage-axis" x={x + barW / 2} y={box.height - (compact ? 1 : 6)} textAnchor="middle">
                  {dayLabel(d.date, compact ? 'initial' : days.length > 7 ? 'short' : 'weekday')}
                </text>
              )}
            </g>
          );
        })}
        {dailyTokens !== null && (
          <g className="usage-budget">
            <line x1={box.left} x2={box.width - box.right} y1={y(dailyTokens)} y2={y(dailyTokens)} />
            {!compact && (
              <text x={box.width - box.right} y={y(dailyTokens) - 4} textAnchor="end">
                budget {compactNumber(dailyTokens)}/day
              </text>
            )}
          </g>
        )}
      </svg>
      {/* A table ignores the 1px box of .sr-only (its columns set its width): the div holds it. */}
      <div className="sr-only">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Input tokens</th>
              <th scope="col">Output tokens</th>
              <th scope="col">Estimated cost</th>
              {dailyTokens !== null && <th scope="col">Over budget</th>}
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.date}>
                <th scope="row">{d.date}</th>
                <td>{d.inputTokens}</td>
                <td>{d.outputTokens}</td>
                <td>{costText(dayCost(d), compactNumber)}</td>
                {dailyTokens !== null && <td>{d.inputTokens + d.outputTokens > dailyTokens ? 'yes' : 'no'}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
