// Bindings: the ordered list that decides which agent answers which message, edited as a draft
// (checked at once by the shared config checker) next to a route tester that runs the real router
// on that draft. Saving sends the whole explicit list with the hash it was based on.
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { formatPath, type SwitchboardConfig } from '../../../src-shared/config/index.ts';
import { ControlError } from '../../../src-shared/protocol/errors.ts';
import { errorText } from '../../gateway/client.ts';
import { checkDraft, useConfig, type ConfigSnapshot } from '../../store/config.ts';
import { useGateway, type AgentSummary } from '../../store/gateway.ts';
import { useNav } from '../../store/nav.ts';
import { toast } from '../../store/toasts.ts';
import { Badge, Banner, Button, EmptyState, PageHeader } from '../../ui/controls.tsx';
import { humanizeIssue } from '../../ui/issue-words.ts';
import { IssueText } from '../../ui/IssueText.tsx';
import { BindingDialog } from './BindingDialog.tsx';
import { BindingList, ShorthandList, rowId } from './BindingList.tsx';
import { analyzeDraft, draftConfig, moveToGap, sameBindings, type DraftRow, type RawBinding } from './draft.ts';
import { newRowKey, snapshotRows, useBindingEditor } from './editor-store.ts';
import { accountsOf, agentChoices, bindingSummary } from './parts.tsx';
import { RouteTester, runRouteTest } from './RouteTester.tsx';
import './bindings.css';

type Editing = { index: number; initial: RawBinding | undefined; focusField?: string } | undefined;
type SaveProblem = { conflict: boolean; message: string } | undefined;

export function BindingsView() {
  const client = useGateway((s) => s.client);
  const open = useGateway((s) => s.connection.kind === 'open');
  const runningAgents = useGateway((s) => s.agents);
  const { snapshot, loading, error: loadError, load } = useConfig();

  useEffect(() => {
    if (client && open) void load();
  }, [client, open, load]);

  if (!snapshot) {
    return (
      <div className="page bnd-page">
        <Header />
        {loadError ? (
          <Banner
            tone="danger"
            title="Could not read the config:"
            action={
              <Button size="sm" onClick={() => void load()}>
                Retry
              </Button>
            }
          >
            {loadError}
          </Banner>
        ) : (
          <ListSkeleton busy={loading || !open} />
        )}
      </div>
    );
  }
  if (!snapshot.raw) {
    const syntax = snapshot.issues.filter((i) => i.severity === 'error');
    return (
      <div className="page bnd-page">
        <Header />
        <Banner tone="danger" title="The config file cannot be read, so its bindings cannot be edited here.">
          {syntax.map((i) => `${i.line !== undefined ? `line ${i.line}:${i.column ?? 1}: ` : ''}${i.message}`).join(' · ')} — fix it in{' '}
          <code>{snapshot.configPath}</code>; this page updates when the file changes.
        </Banner>
      </div>
    );
  }
  return <BindingEditor snapshot={snapshot} raw={snapshot.raw} runningAgents={runningAgents} />;
}

function Header({ actions }: { actions?: ReactNode }) {
  return (
    <PageHeader
      title="Bindings"
      subtitle="Which agent answers which message. The most specific tier wins; within a tier, the binding higher in the list."
      actions={actions}
    />
  );
}

function ListSkeleton({ busy }: { busy: boolean }) {
  return (
    <div className="bnd-layout" aria-busy={busy} aria-label="Loading bindings">
      <div className="card bnd-card">
        {[0, 1, 2].map((i) => (
          <div key={i} className="skeleton bnd-skeleton-row" />
        ))}
      </div>
      <div className="card skeleton" style={{ height: 420 }} />
    </div>
  );
}

interface EditorProps {
  snapshot: ConfigSnapshot;
  raw: Record<string, unknown>;
  runningAgents: AgentSummary[];
}

