// One transcript row: an inbound message (sender, channel, route chip), a reply (rich text, usage,
// incomplete/failed marks), a folded tool call, an error, or a small event line.
import { memo } from 'react';
import { Badge, Button } from '../../ui/controls.tsx';
import { TIER_NAMES, type Tier } from '../../../src-shared/config/index.ts';
import { channelName, compactNumber } from '../../ui/format.ts';
import { KIND_WORDS } from '../bindings/route-words.ts';
import type { Item, RouteInfo } from './items.ts';
import { RichText } from './RichText.tsx';

export interface RowActions {
  agentName: string;
  agentAvatar: string;
  expanded: ReadonlySet<string>;
  toggle(key: string): void;
  retry(localId: string): void;
  discard(localId: string): void;
  addKey(): void;
  /** Sends the text again as a new message; absent where the dashboard cannot write. */
  resend?(text: string): void;
}

const ERROR_LABELS: Record<string, string> = {
  no_api_key: 'No API key',
  auth: 'API key rejected',
  rate_limited: 'Rate-limited',
  spend_limit: 'Spend limit reached',
  overloaded: 'Model overloaded',
  model_not_found: 'Model not found',
  server: 'Model service error',
  network: 'Network error',
  proxy: 'Proxy refused',
  stream_cut: 'Reply cut off',
  cancelled: 'Stopped',
  tool_loop_limit: 'Too many tool steps',
  internal: 'Internal error',
  agent_paused: 'Agent paused',
  daily_budget: 'Daily budget used up',
  agent_unavailable: 'Agent unavailable',
  send_failed: 'Reply not delivered',
  queue_full: 'Too many messages waiting',
  storage_unavailable: 'Not stored (disk)',
};

/** Why a model was passed over, as the fallback line says it: "answered by B (fallback: A overloaded)". */
const FALLBACK_REASONS: Record<string, string> = { overloaded: 'overloaded', server: 'server error', model_not_found: 'not found' };

export function errorLabel(kind: string): string {
  return ERROR_LABELS[kind] ?? kind.replace(/_/g, ' ');
}

function fullTime(ts: string | undefined): string | undefined {
  if (!ts) return undefined;
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? undefined : d.toLocaleString();
}

