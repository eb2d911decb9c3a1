// The right-hand pane: the open session's header (the agent's full name, the session's title, Rename,
// Export and Delete), its transcript (loading, error, empty or the virtualised list with live turns)
// and the composer, or why the dashboard cannot write here.
import { useMemo, useState } from 'react';
import { laneKey } from '../../../src-shared/routing/session-key.ts';
import { errorText } from '../../gateway/client.ts';
import { useGateway, type AgentSummary } from '../../store/gateway.ts';
import { useInspector, type LiveTurn, type PendingMessage, type SessionSummary } from '../../store/inspector.ts';
import { toast } from '../../store/toasts.ts';
import { ApiKeyDialog } from '../../ui/ApiKeyDialog.tsx';
import { Badge, Banner, Button, Dot, EmptyState, Spinner } from '../../ui/controls.tsx';
import { channelName, compactNumber } from '../../ui/format.ts';
import { Composer } from './Composer.tsx';
import { recordItems, transcriptItems } from './items.ts';
import type { RowActions } from './MessageRow.tsx';
import { isNewChatKey, isWritable, type SessionKeyInfo } from './session-keys.ts';
import { SessionActions } from './SessionActions.tsx';
import { TranscriptList } from './TranscriptList.tsx';

const NO_TURNS: LiveTurn[] = [];
const plural = (n: number, word: string): string => `${compactNumber(n)} ${word}${n === 1 ? '' : 's'}`;
const NO_PENDING: PendingMessage[] = [];
/** How much of a new chat's first message becomes its title. */
const AUTO_TITLE_MAX = 60;

