// Step 4: where the agent's Anthropic key comes from — a key of its own stored in the OS keychain
// now, the opt-in shared pool (`authProfiles.scope: "shared"`), copies of another agent's keys
// (auth.copy, inside the keychain), or nothing yet (ANTHROPIC_API_KEY). Typed keys go to the
// gateway once, when the wizard saves; no key is ever read back.
import { useEffect, useState } from 'react';
import { errorText, type Result } from '../../../../gateway/client.ts';
import { useGateway } from '../../../../store/gateway.ts';
import { Badge, Banner, Field, Spinner } from '../../../../ui/controls.tsx';
import { copySources } from '../../model/copy-keys.ts';
import { normId, type AuthMode } from '../../model/draft.ts';
import { Choice, firstError, type StepProps } from '../parts.tsx';
import { CopyKeysAction, CopyKeysPicker } from './CopyKeys.tsx';

type AuthList = Result<'auth.list'>;

function KeyInput({
  label,
  value,
  onChange,
  error,
  hint,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
  hint?: string;
  disabled?: boolean;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(id, describedBy) => (
        <input
          id={id}
          className="input mono"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="sk-ant-…"
          value={value}
          disabled={disabled}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

export function CredentialsStep({ form, update, issues, editing }: StepProps) {
  const keychain = useGateway((s) => s.status?.keychain);
  const client = useGateway((s) => s.client);
  const [auth, setAuth] = useState<{ list?: AuthList; error?: string; loading: boolean }>({ loading: false });
  // Bumped after a copy in edit mode, so "Its keys now" shows the new ones.
  const [reloads, setReloads] = useState(0);
  const available = keychain?.available === true;
  const id = normId(form.id) || '<id>';
  useEffect(() => {
    if (!client || !available) return;
    let live = true;
    setAuth((a) => ({ ...a, loading: true }));
    client.request('auth.list').then(
      (list) => {
        if (live) setAuth({ list, loading: false });
      },
      (err: unknown) => {
        if (live) setAuth({ error: errorText(err), loading: false });
      },
    );
    return () => {
      live = false;
    };
  }, [client, available, reloads]);
  const setMode = (mode: string) => update((f) => ({ ...f, auth: { ...f.auth, mode: mode as AuthMode } }));
  const setKey = (field: 'apiKey' | 'sharedKey') => (value: string) => update((f) => ({ ...f, auth: { ...f.auth, [field]: value } }));
  const error = firstError(issues, 'auth');
  const unavailable =
    keychain && !keychain.available ? `The keychain is not available: ${keychain.reason ?? 'no reason given'}` : undefined;
  const pool = sharedPool(auth.list);
  const own = auth.list?.agents.find((a) => a.agentId === id)?.profiles.filter((p) => p.scope === 'agent') ?? [];
  const sources = copySources(auth.list, id);
  // auth.list can find the keychain gone even when the status said it answered.
  const listed = auth.list?.keychain;
  const copyBlocked =
    unavailable ??
    (auth.error
      ? `The stored keys could not be read: ${auth.error}`
      : !auth.list
        ? 'Reading which agents have keys…'
        : listed && !listed.available
          ? `The keychain is not available: ${listed.reason ?? 'no reason given'}`
          : sources.length === 0
            ? 'No other agent has a key of its own in the keychain yet.'
            : undefined);
  const copyHint = `Copied inside the keychain when you create the agent; the keys never pass through the dashboard. Same as "switchboard auth copy --from <agent> --to ${id}".`;

  const sharedBody = (
    <div className="choice-body">
      <span className="small">
        The agent tries its own keys first, then the keys of the shared pool (keychain entries <code>shared:auth:*</code>), which every
        agent that opts in can use. Saved as <code>authProfiles: {'{ scope: "shared" }'}</code>.
      </span>
      {auth.loading ? (
        <span className="row small muted">
          <Spinner label="Reading the key pool" /> Reading the key pool…
        </span>
      ) : (
        pool && (
          <span className="small">
            {pool.users.length === 0
              ? 'No agent uses the pool yet, so it may be empty: add a key to it below.'
              : `The pool holds ${pool.keys.length} key${pool.keys.length === 1 ? '' : 's'} and is used by ${pool.users.join(', ')}.`}
          </span>
        )
      )}
      <KeyInput
        label="Add a key to the shared pool (optional)"
        value={form.auth.sharedKey}
        onChange={setKey('sharedKey')}
        disabled={!available}
        hint={available ? 'Stored in the OS keychain for every agent that uses the pool.' : unavailable}
      />
    </div>
  );

  return (
    <>
      {unavailable && (
        <Banner tone="warn" title="Keys cannot be stored right now.">
          {unavailable.replace(/^The keychain is not available: /, '')}. The agent can still use the gateway&apos;s ANTHROPIC_API_KEY.
        </Banner>
      )}
      {auth.error && (
        <Banner tone="danger" title="Could not read the stored keys:">
          {auth.error}
        </Banner>
      )}
      {editing && (
        <div className="stack" style={{ gap: 6 }}>
          <span className="section-title">Its keys now</span>
          {own.length === 0 ? (
            <span className="small muted">{available ? 'No key of its own.' : 'Unknown while the keychain is unavailable.'}</span>
          ) : (
            <ul className="binding-list" aria-label="Stored keys">
              {own.map((p) => (
                <li key={p.profileId}>
                  <code>{p.profileId}</code>
                  <span className="grow small muted">{p.label ?? ''}</span>
                  {p.lastError && (
                    <Badge tone="danger" title={p.lastError.message}>
                      last use failed
                    </Badge>
                  )}
                  <Badge tone={p.keyStored ? 'ok' : p.keyStored === false ? 'danger' : 'neutral'}>
                    {p.keyStored ? 'in the keychain' : p.keyStored === false ? 'key missing' : 'unknown'}
                  </Badge>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {editing ? (
        <div className="choices" role="radiogroup" aria-label="Which keys it uses">
          <Choice name="auth" value="skip" checked={form.auth.mode !== 'shared'} onChange={setMode} title="Its own keys only">
            Its keys are never shared with other agents.
          </Choice>
          <Choice
            name="auth"
            value="shared"
            checked={form.auth.mode === 'shared'}
            onChange={setMode}
            title="Its own keys, then the shared pool"
          >
            Falls back to the keys that every agent which opted in shares.
          </Choice>
          {form.auth.mode === 'shared' && sharedBody}
        </div>
      ) : (
        <div className="choices" role="radiogroup" aria-label="Where its API key comes from">
          <Choice
            name="auth"
            value="key"
            checked={form.auth.mode === 'key'}
            onChange={setMode}
            title="Add an API key now"
            disabled={!available}
            reason={unavailable}
          >
            Stored in your operating system&apos;s keychain for this agent only, never in a file.
          </Choice>
          {form.auth.mode === 'key' && available && (
            <div className="choice-body">
              <KeyInput
                label="Anthropic API key"
                value={form.auth.apiKey}
                onChange={setKey('apiKey')}
                error={error}
                hint="From console.anthropic.com. Sent to the gateway once, when you create the agent."
              />
            </div>
          )}
          <Choice name="auth" value="shared" checked={form.auth.mode === 'shared'} onChange={setMode} title="Use the shared key pool">
            Share keys with the other agents that opt in.
          </Choice>
          {form.auth.mode === 'shared' && sharedBody}
          <Choice
            name="auth"
            value="copy"
            checked={form.auth.mode === 'copy'}
            onChange={setMode}
            title="Copy keys from another agent"
            disabled={copyBlocked !== undefined}
            reason={copyBlocked}
          >
            Gives it its own copy of keys another agent already has; the two can then be changed separately.
          </Choice>
          {form.auth.mode === 'copy' && copyBlocked === undefined && (
            <div className="choice-body">
              <CopyKeysPicker
                sources={sources}
                from={form.auth.copyFrom}
                profileIds={form.auth.copyProfiles}
                error={error}
                hint={copyHint}
                onChange={(copyFrom, copyProfiles) => update((f) => ({ ...f, auth: { ...f.auth, copyFrom, copyProfiles } }))}
              />
            </div>
          )}
          <Choice name="auth" value="skip" checked={form.auth.mode === 'skip'} onChange={setMode} title="Skip for now">
            Uses the gateway&apos;s <code>ANTHROPIC_API_KEY</code> if it is set; otherwise the agent replies that it has no key. Add one
            later in Settings or with <code>switchboard auth add --agent {id}</code>.
          </Choice>
        </div>
      )}
      {editing && available && (
        <KeyInput
          label="Add a key of its own (optional)"
          value={form.auth.apiKey}
          onChange={setKey('apiKey')}
          error={error}
          hint="Added to its auth profiles in the keychain when you save; its other keys stay."
        />
      )}
      {editing && <CopyKeysAction agentId={id} sources={sources} disabledReason={copyBlocked} onCopied={() => setReloads((n) => n + 1)} />}
      {error && !(available && (editing || form.auth.mode === 'key' || (form.auth.mode === 'copy' && copyBlocked === undefined))) && (
        <div className="small danger-text" role="alert">
          {error}
        </div>
      )}
    </>
  );
}

/** The shared pool as far as auth.list shows it: through the agents that opted in. */
function sharedPool(list: AuthList | undefined): { keys: string[]; users: string[] } | undefined {
  if (!list) return undefined;
  const users = list.agents.filter((a) => a.scope === 'shared');
  const keys = new Set(users.flatMap((a) => a.profiles.filter((p) => p.scope === 'shared').map((p) => p.profileId)));
  return { keys: [...keys], users: users.map((a) => a.agentId) };
}
