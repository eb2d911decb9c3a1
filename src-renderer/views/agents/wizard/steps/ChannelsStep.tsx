// Step 5: which inbound messages the agent gets. Each binding names a channel account and
// optionally one chat (or any chat of a kind), a Discord guild and roles; its routing tier is shown
// as the router computes it, and a binding that another one shadows (or that shadows another) says so.
import { useGateway, type ChannelStatus } from '../../../../store/gateway.ts';
import { Badge, Button, EmptyState, Field } from '../../../../ui/controls.tsx';
import { channelName } from '../../../../ui/format.ts';
import {
  BINDABLE_CHANNELS,
  describeTier,
  emptyBinding,
  type AccountOption,
  type DraftBinding,
  type PeerMode,
} from '../../model/bindings.ts';
import { firstError, Warnings, warningsOf, type StepProps } from '../parts.tsx';

const PEER_MODES: { value: PeerMode; label: string }[] = [
  { value: 'any', label: 'Every chat' },
  { value: 'direct', label: 'A direct chat' },
  { value: 'group', label: 'A group' },
  { value: 'channel', label: 'A channel' },
];

export function ChannelsStep({
  form,
  update,
  issues,
  accounts,
  shorthands,
}: StepProps & { accounts: AccountOption[]; shorthands: string[] }) {
  const live = useGateway((s) => s.channels);
  const channels = BINDABLE_CHANNELS.filter((c) => accounts.some((a) => a.channel === c));
  const setRow = (key: string, change: Partial<DraftBinding>) =>
    update((f) => ({ ...f, bindings: f.bindings.map((b) => (b.key === key ? { ...b, ...change } : b)) }));
  const add = () => {
    const first = accounts[0];
    update((f) => ({ ...f, bindings: [...f.bindings, emptyBinding(first?.channel ?? '', first?.accountId ?? '')] }));
  };
  const remove = (key: string) => update((f) => ({ ...f, bindings: f.bindings.filter((b) => b.key !== key) }));
  if (accounts.length === 0 && form.bindings.length === 0) {
    return (
      <div className="card" style={{ boxShadow: 'none' }}>
        <EmptyState icon="⌁" title="No channel accounts yet">
          The agent can still be reached from the dashboard: open its chats and talk to it there. To reach it from Telegram, Discord or
          WhatsApp, set up an account under Channels, then bind the agent to it here or in Bindings.
        </EmptyState>
      </div>
    );
  }
  return (
    <>
      <p className="small muted">
        Without a binding the agent is reachable from the dashboard only
        {form.makeDefault ? ', and — as the default agent — gets every message no binding claims' : ''}. When several bindings match a
        message, the most specific tier wins; within a tier, the one listed first.
      </p>
      {shorthands.map((c) => (
        <div key={c} className="binding-row">
          <div className="row">
            <strong>{channelName(c)}</strong>
            <Badge>every account</Badge>
            <span className="grow small muted">
              from <code>channels.{c}.agent</code> in the config; change it there.
            </span>
          </div>
        </div>
      ))}
      {form.bindings.map((b, i) => (
        <BindingRow
          key={b.key}
          n={i + 1}
          row={b}
          accounts={accounts}
          channels={channels}
          live={live}
          issues={issues}
          onChange={(change) => setRow(b.key, change)}
          onRemove={() => remove(b.key)}
        />
      ))}
      <div className="row">
        <Button onClick={add} disabled={accounts.length === 0} {...(form.bindings.length === 0 ? { 'data-autofocus': true } : {})}>
          + Add a binding
        </Button>
        {form.bindings.length === 0 && <span className="small muted">No bindings yet.</span>}
      </div>
    </>
  );
}

function accountLabel(a: AccountOption, live: ChannelStatus[]): string {
  const state = live.find((c) => c.channel === a.channel && c.accountId === a.accountId)?.state;
  const extra = !a.enabled ? 'disabled' : (state ?? '');
  return `${a.accountId}${a.name ? ` (${a.name})` : ''}${extra ? ` — ${extra}` : ''}`;
}

