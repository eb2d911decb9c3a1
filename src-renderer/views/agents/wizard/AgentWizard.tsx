// The agent wizard (`#/agents/new`, and `#/agents/<id>` to edit): seven steps with a stepper,
// Back/Next, Enter for Next, Escape to cancel. Each Next checks the would-be config with the shared
// checker (and the gateway for on-disk rules) and shows the exact error under the field it is about;
// saving is based on the config hash read when the wizard opened, so a conflicting edit is shown.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { isControlError } from '../../../../src-shared/protocol/errors.ts';
import { errorText } from '../../../gateway/client.ts';
import { useGateway } from '../../../store/gateway.ts';
import { useNav } from '../../../store/nav.ts';
import { toast } from '../../../store/toasts.ts';
import { Banner, Button, PageHeader } from '../../../ui/controls.tsx';
import { configuredAccounts } from '../model/bindings.ts';
import {
  buildDraft,
  defaultModelOf,
  emptyForm,
  formFromAgent,
  normId,
  rebaseBindings,
  type FieldIssue,
  type FieldIssues,
  type WizardForm,
  type WizardMode,
} from '../model/draft.ts';
import { collectIssues, errorsIn } from '../model/issues.ts';
import { saveAgentEdit, saveNewAgent, type SaveOutcome } from '../model/submit.ts';
import { DonePanel, LeaveDialog, Stepper } from './Chrome.tsx';
import { STEPS, stepOf } from './steps.ts';
import { ChannelsStep } from './steps/ChannelsStep.tsx';
import { CredentialsStep } from './steps/CredentialsStep.tsx';
import { IdentityStep } from './steps/IdentityStep.tsx';
import { ModelStep } from './steps/ModelStep.tsx';
import { ReviewStep } from './steps/ReviewStep.tsx';
import { ToolsStep } from './steps/ToolsStep.tsx';
import { WorkspaceStep } from './steps/WorkspaceStep.tsx';
import { configGate, StaleBanner } from './ConfigGate.tsx';
import { useWizardBase } from './useWizardBase.ts';

const FOCUSABLE =
  'input:not([disabled]):not([readonly]):not([type="radio"]), input[type="radio"]:checked:not([disabled]), select:not([disabled]), textarea:not([disabled])';

