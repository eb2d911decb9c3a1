// `#/agents`: every agent in one table — who it is, its model and workspace, how many bindings
// route to it and its live state — its name opens its page; Open chats, Edit and Delete on each row.
import { useState } from 'react';
import { useGateway, type AgentSummary } from '../../store/gateway.ts';
import { useNav } from '../../store/nav.ts';
import { Badge, Banner, Button, Dot, EmptyState, PageHeader, type Tone } from '../../ui/controls.tsx';
import { modelChain } from '../../ui/format.ts';
import { DeleteAgentDialog } from './DeleteAgentDialog.tsx';

const STATE: Record<AgentSummary['state'], { tone: Exclude<Tone, 'accent' | 'neutral'>; label: string }> = {
  idle: { tone: 'ok', label: 'Idle' },
  thinking: { tone: 'info', label: 'Thinking…' },
  error: { tone: 'danger', label: 'Error' },
  paused: { tone: 'warn', label: 'Paused' },
  unavailable: { tone: 'danger', label: 'Unavailable' },
};

/** `#/agents/<id>` is the agent's page, except that `new` is the wizard: that one id gets the wizard's edit form. */
export function editRoute(id: string): string[] {
  return id === 'new' ? [id, 'edit'] : [id];
}

export function AgentList() {
  const { agents, loaded, loadError, status } = useGateway();
  const navigate = useNav((s) => s.navigate);
  const [deleting, setDeleting] = useState<AgentSummary>();
  return (
    <div className="page">
      <PageHeader
        title="Agents"
        subtitle={
          status ? (
            <>
              Each agent has its own persona, workspace, keys and history. Defined in <code>{status.configPath}</code>.
            </>
          ) : (
            'Each agent has its own persona, workspace, keys and history.'
          )
        }
        actions={
          <Button variant="primary" onClick={() => navigate('agents', 'new')}>
            New agent
          </Button>
        }
      />
      {loadError && (
        <Banner tone="danger" title="Could not load the agents:">
          {loadError}
        </Banner>
      )}
      <div className="card">
        {!loaded ? (
          <div className="card-pad stack" aria-busy="true" aria-label="Loading agents">
            {[0, 1, 2].map((i) => (
              <div key={i} className="skeleton" style={{ height: 36 }} />
            ))}
          </div>
        ) : agents.length === 0 ? (
          <EmptyState
            icon="☺"
            title="No agents yet"
            action={
              <Button variant="primary" onClick={() => navigate('agents', 'new')}>
                Create your first agent
              </Button>
            }
          >
            An agent answers messages with its own persona, workspace and history.
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="table agents-table">
              <thead>
                <tr>
                  <th>Agent</th>
                  <th>Id</th>
                  <th>Model</th>
                  <th>Workspace</th>
                  <th>Bindings</th>
                  <th>State</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {agents.map((a) => {
                  const name = a.name ?? a.id;
                  const state = STATE[a.state];
                  return (
                    <tr key={a.id} aria-label={`Agent ${name}`}>
                      <td>
                        <div className="agent-cell">
                          <span className="avatar" aria-hidden="true">
                            {a.emoji ?? name.slice(0, 1).toUpperCase()}
                          </span>
                          <button
                            type="button"
                            className="agent-link ellipsis"
                            onClick={() => navigate('agents', ...editRoute(a.id))}
                            aria-label={`Open ${name}`}
                          >
                            <strong>{name}</strong>
                          </button>
                          {a.default && (
                            <Badge tone="accent" title="Gets every message no binding claims">
                              default
                            </Badge>
                          )}
                        </div>
                      </td>
                      <td>
                        <code>{a.id}</code>
                      </td>
                      <td className="small">{modelChain(a)}</td>
                      <td>
                        <span className="path" title={a.workspace}>
                          {a.workspace}
                        </span>
                      </td>
                      <td>
                        <Badge
                          tone={a.bindings.length > 0 ? 'info' : 'neutral'}
                          title={a.bindings.map((b) => `${b.channel}:${b.accountId} (${b.matchedBy})`).join('\n') || 'No bindings'}
                        >
                          {a.bindings.length} {a.bindings.length === 1 ? 'binding' : 'bindings'}
                        </Badge>
                      </td>
                      <td>
                        <span className="row" title={a.reason ?? undefined}>
                          <Dot tone={state.tone} pulse={a.state === 'thinking'} />
                          <span>{state.label}</span>
                        </span>
                      </td>
                      <td className="actions">
                        <Button size="sm" onClick={() => navigate('inspector', a.id)} aria-label={`Open chats of ${name}`}>
                          Open chats
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          onClick={() => navigate('agents', ...editRoute(a.id))}
                          aria-label={`Edit ${name}`}
                        >
                          Edit
                        </Button>
                        <Button size="sm" variant="ghost" className="danger" onClick={() => setDeleting(a)} aria-label={`Delete ${name}`}>
                          Delete
                        </Button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {deleting && <DeleteAgentDialog agent={deleting} onClose={() => setDeleting(undefined)} />}
    </div>
  );
}
