// The middle pane: the selected agent's sessions, newest first, with "New chat" (a fresh web chat
// session, docs/routing.md#session-keys) and a search that filters at once by title and key and
// then asks the gateway which transcripts contain the words (`sessions.search`, debounced).
import { useEffect, useMemo, useState, type CSSProperties } from 'react';
import { laneKey } from '../../../src-shared/routing/session-key.ts';
import { errorText, type Result } from '../../gateway/client.ts';
import type { AgentSummary } from '../../store/gateway.ts';
import { useInspector, type SessionSummary } from '../../store/inspector.ts';
import { Badge, Banner, Button, Dot, EmptyState } from '../../ui/controls.tsx';
import { compactNumber, relativeTime } from '../../ui/format.ts';
import { rovingKeys } from './roving.ts';
import { describeSessionKey } from './session-keys.ts';
import { nestSessions } from './session-tree.ts';

/** Rows the session list renders at most; the search narrows the rest. */
const MAX_ROWS = 300;
/** Typing pauses this long before the gateway is asked to read the transcripts. */
const SEARCH_DELAY_MS = 300;

type Matches = Result<'sessions.search'>;

interface SessionPaneProps {
  agent: AgentSummary;
  mainKey: string;
  selected: string | undefined;
  rows: SessionSummary[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | undefined;
  onSelect(key: string): void;
  onRetry(): void;
  onNewChat(): void;
}

/** The gateway's answer for the query as typed now, or why there is none yet. */
function useTextSearch(agentId: string, needle: string, rows: SessionSummary[]) {
  const [found, setFound] = useState<{ query: string; agentId: string; result?: Matches; error?: string } | undefined>();
  // A session that got a message since is searched again: its text changed.
  const stamp = rows.length > 0 ? rows[0]!.updated : '';
  useEffect(() => {
    if (needle === '') return;
    let live = true;
    const timer = setTimeout(() => {
      useInspector
        .getState()
        .searchSessions(agentId, needle)
        .then(
          (result) => live && setFound({ query: needle, agentId, result }),
          (err: unknown) => live && setFound({ query: needle, agentId, error: errorText(err) }),
        );
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [agentId, needle, stamp]);
  return found && found.query === needle && found.agentId === agentId ? found : undefined;
}

export function SessionPane({ agent, mainKey, selected, rows, status, error, onSelect, onRetry, onNewChat }: SessionPaneProps) {
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
  const text = useTextSearch(agent.id, needle, rows);
  const snippets = useMemo(
    () => new Map((text?.result?.matches ?? []).filter((m) => m.field === 'text').map((m) => [m.key, m.snippet ?? ''])),
    [text],
  );
  const labelOf = useMemo(() => {
    const byKey = new Map(
      described.filter((d) => !d.row.archived).map((d) => [d.row.sessionKey, d.row.title ?? d.row.parent?.label ?? d.info.label]),
    );
    return (sessionKey: string) => byKey.get(sessionKey) ?? describeSessionKey(sessionKey, agent.id, mainKey).label;
  }, [described, agent.id, mainKey]);
  const matching = useMemo(
    () =>
      needle
        ? described.filter(
            ({ row, info }) =>
              `${row.title ?? ''} ${row.parent?.label ?? ''} ${info.label} ${row.key}`.toLowerCase().includes(needle) ||
              snippets.has(row.key),
          )
        : described,
    [described, needle, snippets],
  );
  // Sub-agent sessions right under the session that spawned them (session-tree.ts).
  const shown = useMemo(() => {
    const infoOf = new Map(matching.map((d) => [d.row, d.info]));
    return nestSessions(matching.map((d) => d.row)).map(({ row, depth }) => ({ row, info: infoOf.get(row)!, depth }));
  }, [matching]);
  const searching = needle !== '' && !text;
  const focusable = shown.some((s) => s.row.key === selected) ? selected : shown[0]?.row.key;
  return (
    <section className="insp-pane insp-sessions" aria-label={`Sessions of ${name}`}>
      <div className="insp-pane-head">
        <h2 className="section-title grow">Sessions</h2>
        {status === 'ready' && <Badge>{rows.length}</Badge>}
        <Button size="sm" variant="primary" onClick={onNewChat} title={`Start a new web chat with ${name}`}>
          + New chat
        </Button>
      </div>
      <div className="insp-filter">
        <input
          className="input"
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Search sessions"
          placeholder="Search titles and messages"
          disabled={rows.length === 0}
        />
        {needle !== '' && (
          <div className="small muted insp-search-state" role="status">
            {searching
              ? 'Searching the messages…'
              : text?.error
                ? `Searched titles only: ${text.error}`
                : text?.result?.truncated
                  ? 'Some older sessions were matched by title only (too much text to read at once).'
                  : `${shown.length} ${shown.length === 1 ? 'session' : 'sessions'} found`}
          </div>
        )}
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
          Messages {name} receives on its channels appear here. Start a new chat, or write to it in the main session.
        </EmptyState>
      ) : shown.length === 0 && !searching ? (
        <EmptyState
          icon="⌕"
          title="No session matches"
          action={
            <Button size="sm" onClick={() => setFilter('')}>
              Clear the search
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
            const snippet = snippets.get(row.key);
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
                  {snippet ? (
                    <span className="small insp-snippet" title={snippet}>
                      {snippet}
                    </span>
                  ) : (
                    <code className="small muted ellipsis insp-key" title={row.key}>
                      {info.sessionKey}
                    </code>
                  )}
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
            <li className="small muted insp-pad">{shown.length - MAX_ROWS} more — narrow the search to find them.</li>
          )}
        </ul>
      )}
    </section>
  );
}
