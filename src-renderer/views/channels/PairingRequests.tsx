// Pending DM pairing requests (docs/channels.md#access-and-pairing): someone unknown wrote to a bot
// whose DM policy is `pairing`, got a code, and waits for the owner. The list is the gateway
// store's (refreshed on every pairing drop); each row counts down to its expiry and has
// Approve (`pairing.approve`).
import { useEffect, useRef, useState } from 'react';
import { ControlError } from '../../../src-shared/protocol/errors.ts';
import { errorText } from '../../gateway/client.ts';
import { useGateway, type PendingPairing } from '../../store/gateway.ts';
import { toast } from '../../store/toasts.ts';
import { Badge, Button } from '../../ui/controls.tsx';
import { channelName, clockTime } from '../../ui/format.ts';
import { ChannelGlyph } from './ChannelGlyph.tsx';
import { countdown, useNow } from './useNow.ts';

/** Under this, the countdown turns amber: the sender may need a new code soon. */
const SOON_MS = 5 * 60_000;

interface Approved {
  key: string;
  who: string;
  senderId: string;
  channel: string;
  account: string;
  at: string;
}

const keyOf = (p: Pick<PendingPairing, 'channel' | 'account' | 'code'>) => `${p.channel}:${p.account}:${p.code}`;
const whoOf = (p: Pick<PendingPairing, 'senderName' | 'senderId'>) => p.senderName ?? p.senderId;

export function PairingRequests() {
  const pending = useGateway((s) => s.pairing);
  const loaded = useGateway((s) => s.loaded);
  const refreshPairing = useGateway((s) => s.refreshPairing);
  const now = useNow(1000);
  const [approved, setApproved] = useState<Approved[]>([]);
  const expiredSeen = useRef(new Set<string>());

  // Once a request has expired the gateway no longer lists it: ask again so the row goes away.
  useEffect(() => {
    const expired = pending.filter((p) => p.expiresAt <= now && !expiredSeen.current.has(keyOf(p)));
    if (expired.length === 0) return;
    for (const p of expired) expiredSeen.current.add(keyOf(p));
    void refreshPairing();
  }, [pending, now, refreshPairing]);

  const sectionRef = useRef<HTMLElement>(null);
  const onApproved = (p: PendingPairing, senderId: string) => {
    setApproved((list) =>
      [{ key: keyOf(p), who: whoOf(p), senderId, channel: p.channel, account: p.account, at: new Date().toISOString() }, ...list].slice(
        0,
        5,
      ),
    );
    // The focused button is about to disappear with its row: keep keyboard users in the list.
    setTimeout(() => {
      const next = sectionRef.current?.querySelector<HTMLButtonElement>('.pairing-table button:not(:disabled)');
      (next ?? sectionRef.current?.querySelector<HTMLElement>('#pairing-title'))?.focus();
    }, 0);
  };

  return (
    <section className="card" aria-labelledby="pairing-title" ref={sectionRef}>
      <div className="card-header">
        <h2 id="pairing-title" className="grow card-title" tabIndex={-1}>
          Pairing requests
        </h2>
        {pending.length > 0 && <Badge tone="warn">{pending.length} waiting</Badge>}
      </div>
      {!loaded ? (
        <div className="pairing-loading" aria-busy="true" aria-label="Loading pairing requests">
          <div className="skeleton" style={{ height: 20 }} />
        </div>
      ) : pending.length === 0 ? (
        <div className="pairing-empty">
          <span className="pairing-empty-icon" aria-hidden="true">
            ✓
          </span>
          <div>
            <h3>No one is waiting</h3>
            <p className="small muted">
              When someone you have not approved writes to a bot whose DM policy is <code>pairing</code>, the bot replies with a code and
              the request shows up here for you to approve. Nobody can approve themselves from a chat.
            </p>
          </div>
        </div>
      ) : (
        <table className="table pairing-table">
          <caption className="sr-only">Pending pairing requests</caption>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Account</th>
              <th scope="col">Sender</th>
              <th scope="col">Code</th>
              <th scope="col">Expires in</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pending.map((p) => (
              <PairingRow key={keyOf(p)} request={p} now={now} onApproved={onApproved} />
            ))}
          </tbody>
        </table>
      )}
      {approved.length > 0 && (
        <div className="approved-list" aria-label="Approved in this session">
          {approved.map((a) => (
            <p key={a.key} className="small approved-item">
              <span className="approved-mark" aria-hidden="true">
                ✓
              </span>
              <strong>{a.who}</strong>
              {a.who !== a.senderId && (
                <>
                  {' '}
                  <span className="mono muted">{a.senderId}</span>
                </>
              )}{' '}
              approved on {channelName(a.channel)} · <code>{a.account}</code>
              <span className="muted"> at {clockTime(a.at)} — their next message goes to an agent.</span>
            </p>
          ))}
        </div>
      )}
    </section>
  );
}

function PairingRow({
  request: p,
  now,
  onApproved,
}: {
  request: PendingPairing;
  now: number;
  onApproved: (p: PendingPairing, senderId: string) => void;
}) {
  const client = useGateway((s) => s.client);
  const refreshPairing = useGateway((s) => s.refreshPairing);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // `now` can lag a request that just arrived by up to a tick: never show more than its lifetime.
  const left = Math.min(p.expiresAt - now, p.expiresAt - p.createdAt);
  const expired = left <= 0;
  const who = whoOf(p);
  const approve = async () => {
    if (!client) return;
    setBusy(true);
    setError(undefined);
    try {
      const res = await client.request('pairing.approve', { channel: p.channel, code: p.code, account: p.account });
      onApproved(p, res.senderId);
      toast('ok', `Approved ${who} on ${channelName(res.channel)} (${res.account}). Their next message goes to an agent.`);
      // Gone at once; the refresh confirms it (and picks up anything new).
      useGateway.setState((s) => ({ pairing: s.pairing.filter((x) => keyOf(x) !== keyOf(p)) }));
      void refreshPairing();
    } catch (err) {
      setError(errorText(err));
      // An unknown code has expired or was approved elsewhere: re-read the list.
      if (err instanceof ControlError && err.code === 'not_found') void refreshPairing();
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <tr className={error ? 'has-error' : undefined}>
        <td>
          <span className="row">
            <ChannelGlyph channel={p.channel} />
            {channelName(p.channel)}
          </span>
        </td>
        <td>
          <code>{p.account}</code>
        </td>
        <td>
          <div className="sender">
            <strong>{who}</strong>
            {p.senderName && <span className="small muted mono">{p.senderId}</span>}
          </div>
        </td>
        <td>
          <code className="pairing-code">{p.code}</code>
        </td>
        <td>
          <span
            className={`countdown ${expired ? 'expired' : left < SOON_MS ? 'soon' : ''}`}
            title={`Expires at ${clockTime(new Date(p.expiresAt).toISOString())}`}
          >
            {expired ? 'expired' : countdown(now + left, now)}
          </span>
        </td>
        <td className="actions-cell">
          <Button
            variant="primary"
            size="sm"
            busy={busy}
            disabled={expired}
            aria-label={`Approve ${who} on ${channelName(p.channel)} (${p.account})`}
            onClick={() => void approve()}
          >
            Approve
          </Button>
        </td>
      </tr>
      {error && (
        <tr className="error-row">
          <td colSpan={6}>
            <span className="small row-error" role="alert">
              Could not approve {who}: {error}
            </span>
          </td>
        </tr>
      )}
    </>
  );
}
