// An account row's management: "Answer with…" (every message of the account to one agent,
// `channels.bind`), Edit (name, DM policy, a new token checked by the gateway), Disable/Enable,
// and Remove, which lists the bindings that depend on the account first, like deleting an agent.
// Every change is based on the config hash its dialog read; a change made meanwhile is reported.
import { useState } from 'react';
import { checkConfigValue, DM_POLICIES, type Binding, type DmPolicy } from '../../../src-shared/config/index.ts';
import { errorText } from '../../gateway/client.ts';
import { useConfig } from '../../store/config.ts';
import { useGateway, type ChannelStatus } from '../../store/gateway.ts';
import { toast } from '../../store/toasts.ts';
import { Banner, Button, Dialog, Field, Spinner } from '../../ui/controls.tsx';
import { channelName } from '../../ui/format.ts';
import { afterChange, isStale, useConfigBase, type AddableChannel } from './accountEdits.ts';

type Which = 'answer' | 'edit' | 'remove';
const STALE_TEXT = 'The config changed since you opened this; nothing was saved. Reload and try again.';

export function ManageBar({ status, enabled }: { status: ChannelStatus; enabled: boolean }) {
  const client = useGateway((s) => s.client);
  const [open, setOpen] = useState<Which>();
  const [toggling, setToggling] = useState(false);
  const label = `${channelName(status.channel)} account ${status.accountId}`;
  // Accounts of channels this page cannot manage (none yet) keep only the read-only row.
  if (!['telegram', 'discord', 'whatsapp'].includes(status.channel)) return null;
  const channel = status.channel as AddableChannel;

  const toggle = async () => {
    if (!client) return;
    setToggling(true);
    try {
      const baseHash = await currentHash();
      await client.request('channels.update', { baseHash, channel, accountId: status.accountId, enabled: !enabled });
      toast('ok', `${label} ${enabled ? 'disabled: it stays in the config and does not connect' : 'enabled'}`);
      await afterChange();
    } catch (err) {
      toast('danger', `Could not ${enabled ? 'disable' : 'enable'} ${label}: ${isStale(err) ? STALE_TEXT : errorText(err)}`);
    } finally {
      setToggling(false);
    }
  };

  return (
    <div className="account-manage">
      <Button size="sm" variant="ghost" aria-label={`Answer ${label} with…`} onClick={() => setOpen('answer')}>
        Answer with…
      </Button>
      <Button size="sm" variant="ghost" aria-label={`Edit ${label}`} onClick={() => setOpen('edit')}>
        Edit
      </Button>
      <Button
        size="sm"
        variant="ghost"
        busy={toggling}
        aria-label={`${enabled ? 'Disable' : 'Enable'} ${label}`}
        onClick={() => void toggle()}
      >
        {enabled ? 'Disable' : 'Enable'}
      </Button>
      <Button size="sm" variant="danger" aria-label={`Remove ${label}`} onClick={() => setOpen('remove')}>
        Remove
      </Button>
      {open === 'answer' && <AnswerWithDialog channel={channel} accountId={status.accountId} onClose={() => setOpen(undefined)} />}
      {open === 'edit' && <EditAccountDialog channel={channel} accountId={status.accountId} onClose={() => setOpen(undefined)} />}
      {open === 'remove' && <RemoveAccountDialog channel={channel} accountId={status.accountId} onClose={() => setOpen(undefined)} />}
    </div>
  );
}

/** The current hash, for a one-click change that has no dialog to hold one. */
async function currentHash(): Promise<string> {
  const s = await useConfig.getState().load();
  if (!s) throw new Error(useConfig.getState().error ?? 'could not read the config');
  return s.hash;
}

interface DialogProps {
  channel: AddableChannel;
  accountId: string;
  onClose: () => void;
}

function StaleBanner({ reload, onReloaded }: { reload: () => Promise<void>; onReloaded: () => void }) {
  return (
    <Banner
      tone="warn"
      title="The config changed since you opened this."
      action={
        <Button size="sm" onClick={() => void reload().then(onReloaded)}>
          Reload
        </Button>
      }
    >
      Nothing was saved. Reload to see the current config, then save again.
    </Banner>
  );
}

