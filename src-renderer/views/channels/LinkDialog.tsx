// Linking a WhatsApp account: `channels.login` runs on the gateway until the phone has scanned a
// QR code (it resolves) or the attempt ends (it fails). Meanwhile each rotating QR arrives as a
// `channel.qr` event, which the gateway store keeps per account; the dialog draws the latest one.
// One attempt per account at a time: closing the dialog does not cancel it (the gateway has no
// cancel), so reopening re-attaches to the running attempt instead of starting a second socket.
import { useEffect, useState } from 'react';
import { create } from 'zustand';
import { ControlError } from '../../../src-shared/protocol/errors.ts';
import { errorText, type GatewayClient } from '../../gateway/client.ts';
import { desktopBridge } from '../../gateway/ipc-transport.ts';
import { useGateway } from '../../store/gateway.ts';
import { toast } from '../../store/toasts.ts';
import { Banner, Button, Dialog, Spinner } from '../../ui/controls.tsx';
import { QrCode } from './QrCode.tsx';
import { countdown, useNow } from './useNow.ts';

/**
 * How long one attempt may wait for the scan. The browser's WebSocket transport gives up on any
 * call after 60 s, so a browser attempt ends on the gateway first (and says so); inside the
 * desktop app IPC has no such limit and the user gets three minutes.
 */
function linkTimeoutMs(): number {
  return desktopBridge() ? 180_000 : 50_000;
}

export type LinkOutcome =
  { kind: 'linked'; phone?: string; alreadyLinked: boolean } | { kind: 'expired'; message: string } | { kind: 'error'; message: string };

interface Attempt {
  id: number;
  startedAt: number;
  endsAt: number;
  /** The QR the store held before this attempt (e.g. from the running adapter): not ours to show. */
  baselineQr: string | undefined;
  promise: Promise<LinkOutcome>;
}

const useAttempts = create<{ attempts: Record<string, Attempt> }>()(() => ({ attempts: {} }));
/** Accounts whose dialog is open: an attempt that ends while its dialog is closed reports by toast. */
const watching = new Set<string>();
let nextId = 1;

const keyOf = (accountId: string) => `whatsapp:${accountId}`;

export function useLinkInFlight(channel: string, accountId: string): boolean {
  return useAttempts((s) => channel === 'whatsapp' && s.attempts[keyOf(accountId)] !== undefined);
}

function startAttempt(client: GatewayClient, accountId: string): Attempt {
  const key = keyOf(accountId);
  const running = useAttempts.getState().attempts[key];
  if (running) return running;
  const timeoutMs = linkTimeoutMs();
  const id = nextId++;
  const promise = client
    .request('channels.login', { channel: 'whatsapp', accountId, timeoutMs })
    .then(
      (r): LinkOutcome => ({ kind: 'linked', alreadyLinked: r.alreadyLinked, ...(r.phone ? { phone: r.phone } : {}) }),
      (err: unknown): LinkOutcome =>
        err instanceof ControlError && err.code === 'unavailable' && /expired|timed out/i.test(err.message)
          ? { kind: 'expired', message: err.message }
          : { kind: 'error', message: errorText(err) },
    )
    .then((outcome) => {
      useAttempts.setState((s) => {
        const { [key]: _done, ...rest } = s.attempts;
        return { attempts: rest };
      });
      if (!watching.has(key)) {
        if (outcome.kind === 'linked')
          toast('ok', `WhatsApp account ${accountId} is linked${outcome.phone ? ` to ${outcome.phone}` : ''}.`);
        else toast('danger', `WhatsApp account ${accountId} was not linked: ${outcome.message}`);
      }
      return outcome;
    });
  const attempt: Attempt = {
    id,
    startedAt: Date.now(),
    endsAt: Date.now() + timeoutMs,
    baselineQr: useGateway.getState().qr[key],
    promise,
  };
  useAttempts.setState((s) => ({ attempts: { ...s.attempts, [key]: attempt } }));
  return attempt;
}

export function LinkDialog({ accountId, onClose }: { accountId: string; onClose: () => void }) {
  const key = keyOf(accountId);
  const client = useGateway((s) => s.client);
  const qr = useGateway((s) => s.qr[key]);
  // The dialog's own attempt (not the registry's entry, which goes away a tick before the outcome lands).
  const [attempt, setAttempt] = useState<Attempt>();
  const [outcome, setOutcome] = useState<LinkOutcome>();
  const [round, setRound] = useState(0);
  const now = useNow(1000);

  useEffect(() => {
    watching.add(key);
    return () => {
      watching.delete(key);
    };
  }, [key]);

  // Start (or re-attach to) an attempt when the dialog opens and on "Try again".
  useEffect(() => {
    if (!client) return;
    let live = true;
    const started = startAttempt(client, accountId);
    setOutcome(undefined);
    setAttempt(started);
    started.promise.then((o) => {
      if (live) setOutcome(o);
    });
    return () => {
      live = false;
    };
  }, [client, accountId, round]);

  const freshQr = attempt && qr !== attempt.baselineQr ? qr : undefined;
  const label = `QR code to link WhatsApp account ${accountId}`;
  const retry = () => setRound((r) => r + 1);

  let body;
  if (outcome?.kind === 'linked') {
    body = (
      <div className="link-result" role="status">
        <span className="link-result-icon ok" aria-hidden="true">
          ✓
        </span>
        <div>
          <h3>{outcome.alreadyLinked ? 'Already linked' : 'Linked'}</h3>
          <p className="muted">
            {outcome.alreadyLinked ? 'This account was linked before; no scan was needed.' : 'Your phone linked this account.'}
            {outcome.phone && (
              <>
                {' '}
                Number: <strong>{outcome.phone}</strong>.
              </>
            )}{' '}
            The account is connecting now; its state updates on the Channels page.
          </p>
        </div>
      </div>
    );
  } else if (outcome) {
    body = (
      <Banner
        tone={outcome.kind === 'expired' ? 'warn' : 'danger'}
        title={outcome.kind === 'expired' ? 'The QR code was not scanned in time.' : 'Linking failed.'}
      >
        {outcome.message}
      </Banner>
    );
  } else {
    body = (
      <div className="link-layout">
        <QrCode value={freshQr} label={label} />
        <div className="stack link-steps">
          <ol>
            <li>
              Open <strong>WhatsApp</strong> on your phone.
            </li>
            <li>
              Go to <strong>Settings → Linked devices → Link a device</strong>.
            </li>
            <li>Point the phone at this code.</li>
          </ol>
          <p className="small muted" aria-live="polite">
            {!attempt
              ? 'Starting…'
              : !freshQr
                ? 'Asking WhatsApp for a code…'
                : 'The code refreshes by itself every few seconds; scan the one you see.'}
          </p>
          {attempt && (
            <p className="small muted">
              Time left: <span className="mono">{countdown(attempt.endsAt, now)}</span>
            </p>
          )}
        </div>
      </div>
    );
  }

  return (
    <Dialog
      title={`Link WhatsApp account “${accountId}”`}
      onClose={onClose}
      wide
      footer={
        outcome?.kind === 'linked' ? (
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        ) : outcome ? (
          <>
            <Button onClick={onClose}>Close</Button>
            <Button variant="primary" onClick={retry}>
              Try again
            </Button>
          </>
        ) : (
          <>
            <span className="small muted grow">Closing this keeps the attempt running until it ends.</span>
            {attempt && <Spinner label="Waiting for the scan" />}
            <Button onClick={onClose}>Close</Button>
          </>
        )
      }
    >
      {body}
    </Dialog>
  );
}