function Time({ ts }: { ts: string | undefined }) {
  const full = fullTime(ts);
  if (!full) return null;
  return (
    <time dateTime={ts} title={full}>
      {new Date(ts!).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
    </time>
  );
}

function UsageLine({ usage, turn }: { usage: { inputTokens: number; outputTokens: number }; turn: boolean }) {
  const label = `${turn ? 'Turn usage' : 'Usage'}: ${usage.inputTokens} input tokens, ${usage.outputTokens} output tokens`;
  return (
    <span className="insp-usage" title={label} aria-label={label}>
      <span aria-hidden="true">
        {compactNumber(usage.inputTokens)} in · {compactNumber(usage.outputTokens)} out
      </span>
    </span>
  );
}

export function routeText(route: RouteInfo): string {
  if (route.matchedBy === 'direct') return 'direct';
  if (route.matchedBy === 'default') return 'default agent';
  return route.bindingIndex !== null ? `binding ${route.bindingIndex}` : 'binding';
}

/** Why this agent got the message, in words (the tier code stays as the last detail). */
export function routeWords(route: RouteInfo): string {
  if (route.matchedBy === 'direct') return 'Sent from the dashboard: not routed by bindings';
  if (route.matchedBy === 'default') return 'No binding matched, so the default agent got it';
  const tier = (Object.entries(TIER_NAMES) as [string, string][]).find(([, name]) => name === route.matchedBy)?.[0];
  const kind = tier ? KIND_WORDS[Number(tier) as Tier] : undefined;
  return `Routed here by binding ${route.bindingIndex ?? '?'}${kind ? `, ${kind}` : ''} (${route.matchedBy})`;
}

function RouteChip({ route }: { route: RouteInfo }) {
  const text = routeText(route);
  const title = routeWords(route);
  return (
    <span className="insp-route" title={`${title}${route.sessionKey ? ` → ${route.sessionKey}` : ''}`} aria-label={`Route: ${title}`}>
      {text}
    </span>
  );
}

function summarize(value: unknown, max = 90): string {
  if (value === undefined) return '';
  let s: string;
  if (typeof value === 'string') s = value;
  else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    s = Object.entries(value)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
  } else s = JSON.stringify(value) ?? '';
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function pretty(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function ToolRow({ item, actions }: { item: Extract<Item, { kind: 'tool' }>; actions: RowActions }) {
  const open = actions.expanded.has(item.key);
  const panelId = `tool-${item.key.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  const summary = (item.hasInput ? summarize(item.input) : '') || item.summary || (item.output !== undefined ? summarize(item.output) : '');
  const state = item.status === 'running' ? 'running…' : item.isError ? 'failed' : 'done';
  return (
    <div className={`insp-tool ${item.isError ? 'error' : ''}`}>
      <button
        type="button"
        className="insp-tool-head"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        aria-label={`Tool call ${item.name}, ${state}`}
        onClick={() => actions.toggle(item.key)}
      >
        <span className="insp-caret" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        <span className="insp-tool-icon" aria-hidden="true">
          ⚙
        </span>
        <span className="insp-tool-name">{item.name}</span>
        <span className="insp-tool-summary ellipsis">{summary}</span>
        {item.status === 'running' ? (
          <span className="spinner insp-tool-spin" aria-hidden="true" />
        ) : (
          <Badge tone={item.isError ? 'danger' : 'ok'}>{item.isError ? 'error' : 'ok'}</Badge>
        )}
      </button>
      {open && (
        <div className="insp-tool-body" id={panelId}>
          <div className="insp-tool-part">
            <div className="insp-tool-label">Input</div>
            {item.hasInput ? (
              <pre className="insp-json" aria-label={`Input of ${item.name}`}>
                {pretty(item.input)}
              </pre>
            ) : (
              <p className="small muted">
                {item.key.startsWith('t:') && item.status === 'running'
                  ? 'Shown once the turn is saved.'
                  : 'Not loaded (it is in an earlier page, or the turn is still running).'}
              </p>
            )}
          </div>
          <div className="insp-tool-part">
            <div className="insp-tool-label">Result</div>
            {item.output !== undefined ? (
              <pre className={`insp-json ${item.isError ? 'error' : ''}`} aria-label={`Result of ${item.name}`}>
                {item.output || '(no output)'}
              </pre>
            ) : (
              <p className="small muted">{item.status === 'running' ? 'Running…' : (item.summary ?? 'Shown once the turn is saved.')}</p>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

export const MessageRow = memo(function MessageRow({ item, actions }: { item: Item; actions: RowActions }) {
  switch (item.kind) {
    case 'start':
      return (
        <div className="insp-divider">
          <span>
            Start of this session{item.ts ? ` · ${new Date(item.ts).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}` : ''}
          </span>
        </div>
      );
    case 'day':
      return (
        <div className="insp-divider day" role="separator" aria-label={item.label}>
          <span>{item.label}</span>
        </div>
      );
    case 'event':
      return (
        <div className="insp-event">
          <span>{item.label}</span>
          {item.text && <span className="ellipsis insp-event-text">“{item.text}”</span>}
          <Time ts={item.ts} />
        </div>
      );
    case 'typing':
      return (
        <div className="insp-msg agent" role="status" aria-label={`${actions.agentName} is ${item.label.replace('…', '')}`}>
          <span className="insp-avatar" aria-hidden="true">
            {actions.agentAvatar}
          </span>
          <div className="insp-bubble agent typing">
            <span className="insp-dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            <span className="small muted">{item.label}</span>
          </div>
        </div>
      );
    case 'user': {
      const origin = item.origin;
      const operator = !origin && item.senderId === 'operator' && item.channel === 'webchat';
      // A heartbeat's prompt and a sub-agent's task are written by the gateway or the parent turn, not by a person.
      const who =
        origin?.kind === 'heartbeat'
          ? 'Heartbeat'
          : origin?.kind === 'subagent'
            ? 'Parent turn'
            : operator
              ? 'You'
              : (item.senderName ?? item.senderId);
      const title =
        origin?.kind === 'heartbeat'
          ? 'A scheduled heartbeat turn (heartbeat.every)'
          : origin?.kind === 'subagent'
            ? `The task ${origin.parentSessionKey} handed to this sub-agent (sessions_spawn), on behalf of ${item.senderName ?? item.senderId}`
            : operator
              ? 'Sent from the dashboard'
              : `Sender id ${item.senderId}`;
      return (
        <div className="insp-msg user" aria-label={`Message from ${operator ? 'you' : who}`} role="group">
          <div className="insp-meta">
            <span className="insp-sender" title={title}>
              {who}
            </span>
            {origin && <Badge>{origin.kind === 'heartbeat' ? 'heartbeat' : 'sub-agent task'}</Badge>}
            {!origin && item.channel && (
              <span>
                {channelName(item.channel)}
                {item.accountId && item.accountId !== 'default' ? ` (${item.accountId})` : ''}
              </span>
            )}
            {item.route && <RouteChip route={item.route} />}
            <Time ts={item.ts} />
          </div>
          <div
            className={`insp-bubble user ${item.pending ? `pending ${item.pending.status}` : ''} ${item.undelivered ? 'undelivered' : ''}`}
          >
            <RichText text={item.text} />
          </div>
          {item.undelivered && (
            <div className="insp-foot failed" role="note" aria-label={`Not delivered: ${errorLabel(item.undelivered)}`}>
              <span>
                <span aria-hidden="true">⚠ </span>Not delivered to {actions.agentName} ({errorLabel(item.undelivered).toLowerCase()}) — it
                is left out of the conversation.
              </span>
              {operator && actions.resend && (
                <Button size="sm" onClick={() => actions.resend!(item.text)}>
                  Send again
                </Button>
              )}
            </div>
          )}
          {item.pending?.status === 'sending' && <div className="insp-foot small muted">Sending…</div>}
          {item.pending?.status === 'failed' && (
            <div className="insp-foot failed" role="alert">
              <span>Not sent: {item.pending.error}</span>
              <Button size="sm" onClick={() => actions.retry(item.pending!.localId)}>
                Retry
              </Button>
              <Button size="sm" variant="ghost" onClick={() => actions.discard(item.pending!.localId)}>
                Discard
              </Button>
            </div>
          )}
        </div>
      );
    }
    case 'assistant':
      return (
        <div className="insp-msg agent" aria-label={`Reply from ${actions.agentName}`} role="group">
          <span className="insp-avatar" aria-hidden="true">
            {actions.agentAvatar}
          </span>
          <div className="insp-agent-col">
            <div className="insp-meta">
              <span className="insp-sender">{actions.agentName}</span>
              {item.model && <span className="insp-model">{item.model}</span>}
              <Time ts={item.ts} />
            </div>
            {item.fallbackFrom && item.model && (
              <div className="insp-fallback small" role="note">
                answered by {item.model} (fallback:{' '}
                {item.fallbackFrom.map((f) => `${f.model} ${FALLBACK_REASONS[f.reason] ?? f.reason}`).join(', ')})
              </div>
            )}
            <div
              className={`insp-bubble agent ${item.streaming ? 'streaming' : ''} ${item.incomplete ? 'incomplete' : ''}`}
              aria-busy={item.streaming || undefined}
            >
              {item.text.trim() ? <RichText text={item.text} /> : <p className="muted">(no text)</p>}
            </div>
            {(item.usage || item.incomplete || item.streaming) && (
              <div className="insp-foot small">
                {item.streaming && <span className="muted">streaming…</span>}
                {item.incomplete && (
                  <Badge tone="warn" title="The reply stopped before it was finished">
                    incomplete
                  </Badge>
                )}
                {item.usage && <UsageLine usage={item.usage} turn={item.turnUsage} />}
              </div>
            )}
          </div>
        </div>
      );
    case 'tool':
      return (
        <div className="insp-msg agent tool">
          <span className="insp-avatar ghost" aria-hidden="true" />
          <ToolRow item={item} actions={actions} />
        </div>
      );
    case 'error': {
      const stopped = item.errorKind === 'cancelled';
      return (
        <div className="insp-msg agent">
          <span className="insp-avatar ghost" aria-hidden="true" />
          <div className={`insp-error ${stopped ? 'neutral' : ''}`} role={item.live && !stopped ? 'alert' : undefined}>
            <div className="row wrap">
              <span aria-hidden="true">{stopped ? '■' : '⚠'}</span>
              <strong>{errorLabel(item.errorKind)}</strong>
              <Time ts={item.ts} />
              {item.usage && <UsageLine usage={item.usage} turn={false} />}
            </div>
            {item.message && <p className="insp-error-text">{item.message}</p>}
            {item.errorKind === 'no_api_key' && (
              <div>
                <Button size="sm" variant="primary" onClick={actions.addKey}>
                  Add API key
                </Button>
              </div>
            )}
          </div>
        </div>
      );
    }
  }
});
