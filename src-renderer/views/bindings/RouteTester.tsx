// The route tester: a hypothetical inbound message, routed by the real router (src-shared/routing)
// compiled from the draft, so every keystroke here and every edit in the list shows at once which
// agent would answer, in which session, and which binding decided.
import { useId } from 'react';
import { CHANNELS, TIER_NAMES, type Binding, type SwitchboardConfig } from '../../../src-shared/config/index.ts';
import { RouteInputError, compileRouter, type RouteExplanation, type Router } from '../../../src-shared/routing/index.ts';
import { Badge, Banner, Field } from '../../ui/controls.tsx';
import { channelName } from '../../ui/format.ts';
import { inboundOf, type PeerKindChoice, type TesterInput } from './draft.ts';
import { AgentLabel, TierBadge, type AgentChoice } from './parts.tsx';
import { explainRoute } from './route-words.ts';

export type RouteTest =
  | { kind: 'ok'; explanation: RouteExplanation; defaultAgentId: string; winner: Binding | undefined }
  | { kind: 'input-error'; message: string; field: string }
  | { kind: 'no-config' };

const routers = new WeakMap<SwitchboardConfig, Router>();

/** Routes the tester's message with the router compiled from `config` (compiled once per config). */
export function runRouteTest(config: SwitchboardConfig | undefined, input: TesterInput): RouteTest {
  if (!config) return { kind: 'no-config' };
  let router = routers.get(config);
  if (!router) routers.set(config, (router = compileRouter(config)));
  try {
    const explanation = router.explain(inboundOf(input));
    const winner = config.bindings.find((b) => b.index === explanation.decision.bindingIndex);
    return { kind: 'ok', explanation, defaultAgentId: router.defaultAgentId, winner };
  } catch (err) {
    if (err instanceof RouteInputError) return { kind: 'input-error', message: err.message, field: err.field };
    throw err;
  }
}

const PEER_KINDS: { value: PeerKindChoice; label: string }[] = [
  { value: '', label: 'No peer' },
  { value: 'direct', label: 'Direct chat' },
  { value: 'group', label: 'Group' },
  { value: 'channel', label: 'Channel' },
];

export interface RouteTesterProps {
  input: TesterInput;
  onInput(patch: Partial<TesterInput>): void;
  test: RouteTest;
  /** The draft has errors: the result comes from the last valid draft. */
  usingLastValid: boolean;
  agents: AgentChoice[];
  accountsFor(channel: string): string[];
  onReveal(index: number): void;
}