function AnswerWithDialog({ channel, accountId, onClose }: DialogProps) {
  const client = useGateway((s) => s.client);
  const agents = useGateway((s) => s.agents);
  const { snapshot, reload } = useConfigBase();
  const current = agents.find((a) =>
    a.bindings.some((b) => b.channel === channel && b.accountId === accountId && b.matchedBy === 'binding.account'),
  );
  const [agentId, setAgentId] = useState(current?.id ?? agents.find((a) => !a.default)?.id ?? agents[0]?.id ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [stale, setStale] = useState(false);
  const label = `${channelName(channel)} account ${accountId}`;

  const save = async () => {
    if (!client || !snapshot) return;
    setBusy(true);
    setError(undefined);
    try {
      await client.request('channels.bind', { baseHash: snapshot.hash, channel, accountId, agentId });
      const agent = agents.find((a) => a.id === agentId);
      toast('ok', `${agent?.name ?? agentId} now answers ${label}`);
      await afterChange();
      onClose();
    } catch (err) {
      if (isStale(err)) setStale(true);
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Answer ${label} with…`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} disabled={!snapshot || !agentId} onClick={() => void save()}>
            Answer with this agent
          </Button>
        </>
      }
    >
      <p className="muted">
        Every message to this account goes to the agent you pick. Bindings for single chats or servers still take their own chats.
      </p>
      {stale && <StaleBanner reload={reload} onReloaded={() => setStale(false)} />}
      <Field label="Agent">
        {(id) => (
          <select id={id} className="select" value={agentId} onChange={(e) => setAgentId(e.target.value)}>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.emoji ? `${a.emoji} ` : ''}
                {a.name ?? a.id}
                {a.id === current?.id ? ' (answers now)' : a.default ? ' (default agent)' : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      {error && (
        <Banner tone="danger" title="Not saved:">
          {error}
        </Banner>
      )}
    </Dialog>
  );
}

function EditAccountDialog({ channel, accountId, onClose }: DialogProps) {
  const client = useGateway((s) => s.client);
  const { snapshot, reload } = useConfigBase();
  const account = snapshot?.raw
    ? checkConfigValue(structuredClone(snapshot.raw)).config?.channels[channel]?.accounts[accountId]
    : undefined;
  const [name, setName] = useState<string>();
  const [dmPolicy, setDmPolicy] = useState<DmPolicy>();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [stale, setStale] = useState(false);
  const label = `${channelName(channel)} account ${accountId}`;
  const takesToken = channel !== 'whatsapp';

  const save = async () => {
    if (!client || !snapshot || !account) return;
    setBusy(true);
    setError(undefined);
    const newName = name?.trim();
    try {
      const r = await client.request('channels.update', {
        baseHash: snapshot.hash,
        channel,
        accountId,
        ...(name !== undefined && newName !== (account.name ?? '') ? { name: newName ? newName : null } : {}),
        ...(dmPolicy && dmPolicy !== account.dmPolicy ? { dmPolicy } : {}),
        ...(token.trim() ? { token: token.trim() } : {}),
      });
      setToken('');
      toast('ok', `${label} saved${r.bot ? ` — the new token signs in as ${r.bot.name}` : ''}`);
      await afterChange();
      onClose();
    } catch (err) {
      if (isStale(err)) setStale(true);
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Edit ${label}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} disabled={!account} onClick={() => void save()}>
            Save
          </Button>
        </>
      }
    >
      {stale && <StaleBanner reload={reload} onReloaded={() => setStale(false)} />}
      {!account ? (
        <div className="row">
          <Spinner label="Reading the config" />
          <span className="muted">Reading the config…</span>
        </div>
      ) : (
        <div className="stack">
          <Field label="Display name">
            {(id) => <input id={id} className="input" value={name ?? account.name ?? ''} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label="Direct messages" hint={DM_HINT[dmPolicy ?? account.dmPolicy]}>
            {(id) => (
              <select
                id={id}
                className="select"
                value={dmPolicy ?? account.dmPolicy}
                onChange={(e) => setDmPolicy(e.target.value as DmPolicy)}
              >
                {/* "open" also needs allowFrom: ["*"] in the file, on purpose (docs/security.md). */}
                {DM_POLICIES.filter((p) => p !== 'open' || account.dmPolicy === 'open').map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {takesToken && (
            <Field
              label="New bot token (optional)"
              hint="Leave empty to keep the current one. A new token is checked with the platform before it replaces the old one."
            >
              {(id, describedBy) => (
                <input
                  id={id}
                  className="input mono"
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  value={token}
                  aria-describedby={describedBy}
                  onChange={(e) => setToken(e.target.value)}
                />
              )}
            </Field>
          )}
        </div>
      )}
      {error && (
        <Banner tone="danger" title="Not saved:">
          {error}
        </Banner>
      )}
    </Dialog>
  );
}

const DM_HINT: Record<DmPolicy, string> = {
  pairing: 'Unknown senders get a pairing code and wait for your approval on this page',
  allowlist: 'Only senders listed in allowFrom are answered',
  open: 'Anyone who writes is answered',
  disabled: 'Direct messages are ignored',
};

function RemoveAccountDialog({ channel, accountId, onClose }: DialogProps) {
  const client = useGateway((s) => s.client);
  const { snapshot, error: loadError, reload } = useConfigBase();
  const [dropBindings, setDropBindings] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [stale, setStale] = useState(false);
  const label = `${channelName(channel)} account ${accountId}`;
  const config = snapshot?.raw ? checkConfigValue(structuredClone(snapshot.raw)).config : undefined;
  const dependents: Binding[] =
    config?.bindings.filter((b) => b.source === 'bindings' && b.match.channel === channel && b.match.accountId === accountId) ?? [];
  const token = config?.channels[channel]?.accounts[accountId]?.secrets[channel === 'telegram' ? 'botToken' : 'token'];
  const secretName = token && typeof token === 'object' && 'secret' in token ? token.secret : undefined;
  const canRemove = !!snapshot && (dependents.length === 0 || dropBindings) && !busy;

  const remove = async () => {
    if (!client || !snapshot) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await client.request('channels.remove', {
        baseHash: snapshot.hash,
        channel,
        accountId,
        ...(dropBindings ? { dropBindings: true } : {}),
      });
      const n = r.removedBindings.length;
      toast(
        'ok',
        `Removed ${label}${n > 0 ? ` and ${n} binding${n === 1 ? '' : 's'}` : ''}${r.deletedSecret ? '; its token left the keychain' : ''}`,
      );
      for (const w of r.warnings) toast('danger', w);
      await afterChange();
      onClose();
    } catch (err) {
      if (isStale(err)) setStale(true);
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Remove ${label}?`}
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger-solid" busy={busy} disabled={!canRemove} onClick={() => void remove()}>
            Remove account
          </Button>
        </>
      }
    >
      {loadError && (
        <Banner tone="danger" title="Could not read the config:">
          {loadError}
        </Banner>
      )}
      {stale && <StaleBanner reload={reload} onReloaded={() => setStale(false)} />}
      {!snapshot && !loadError && (
        <div className="row">
          <Spinner label="Reading the config" />
          <span className="muted">Reading the config…</span>
        </div>
      )}
      {snapshot && (
        <div className="stack">
          {dependents.length > 0 ? (
            <>
              <Banner
                tone="warn"
                title={`${dependents.length} ${dependents.length === 1 ? 'binding names' : 'bindings name'} this account.`}
              >
                They would route messages from an account that no longer exists, so they have to go with it.
              </Banner>
              <ul className="binding-list" aria-label="Bindings to this account">
                {dependents.map((b) => (
                  <li key={b.index}>
                    <code className="small">bindings[{b.index}]</code>
                    <span className="grow small">
                      → agent <strong>{b.agentId}</strong>
                      {b.match.peer ? `, chat ${b.match.peer.kind} ${b.match.peer.id}` : ''}
                      {b.match.guildId !== undefined ? `, server ${b.match.guildId}` : ''}
                    </span>
                  </li>
                ))}
              </ul>
              <label className="checkbox">
                <input type="checkbox" checked={dropBindings} onChange={(e) => setDropBindings(e.target.checked)} />
                Remove {dependents.length === 1 ? 'this binding' : `these ${dependents.length} bindings`} too
              </label>
            </>
          ) : (
            <p>No binding names this account.</p>
          )}
          <p className="small muted">
            The account stops and leaves the config.{' '}
            {secretName
              ? `Its token (keychain entry "${secretName}") is deleted from the keychain unless another account uses it.`
              : channel === 'whatsapp'
                ? 'Its WhatsApp link stays in the state folder; adding the account again with the same id reuses it.'
                : ''}{' '}
            Conversations stay with their agents.
          </p>
        </div>
      )}
      {error && (
        <Banner tone="danger" title="Not removed:">
          {error}
        </Banner>
      )}
    </Dialog>
  );
}
