// Deleting an agent: lists every binding that routes to it (they must go with it, and the user has
// to say so), says which data stays, and deletes that data only when explicitly asked. Based on the
// config hash read when the dialog opened; a change made meanwhile is shown, never overwritten.
import { useCallback, useEffect, useRef, useState } from 'react';
import { bindingTier, TIER_NAMES, type Binding } from '../../../src-shared/config/index.ts';
import { isControlError } from '../../../src-shared/protocol/errors.ts';
import { errorText } from '../../gateway/client.ts';
import { checkDraft, useConfig } from '../../store/config.ts';
import { useGateway, type AgentSummary } from '../../store/gateway.ts';
import { toast } from '../../store/toasts.ts';
import { Badge, Banner, Button, Dialog, Spinner } from '../../ui/controls.tsx';
import { channelName } from '../../ui/format.ts';
import { bindingSummary } from './model/bindings.ts';
import { joinPath } from './model/draft.ts';

interface Loaded {
  hash: string;
  bindings: Binding[];
  broadcast: string[];
  isDefault: boolean;
  implicit: boolean;
}

function where(b: Binding): string {
  return b.source === 'shorthand' ? `channels.${b.match.channel}.agent` : `bindings[${b.index}]`;
}

export function DeleteAgentDialog({ agent, onClose, onDeleted }: { agent: AgentSummary; onClose: () => void; onDeleted?: () => void }) {
  const client = useGateway((s) => s.client);
  const stateDir = useGateway((s) => s.status?.stateDir);
  const [loaded, setLoaded] = useState<Loaded>();
  const loadedRef = useRef<Loaded | undefined>(undefined);
  const [loadError, setLoadError] = useState<string>();
  const [dropBindings, setDropBindings] = useState(false);
  const [purge, setPurge] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [stale, setStale] = useState(false);
  const name = agent.name ?? agent.id;

  const load = useCallback(async () => {
    setLoadError(undefined);
    const snapshot = await useConfig.getState().load();
    if (!snapshot) {
      setLoadError(useConfig.getState().error ?? 'the gateway did not answer');
      return;
    }
    const config = checkDraft(snapshot.raw ?? {}, snapshot).config;
    const bindings = config?.bindings.filter((b) => b.agentId === agent.id) ?? [];
    const next: Loaded = {
      hash: snapshot.hash,
      bindings,
      broadcast: Object.entries(config?.broadcast?.groups ?? {})
        .filter(([, ids]) => ids.includes(agent.id))
        .map(([peer]) => peer),
      isDefault: agent.default,
      implicit: config?.agents.list.find((a) => a.id === agent.id)?.implicit === true,
    };
    // A different set of bindings needs a new "yes, remove them".
    if (loadedRef.current && JSON.stringify(loadedRef.current.bindings) !== JSON.stringify(bindings)) setDropBindings(false);
    loadedRef.current = next;
    setLoaded(next);
    setStale(false);
  }, [agent.id, agent.default]);

  useEffect(() => {
    void load();
  }, [load]);

  const refs = loaded ? loaded.bindings.length + loaded.broadcast.length : agent.bindings.length;
  const canDelete = loaded !== undefined && !loaded.implicit && (refs === 0 || dropBindings) && !busy;

  const remove = async () => {
    if (!client || !loaded) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await client.request('agents.delete', {
        agentId: agent.id,
        baseHash: loaded.hash,
        ...(dropBindings ? { dropBindings: true } : {}),
        ...(purge ? { purge: true } : {}),
      });
      const n = result.removedBindings.length;
      toast(
        'ok',
        `Deleted ${name}${n > 0 ? ` and ${n} binding${n === 1 ? '' : 's'}` : ''}${result.purged ? ', with its data' : '; its data is kept'}`,
      );
      for (const w of result.warnings) toast('danger', w);
      void useGateway.getState().refreshAgents();
      onDeleted?.();
      onClose();
    } catch (err) {
      if (isControlError(err) && err.code === 'conflict' && /changed since/.test(err.message)) setStale(true);
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const agentData = stateDir ? joinPath(stateDir, 'agents', agent.id) : `agents/${agent.id}`;
  return (
    <Dialog
      title={`Delete ${name}?`}
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger-solid" busy={busy} disabled={!canDelete} onClick={() => void remove()}>
            {purge ? 'Delete agent and its data' : 'Delete agent'}
          </Button>
        </>
      }
    >
      {loadError && (
        <Banner
          tone="danger"
          title="Could not read the config:"
          action={
            <Button size="sm" onClick={() => void load()}>
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
          title="The config changed since you opened this — reload."
          action={
            <Button size="sm" onClick={() => void load()}>
              Reload
            </Button>
          }
        >
          Nothing was deleted. Reload to see the current bindings, then delete again.
        </Banner>
      )}
      {error && (
        <Banner tone="danger" title="Not deleted:">
          {error}
        </Banner>
      )}
      {!loaded && !loadError && (
        <div className="row">
          <Spinner label="Reading the config" />
          <span className="muted">Reading the config…</span>
        </div>
      )}
      {loaded?.implicit && (
        <Banner tone="info" title="This is the built-in agent.">
          It is used while the config lists no agents, so it cannot be deleted. Add another agent first.
        </Banner>
      )}
      {loaded && !loaded.implicit && (
        <>
          {refs > 0 ? (
            <div className="stack" style={{ gap: 8 }}>
              <Banner tone="warn" title={`${refs} ${refs === 1 ? 'binding routes' : 'bindings route'} messages to ${name}.`}>
                They would name an agent that no longer exists, so they have to go with it. To keep those chats answered, point them at
                another agent in Bindings first.
              </Banner>
              <ul className="binding-list" aria-label="Bindings to this agent">
                {loaded.bindings.map((b) => (
                  <li key={`${b.source}:${b.index}`}>
                    <code className="small">{where(b)}</code>
                    <strong>{channelName(b.match.channel)}</strong>
                    <span className="grow small">{bindingSummary(b.match)}</span>
                    <Badge tone="accent">
                      Tier {bindingTier(b)} · {TIER_NAMES[bindingTier(b)]}
                    </Badge>
                  </li>
                ))}
                {loaded.broadcast.map((peer) => (
                  <li key={`broadcast:${peer}`}>
                    <code className="small">broadcast[&quot;{peer}&quot;]</code>
                    <span className="grow small">broadcast group {peer}</span>
                  </li>
                ))}
              </ul>
              <label className="checkbox">
                <input type="checkbox" checked={dropBindings} onChange={(e) => setDropBindings(e.target.checked)} />
                Remove {refs === 1 ? 'this binding' : `these ${refs} bindings`} too
              </label>
            </div>
          ) : (
            <p>No binding routes messages to {name}.</p>
          )}
          {loaded.isDefault && (
            <p className="small warn-text">
              {name} is the default agent: messages no binding claims will go to the next agent in the list.
            </p>
          )}
          <div className="stack" style={{ gap: 6 }}>
            <p className="small">
              Its data is kept unless you ask: the workspace <code>{agent.workspace}</code> and its conversations and memory in{' '}
              <code>{agentData}</code>. Adding an agent with the same id later picks them up again.
            </p>
            <label className="checkbox">
              <input type="checkbox" checked={purge} onChange={(e) => setPurge(e.target.checked)} />
              Also delete its data (sessions, workspace, keychain entries)
            </label>
            {purge && (
              <p className="small danger-text" role="alert">
                This permanently deletes <code>{agent.workspace}</code>, <code>{agentData}</code> and its API keys in the keychain. It
                cannot be undone.
              </p>
            )}
          </div>
        </>
      )}
    </Dialog>
  );
}
