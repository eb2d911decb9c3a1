// "Add account": pick the channel, paste the bot token into a password field, let the gateway check
// it with the platform (`channels.validate`: the bot's name, or what to fix), then `channels.add`
// stores it in the keychain and writes the account. The token is never shown again or kept here
// after the dialog closes. WhatsApp takes no token: the account is written and the QR code opens.
import { useState } from 'react';
import { errorText, type Result } from '../../gateway/client.ts';
import { toast } from '../../store/toasts.ts';
import { Banner, Button, Dialog, Field, Segmented, Spinner } from '../../ui/controls.tsx';
import { ADDABLE, afterChange, isStale, useConfigBase, type AddableChannel } from './accountEdits.ts';
import { useGateway } from '../../store/gateway.ts';

type Check = Result<'channels.validate'>;
const ID_RULE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A free account id: `default` for a channel's first account, else one derived from `hint`. */
function suggestId(taken: string[], hint?: string): string {
  if (!taken.includes('default') && !hint) return 'default';
  const base =
    (hint ?? 'account')
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[-_]+|-+$/g, '')
      .slice(0, 60) || 'account';
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (!taken.includes(id)) return id;
  }
}

export function AddAccountDialog({
  initialChannel = 'telegram',
  initialAccountId,
  onClose,
  onLinkWhatsApp,
}: {
  initialChannel?: AddableChannel;
  /** The account a binding already names ("Add account" from a problem's Fix link). */
  initialAccountId?: string;
  onClose: () => void;
  /** After a WhatsApp account is written: open its QR code. */
  onLinkWhatsApp: (accountId: string) => void;
}) {
  const client = useGateway((s) => s.client);
  const statuses = useGateway((s) => s.channels);
  const { snapshot, error: loadError, reload } = useConfigBase();
  const [channel, setChannel] = useState<AddableChannel>(initialChannel);
  const taken = statuses.filter((s) => s.channel === channel).map((s) => s.accountId);
  const [accountId, setAccountId] = useState<string | undefined>(initialAccountId);
  const [name, setName] = useState('');
  const [token, setToken] = useState('');
  const [apiRoot, setApiRoot] = useState('');
  const [check, setCheck] = useState<Check>();
  const [checking, setChecking] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const [stale, setStale] = useState(false);
  const info = ADDABLE.find((c) => c.channel === channel)!;
  const needsToken = channel !== 'whatsapp';
  const id = accountId ?? suggestId(taken);
  const idError = !ID_RULE.test(id)
    ? 'Lower-case letters, digits, _ and - only, starting with a letter or digit'
    : taken.includes(id)
      ? `There is already a ${info.label} account "${id}"`
      : undefined;

  const pick = (c: AddableChannel) => {
    setChannel(c);
    setCheck(undefined);
    setError(undefined);
    setAccountId(undefined);
  };

  const runCheck = async () => {
    if (!client || channel === 'whatsapp' || !token.trim()) return;
    setChecking(true);
    setError(undefined);
    try {
      const r = await client.request('channels.validate', {
        channel,
        token: token.trim(),
        ...(ID_RULE.test(id) ? { accountId: id } : {}),
        ...(apiRoot.trim() ? { apiRoot: apiRoot.trim() } : {}),
      });
      setCheck(r);
      // Naming the account after the bot is a better default than "account-2".
      if (r.ok && r.bot && accountId === undefined && taken.includes('default'))
        setAccountId(suggestId(taken, r.bot.username ?? r.bot.name));
    } catch (err) {
      setCheck(undefined);
      setError(errorText(err));
    } finally {
      setChecking(false);
    }
  };

  const save = async () => {
    if (!client || !snapshot || idError) return;
    setSaving(true);
    setError(undefined);
    try {
      const r = await client.request('channels.add', {
        baseHash: snapshot.hash,
        channel,
        accountId: id,
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(needsToken ? { token: token.trim() } : {}),
        ...(apiRoot.trim() && needsToken ? { apiRoot: apiRoot.trim() } : {}),
      });
      setToken('');
      toast('ok', `${info.label} account ${r.accountId} added${r.bot ? ` — ${r.bot.name}` : ''}`);
      await afterChange();
      onClose();
      if (channel === 'whatsapp') onLinkWhatsApp(r.accountId);
    } catch (err) {
      if (isStale(err)) setStale(true);
      else setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  const canSave = !!snapshot && !idError && !saving && (!needsToken || (token.trim() !== '' && check?.ok === true));

  return (
    <Dialog
      title="Add a channel account"
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          {needsToken && (
            <Button busy={checking} disabled={!token.trim() || checking} onClick={() => void runCheck()}>
              Check token
            </Button>
          )}
          <Button variant="primary" busy={saving} disabled={!canSave} onClick={() => void save()}>
            {needsToken ? 'Add account' : 'Add and link'}
          </Button>
        </>
      }
    >
      <div className="stack add-account">
        <Segmented<AddableChannel>
          label="Channel"
          value={channel}
          options={ADDABLE.map((c) => ({ value: c.channel, label: c.label }))}
          onChange={pick}
        />
        {loadError && (
          <Banner
            tone="danger"
            title="Could not read the config:"
            action={
              <Button size="sm" onClick={() => void reload()}>
                Try again
              </Button>
            }
          >
            {loadError}
          </Banner>
        )}
        {stale && (
          <Banner
            tone="warn"
            title="The config changed since you opened this."
            action={
              <Button
                size="sm"
                onClick={() =>
                  void reload().then(() => {
                    setStale(false);
                  })
                }
              >
                Reload
              </Button>
            }
          >
            Nothing was saved. Reload, then add the account again; what you typed stays.
          </Banner>
        )}
        <Field
          label="Account id"
          hint="How bindings and the config name this account"
          error={accountId !== undefined || taken.includes(id) ? idError : undefined}
        >
          {(fid, describedBy) => (
            <input
              id={fid}
              className="input mono"
              value={id}
              spellCheck={false}
              aria-describedby={describedBy}
              aria-invalid={idError ? true : undefined}
              onChange={(e) => setAccountId(e.target.value.toLowerCase())}
            />
          )}
        </Field>
        <Field label="Display name (optional)">
          {(fid) => (
            <input id={fid} className="input" value={name} placeholder="e.g. Family bot" onChange={(e) => setName(e.target.value)} />
          )}
        </Field>
        {needsToken ? (
          <>
            <Field
              label={info.tokenLabel}
              hint={`From ${info.where}. It goes to your keychain, never into a file, and is not shown again.`}
            >
              {(fid, describedBy) => (
                <input
                  id={fid}
                  className="input mono"
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder={info.placeholder}
                  value={token}
                  aria-describedby={describedBy}
                  onChange={(e) => {
                    setToken(e.target.value);
                    setCheck(undefined);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' && token.trim()) void runCheck();
                  }}
                />
              )}
            </Field>
            <details className="advanced">
              <summary>Advanced</summary>
              <Field
                label="API root"
                hint="Only for a self-hosted Bot API server or a test peer; empty uses the channel's setting or the platform."
              >
                {(fid) => (
                  <input
                    id={fid}
                    className="input mono"
                    value={apiRoot}
                    spellCheck={false}
                    placeholder={channel === 'telegram' ? 'https://api.telegram.org' : 'https://discord.com/api'}
                    onChange={(e) => {
                      setApiRoot(e.target.value);
                      setCheck(undefined);
                    }}
                  />
                )}
              </Field>
            </details>
            {checking && (
              <div className="row">
                <Spinner label="Checking the token" />
                <span className="muted">Asking {info.label}…</span>
              </div>
            )}
            {check?.ok && check.bot && (
              <div className="token-check ok" role="status" aria-label="Token check">
                <span aria-hidden="true">✓ </span>
                Signed in as <strong>{check.bot.name}</strong>
                {check.bot.username && <span className="muted"> (@{check.bot.username})</span>}
              </div>
            )}
            {check && !check.ok && (
              <Banner tone="danger" title={PROBLEM_TITLE[check.problem ?? 'other']}>
                {check.error}
              </Banner>
            )}
            {!check && !checking && token.trim() !== '' && <p className="small muted">Check the token to see which bot it belongs to.</p>}
          </>
        ) : (
          <p className="muted">
            WhatsApp needs no token: the account is written, then you scan a QR code with your phone (WhatsApp → Settings → Linked devices).
          </p>
        )}
        {error && (
          <Banner tone="danger" title="Not added:">
            {error}
          </Banner>
        )}
      </div>
    </Dialog>
  );
}

const PROBLEM_TITLE: Record<NonNullable<Check['problem']>, string> = {
  token_rejected: 'The token was rejected.',
  missing_intent: 'The bot cannot read messages yet.',
  unreachable: 'Could not reach the platform.',
  other: 'The token could not be checked.',
};