function BindingEditor({ snapshot, raw, runningAgents }: EditorProps) {
  const client = useGateway((s) => s.client);
  const load = useConfig((s) => s.load);
  const navigate = useNav((s) => s.navigate);
  const { draft, tester, edit, discard, rebase, setTester } = useBindingEditor();
  const [editing, setEditing] = useState<Editing>();
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<SaveProblem>();
  const [flashIndex, setFlashIndex] = useState<number | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const base = useMemo(() => ({ hash: snapshot.hash, rows: snapshotRows(snapshot) }), [snapshot]);
  const rows = draft?.rows ?? base.rows;
  // A "Fix" link (`#/bindings/edit/<index>/<field>`, ui/issue-words.ts) opens that binding's dialog
  // on that field; the route then goes back to the plain list so the same link works again.
  // Only a new link opens the dialog, not a draft edit: `rows` is read, not watched.
  const routeArgs = useNav((s) => s.route.args);
  useEffect(() => {
    if (routeArgs[0] !== 'edit') return;
    const index = Number(routeArgs[1]);
    const row = Number.isInteger(index) ? rows[index] : undefined;
    if (row) setEditing({ index, initial: row.binding, ...(routeArgs[2] ? { focusField: routeArgs[2] } : {}) });
    navigate('bindings');
  }, [routeArgs]);
  const dirty = draft !== undefined && !sameBindings(draft.rows, draft.baseRows);
  const stale = draft !== undefined && draft.baseHash !== snapshot.hash;
  const fileBroken = snapshot.issues.some((i) => i.severity === 'error');

  // Agents and accounts come from the file without its bindings: a broken binding must not hide them.
  const baseConfig = useMemo(() => checkDraft({ ...raw, bindings: [] }).config, [raw]);
  const agents = useMemo(() => agentChoices(baseConfig, runningAgents), [baseConfig, runningAgents]);
  const accountsFor = (channel: string) => accountsOf(baseConfig, raw, channel);

  const analysis = useMemo(() => analyzeDraft(raw, rows), [raw, rows]);
  // The tester keeps running on the last draft without errors while the current one has some.
  const lastValid = useRef<SwitchboardConfig | undefined>(undefined);
  if (analysis.config) lastValid.current = analysis.config;
  const testConfig = analysis.config ?? lastValid.current;
  const test = useMemo(() => runRouteTest(testConfig, tester), [testConfig, tester]);
  const usingLastValid = !analysis.config && testConfig !== undefined;
  const decidedIndex = test.kind === 'ok' && !usingLastValid ? test.explanation.decision.bindingIndex : null;

  const change = (fn: (rows: DraftRow[]) => DraftRow[]) => {
    setProblem(undefined);
    edit(base, fn);
  };

  const reveal = (index: number) => {
    const el = document.getElementById(rowId(index));
    el?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
    el?.focus({ preventScroll: true });
    setFlashIndex(index);
    window.setTimeout(() => setFlashIndex((f) => (f === index ? null : f)), 1600);
  };

  const onMove = (from: number, gap: number) => {
    const next = moveToGap(rows, from, gap);
    const to = next.indexOf(rows[from]!);
    if (to === from) return;
    change(() => next);
    setAnnouncement(`Binding moved from position ${from} to ${to} of ${rows.length}.`);
  };

  const onRemove = (index: number) => {
    const removed = rows[index];
    if (!removed) return;
    change((r) => r.filter((_, i) => i !== index));
    setAnnouncement(`Removed binding ${index}: ${bindingSummary(removed.binding, agents)}. Discard changes to undo.`);
  };

  const onSubmit = (binding: RawBinding) => {
    if (!editing) return;
    const { index, initial } = editing;
    change((r) => (initial ? r.map((row, i) => (i === index ? { ...row, binding } : row)) : [...r, { key: newRowKey(), binding }]));
    setEditing(undefined);
    setAnnouncement(initial ? `Binding ${index} updated.` : `Binding ${index} added.`);
  };

  const save = async () => {
    if (!client || !draft) return;
    setSaving(true);
    setProblem(undefined);
    try {
      if (fileBroken) {
        // bindings.set only edits a valid file; a file whose bindings are broken is replaced whole
        // (config.apply keeps the other parts, their comments and the redacted secrets as they are).
        await client.request('config.apply', { baseHash: draft.baseHash, config: draftConfig(raw, draft.rows) });
      } else {
        await client.request('bindings.set', { baseHash: draft.baseHash, bindings: draft.rows.map((r) => r.binding) });
      }
      await load();
      discard();
      toast('ok', 'Bindings saved. The gateway routes with them now.');
    } catch (err) {
      const conflict = err instanceof ControlError && err.code === 'conflict';
      setProblem({ conflict, message: errorText(err) });
      if (conflict) await load();
    } finally {
      setSaving(false);
    }
  };

  const reloadTheirs = () => {
    discard();
    setProblem(undefined);
    void load();
  };

  const keepMine = () => {
    rebase(base);
    setProblem(undefined);
  };

  const blocked = analysis.errorCount > 0;
  const theirsChangedBindings = draft !== undefined && stale && !sameBindings(draft.baseRows, base.rows);
  const defaultAgent = agents.find((a) => a.default);
  const hasAny = rows.length > 0 || analysis.shorthands.length > 0;

  return (
    <div className="page bnd-page">
      <Header
        actions={
          <Button variant={dirty ? 'secondary' : 'primary'} onClick={() => setEditing({ index: rows.length, initial: undefined })}>
            Add binding
          </Button>
        }
      />
      <p className="sr-only" aria-live="polite">
        {announcement}
      </p>

      {stale && (
        <Banner
          tone="warn"
          title="The config changed elsewhere since you started editing."
          action={
            <div className="row">
              <Button size="sm" onClick={reloadTheirs}>
                Reload theirs, discard mine
              </Button>
              <Button size="sm" onClick={keepMine}>
                Keep my bindings
              </Button>
            </div>
          }
        >
          {theirsChangedBindings
            ? 'Their change touched the bindings too: keeping yours replaces theirs.'
            : 'Their change did not touch the bindings; keeping yours is safe.'}
        </Banner>
      )}
      {problem && !problem.conflict && (
        <Banner tone="danger" title="Could not save the bindings:">
          {problem.message}
        </Banner>
      )}
      {problem?.conflict && !stale && (
        <Banner
          tone="warn"
          title="Someone else changed the config."
          action={
            <Button size="sm" onClick={reloadTheirs}>
              Reload
            </Button>
          }
        >
          {problem.message}
        </Banner>
      )}
      {analysis.otherErrors.length > 0 && (
        <Banner tone="danger" title="The config has errors outside the bindings; the gateway refuses changes until they are fixed:">
          {analysis.otherErrors.slice(0, 3).map((i, n) => (
            <span key={`${formatPath(i.path)}:${i.code}`}>
              {n > 0 ? ' · ' : ''}
              <IssueText issue={humanizeIssue(i, raw)} />
            </span>
          ))}
          {analysis.otherErrors.length > 3 ? ` (+${analysis.otherErrors.length - 3} more)` : ''}
        </Banner>
      )}
      {!dirty && blocked && analysis.otherErrors.length === 0 && (
        <Banner tone="warn" title="switchboard.json has errors in its bindings.">
          The gateway keeps routing with the last valid config until they are fixed. Fix the bindings marked below, then save.
        </Banner>
      )}
      {dirty && blocked && analysis.otherErrors.length === 0 && (
        <Banner tone="danger" title={`${analysis.errorCount} error${analysis.errorCount === 1 ? '' : 's'} in the draft.`}>
          Fix the bindings marked below before saving.
        </Banner>
      )}

      <div className="bnd-layout">
        <section className="card bnd-card" aria-labelledby="bindings-list-title">
          <div className="card-header">
            <h2 id="bindings-list-title">Routing order</h2>
            <span className="small muted grow">
              {rows.length} binding{rows.length === 1 ? '' : 's'}
              {analysis.shorthands.length > 0 ? ` + ${analysis.shorthands.length} from channels` : ''}
            </span>
            {dirty && (
              <div className="row bnd-save-bar">
                <Badge tone="warn">Unsaved changes</Badge>
                <Button
                  size="sm"
                  onClick={() => {
                    discard();
                    setProblem(undefined);
                    setAnnouncement('Changes discarded.');
                  }}
                  disabled={saving}
                >
                  Discard
                </Button>
                <Button
                  size="sm"
                  variant="primary"
                  busy={saving}
                  disabled={blocked || stale}
                  onClick={() => void save()}
                  title={blocked ? 'Fix the errors first' : stale ? 'The config changed elsewhere: choose what to keep first' : undefined}
                >
                  Save changes
                </Button>
              </div>
            )}
          </div>
          {!hasAny ? (
            <EmptyState
              icon="⇄"
              title="No bindings yet"
              action={
                <Button variant="primary" onClick={() => setEditing({ index: 0, initial: undefined })}>
                  Add binding
                </Button>
              }
            >
              Every message goes to the default agent
              {defaultAgent ? (
                <>
                  , <strong>{defaultAgent.name ?? defaultAgent.id}</strong>
                </>
              ) : (
                ''
              )}
              . Add a binding to send a channel, an account, a group or a person to another agent.
            </EmptyState>
          ) : (
            <>
              <p className="bnd-list-help small muted">
                Drag rows, or focus one and press Alt+↑/↓, to change the order. Numbers are the indices the CLI and error messages use.
              </p>
              {rows.length > 0 ? (
                <BindingList
                  rows={rows}
                  analysis={analysis}
                  agents={agents}
                  decidedIndex={decidedIndex}
                  flashIndex={flashIndex}
                  onMove={onMove}
                  onEdit={(i) => setEditing({ index: i, initial: rows[i]!.binding })}
                  onRemove={onRemove}
                  onReveal={reveal}
                />
              ) : (
                <p className="bnd-no-explicit small muted">
                  No bindings of your own yet: only the channel-wide ones below. Add one to route a group, a person or an account first.
                </p>
              )}
              {analysis.shorthands.length > 0 && (
                <>
                  <h3 className="section-title bnd-shorthand-title">From channel settings</h3>
                  <ShorthandList
                    shorthands={analysis.shorthands}
                    shadowed={analysis.shadowedBy}
                    agents={agents}
                    decidedIndex={decidedIndex}
                    flashIndex={flashIndex}
                    onReveal={reveal}
                  />
                </>
              )}
              <p className="bnd-default-row small muted">
                Nothing matched? → the default agent{' '}
                {defaultAgent ? <strong>{defaultAgent.name ?? defaultAgent.id}</strong> : <code>main</code>}
                {agents.length > 1 && (
                  <>
                    {' '}
                    ·{' '}
                    <button type="button" className="bnd-link-button" onClick={() => navigate('agents')}>
                      change it in Agents
                    </button>
                  </>
                )}
              </p>
            </>
          )}
        </section>
        <div className="bnd-tester-column">
          <RouteTester
            input={tester}
            onInput={setTester}
            test={test}
            usingLastValid={usingLastValid}
            agents={agents}
            accountsFor={accountsFor}
            onReveal={reveal}
          />
        </div>
      </div>

      {editing && (
        <BindingDialog
          initial={editing.initial}
          index={editing.index}
          rows={rows}
          raw={raw}
          agents={agents}
          accountsFor={accountsFor}
          onSubmit={onSubmit}
          onClose={() => setEditing(undefined)}
          {...(editing.focusField ? { focusField: editing.focusField } : {})}
        />
      )}
    </div>
  );
}
