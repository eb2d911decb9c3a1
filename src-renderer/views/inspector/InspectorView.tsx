// Chat inspector (issue 6): agents → that agent's sessions (never another agent's) → the live
// transcript, with a composer that talks to the agent through web chat. Routes: `#/inspector`,
// `#/inspector/<agentId>`, `#/inspector/<agentId>/<sessionKey>`; without a session the agent's
// main session is shown.
import { useEffect, useMemo, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { laneKey } from '../../../src-shared/routing/session-key.ts';
import { useConfig } from '../../store/config.ts';
import { useGateway, type AgentSummary } from '../../store/gateway.ts';
import { useInspector, type SessionSummary } from '../../store/inspector.ts';
import { useNav } from '../../store/nav.ts';
import { Badge, Banner, Button, Dot, EmptyState, PageHeader, type Tone } from '../../ui/controls.tsx';
import { compactNumber, relativeTime } from '../../ui/format.ts';
import './inspector.css';
import { describeSessionKey, mainSessionKeyOf } from './session-keys.ts';
import { nestSessions } from './session-tree.ts';
import { TranscriptPane } from './TranscriptPane.tsx';

/** Rows the session list renders at most; the filter narrows the rest. */
const MAX_ROWS = 300;

const STATE: Record<AgentSummary['state'], { tone: Exclude<Tone, 'accent' | 'neutral'> | undefined; label: string }> = {
  idle: { tone: 'ok', label: 'idle' },
  thinking: { tone: 'info', label: 'thinking' },
  error: { tone: 'danger', label: 'error' },
  paused: { tone: 'warn', label: 'paused' },
  unavailable: { tone: 'danger', label: 'unavailable' },
};

/** Arrow keys, Home and End move focus between the rows of a list (one tab stop per list). */
function rovingKeys(e: KeyboardEvent<HTMLElement>): void {
  if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
  const rows = [...e.currentTarget.querySelectorAll<HTMLElement>('[data-roving]')];
  if (rows.length === 0) return;
  const at = rows.indexOf(document.activeElement as HTMLElement);
  const next =
    e.key === 'Home'
      ? 0
      : e.key === 'End'
        ? rows.length - 1
        : e.key === 'ArrowDown'
          ? Math.min(rows.length - 1, at + 1)
          : Math.max(0, at - 1);
  e.preventDefault();
  rows[next]?.focus();
}

function useMainKey(): string {
  const mainKey = useConfig((s) => s.check?.config?.session.mainKey);
  const hasSnapshot = useConfig((s) => s.snapshot !== undefined || s.loading || s.error !== undefined);
  const open = useGateway((s) => s.connection.kind === 'open');
  useEffect(() => {
    if (open && !hasSnapshot) void useConfig.getState().load();
  }, [open, hasSnapshot]);
  return mainKey ?? 'main';
}

export function InspectorView({ args }: { args: string[] }) {
  const client = useGateway((s) => s.client);
  const open = useGateway((s) => s.connection.kind === 'open');
  const agents = useGateway((s) => s.agents);
  const loaded = useGateway((s) => s.loaded);
  const loadError = useGateway((s) => s.loadError);
  const navigate = useNav((s) => s.navigate);
  const mainKey = useMainKey();

  useEffect(() => (client ? useInspector.getState().attach(client) : undefined), [client]);

  const [requestedAgent, requestedKey] = args;
  const fallback = agents.find((a) => a.default) ?? agents[0];
  const agent = requestedAgent ? agents.find((a) => a.id === requestedAgent) : fallback;
  const agentId = agent?.id;
  const sessionKey = agentId ? (requestedKey ?? mainSessionKeyOf(agentId, mainKey)) : undefined;

  useEffect(() => {
    if (open && agentId) void useInspector.getState().loadSessions(agentId);
  }, [open, agentId]);
  useEffect(() => {
    if (open && agentId && sessionKey) void useInspector.getState().open(agentId, sessionKey);
  }, [open, agentId, sessionKey]);

  const sessions = useInspector((s) => s.sessions);
  const rows = sessions.agentId === agentId ? sessions.list : [];
  const row = rows.find((r) => r.key === sessionKey);
  const info = agentId && sessionKey ? describeSessionKey(sessionKey, agentId, mainKey) : undefined;

  return (
    <div className="page inspector">
      <PageHeader title="Chats" subtitle="Every agent's conversations, live. Pick an agent, then a session." />
      {loadError && (
        <Banner tone="danger" title="Could not load the agents:">
          {loadError}
        </Banner>
      )}
      <div className="insp-panes">
        <AgentPane agents={agents} loaded={loaded} selected={agentId} onSelect={(id) => navigate('inspector', id)} />
        {agent ? (
          <>
            <SessionPane
              agent={agent}
              mainKey={mainKey}
              selected={sessionKey}
              rows={rows}
              status={sessions.agentId === agentId ? sessions.status : 'loading'}
              error={sessions.error}
              onSelect={(key) => navigate('inspector', agent.id, key)}
              onRetry={() => void useInspector.getState().loadSessions(agent.id)}
            />
            {sessionKey && info && (
              <TranscriptPane
                key={laneKey(agent.id, sessionKey)}
                agent={agent}
                sessionKey={sessionKey}
                info={info}
                row={row}
                onSwitchToMain={() => navigate('inspector', agent.id, mainSessionKeyOf(agent.id, mainKey))}
                onDeleted={() => {
                  const main = mainSessionKeyOf(agent.id, mainKey);
                  navigate('inspector', agent.id, main);
                  // When the main session itself was deleted the address does not change: read it again here.
                  void useInspector.getState().open(agent.id, main);
                }}
              />
            )}
          </>
        ) : (
          <section className="insp-pane insp-wide" aria-label="No agent">
            {!loaded ? (
              <div className="insp-center" aria-busy="true">
                <span className="muted">Loading agents…</span>
              </div>
            ) : (
              <EmptyState
                icon="☺"
                title={requestedAgent ? `There is no agent “${requestedAgent}”` : 'No agents yet'}
                action={
                  fallback ? (
                    <Button variant="primary" onClick={() => navigate('inspector', fallback.id)}>
                      Show {fallback.name ?? fallback.id}
                    </Button>
                  ) : (
                    <Button variant="primary" onClick={() => navigate('agents', 'new')}>
                      Create an agent
                    </Button>
                  )
                }
              >
                {requestedAgent
                  ? 'It may have been removed or renamed. Pick one of your agents on the left.'
                  : 'Create an agent to start chatting.'}
              </EmptyState>
            )}
          </section>
        )}
      </div>
    </div>
  );
}

function AgentPane({
  agents,
  loaded,
  selected,
  onSelect,
}: {
  agents: AgentSummary[];
  loaded: boolean;
  selected: string | undefined;
  onSelect(id: string): void;
}) {
  const focusable = selected ?? agents[0]?.id;
  return (
    <nav className="insp-pane insp-agents" aria-label="Agents">
      <div className="insp-pane-head">
        <h2 className="section-title">Agents</h2>
      </div>
      {!loaded ? (
        <div className="insp-list" aria-busy="true" aria-label="Loading agents">
          {[0, 1, 2].map((i) => (
            <div key={i} className="skeleton insp-skel-row" />
          ))}
        </div>
      ) : (
        <ul className="insp-list" onKeyDown={rovingKeys}>
          {agents.map((a) => {
            const name = a.name ?? a.id;
            const state = STATE[a.state];
            return (
              <li key={a.id}>
                <button
                  type="button"
                  data-roving
                  className="insp-item insp-agent"
                  aria-current={a.id === selected ? 'true' : undefined}
                  tabIndex={a.id === focusable ? 0 : -1}
                  onClick={() => onSelect(a.id)}
                  aria-label={`${name}, ${state.label}`}
                  title={a.reason ? `${name} is ${state.label}: ${a.reason}` : `${name} is ${state.label}`}
                >
                  <span className="insp-avatar" aria-hidden="true">
                    {a.emoji ?? name.slice(0, 1).toUpperCase()}
                  </span>
                  <span className="grow insp-agent-text">
                    <span className="insp-item-title ellipsis">{name}</span>
                    <span className="small muted ellipsis">
                      {a.id}
                      {a.today.messages > 0 ? ` · ${compactNumber(a.today.messages)} today` : ''}
                    </span>
                  </span>
                  <Dot tone={state.tone} pulse={a.state === 'thinking'} />
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}

interface SessionPaneProps {
  agent: AgentSummary;
  mainKey: string;
  selected: string | undefined;
  rows: SessionSummary[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | undefined;
  onSelect(key: string): void;
  onRetry(): void;
}

function SessionPane({ agent, mainKey, selected, rows, status, error, onSelect, onRetry }: SessionPaneProps) {
  const [filter, setFilter] = useState('');
  const [now, setNow] = useState(() => Date.now());
  const turns = useInspector((s) => s.turns);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const name = agent.name ?? agent.id;
  const described = useMemo(
    () => rows.map((r) => ({ row: r, info: describeSessionKey(r.key, agent.id, mainKey) })),
    [rows, agent.id, mainKey],
  );
  const needle = filter.trim().toLowerCase();
  const labelOf = useMemo(() => {
    const byKey = new Map(
      described.filter((d) => !d.row.archived).map((d) => [d.row.sessionKey, d.row.title ?? d.row.parent?.label ?? d.info.label]),
    );
    return (sessionKey: string) => byKey.get(sessionKey) ?? describeSessionKey(sessionKey, agent.id, mainKey).label;
  }, [described, agent.id, mainKey]);
  const matching = useMemo(
    () =>
      needle
        ? described.filter(({ row, info }) =>
            `${row.title ?? ''} ${row.parent?.label ?? ''} ${info.label} ${row.key}`.toLowerCase().includes(needle),
          )
        : described,
    [described, needle],
  );
  // Sub-agent sessions right under the session that spawned them (session-tree.ts).
  const shown = useMemo(() => {
    const infoOf = new Map(matching.map((d) => [d.row, d.info]));
    return nestSessions(matching.map((d) => d.row)).map(({ row, depth }) => ({ row, info: infoOf.get(row)!, depth }));
  }, [matching]);
  const focusable = shown.some((s) => s.row.key === selected) ? selected : shown[0]?.row.key;
  return (
    <section className="insp-pane insp-sessions" aria-label={`Sessions of ${name}`}>
      <div className="insp-pane-head">
        <h2 className="section-title grow">Sessions</h2>
        {status === 'ready' && <Badge>{rows.length}</Badge>}
      </div>
      <div className="insp-filter">
        <input
          className="input"
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter sessions"
          placeholder="Filter by name or key"
          disabled={rows.length === 0}
        />
      </div>
      {status === 'error' ? (
        <div className="insp-pad">
          <Banner
            tone="danger"
            title="Could not load the sessions:"
            action={
              <Button size="sm" onClick={onRetry}>
                Retry
              </Button>
            }
          >
            {error}
          </Banner>
        </div>
      ) : status !== 'ready' && rows.length === 0 ? (
        <div className="insp-list" aria-busy="true" aria-label="Loading sessions">
          {[0, 1, 2, 3].map((i) => (
            <div key={i} className="skeleton insp-skel-row tall" />
          ))}
        </div>
      ) : rows.length === 0 ? (
        <EmptyState icon="✉" title="No conversations yet">
          Messages {name} receives on its channels appear here. You can also write to it in the main session.
        </EmptyState>
      ) : shown.length === 0 ? (
        <EmptyState
          icon="⌕"
          title="No session matches"
          action={
            <Button size="sm" onClick={() => setFilter('')}>
              Clear the filter
            </Button>
          }
        >
          Nothing in {name}'s sessions contains “{filter.trim()}”.
        </EmptyState>
      ) : (
        <ul className="insp-list scroll" onKeyDown={rovingKeys} aria-label={`${shown.length} sessions`}>
          {shown.slice(0, MAX_ROWS).map(({ row, info, depth }) => {
            const live = (turns[laneKey(agent.id, row.key)] ?? []).some((t) => !t.final);
            const label = row.title ?? row.parent?.label ?? info.label;
            const when = relativeTime(row.updated, now);
            const parentLabel = row.parent ? labelOf(row.parent.sessionKey) : undefined;
            return (
              <li key={row.key}>
                <button
                  type="button"
                  data-roving
                  className={`insp-item insp-session ${row.archived ? 'archived' : ''} ${depth > 0 ? 'child' : ''}`}
                  style={depth > 0 ? ({ '--insp-depth': Math.min(depth, 4) } as CSSProperties) : undefined}
                  aria-current={row.key === selected ? 'true' : undefined}
                  tabIndex={row.key === focusable ? 0 : -1}
                  onClick={() => onSelect(row.key)}
                  aria-label={`${label}, ${parentLabel ? `sub-agent of ${parentLabel}, ` : ''}${row.messages} ${row.messages === 1 ? 'message' : 'messages'}, ${when}${row.archived ? ', archived' : ''}`}
                >
                  <span className="row">
                    <span className="insp-item-title ellipsis grow">{label}</span>
                    {live && <Dot tone="info" pulse />}
                    <span className="small muted insp-when">{when}</span>
                  </span>
                  <code className="small muted ellipsis insp-key" title={row.key}>
                    {info.sessionKey}
                  </code>
                  <span className="small muted row">
                    <span>
                      {compactNumber(row.messages)} {row.messages === 1 ? 'msg' : 'msgs'}
                    </span>
                    <span aria-hidden="true">·</span>
                    <span>{compactNumber(row.inputTokens + row.outputTokens)} tokens</span>
                    {row.archived && <Badge>archived</Badge>}
                  </span>
                  {parentLabel && (
                    <span className="small muted ellipsis insp-parent" title={row.parent!.sessionKey}>
                      <Badge>sub-agent</Badge> of {parentLabel}
                    </span>
                  )}
                </button>
              </li>
            );
          })}
          {shown.length > MAX_ROWS && (
            <li className="small muted insp-pad">{shown.length - MAX_ROWS} more — narrow the filter to find them.</li>
          )}
        </ul>
      )}
    </section>
  );
}
