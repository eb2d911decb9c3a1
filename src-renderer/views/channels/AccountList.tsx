// Channel accounts grouped by channel: each with its live state (the gateway store, fed by
// `channel.state`), the full reason or last error, the agents its messages go to, when the last
// message came in, a credential probe (`channels.probe`), for WhatsApp device linking, and the
// account's management (ManageAccount.tsx: answer with an agent, edit, disable, remove).
import { useState } from 'react';
import { errorText } from '../../gateway/client.ts';
import { useConfig } from '../../store/config.ts';
import { useGateway, type AgentSummary, type ChannelStatus } from '../../store/gateway.ts';
import { useNav } from '../../store/nav.ts';
import { toast } from '../../store/toasts.ts';
import { Badge, Button, Dot, type Tone } from '../../ui/controls.tsx';
import { channelName, clockTime, relativeTime } from '../../ui/format.ts';
import { ChannelGlyph } from './ChannelGlyph.tsx';
import { LinkDialog, useLinkInFlight } from './LinkDialog.tsx';
import { ManageBar } from './ManageAccount.tsx';
import { useNow } from './useNow.ts';

type State = ChannelStatus['state'];

export const STATE_LOOK: Record<State, { tone: Exclude<Tone, 'accent' | 'neutral'> | undefined; label: string; pulse?: boolean }> = {
  connected: { tone: 'ok', label: 'Connected' },
  connecting: { tone: 'info', label: 'Connecting…', pulse: true },
  linking: { tone: 'warn', label: 'Linking — waiting for a scan', pulse: true },
  error: { tone: 'danger', label: 'Error' },
  stopped: { tone: undefined, label: 'Stopped' },
};

const DM_POLICY_HINT: Record<string, string> = {
  pairing: 'Unknown senders get a pairing code and wait for your approval',
  allowlist: 'Only senders listed in allowFrom are answered',
  open: 'Anyone who writes is answered',
  disabled: 'Direct messages are ignored',
};

export function ChannelSection({ channel, accounts }: { channel: string; accounts: ChannelStatus[] }) {
  const connected = accounts.filter((a) => a.state === 'connected').length;
  const problems = accounts.filter((a) => a.state === 'error').length;
  const titleId = `channel-${channel}-title`;
  return (
    <section className="card channel-card" aria-labelledby={titleId}>
      <div className="card-header">
        <ChannelGlyph channel={channel} />
        <h2 id={titleId} className="grow card-title">
          {channelName(channel)}
        </h2>
        <span className="small muted">
          {accounts.length} account{accounts.length === 1 ? '' : 's'}
        </span>
        {connected > 0 && <Badge tone="ok">{connected} connected</Badge>}
        {problems > 0 && <Badge tone="danger">{problems} with errors</Badge>}
      </div>
      <ul className="account-list">
        {accounts.map((a) => (
          <AccountRow key={a.accountId} status={a} />
        ))}
      </ul>
    </section>
  );
}

interface ProbeOutcome {
  ok: boolean;
  text: string;
  at: string;
}

