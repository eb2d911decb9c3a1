// Each agent's Anthropic API keys (auth profiles, `auth.list`): label, scope, when added and last
// used, the last error, whether the keychain still holds the key. Add (ui/ApiKeyDialog), Test
// (`auth.test`: a real one-token call) and Remove (`auth.remove`, after a confirmation). The keys
// themselves never reach the dashboard.
import { useCallback, useEffect, useState } from 'react';
import { errorText, type Result } from '../../gateway/client.ts';
import { useGateway } from '../../store/gateway.ts';
import { toast } from '../../store/toasts.ts';
import { ApiKeyDialog } from '../../ui/ApiKeyDialog.tsx';
import { Badge, Banner, Button, Dialog } from '../../ui/controls.tsx';
import { relativeTime } from '../../ui/format.ts';

type AuthList = Result<'auth.list'>;
type AgentKeys = AuthList['agents'][number];
type Profile = AgentKeys['profiles'][number];
type TestResult = Result<'auth.test'>['results'][number];

/** How auth.test names a profile (shared-pool profiles carry a prefix). */
const handleOf = (p: Profile) => (p.scope === 'shared' ? `shared:${p.profileId}` : p.profileId);

export function ApiKeys() {
  const client = useGateway((s) => s.client);
  const agentsVersion = useGateway((s) => s.agents.map((a) => a.id).join(','));
  const [list, setList] = useState<AuthList>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [adding, setAdding] = useState<string>();

  const load = useCallback(async () => {
    if (!client) return;
    setLoading(true);
    try {
      setList(await client.request('auth.list'));
      setError(undefined);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  }, [client]);

  useEffect(() => {
    void load();
  }, [load, agentsVersion]);

  return (
    <section className="card" aria-labelledby="keys-title">
      <div className="card-header">
        <h2 id="keys-title" className="settings-title grow">
          API keys
        </h2>
        <Button size="sm" variant="ghost" busy={loading && list !== undefined} onClick={() => void load()} aria-label="Reload the API keys">
          Reload
        </Button>
      </div>
      <div className="settings-rows">
        <p className="small muted">
          Agents answer through the Anthropic API. Each agent has its own keys, tried in order; the next one takes over when a key is
          rejected. Keys are stored in the keychain and never shown again.
        </p>
        {error && (
          <Banner
            tone="danger"
            title="Could not list the API keys:"
            action={
              <Button size="sm" onClick={() => void load()}>
                Try again
              </Button>
            }
          >
            {error}
          </Banner>
        )}
        {!list && loading ? (
          <div className="stack" aria-busy="true" aria-label="Loading API keys">
            {[0, 1].map((i) => (
              <div key={i} className="skeleton" style={{ height: 56 }} />
            ))}
          </div>
        ) : list && list.agents.length === 0 ? (
          <p className="muted">No agents yet: create one on the Agents page, then add its key here.</p>
        ) : (
          list &&
          list.agents.map((a) => (
            <AgentKeysBlock
              key={a.agentId}
              agent={a}
              keychainOk={list.keychain.available}
              onAdd={() => setAdding(a.agentId)}
              onChanged={() => void load()}
            />
          ))
        )}
      </div>
      {adding && (
        <ApiKeyDialog agentIds={[adding]} initialAgent={adding} onClose={() => setAdding(undefined)} onAdded={() => void load()} />
      )}
    </section>
  );
}

function AgentKeysBlock({
  agent,
  keychainOk,
  onAdd,
  onChanged,
}: {
  agent: AgentKeys;
  keychainOk: boolean;
  onAdd: () => void;
  onChanged: () => void;
}) {
  const client = useGateway((s) => s.client);
  const summary = useGateway((s) => s.agents.find((x) => x.id === agent.agentId));
  const [testing, setTesting] = useState<string | 'all'>();
  const [results, setResults] = useState<Record<string, TestResult>>({});
  const [testError, setTestError] = useState<string>();
  const [removing, setRemoving] = useState<Profile>();
  const name = summary?.name ?? agent.agentId;

  const test = async (profile?: Profile) => {
    if (!client) return;
    setTesting(profile ? handleOf(profile) : 'all');
    setTestError(undefined);
    try {
      const r = await client.request('auth.test', { agentId: agent.agentId, ...(profile ? { profileId: handleOf(profile) } : {}) });
      setResults((prev) => ({ ...prev, ...Object.fromEntries(r.results.map((x) => [x.profileId, x])) }));
      const failed = r.results.filter((x) => !x.ok).length;
      toast(
        failed ? 'danger' : 'ok',
        failed
          ? `${failed} of ${r.results.length} key${r.results.length === 1 ? '' : 's'} of ${name} failed the test`
          : `${name}: ${r.results.length === 1 ? 'the key works' : 'every key works'}`,
      );
      // A passing test clears a key's error mark; show the fresh metadata.
      onChanged();
    } catch (err) {
      setTestError(errorText(err));
    } finally {
      setTesting(undefined);
    }
  };

  const envResult = results['ANTHROPIC_API_KEY'] ?? results['(none)'];
  return (
    <div className="agent-keys" role="group" aria-label={`API keys of ${name}`}>
      <div className="agent-keys-head">
        <span className="avatar sm" aria-hidden="true">
          {summary?.emoji ?? name.slice(0, 1).toUpperCase()}
        </span>
        <div className="grow">
          <h3>{name}</h3>
          {(summary?.name || agent.scope === 'shared') && (
            <span className="small muted">
              {summary?.name && <code>{agent.agentId}</code>}
              {summary?.name && agent.scope === 'shared' ? ' · ' : ''}
              {agent.scope === 'shared' ? 'also uses the shared key pool' : ''}
            </span>
          )}
        </div>
        <Button
          size="sm"
          busy={testing === 'all'}
          disabled={testing !== undefined}
          aria-label={`Test the keys of ${name}`}
          onClick={() => void test()}
        >
          Test
        </Button>
        <Button
          size="sm"
          variant="primary"
          disabled={!keychainOk}
          title={keychainOk ? undefined : 'The keychain is not available'}
          aria-label={`Add an API key for ${name}`}
          onClick={onAdd}
        >
          Add key
        </Button>
      </div>
      {testError && (
        <p className="small key-problem" role="alert">
          Could not test: {testError}
        </p>
      )}
      {agent.profiles.length === 0 ? (
        <div className="no-keys small">
          <p>
            No key of its own. Turns use <code>ANTHROPIC_API_KEY</code> from the gateway's environment when it is set; <strong>Test</strong>{' '}
            tells you whether it is.
          </p>
          {envResult && <TestLine result={envResult} />}
        </div>
      ) : (
        <table className="table keys-table">
          <caption className="sr-only">API keys of {name}</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Scope</th>
              <th scope="col">Added</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {agent.profiles.map((p) => (
              <tr key={handleOf(p)}>
                <td>
                  <div className="key-name">
                    <strong>{p.label ?? p.profileId}</strong>
                    {p.label && <span className="small muted mono">{p.profileId}</span>}
                  </div>
                </td>
                <td>{p.scope === 'shared' ? <Badge tone="info">shared pool</Badge> : <Badge>this agent</Badge>}</td>
                <td className="small" title={new Date(p.createdAt).toLocaleString()}>
                  {relativeTime(p.createdAt)}
                </td>
                <td className="small">
                  {p.lastUsedAt ? (
                    <span title={new Date(p.lastUsedAt).toLocaleString()}>{relativeTime(p.lastUsedAt)}</span>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td className="small key-status">
                  <KeyStatus profile={p} result={results[handleOf(p)]} />
                </td>
                <td className="actions-cell">
                  <div className="row">
                    <Button
                      size="sm"
                      busy={testing === handleOf(p)}
                      disabled={testing !== undefined}
                      aria-label={`Test key ${p.label ?? p.profileId} of ${name}`}
                      onClick={() => void test(p)}
                    >
                      Test
                    </Button>
                    <Button
                      size="sm"
                      variant="danger"
                      aria-label={`Remove key ${p.label ?? p.profileId} of ${name}`}
                      onClick={() => setRemoving(p)}
                    >
                      Remove
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {removing && (
        <RemoveKeyDialog agent={agent} agentName={name} profile={removing} onClose={() => setRemoving(undefined)} onRemoved={onChanged} />
      )}
    </div>
  );
}

function KeyStatus({ profile: p, result }: { profile: Profile; result: TestResult | undefined }) {
  if (result) return <TestLine result={result} />;
  if (p.keyStored === false) return <span className="key-problem">Missing from the keychain — remove it and add the key again.</span>;
  if (p.lastError)
    return (
      <span className="key-problem" title={new Date(p.lastError.at).toLocaleString()}>
        {p.lastError.message} <span className="muted">({relativeTime(p.lastError.at)})</span>
      </span>
    );
  if (p.keyStored === null) return <span className="muted">Unknown — the keychain cannot be asked</span>;
  return <span className="key-ok">Stored</span>;
}

function TestLine({ result }: { result: TestResult }) {
  return (
    <span className={result.ok ? 'key-ok' : 'key-problem'} role="status">
      <span aria-hidden="true">{result.ok ? '✓ ' : '✕ '}</span>
      {result.ok ? 'Works' : 'Failed'}: {result.message}
      {!result.ok && result.status !== undefined ? ` (HTTP ${result.status})` : ''}
    </span>
  );
}

function RemoveKeyDialog({
  agent,
  agentName,
  profile,
  onClose,
  onRemoved,
}: {
  agent: AgentKeys;
  agentName: string;
  profile: Profile;
  onClose: () => void;
  onRemoved: () => void;
}) {
  const client = useGateway((s) => s.client);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const label = profile.label ?? profile.profileId;
  const others = agent.profiles.filter((p) => handleOf(p) !== handleOf(profile)).length;
  const remove = async () => {
    if (!client) return;
    setBusy(true);
    setError(undefined);
    try {
      await client.request('auth.remove', {
        agentId: agent.agentId,
        profileId: profile.profileId,
        ...(profile.scope === 'shared' ? { shared: true } : {}),
      });
      toast('ok', `Removed key “${label}” of ${agentName} from the keychain`);
      onRemoved();
      onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Remove this API key?"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger-solid" busy={busy} onClick={() => void remove()}>
            Remove key
          </Button>
        </>
      }
    >
      <p>
        The key <strong>{label}</strong> of <strong>{agentName}</strong> is deleted from the keychain. This cannot be undone; to use it
        again, add it again.
      </p>
      {profile.scope === 'shared' && <Banner tone="warn">It is in the shared pool: every agent that uses the pool loses it.</Banner>}
      <p className="muted">
        {others > 0
          ? `${agentName} keeps ${others} other key${others === 1 ? '' : 's'}.`
          : `${agentName} then has no key of its own and uses ANTHROPIC_API_KEY from the gateway's environment, if it is set.`}
      </p>
      {error && (
        <Banner tone="danger" title="Could not remove the key:">
          {error}
        </Banner>
      )}
    </Dialog>
  );
}
