// "Copy keys from another agent": pick the agent, then which of its keys (by label, from
// auth.list). A new agent gets them when the wizard creates it; an existing one at once, from the
// button. Either way `auth.copy` copies inside the keychain, so no key reaches the dashboard.
import { useState } from 'react';
import { errorText } from '../../../../gateway/client.ts';
import { useGateway } from '../../../../store/gateway.ts';
import { Badge, Button, Field } from '../../../../ui/controls.tsx';
import { copyableIds, profileNames, type CopySource } from '../../model/copy-keys.ts';

/** "Ops (ops)" when the agent has a name, else its id. */
export function useAgentName(): (agentId: string) => string {
  const agents = useGateway((s) => s.agents);
  return (agentId) => {
    const name = agents.find((a) => a.id === agentId)?.name;
    return name && name !== agentId ? `${name} (${agentId})` : agentId;
  };
}

export function CopyKeysPicker({
  sources,
  from,
  profileIds,
  onChange,
  error,
  hint,
}: {
  sources: CopySource[];
  from: string;
  profileIds: string[];
  onChange: (from: string, profileIds: string[]) => void;
  error?: string | undefined;
  hint: string;
}) {
  const nameOf = useAgentName();
  const source = sources.find((s) => s.agentId === from);
  const toggle = (id: string, on: boolean) =>
    onChange(from, on ? [...profileIds.filter((p) => p !== id), id] : profileIds.filter((p) => p !== id));
  return (
    <>
      <Field label="Copy from agent" error={error} hint={hint}>
        {(id, describedBy) => (
          <select
            id={id}
            className="select"
            value={from}
            aria-describedby={describedBy}
            aria-invalid={error ? true : undefined}
            onChange={(e) => onChange(e.target.value, copyableIds(sources.find((s) => s.agentId === e.target.value)))}
          >
            <option value="">Choose an agent…</option>
            {sources.map((s) => {
              const n = copyableIds(s).length;
              return (
                <option key={s.agentId} value={s.agentId}>
                  {nameOf(s.agentId)} — {n} key{n === 1 ? '' : 's'}
                </option>
              );
            })}
          </select>
        )}
      </Field>
      {source && (
        <div className="stack" style={{ gap: 6 }} role="group" aria-label="Keys to copy">
          <span className="field-label">Keys to copy</span>
          {source.profiles.map((p) => (
            <label key={p.profileId} className="checkbox">
              <input
                type="checkbox"
                checked={profileIds.includes(p.profileId)}
                disabled={!p.keyStored}
                onChange={(e) => toggle(p.profileId, e.target.checked)}
              />
              <span>{p.label ?? p.profileId}</span>
              {p.label && <code className="small muted">{p.profileId}</code>}
              {!p.keyStored && <Badge tone="danger">key missing</Badge>}
            </label>
          ))}
        </div>
      )}
    </>
  );
}

/** Edit mode: copies the chosen keys into the agent's own profiles right away. */
export function CopyKeysAction({
  agentId,
  sources,
  disabledReason,
  onCopied,
}: {
  agentId: string;
  sources: CopySource[];
  disabledReason: string | undefined;
  onCopied: () => void;
}) {
  const client = useGateway((s) => s.client);
  const nameOf = useAgentName();
  const [from, setFrom] = useState('');
  const [profileIds, setProfileIds] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string; skipped: string[] }>();
  const copy = async () => {
    if (!client || !from || profileIds.length === 0) return;
    const source = sources.find((s) => s.agentId === from);
    setBusy(true);
    setOutcome(undefined);
    try {
      const result = await client.request('auth.copy', { fromAgentId: from, toAgentId: agentId, profileIds });
      setOutcome({
        ok: true,
        text: `Copied ${profileNames(
          source,
          result.copied.map((c) => c.profileId),
        )} from ${nameOf(from)}.`,
        skipped: result.skipped.map((s) => `${profileNames(source, [s.profileId])}: ${s.reason}`),
      });
      setFrom('');
      setProfileIds([]);
      onCopied();
    } catch (err) {
      setOutcome({ ok: false, text: `Not copied: ${errorText(err)}`, skipped: [] });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="stack" style={{ gap: 'var(--s3)' }} aria-labelledby="copy-keys-title">
      <span className="section-title" id="copy-keys-title">
        Copy keys from another agent
      </span>
      {disabledReason ? (
        <span className="small warn-text">{disabledReason}</span>
      ) : (
        <>
          <CopyKeysPicker
            sources={sources}
            from={from}
            profileIds={profileIds}
            onChange={(f, ids) => {
              setFrom(f);
              setProfileIds(ids);
            }}
            hint={`Added to its own keys in the keychain at once; keys it already has are kept. Same as "switchboard auth copy --from <agent> --to ${agentId}".`}
          />
          <div className="row">
            <Button busy={busy} disabled={!from || profileIds.length === 0} onClick={() => void copy()}>
              Copy keys
            </Button>
          </div>
        </>
      )}
      {outcome && (
        <div className={`small ${outcome.ok ? '' : 'danger-text'}`} role={outcome.ok ? 'status' : 'alert'}>
          {outcome.text}
          {outcome.skipped.map((s) => (
            <div key={s} className="warn-text">
              Not copied — {s}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