/** A new chat's title from its first message: the first line, cut at a word near AUTO_TITLE_MAX. */
export function autoTitle(text: string): string {
  const line = text.trim().split('\n')[0]!.replace(/\s+/g, ' ').trim();
  if ([...line].length <= AUTO_TITLE_MAX) return line;
  const cut = [...line].slice(0, AUTO_TITLE_MAX).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > AUTO_TITLE_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export interface TranscriptPaneProps {
  agent: AgentSummary;
  sessionKey: string;
  info: SessionKeyInfo;
  row: SessionSummary | undefined;
  onSwitchToMain(): void;
  /** After the session was deleted: show the agent's main session. */
  onDeleted(): void;
  /** One-column layout: back to the list of sessions. */
  onBack(): void;
}

export function TranscriptPane({ agent, sessionKey, info, row, onSwitchToMain, onDeleted, onBack }: TranscriptPaneProps) {
  const transcript = useInspector((s) => s.transcript);
  const path = laneKey(agent.id, sessionKey);
  const turns = useInspector((s) => s.turns[path] ?? NO_TURNS);
  const pending = useInspector((s) => s.pending[path] ?? NO_PENDING);
  const connection = useGateway((s) => s.connection);
  const gatewayState = useGateway((s) => s.status?.state);
  const client = useGateway((s) => s.client);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [followSignal, setFollowSignal] = useState(0);
  const [keyDialog, setKeyDialog] = useState(false);
  const [resuming, setResuming] = useState(false);

  const name = agent.name ?? agent.id;
  const avatar = agent.emoji ?? name.slice(0, 1).toUpperCase();
  const explicitKey = info.kind === 'webchat';
  const writable = isWritable(info);
  const t = transcript && transcript.agentId === agent.id && transcript.key === sessionKey ? transcript : undefined;
  const records = t?.records;
  const hasMore = t?.hasMore ?? false;
  const base = useMemo(() => (records ? recordItems(records, hasMore) : []), [records, hasMore]);
  const items = useMemo(() => transcriptItems(base, records ?? [], turns, pending), [base, records, turns, pending]);
  const running = turns.some((x) => !x.final);

  const actions = useMemo<RowActions>(
    () => ({
      agentName: name,
      agentAvatar: avatar,
      expanded,
      toggle: (key) =>
        setExpanded((prev) => {
          const next = new Set(prev);
          if (next.has(key)) next.delete(key);
          else next.add(key);
          return next;
        }),
      retry: (localId) => void useInspector.getState().retry(agent.id, sessionKey, localId, explicitKey),
      discard: (localId) => useInspector.getState().discard(agent.id, sessionKey, localId),
      addKey: () => setKeyDialog(true),
      ...(writable ? { resend: (text: string) => void useInspector.getState().send(agent.id, sessionKey, text, explicitKey) } : {}),
    }),
    [name, avatar, expanded, agent.id, sessionKey, explicitKey, writable],
  );

  const disabledReason =
    connection.kind !== 'open'
      ? 'Not connected to the gateway — reconnecting…'
      : gatewayState !== undefined && gatewayState !== 'running'
        ? `The gateway is ${gatewayState}: start it on the Overview to talk to agents.`
        : undefined;

  const send = (text: string) => {
    // `/stop` is what Stop does: cancel at once and say so here, without a chat bubble for the command.
    if (text.trim().toLowerCase() === '/stop') {
      void stop();
      return;
    }
    setFollowSignal((n) => n + 1);
    // A chat started with "New chat" is named after its first message, as chat apps do; Rename changes it.
    const firstOfNewChat = isNewChatKey(info) && !row && (t?.records.length ?? 0) === 0 && pending.length === 0;
    void useInspector
      .getState()
      .send(agent.id, sessionKey, text, explicitKey)
      .then((sent) => {
        if (sent && firstOfNewChat && !text.startsWith('/'))
          return useInspector
            .getState()
            .renameSession(agent.id, sessionKey, autoTitle(text))
            .catch(() => undefined);
      });
  };

  const stop = async () => {
    try {
      const cancelled = await useInspector.getState().cancel(agent.id, sessionKey);
      if (!cancelled) toast('info', 'Nothing is running in this session any more.');
    } catch (err) {
      toast('danger', `Could not stop the reply: ${errorText(err)}`);
    }
  };

  const resume = async () => {
    if (!client) return;
    setResuming(true);
    try {
      await client.request('agents.resume', { agentId: agent.id });
    } catch (err) {
      toast('danger', `Could not resume ${name}: ${errorText(err)}`);
    } finally {
      setResuming(false);
    }
  };

  const tokens = row ? row.inputTokens + row.outputTokens : 0;
  return (
    <section className="insp-pane insp-transcript" aria-label={`Conversation: ${row?.title ?? info.label}`}>
      <header className="insp-thead">
        <button type="button" className="insp-back" onClick={onBack} aria-label={`Back to ${name}'s sessions`}>
          <span aria-hidden="true">‹</span>
        </button>
        <span className="insp-avatar" aria-hidden="true">
          {avatar}
        </span>
        <div className="grow insp-thead-text">
          {/* The agent's name is never cut: it wraps when the pane is narrow. */}
          <div className="insp-thead-agent">{name}</div>
          <div className="row wrap insp-thead-titlerow">
            <h2 className="insp-thead-title">{row?.title ?? info.label}</h2>
            {info.archived && <Badge>archived</Badge>}
            {!row && t?.status === 'ready' && t.records.length === 0 && <Badge tone="accent">new</Badge>}
            {info.channel && info.kind !== 'webchat' && <Badge tone="info">{channelName(info.channel)}</Badge>}
          </div>
          <div className="small muted row insp-thead-meta">
            <code className="ellipsis" title={sessionKey}>
              {info.sessionKey}
            </code>
            {row && (
              <span>
                · {plural(row.messages, 'message')} · {plural(tokens, 'token')}
              </span>
            )}
          </div>
        </div>
        {running && (
          <Badge tone="info">
            <Dot tone="info" pulse />
            Replying…
          </Badge>
        )}
        <SessionActions
          agentId={agent.id}
          agentName={name}
          sessionKey={sessionKey}
          label={row?.title ?? info.label}
          title={row?.title}
          messages={row?.messages}
          stored={row !== undefined}
          archived={info.archived}
          running={running}
          onDeleted={onDeleted}
        />
      </header>
      {agent.state === 'paused' && (
        <div className="insp-banner">
          <Banner
            tone="warn"
            title={`${name} is paused.`}
            action={
              <Button size="sm" busy={resuming} onClick={() => void resume()}>
                Resume
              </Button>
            }
          >
            Messages are recorded but not answered until you resume it.
          </Banner>
        </div>
      )}
      {agent.state === 'unavailable' && (
        <div className="insp-banner">
          <Banner tone="danger" title={`${name} is unavailable.`}>
            {agent.reason ?? 'It cannot answer right now.'}
          </Banner>
        </div>
      )}
      <div className="insp-body">
        {!t || t.status === 'loading' ? (
          <div className="insp-center" aria-busy="true">
            <Spinner label="Loading the conversation" />
            <span className="muted">Loading the conversation…</span>
          </div>
        ) : t.status === 'error' ? (
          <div className="insp-center">
            <Banner
              tone="danger"
              title="Could not load this conversation:"
              action={
                <Button size="sm" onClick={() => void useInspector.getState().reload()}>
                  Retry
                </Button>
              }
            >
              {t.error}
            </Banner>
          </div>
        ) : items.length === 0 ? (
          <div className="insp-center">
            <EmptyState icon="✉" title="No messages yet">
              {writable
                ? `Write to ${name} below. The reply streams in here as it is written.`
                : 'Nothing has been recorded in this session.'}
            </EmptyState>
          </div>
        ) : (
          <TranscriptList
            key={laneKey(agent.id, sessionKey)}
            items={items}
            hasMore={t.hasMore}
            older={t.older}
            olderError={t.olderError}
            onLoadOlder={() => void useInspector.getState().loadOlder()}
            followSignal={followSignal}
            actions={actions}
            label={`Messages of ${row?.title ?? info.label}`}
          />
        )}
      </div>
      {writable ? (
        <Composer agentName={name} disabledReason={disabledReason} running={running} onSend={send} onStop={stop} />
      ) : (
        <div className="insp-readonly" role="note">
          <p>
            <strong>The dashboard cannot write here.</strong> It talks to {name} only in its main session or a web chat session
            {info.archived ? '; this session is archived.' : info.channel ? `; this is a ${channelName(info.channel)} conversation.` : '.'}
            {running && ' You can still stop the running reply.'}
          </p>
          <div className="row">
            {running && (
              <Button variant="danger" onClick={() => void stop()} aria-label="Stop the reply">
                <span aria-hidden="true">■</span> Stop
              </Button>
            )}
            <Button variant="primary" onClick={onSwitchToMain}>
              Write in the main session
            </Button>
          </div>
        </div>
      )}
      {keyDialog && <ApiKeyDialog agentIds={[agent.id]} initialAgent={agent.id} onClose={() => setKeyDialog(false)} />}
    </section>
  );
}
