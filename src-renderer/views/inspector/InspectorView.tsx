// Chat inspector (issue 6): agents → that agent's sessions (never another agent's) → the live
// transcript, with a composer that talks to the agent through web chat. Routes: `#/inspector`,
// `#/inspector/<agentId>`, `#/inspector/<agentId>/<sessionKey>`; without a session the agent's
// main session is shown. Narrow, the three panes become two, then one (docs/dashboard.md#chats).
import { useEffect } from 'react';
import { laneKey } from '../../../src-shared/routing/session-key.ts';
import { useConfig } from '../../store/config.ts';
import { useGateway, type AgentSummary } from '../../store/gateway.ts';
import { useInspector } from '../../store/inspector.ts';
import { useNav } from '../../store/nav.ts';
import { Banner, Button, Dot, EmptyState, PageHeader, type Tone } from '../../ui/controls.tsx';
import { compactNumber } from '../../ui/format.ts';
import './inspector.css';
import { rovingKeys } from './roving.ts';
import { describeSessionKey, mainSessionKeyOf, newChatKey } from './session-keys.ts';
import { SessionPane } from './SessionPane.tsx';
import { TranscriptPane } from './TranscriptPane.tsx';

const STATE: Record<AgentSummary['state'], { tone: Exclude<Tone, 'accent' | 'neutral'> | undefined; label: string }> = {
  idle: { tone: 'ok', label: 'idle' },
  thinking: { tone: 'info', label: 'thinking' },
  error: { tone: 'danger', label: 'error' },
  paused: { tone: 'warn', label: 'paused' },
  unavailable: { tone: 'danger', label: 'unavailable' },
};

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
      {/* One column (narrow): the list until a session is picked, then the conversation with a way back. */}
      <div className="insp-panes" data-focus={requestedKey ? 'transcript' : 'list'}>
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
              onNewChat={() => navigate('inspector', agent.id, newChatKey(agent.id))}
            />
            {sessionKey && info && (
              <TranscriptPane
                key={laneKey(agent.id, sessionKey)}
                agent={agent}
                sessionKey={sessionKey}
                info={info}
                row={row}
                onSwitchToMain={() => navigate('inspector', agent.id, mainSessionKeyOf(agent.id, mainKey))}
                onBack={() => navigate('inspector', agent.id)}
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
