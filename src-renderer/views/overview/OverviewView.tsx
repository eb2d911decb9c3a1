// Overview: every agent at once, each a card with its live state and today's numbers; the
// gateway's state with Start/Stop; every channel account with its connection state.
import { useState } from 'react';
import { errorText } from '../../gateway/client.ts';
import { useGateway, type AgentSummary, type ChannelStatus } from '../../store/gateway.ts';
import { useNav } from '../../store/nav.ts';
import { toast } from '../../store/toasts.ts';
import { Badge, Banner, Button, Dot, EmptyState, PageHeader, type Tone } from '../../ui/controls.tsx';
import { channelName, compactNumber, modelChain, relativeTime } from '../../ui/format.ts';
import { humanizeIssue, parsePath } from '../../ui/issue-words.ts';
import { IssueText } from '../../ui/IssueText.tsx';
import { ApiKeyBanner } from './ApiKeyBanner.tsx';
import { UsageChart, useWeeklyUsage, type AgentUsage } from './UsageChart.tsx';

export function OverviewView() {
  const { status, agents, channels, loaded, loadError, pairing } = useGateway();
  const navigate = useNav((s) => s.navigate);
  const usage = useWeeklyUsage();
  return (
    <div className="page">
      <PageHeader
        title="Overview"
        subtitle={
          status ? (
            <>
              Config <code>{status.configPath}</code>
            </>
          ) : undefined
        }
        actions={<GatewayControl />}
      />
      {loadError && (
        <Banner tone="danger" title="Could not load the gateway's state:">
          {loadError}
        </Banner>
      )}
      {status && status.configErrors.length > 0 && (
        <Banner tone="warn" title="The config file has errors; the gateway keeps the last good config.">
          {status.configErrors.map((e, i) => (
            <span key={`${e.path}:${e.message}`}>
              {i > 0 ? ' · ' : ''}
              <IssueText issue={humanizeIssue({ severity: 'error', code: '', message: e.message, path: parsePath(e.path) }, undefined)} />
            </span>
          ))}
        </Banner>
      )}
      {status && !status.storage.ok && (
        <Banner tone="danger" title="Messages cannot be stored right now; agents accept nothing until this is fixed.">
          {status.storage.reason}
        </Banner>
      )}
      <ApiKeyBanner />
      <RecentChanges />
      {pairing.length > 0 && (
        <Banner
          tone="info"
          title={`${pairing.length} pairing request${pairing.length === 1 ? '' : 's'} waiting.`}
          action={
            <Button size="sm" onClick={() => navigate('channels')}>
              Review
            </Button>
          }
        >
          Someone wrote to one of your bots and is waiting to be let in.
        </Banner>
      )}
      <section className="stack" aria-labelledby="agents-title">
        <div className="row">
          <h2 id="agents-title" className="grow">
            Agents
          </h2>
          <Button variant="primary" onClick={() => navigate('agents', 'new')}>
            New agent
          </Button>
        </div>
        {!loaded ? (
          <CardSkeletons />
        ) : agents.length === 0 ? (
          <div className="card">
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
          </div>
        ) : (
          <div className="grid-cards">
            {agents.map((a) => (
              <AgentCard key={a.id} agent={a} channels={channels} usage={usage[a.id]} />
            ))}
          </div>
        )}
      </section>
      <section className="stack" aria-labelledby="channels-title">
        <h2 id="channels-title">Channel accounts</h2>
        <div className="card">
          {channels.length === 0 ? (
            <EmptyState
              icon="⌁"
              title="No channel accounts"
              action={<Button onClick={() => navigate('channels')}>Set up a channel</Button>}
            >
              Agents can already chat here in the dashboard. Add a Telegram, Discord or WhatsApp account to reach them from your phone.
            </EmptyState>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Channel</th>
                  <th>Account</th>
                  <th>State</th>
                  <th>Last message</th>
                </tr>
              </thead>
              <tbody>
                {channels.map((c) => (
                  <tr key={`${c.channel}:${c.accountId}`}>
                    <td>{channelName(c.channel)}</td>
                    <td>
                      <code>{c.accountId}</code>
                    </td>
                    <td>
                      <ChannelState status={c} />
                    </td>
                    <td className="muted">{c.lastMessageAt ? relativeTime(new Date(c.lastMessageAt).toISOString()) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </section>
    </div>
  );
}

function CardSkeletons() {
  return (
    <div className="grid-cards" aria-busy="true" aria-label="Loading agents">
      {[0, 1, 2].map((i) => (
        <div key={i} className="card skeleton" style={{ height: 172 }} />
      ))}
    </div>
  );
}

const STATE_TONE: Record<AgentSummary['state'], { tone: Tone; label: string }> = {
  idle: { tone: 'ok', label: 'Idle' },
  thinking: { tone: 'info', label: 'Thinking…' },
  error: { tone: 'danger', label: 'Error' },
  paused: { tone: 'warn', label: 'Paused' },
  unavailable: { tone: 'danger', label: 'Unavailable' },
};

function AgentCard({ agent, channels, usage }: { agent: AgentSummary; channels: ChannelStatus[]; usage: AgentUsage | undefined }) {
  const navigate = useNav((s) => s.navigate);
  const state = STATE_TONE[agent.state];
  const accounts = [...new Set(agent.bindings.map((b) => `${b.channel}:${b.accountId}`))];
  const displayName = agent.name ?? agent.id;
  return (
    <article className="card agent-card" aria-label={`Agent ${displayName}`}>
      <div className="card-pad stack" style={{ gap: 10 }}>
        <div className="row">
          <span className="avatar" aria-hidden="true">
            {agent.emoji ?? displayName.slice(0, 1).toUpperCase()}
          </span>
          <div className="grow">
            <div className="row wrap">
              {/* A long name wraps: cut to "Work assistant with a…" it no longer says which agent. */}
              <h3 className="agent-card-name">{displayName}</h3>
              {agent.default && <Badge tone="accent">default</Badge>}
            </div>
            <div className="small muted ellipsis" title={`${agent.id} · ${modelChain(agent)}`}>
              <code>{agent.id}</code> · {modelChain(agent)}
            </div>
          </div>
          <Badge tone={state.tone} title={agent.reason ?? undefined}>
            <Dot tone={state.tone === 'accent' || state.tone === 'neutral' ? undefined : state.tone} pulse={agent.state === 'thinking'} />
            {state.label}
          </Badge>
        </div>
        {agent.reason && agent.state !== 'idle' && (
          <p className="small" style={{ color: 'var(--danger)' }}>
            {agent.reason}
          </p>
        )}
        <div className="row wrap" aria-label="Bound channels">
          {accounts.length === 0 ? (
            <span className="small muted">
              No bindings{agent.default ? ' — gets every message no binding claims' : ' — reachable in the dashboard only'}
            </span>
          ) : (
            accounts.map((key) => {
              const [channel, account] = key.split(':') as [string, string];
              const live = channels.find((c) => c.channel === channel && (c.accountId === account || account === '*'));
              return (
                <Badge key={key} tone={live?.state === 'connected' ? 'ok' : live?.state === 'error' ? 'danger' : 'neutral'}>
                  {channelName(channel)}
                  {account !== 'default' ? ` · ${account}` : ''}
                </Badge>
              );
            })
          )}
        </div>
        <dl className="stats">
          <div>
            <dt>Messages today</dt>
            <dd>{compactNumber(agent.today.messages)}</dd>
          </div>
          <div>
            <dt>Tokens today</dt>
            <dd>{compactNumber(agent.today.inputTokens + agent.today.outputTokens)}</dd>
          </div>
          <div>
            <dt>Last activity</dt>
            <dd>{relativeTime(agent.lastActivity)}</dd>
          </div>
        </dl>
        <UsageChart usage={usage} agentName={displayName} />
        <div className="row agent-card-actions">
          <Button size="sm" onClick={() => navigate('inspector', agent.id)} aria-label={`Open chats of ${displayName}`}>
            Open chats
          </Button>
          <Button size="sm" variant="ghost" onClick={() => navigate('agents', agent.id)} aria-label={`Edit ${displayName}`}>
            Edit
          </Button>
        </div>
      </div>
    </article>
  );
}

export function ChannelState({ status }: { status: ChannelStatus }) {
  const tone =
    status.state === 'connected'
      ? 'ok'
      : status.state === 'error'
        ? 'danger'
        : status.state === 'linking'
          ? 'warn'
          : status.state === 'connecting'
            ? 'info'
            : undefined;
  return (
    <span className="row" title={status.lastError ?? status.reason}>
      <Dot tone={tone} pulse={status.state === 'connecting'} />
      <span>{status.state}</span>
      {(status.lastError ?? status.reason) && (
        <span className="small muted ellipsis" style={{ maxWidth: 280 }}>
          {status.lastError ?? status.reason}
        </span>
      )}
    </span>
  );
}

function GatewayControl() {
  const status = useGateway((s) => s.status);
  const client = useGateway((s) => s.client);
  const refresh = useGateway((s) => s.refresh);
  const [busy, setBusy] = useState(false);
  if (!status || !client) return null;
  const running = status.state === 'running' || status.state === 'starting';
  const toggle = async () => {
    setBusy(true);
    try {
      await client.request(running ? 'gateway.stop' : 'gateway.start');
      await refresh();
    } catch (err) {
      toast('danger', `Could not ${running ? 'stop' : 'start'} the gateway: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="row gateway-control">
      <Badge tone={status.state === 'running' ? 'ok' : status.state === 'error' ? 'danger' : 'warn'}>Gateway {status.state}</Badge>
      <Button variant={running ? 'secondary' : 'primary'} busy={busy} onClick={() => void toggle()}>
        {running ? 'Stop gateway' : 'Start gateway'}
      </Button>
    </div>
  );
}

/** Config changes the owner should notice (a new model endpoint), kept after their toast is gone. */
function RecentChanges() {
  const changes = useGateway((s) => s.recentChanges);
  if (changes.length === 0) return null;
  return (
    <section className="stack" aria-labelledby="recent-changes-title">
      <h2 id="recent-changes-title">Recent changes</h2>
      <ul className="card card-pad stack small" style={{ gap: 4, listStyle: 'none', margin: 0 }}>
        {changes.map((c, i) => (
          <li key={`${c.at}-${i}`}>
            <span className="muted">{relativeTime(new Date(c.at).toISOString())}</span> — {c.text}
          </li>
        ))}
      </ul>
    </section>
  );
}