function BindingRow({
  n,
  row,
  accounts,
  channels,
  live,
  issues,
  onChange,
  onRemove,
}: {
  n: number;
  row: DraftBinding;
  accounts: AccountOption[];
  channels: string[];
  live: ChannelStatus[];
  issues: StepProps['issues'];
  onChange: (change: Partial<DraftBinding>) => void;
  onRemove: () => void;
}) {
  const field = (part: string) => `binding:${row.key}:${part}`;
  const own = accounts.filter((a) => a.channel === row.channel);
  const knownAccount = row.accountId === '*' || own.some((a) => a.accountId === row.accountId);
  const tier = row.channel ? describeTier(row) : undefined;
  const err = (part: string) => firstError(issues, field(part));
  const rowWarnings = [
    ...warningsOf(issues, field('row')),
    ...warningsOf(issues, field('account')),
    ...warningsOf(issues, field('channel')),
    ...warningsOf(issues, field('peer')),
  ];
  const rowError = err('row');
  return (
    <div className="binding-row" role="group" aria-label={`Binding ${n}`}>
      <div className="row">
        <strong>Binding {n}</strong>
        {row.origin !== undefined && <span className="small muted">bindings[{row.origin}]</span>}
        <span className="spacer" />
        <Button size="sm" variant="ghost" onClick={onRemove} aria-label={`Remove binding ${n}`}>
          Remove
        </Button>
      </div>
      <div className="binding-grid">
        <Field label="Channel" error={err('channel')}>
          {(id, describedBy) => (
            <select
              id={id}
              className="select"
              value={row.channel}
              aria-describedby={describedBy}
              onChange={(e) => {
                const channel = e.target.value;
                onChange({ channel, accountId: accounts.find((a) => a.channel === channel)?.accountId ?? '', guildId: '', roles: '' });
              }}
            >
              {!row.channel && <option value="">Pick…</option>}
              {[...new Set([...channels, ...(row.channel ? [row.channel] : [])])].map((c) => (
                <option key={c} value={c}>
                  {channelName(c)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Account" error={err('account')}>
          {(id, describedBy) => (
            <select
              id={id}
              className="select"
              value={row.accountId}
              aria-describedby={describedBy}
              onChange={(e) => onChange({ accountId: e.target.value })}
            >
              {!row.accountId && <option value="">Pick…</option>}
              {own.map((a) => (
                <option key={a.accountId} value={a.accountId}>
                  {accountLabel(a, live)}
                </option>
              ))}
              {!knownAccount && row.accountId && <option value={row.accountId}>{row.accountId} — not configured</option>}
              <option value="*">Every account</option>
            </select>
          )}
        </Field>
        <Field label="Which chats">
          {(id, describedBy) => (
            <select
              id={id}
              className="select"
              value={row.peerKind}
              aria-describedby={describedBy}
              onChange={(e) => {
                const peerKind = e.target.value as PeerMode;
                onChange({ peerKind, ...(peerKind === 'any' ? { peerId: '' } : {}) });
              }}
            >
              {PEER_MODES.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {row.peerKind !== 'any' ? (
          <Field label="Chat id" error={err('peer')} hint={'The chat\'s id on the channel; "*" for any.'}>
            {(id, describedBy) => (
              <input
                id={id}
                className="input mono"
                value={row.peerId}
                placeholder={row.channel === 'whatsapp' ? '+15551234567 or *' : '-1001234567890 or *'}
                spellCheck={false}
                autoComplete="off"
                aria-describedby={describedBy}
                aria-invalid={err('peer') ? true : undefined}
                onChange={(e) => onChange({ peerId: e.target.value })}
              />
            )}
          </Field>
        ) : (
          <span />
        )}
      </div>
      {row.channel === 'discord' && (
        <div className="two-col">
          <Field label="Guild id (optional)" error={err('guild')} hint="Only messages in this Discord server.">
            {(id, describedBy) => (
              <input
                id={id}
                className="input mono"
                value={row.guildId}
                spellCheck={false}
                aria-describedby={describedBy}
                onChange={(e) => onChange({ guildId: e.target.value })}
              />
            )}
          </Field>
          <Field
            label="Role ids (optional)"
            error={err('roles')}
            hint="Only members with one of these roles; separate with commas. Needs a guild."
          >
            {(id, describedBy) => (
              <input
                id={id}
                className="input mono"
                value={row.roles}
                spellCheck={false}
                aria-describedby={describedBy}
                aria-invalid={err('roles') ? true : undefined}
                onChange={(e) => onChange({ roles: e.target.value })}
              />
            )}
          </Field>
        </div>
      )}
      {row.teamId && (
        <span className="small muted">
          Also requires team <code>{row.teamId}</code> (kept as written).
        </span>
      )}
      {tier && (
        <div className="tier-line">
          <Badge tone="accent" title="Routing tier: lower numbers win">
            Tier {tier.tier} · {tier.name}
          </Badge>
          <span className="small muted">{tier.meaning}</span>
        </div>
      )}
      {rowError && (
        <div className="small danger-text" role="alert">
          {rowError}
        </div>
      )}
      <Warnings list={rowWarnings} />
    </div>
  );
}