export function RouteTester({ input, onInput, test, usingLastValid, agents, accountsFor, onReveal }: RouteTesterProps) {
  const listId = useId();
  const fieldError = (field: string) => (test.kind === 'input-error' && test.field.startsWith(field) ? test.message : undefined);
  return (
    <section className="card bnd-tester" aria-labelledby="tester-title">
      <div className="card-header">
        <h2 id="tester-title" className="grow">
          Route tester
        </h2>
        <Badge tone={usingLastValid ? 'warn' : 'info'}>{usingLastValid ? 'Last valid draft' : 'Live on draft'}</Badge>
      </div>
      <div className="card-pad stack bnd-tester-body">
        <p className="small muted">Describe a message as it would arrive. The real router runs on your draft, unsaved changes included.</p>
        <div className="bnd-tester-grid">
          <Field label="Channel" error={fieldError('channel')}>
            {(id) => (
              <select id={id} className="select" value={input.channel} onChange={(e) => onInput({ channel: e.target.value })}>
                {CHANNELS.map((c) => (
                  <option key={c} value={c}>
                    {channelName(c)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Account" error={fieldError('accountId')}>
            {(id) => (
              <>
                <input
                  id={id}
                  className="input mono"
                  list={listId}
                  placeholder="default"
                  value={input.accountId}
                  onChange={(e) => onInput({ accountId: e.target.value })}
                  autoComplete="off"
                  spellCheck={false}
                />
                <datalist id={listId}>
                  {accountsFor(input.channel).map((a) => (
                    <option key={a} value={a} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field label="Peer kind" error={fieldError('peer.kind')}>
            {(id) => (
              <select
                id={id}
                className="select"
                value={input.peerKind}
                onChange={(e) => onInput({ peerKind: e.target.value as PeerKindChoice })}
              >
                {PEER_KINDS.map((k) => (
                  <option key={k.value} value={k.value}>
                    {k.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Peer id" error={fieldError('peer.id')}>
            {(id) => (
              <input
                id={id}
                className="input mono"
                value={input.peerId}
                disabled={!input.peerKind}
                placeholder={input.peerKind ? 'chat or sender id' : ''}
                onChange={(e) => onInput({ peerId: e.target.value })}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
          <Field label="Guild id" error={fieldError('guildId')}>
            {(id) => (
              <input
                id={id}
                className="input mono"
                value={input.guildId}
                onChange={(e) => onInput({ guildId: e.target.value })}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
          <Field label="Member roles" error={fieldError('memberRoleIds')}>
            {(id) => (
              <input
                id={id}
                className="input mono"
                value={input.roles}
                placeholder="comma-separated"
                onChange={(e) => onInput({ roles: e.target.value })}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
        </div>
        <details className="bnd-tester-more" open={!!(input.parentKind || input.teamId) || undefined}>
          <summary>Thread, topic or team</summary>
          <div className="bnd-tester-grid">
            <Field label="Parent peer kind" hint="A thread's parent channel, a topic's group.">
              {(id, describedBy) => (
                <select
                  id={id}
                  className="select"
                  value={input.parentKind}
                  aria-describedby={describedBy}
                  onChange={(e) => onInput({ parentKind: e.target.value as PeerKindChoice })}
                >
                  {PEER_KINDS.map((k) => (
                    <option key={k.value} value={k.value}>
                      {k.value === '' ? 'No parent' : k.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Parent peer id" error={fieldError('parentPeer')}>
              {(id) => (
                <input
                  id={id}
                  className="input mono"
                  value={input.parentId}
                  disabled={!input.parentKind}
                  onChange={(e) => onInput({ parentId: e.target.value })}
                  autoComplete="off"
                  spellCheck={false}
                />
              )}
            </Field>
            <Field label="Team id" error={fieldError('teamId')}>
              {(id) => (
                <input
                  id={id}
                  className="input mono"
                  value={input.teamId}
                  onChange={(e) => onInput({ teamId: e.target.value })}
                  autoComplete="off"
                  spellCheck={false}
                />
              )}
            </Field>
          </div>
        </details>
        <hr className="divider" />
        <Decision test={test} usingLastValid={usingLastValid} agents={agents} onReveal={onReveal} />
      </div>
    </section>
  );
}

function Decision({
  test,
  usingLastValid,
  agents,
  onReveal,
}: {
  test: RouteTest;
  usingLastValid: boolean;
  agents: AgentChoice[];
  onReveal(index: number): void;
}) {
  if (test.kind === 'no-config') {
    return (
      <div className="bnd-decision" role="region" aria-label="Route decision">
        <Banner tone="warn" title="Nothing to test yet.">
          The draft has errors and there is no earlier valid version of it. Fix the errors marked in the list.
        </Banner>
      </div>
    );
  }
  if (test.kind === 'input-error') {
    return (
      <div className="bnd-decision" role="region" aria-label="Route decision">
        <Banner tone="warn" title="This message cannot be routed:">
          {test.message}
        </Banner>
      </div>
    );
  }
  const { decision, tier, candidates } = test.explanation;
  const isDefault = decision.bindingIndex === null;
  return (
    <div className="bnd-decision" role="region" aria-label="Route decision" aria-live="polite">
      {usingLastValid && (
        <p className="small bnd-warn-text">The draft has errors; this is what the last valid version of your draft decides.</p>
      )}
      <div className="bnd-decision-agent">
        <span className="small muted">Answered by</span>
        <AgentLabel agentId={decision.agentId} agents={agents} />
        {isDefault && <Badge tone="neutral">default agent</Badge>}
      </div>
      <p className="bnd-because" data-testid="route-explanation">
        {explainRoute(test.explanation, test.winner, agentName(decision.agentId, agents))}
      </p>
      <dl className="bnd-decision-facts">
        <div>
          <dt>Decided by</dt>
          <dd data-testid="decided-by">
            {isDefault ? (
              <span className="bnd-fallback">
                No binding matched → default agent <code>{decision.agentId}</code>
              </span>
            ) : (
              <button
                type="button"
                className="bnd-link-button"
                onClick={() => onReveal(decision.bindingIndex!)}
                aria-label={`Show binding ${decision.bindingIndex}, which decided`}
              >
                Binding {decision.bindingIndex}
              </button>
            )}
          </dd>
        </div>
        <div>
          <dt>Tier</dt>
          <dd className="row wrap">
            <TierBadge tier={tier} />
            <code className="small">{decision.matchedBy}</code>
          </dd>
        </div>
        <div>
          <dt>Session key</dt>
          <dd>
            <code className="bnd-key" data-testid="session-key">
              {decision.sessionKey}
            </code>
          </dd>
        </div>
        <div>
          <dt>Main session</dt>
          <dd>
            <code className="bnd-key">{decision.mainSessionKey}</code>
          </dd>
        </div>
      </dl>
      {candidates.length > 0 && (
        <details className="bnd-candidates">
          <summary>
            Why not the others? ({candidates.length} binding{candidates.length === 1 ? '' : 's'} on {channelName(decision.channel)})
          </summary>
          <ol className="bnd-candidate-list">
            {candidates.map((c) => {
              const winner = c.bindingIndex === decision.bindingIndex;
              return (
                <li key={c.bindingIndex} className={winner ? 'bnd-winner' : c.evaluation.matched ? 'bnd-matched' : ''}>
                  <span className="bnd-index">{c.bindingIndex}</span>
                  <span className="grow">
                    <strong>{c.agentId}</strong>{' '}
                    <span className="muted small">
                      · tier {c.tier} {TIER_NAMES[c.tier]}
                      {c.source === 'shorthand' ? ' · shorthand' : ''}
                    </span>
                    <br />
                    <span className="small">
                      {winner
                        ? '✓ decides'
                        : !c.evaluation.matched
                          ? `✕ ${c.evaluation.reason}`
                          : c.evaluation.tier > tier
                            ? `matches at tier ${c.evaluation.tier}, but binding ${decision.bindingIndex} matches at a more specific tier (${tier})`
                            : `matches too, but binding ${decision.bindingIndex} comes earlier in the list`}
                    </span>
                  </span>
                </li>
              );
            })}
          </ol>
        </details>
      )}
    </div>
  );
}

function agentName(agentId: string, agents: readonly AgentChoice[]): string {
  const agent = agents.find((a) => a.id === agentId);
  return agent?.name || agentId;
}