export function AgentWizard({ agentId }: { agentId?: string }) {
  const mode = useMemo<WizardMode>(
    () => (agentId === undefined ? { kind: 'create' } : { kind: 'edit', agentId: normId(agentId) }),
    [agentId],
  );
  const editing = mode.kind === 'edit';
  const client = useGateway((s) => s.client);
  const connection = useGateway((s) => s.connection);
  const summaries = useGateway((s) => s.agents);
  const navigate = useNav((s) => s.navigate);
  const wizardBase = useWizardBase();
  const { base, reload, setSaving } = wizardBase;
  const [initial, setInitial] = useState<WizardForm>(emptyForm);
  const [form, setForm] = useState<WizardForm>(emptyForm);
  const [missing, setMissing] = useState(false);
  const [step, setStep] = useState(0);
  const [reached, setReached] = useState(0);
  const [attempted, setAttempted] = useState<ReadonlySet<number>>(new Set());
  const [gatewayIssues, setGatewayIssues] = useState<FieldIssue[]>([]);
  const [busy, setBusy] = useState<'check' | 'save'>();
  const [saveError, setSaveError] = useState<{ title: string; text: string }>();
  const [done, setDone] = useState<SaveOutcome>();
  const [leaving, setLeaving] = useState(false);
  const [focusRequest, setFocusRequest] = useState<{ n: number; error: boolean }>({ n: 0, error: false });
  const panel = useRef<HTMLDivElement>(null);

  /** First load (and "create another"): a fresh form, or the agent's current settings. */
  const start = useCallback(async () => {
    const loaded = await reload();
    if (!loaded) return;
    const fresh = mode.kind === 'edit' ? formFromAgent(loaded.next, mode.agentId) : emptyForm();
    setMissing(!fresh && loaded.next.check.ok);
    if (!fresh) return;
    if (mode.kind === 'create' && loaded.keychainAvailable) fresh.auth.mode = 'key';
    setInitial(fresh);
    setForm(structuredClone(fresh));
    setStep(0);
    setReached(mode.kind === 'edit' ? STEPS.length - 1 : 0);
    setAttempted(new Set());
    setDone(undefined);
    setFocusRequest((r) => ({ n: r.n + 1, error: false }));
  }, [reload, mode]);

  useEffect(() => {
    if (client && connection.kind === 'open' && !base) void start();
  }, [client, connection.kind, base, start]);

  /** After a conflict: the new file becomes the base, the user's input stays. */
  const rebase = async () => {
    const loaded = await reload();
    if (!loaded) return;
    setGatewayIssues([]);
    setSaveError(undefined);
    if (mode.kind !== 'edit') return;
    const now = formFromAgent(loaded.next, mode.agentId);
    if (!now) {
      setMissing(true);
      return;
    }
    setInitial(now);
    setForm((f) => ({
      ...f,
      bindings: loaded.previous ? rebaseBindings(f.bindings, loaded.previous.raw, loaded.next.raw, mode.agentId) : f.bindings,
    }));
  };

  const update = useCallback((change: (f: WizardForm) => WizardForm) => {
    setForm(change);
    setGatewayIssues([]);
    setSaveError(undefined);
  }, []);

  const computed = useMemo(() => (base ? collectIssues(base, form, mode, gatewayIssues) : undefined), [base, form, mode, gatewayIssues]);
  const visible = useMemo<FieldIssues>(() => {
    const out: FieldIssues = {};
    for (const [field, list] of Object.entries(computed?.byField ?? {})) {
      const shown = list.filter((i) => i.severity === 'warning' || attempted.has(stepOf(field)));
      if (shown.length > 0) out[field] = shown;
    }
    return out;
  }, [computed, attempted]);
  const stepErrors = useMemo(
    () => STEPS.map((s, i) => attempted.has(i) && errorsIn(computed?.byField ?? {}, s.owns).length > 0),
    [computed, attempted],
  );

  // Focus: the first field of a step when it opens; the first invalid field when Next was refused.
  useEffect(() => {
    const root = panel.current;
    if (!root) return;
    const target =
      (focusRequest.error ? root.querySelector<HTMLElement>('[aria-invalid="true"]') : null) ??
      root.querySelector<HTMLElement>('[data-autofocus]') ??
      root.querySelector<HTMLElement>(FOCUSABLE) ??
      root.querySelector<HTMLElement>('h2');
    target?.focus();
  }, [step, focusRequest]);

  const goTo = (i: number) => {
    setStep(i);
    setReached((r) => Math.max(r, i));
    setFocusRequest((r) => ({ n: r.n + 1, error: false }));
  };

  const gatewayCheck = async (): Promise<FieldIssue[] | undefined> => {
    if (!client || !base) return undefined;
    const draft = buildDraft(base, form, mode);
    if (draft.issues.length > 0) return [];
    setBusy('check');
    try {
      const result = await client.request('config.validate', { config: draft.raw });
      const issues = result.issues.map((i) => ({ severity: i.severity, code: i.code, message: i.message, path: i.path }));
      setGatewayIssues(issues);
      return issues;
    } catch (err) {
      setSaveError({ title: 'The gateway could not check the config:', text: errorText(err) });
      return undefined;
    } finally {
      setBusy(undefined);
    }
  };

  const next = async () => {
    if (!base || busy || done) return;
    const current = STEPS[step]!;
    const last = step === STEPS.length - 1;
    setAttempted((a) => new Set([...a, ...(last ? STEPS.map((_, i) => i) : [step])]));
    let fromGateway = gatewayIssues;
    if (current.gatewayCheck) {
      const checked = await gatewayCheck();
      if (!checked) return;
      fromGateway = checked;
    }
    const { byField } = collectIssues(base, form, mode, fromGateway);
    const bad = last
      ? STEPS.findIndex((s) => errorsIn(byField, s.owns).length > 0)
      : errorsIn(byField, current.owns).length > 0
        ? step
        : -1;
    if (bad >= 0) {
      if (bad !== step) setStep(bad);
      setFocusRequest((r) => ({ n: r.n + 1, error: true }));
      return;
    }
    if (last) await save();
    else goTo(step + 1);
  };

  const save = async () => {
    if (!client || !base) return;
    setBusy('save');
    setSaveError(undefined);
    setSaving(true);
    try {
      const outcome =
        mode.kind === 'create'
          ? await saveNewAgent(client, form, base.hash)
          : await saveAgentEdit(client, mode.agentId, initial, form, base.hash);
      setForm((f) => ({ ...f, auth: { ...f.auth, apiKey: '', sharedKey: '' } }));
      const name = form.name.trim() || outcome.agentId;
      for (const w of outcome.warnings) toast('danger', w);
      void useGateway.getState().refreshAgents();
      if (mode.kind === 'create') {
        toast('ok', `Agent ${name} created`);
        setDone(outcome);
      } else {
        toast('ok', `Saved the changes to ${name}`);
        navigate('agents');
      }
    } catch (err) {
      if (isControlError(err) && err.code === 'conflict') wizardBase.markStale();
      else setSaveError({ title: 'Not saved:', text: errorText(err) });
    } finally {
      setSaving(false);
      setBusy(undefined);
    }
  };

  const dirty = JSON.stringify(form) !== JSON.stringify(initial);
  const cancel = () => {
    if (dirty && !done) setLeaving(true);
    else navigate('agents');
  };

  const title = editing ? `Edit ${initial.name || mode.agentId}` : 'New agent';
  const header = (
    <PageHeader
      title={done ? 'New agent' : title}
      subtitle={editing ? 'Changes are written to switchboard.json when you save.' : 'Nothing is written until you create it.'}
      actions={
        <>
          {editing && <Button onClick={() => navigate('inspector', mode.agentId)}>Open chats</Button>}
          {!done && (
            <Button variant="ghost" onClick={cancel}>
              Cancel
            </Button>
          )}
        </>
      }
    />
  );

  const gate = configGate({
    loadError: wizardBase.loadError,
    loaded: base !== undefined,
    missingId: missing ? (mode.kind === 'edit' ? mode.agentId : '') : undefined,
    // Errors in the file block editing an agent; a new one can still be added (the gateway checks it).
    fileErrors: base && !done && editing && !base.check.config ? wizardBase.fileErrors : undefined,
    onRetry: () => void start(),
    onBack: () => navigate('agents'),
  });
  let body: ReactNode;
  if (gate !== undefined || !base) {
    body = gate;
  } else if (done) {
    body = <DonePanel form={form} outcome={done} onAnother={() => void start()} />;
  } else {
    const props = { form, update, issues: visible, editing, initial };
    const defaultModel = defaultModelOf(base.raw);
    const currentWorkspace = summaries.find((a) => a.id === normId(form.id))?.workspace;
    const shorthands = editing
      ? Object.entries((base.raw.channels ?? {}) as Record<string, { agent?: unknown }>)
          .filter(([, b]) => typeof b?.agent === 'string' && normId(b.agent) === normId(form.id))
          .map(([c]) => c)
      : [];
    const stepBody: Record<(typeof STEPS)[number]['id'], ReactNode> = {
      identity: <IdentityStep {...props} />,
      model: <ModelStep {...props} defaultModel={defaultModel} />,
      workspace: <WorkspaceStep {...props} stateDir={base.stateDir} {...(currentWorkspace ? { currentWorkspace } : {})} />,
      credentials: <CredentialsStep {...props} />,
      channels: <ChannelsStep {...props} accounts={configuredAccounts(base.check, base.raw)} shorthands={shorthands} />,
      tools: <ToolsStep {...props} />,
      review: (
        <ReviewStep
          {...props}
          defaultModel={defaultModel}
          stateDir={base.stateDir}
          draft={computed?.draft}
          onGo={goTo}
          stepOf={stepOf}
          {...(currentWorkspace ? { currentWorkspace } : {})}
        />
      ),
    };
    const current = STEPS[step]!;
    const last = step === STEPS.length - 1;
    const blocked = wizardBase.fileErrors.length > 0;
    body = (
      <div className="card wizard">
        <Stepper form={form} editing={editing} defaultModel={defaultModel} step={step} reached={reached} errors={stepErrors} onGo={goTo} />
        <form
          className="wizard-main"
          noValidate
          aria-labelledby="wizard-step-title"
          onSubmit={(e) => {
            e.preventDefault();
            void next();
          }}
        >
          <div className="wizard-step" ref={panel}>
            <header>
              <span className="small muted">
                Step {step + 1} of {STEPS.length}
              </span>
              <h2 id="wizard-step-title" tabIndex={-1}>
                {current.title}
              </h2>
              <p className="muted">{current.intro}</p>
            </header>
            {stepBody[current.id]}
            {saveError && (
              <Banner tone="danger" title={saveError.title}>
                {saveError.text}
              </Banner>
            )}
          </div>
          <div className="wizard-footer">
            <Button onClick={() => goTo(step - 1)} disabled={step === 0 || busy !== undefined}>
              Back
            </Button>
            <span className="spacer" />
            {last && blocked && <span className="small danger-text">The config file has errors (see above); fix them first.</span>}
            <Button type="submit" variant="primary" busy={busy !== undefined} disabled={last && blocked}>
              {!last ? 'Next' : editing ? 'Save changes' : 'Create agent'}
            </Button>
          </div>
        </form>
      </div>
    );
  }

  return (
    <div
      className="page"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !leaving && !e.defaultPrevented) {
          e.preventDefault();
          cancel();
        }
      }}
    >
      {header}
      <StaleBanner stale={done ? undefined : wizardBase.stale} onReload={() => void rebase()} />
      {base && wizardBase.fileErrors.length > 0 && !(editing && !base.check.config) && (
        <Banner tone="danger" title="The config file has errors; the gateway accepts no changes until they are fixed:">
          {wizardBase.fileErrors
            .map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}${e.line !== undefined ? ` (line ${e.line})` : ''}`)
            .join(' · ')}
        </Banner>
      )}
      {body}
      {leaving && (
        <LeaveDialog
          editing={editing}
          onStay={() => setLeaving(false)}
          onLeave={() => {
            setLeaving(false);
            navigate('agents');
          }}
        />
      )}
    </div>
  );
}