function AccountRow({ status }: { status: ChannelStatus }) {
  const client = useGateway((s) => s.client);
  const agents = useGateway((s) => s.agents);
  const account = useConfig((s) => s.check?.config?.channels[status.channel as 'telegram']?.accounts[status.accountId]);
  const now = useNow(15_000);
  const [probing, setProbing] = useState(false);
  const [probe, setProbe] = useState<ProbeOutcome>();
  const [linkOpen, setLinkOpen] = useState(false);
  const linking = useLinkInFlight(status.channel, status.accountId);
  const look = STATE_LOOK[status.state];
  const label = `${channelName(status.channel)} account ${status.accountId}`;
  const isWhatsApp = status.channel === 'whatsapp';

  const runProbe = async () => {
    if (!client) return;
    setProbing(true);
    try {
      const r = await client.request('channels.probe', { channel: status.channel, accountId: status.accountId });
      setProbe({
        ok: r.ok,
        text: r.ok
          ? r.identity
            ? `Credentials work — signed in as ${r.identity}`
            : 'Credentials work'
          : (r.error ?? 'the probe failed without saying why'),
        at: new Date().toISOString(),
      });
    } catch (err) {
      setProbe({ ok: false, text: errorText(err), at: new Date().toISOString() });
    } finally {
      setProbing(false);
    }
  };

  const [restarting, setRestarting] = useState(false);
  const restart = async () => {
    if (!client) return;
    setRestarting(true);
    try {
      const r = await client.request('channels.restart', { channel: status.channel, accountId: status.accountId });
      toast('ok', `${label}: reconnected (${r.state})`);
    } catch (err) {
      toast('danger', `Could not reconnect ${label}: ${errorText(err)}`);
    } finally {
      setRestarting(false);
    }
  };

  const noteTone = status.state === 'error' ? 'danger' : status.state === 'connected' ? 'muted' : 'warn';
  const notes = [
    ...(status.reason ? [status.reason] : []),
    ...(status.lastError && status.lastError !== status.reason ? [`Last error: ${status.lastError}`] : []),
    ...(status.unreadable
      ? [
          `${status.unreadable} unreadable ${status.unreadable === 1 ? 'message' : 'messages'} skipped — kept in quarantine/${status.channel}/${status.accountId}.jsonl in the state folder`,
        ]
      : []),
  ];
  const needsLink = isWhatsApp && (status.state === 'linking' || /not linked|re-link|link it/i.test(status.reason ?? ''));

  return (
    <li className="account-row" aria-label={label}>
      <div className="account-main">
        <div className="account-id">
          <code className="account-name">{status.accountId}</code>
          {account?.name && <span className="muted">{account.name}</span>}
        </div>
        <div className="account-meta small muted">
          {account && <span title={DM_POLICY_HINT[account.dmPolicy]}>DMs: {account.dmPolicy}</span>}
          {account && !account.enabled && <Badge>disabled</Badge>}
        </div>
      </div>
      <div className="account-state" data-state={status.state}>
        <Dot tone={look.tone} pulse={look.pulse} />
        <span>{linking ? 'Linking…' : look.label}</span>
      </div>
      <Routes channel={status.channel} accountId={status.accountId} agents={agents} />
      <div className="account-last small">
        <span className="muted">Last message</span>
        <span>{status.lastMessageAt ? relativeTime(new Date(status.lastMessageAt).toISOString(), now) : 'none yet'}</span>
      </div>
      <div className="account-actions">
        {isWhatsApp && (
          <Button
            size="sm"
            variant={needsLink ? 'primary' : 'secondary'}
            aria-label={`Link a device to WhatsApp account ${status.accountId}`}
            onClick={() => setLinkOpen(true)}
          >
            {linking ? 'Show QR code' : 'Link device'}
          </Button>
        )}
        <Button size="sm" busy={probing} aria-label={`Probe ${label}`} onClick={() => void runProbe()}>
          Probe
        </Button>
        {account?.enabled !== false && (
          <Button
            size="sm"
            variant={status.state === 'error' ? 'primary' : 'ghost'}
            busy={restarting}
            aria-label={`Reconnect ${label}`}
            onClick={() => void restart()}
          >
            Reconnect
          </Button>
        )}
      </div>
      <ManageBar status={status} enabled={account?.enabled !== false} />
      {(notes.length > 0 || probe) && (
        <div className="account-notes">
          {notes.map((text) => (
            <p key={text} className={`account-note ${noteTone}`}>
              {text}
            </p>
          ))}
          {probe && (
            <p className={`account-note probe ${probe.ok ? 'ok' : 'danger'}`} role="status" aria-label={`Probe result for ${label}`}>
              <span aria-hidden="true">{probe.ok ? '✓ ' : '✕ '}</span>
              {probe.text}
              <span className="muted"> · checked {clockTime(probe.at)}</span>
            </p>
          )}
        </div>
      )}
      {linkOpen && <LinkDialog accountId={status.accountId} onClose={() => setLinkOpen(false)} />}
    </li>
  );
}

/** Which agents this account's messages reach: bindings naming it (or every account), else the default agent. */
function Routes({ channel, accountId, agents }: { channel: string; accountId: string; agents: AgentSummary[] }) {
  const navigate = useNav((s) => s.navigate);
  const bound = agents.filter((a) => a.bindings.some((b) => b.channel === channel && (b.accountId === accountId || b.accountId === '*')));
  const wholeAccount = bound.some((a) =>
    a.bindings.some(
      (b) =>
        b.channel === channel &&
        (b.accountId === accountId || b.accountId === '*') &&
        (b.matchedBy === 'binding.account' || b.matchedBy === 'binding.channel'),
    ),
  );
  const fallback = wholeAccount ? undefined : agents.find((a) => a.default);
  const chip = (a: AgentSummary, note?: string) => (
    <a
      key={a.id}
      href={`#/agents/${encodeURIComponent(a.id)}`}
      className="agent-chip"
      title={note}
      aria-label={`Agent ${a.name ?? a.id}${note ? ` (${note})` : ''}`}
      onClick={(e) => {
        e.preventDefault();
        navigate('agents', a.id);
      }}
    >
      {a.emoji && <span aria-hidden="true">{a.emoji}</span>}
      {a.name ?? a.id}
    </a>
  );
  return (
    <div className="account-routes small">
      <span className="muted">Answered by</span>
      <span className="row wrap chips">
        {bound.map((a) => chip(a, describeBindings(a, channel, accountId)))}
        {fallback &&
          !bound.includes(fallback) &&
          chip(fallback, bound.length > 0 ? 'default agent: every other chat' : 'default agent: no binding names this account')}
        {bound.length === 0 && !fallback && <span className="muted">no agent</span>}
      </span>
    </div>
  );
}

const SCOPE_WORDS: Record<string, string> = {
  'binding.peer': 'one chat',
  'binding.peer.parent': 'one chat and its threads',
  'binding.peer.wildcard': 'every chat of a kind',
  'binding.guild+roles': 'members with a server role',
  'binding.guild': 'one server',
  'binding.team': 'one team',
  'binding.account': 'the whole account',
  'binding.channel': 'every account of the channel',
};

function describeBindings(agent: AgentSummary, channel: string, accountId: string): string {
  const parts = agent.bindings
    .filter((b) => b.channel === channel && (b.accountId === accountId || b.accountId === '*'))
    .map((b) => `binding ${b.index}: ${SCOPE_WORDS[b.matchedBy] ?? b.matchedBy}`);
  return parts.join('; ');
}
