// `#/agents/<id>`: one agent's page. Every section (identity and persona, model, tools, memory,
// limits, channels and bindings, owners) is edited in place and saved on its own with the wizard's
// draft, checks and submit (model/), on the config hash the page was read at: a change made
// elsewhere meanwhile is shown and never overwritten.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { isControlError } from '../../../../src-shared/protocol/errors.ts';
import { errorText } from '../../../gateway/client.ts';
import { useGateway } from '../../../store/gateway.ts';
import { useNav } from '../../../store/nav.ts';
import { toast } from '../../../store/toasts.ts';
import { Badge, Button, PageHeader } from '../../../ui/controls.tsx';
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
import { saveAgentEdit } from '../model/submit.ts';
import { ChannelsStep } from '../wizard/steps/ChannelsStep.tsx';
import { IdentityStep } from '../wizard/steps/IdentityStep.tsx';
import { ToolsStep } from '../wizard/steps/ToolsStep.tsx';
import { configGate, StaleBanner } from '../wizard/ConfigGate.tsx';
import { useWizardBase } from '../wizard/useWizardBase.ts';
import { LimitsFields, MemoryFields, OwnersFields, type Inherited } from './KeysSections.tsx';
import { ModelSection } from './ModelSection.tsx';
import { PersonaFiles } from './PersonaFiles.tsx';
import { Section } from './Section.tsx';
import { keepPending, SECTIONS, sectionDirty, withSection, type SectionDef, type SectionId } from './sections.ts';

type Results = Partial<Record<SectionId, { ok: boolean; text: string }>>;

export function AgentSettings({ agentId }: { agentId: string }) {
  const id = normId(agentId);
  const mode = useMemo<WizardMode>(() => ({ kind: 'edit', agentId: id }), [id]);
  const client = useGateway((s) => s.client);
  const connection = useGateway((s) => s.connection);
  const summary = useGateway((s) => s.agents.find((a) => a.id === id));
  const navigate = useNav((s) => s.navigate);
  const wizardBase = useWizardBase();
  const { base, reload, setSaving } = wizardBase;
  const [initial, setInitial] = useState<WizardForm>(emptyForm);
  const [form, setForm] = useState<WizardForm>(emptyForm);
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState<SectionId>();
  const [results, setResults] = useState<Results>({});
  const [gatewayIssues, setGatewayIssues] = useState<Partial<Record<SectionId, FieldIssue[]>>>({});

  const start = useCallback(async () => {
    const loaded = await reload();
    if (!loaded) return;
    const fresh = formFromAgent(loaded.next, id);
    setMissing(!fresh && loaded.next.check.ok);
    if (!fresh) return;
    setInitial(fresh);
    setForm(structuredClone(fresh));
  }, [reload, id]);

  useEffect(() => {
    if (client && connection.kind === 'open' && !base) void start();
  }, [client, connection.kind, base, start]);

  /** After a conflict: the new file becomes the base; what was typed stays. */
  const rebase = async () => {
    const loaded = await reload();
    if (!loaded) return;
    const now = formFromAgent(loaded.next, id);
    if (!now) {
      setMissing(true);
      return;
    }
    setResults({});
    setGatewayIssues({});
    setInitial(now);
    setForm((f) => ({
      ...f,
      bindings: loaded.previous ? rebaseBindings(f.bindings, loaded.previous.raw, loaded.next.raw, id) : f.bindings,
    }));
  };

  const update = useCallback((change: (f: WizardForm) => WizardForm) => {
    setForm(change);
    setResults({});
    setGatewayIssues({});
  }, []);

  // A section without changes is checked as the agent is now: one check shared by all of them.
  const atRest = useMemo(() => (base ? collectIssues(base, initial, mode).byField : {}), [base, initial, mode]);
  const issuesOf = useCallback(
    (section: SectionDef): FieldIssues => {
      if (!base) return {};
      // Errors show while a section has unsaved changes; warnings always.
      const dirty = sectionDirty(section, initial, form);
      const byField = dirty
        ? collectIssues(base, withSection(initial, form, section), mode, gatewayIssues[section.id] ?? []).byField
        : atRest;
      const out: FieldIssues = {};
      for (const [field, list] of Object.entries(byField)) {
        if (!section.owns(field) && field !== 'general') continue;
        const shown = list.filter((i) => i.severity === 'warning' || dirty);
        if (shown.length > 0) out[field] = shown;
      }
      return out;
    },
    [base, initial, form, mode, gatewayIssues, atRest],
  );

  const save = async (section: SectionDef) => {
    if (!client || !base || busy) return;
    const next = withSection(initial, form, section);
    const local = collectIssues(base, next, mode);
    if (errorsIn(local.byField, (f) => section.owns(f) || f === 'general').length > 0) return;
    setBusy(section.id);
    setSaving(true);
    try {
      // The gateway's own check (on-disk rules), as the wizard does before saving.
      const checked = await client.request('config.validate', { config: buildDraft(base, next, mode).raw });
      const fromGateway = checked.issues.map((i) => ({ severity: i.severity, code: i.code, message: i.message, path: i.path }));
      if (errorsIn(collectIssues(base, next, mode, fromGateway).byField, (f) => section.owns(f) || f === 'general').length > 0) {
        setGatewayIssues((g) => ({ ...g, [section.id]: fromGateway }));
        return;
      }
      await saveAgentEdit(client, id, initial, next, base.hash);
      const loaded = await reload();
      const fresh = loaded && formFromAgent(loaded.next, id);
      if (fresh) {
        setForm((f) => keepPending(fresh, initial, f, section));
        setInitial(fresh);
      }
      const name = next.name.trim() || id;
      toast('ok', `Saved the ${section.noun} of ${name}`);
      setResults({ [section.id]: { ok: true, text: 'Saved.' } });
      void useGateway.getState().refreshAgents();
    } catch (err) {
      if (isControlError(err) && err.code === 'conflict') wizardBase.markStale();
      else setResults({ [section.id]: { ok: false, text: `Not saved: ${errorText(err)}` } });
    } finally {
      setSaving(false);
      setBusy(undefined);
    }
  };

  const discard = (section: SectionDef) => setForm((f) => ({ ...f, ...withSection(f, initial, section) }));

  const title = initial.name || summary?.name || id;
  const header = (
    <PageHeader
      title={title}
      subtitle={
        <span className="row">
          <code>{id}</code>
          {initial.makeDefault && <Badge tone="accent">default</Badge>}
          {summary && <span className="path small">{summary.workspace}</span>}
        </span>
      }
      actions={
        <>
          <Button onClick={() => navigate('inspector', id)}>Open chats</Button>
          <Button variant="ghost" onClick={() => navigate('agents', id, 'edit')}>
            Step by step
          </Button>
          <Button variant="ghost" onClick={() => navigate('agents')}>
            All agents
          </Button>
        </>
      }
    />
  );

  const gate = configGate({
    loadError: wizardBase.loadError,
    loaded: base !== undefined,
    missingId: missing ? id : undefined,
    fileErrors: base && !base.check.config ? wizardBase.fileErrors : undefined,
    onRetry: () => void start(),
    onBack: () => navigate('agents'),
  });
  let body: ReactNode;
  if (gate !== undefined || !base) {
    body = gate;
  } else {
    const blocked = wizardBase.fileErrors.length > 0 ? 'The config file has errors; fix them first.' : undefined;
    const shorthands = Object.entries((base.raw.channels ?? {}) as Record<string, { agent?: unknown }>)
      .filter(([, b]) => typeof b?.agent === 'string' && normId(b.agent) === id)
      .map(([c]) => c);
    const render = (section: SectionDef, intro: ReactNode, fields: (issues: FieldIssues) => ReactNode) => {
      const issues = issuesOf(section);
      const general = (issues.general ?? []).filter((i) => i.severity === 'error');
      const dirty = sectionDirty(section, initial, form);
      return (
        <Section
          key={section.id}
          id={section.id}
          title={section.title}
          noun={section.noun}
          intro={intro}
          state={{
            dirty,
            busy: busy === section.id,
            blocked: errorsIn(issues, () => true).length > 0,
            result: results[section.id],
          }}
          disabledReason={blocked}
          onSave={() => void save(section)}
          onDiscard={() => discard(section)}
        >
          {fields(issues)}
          {general.map((g) => (
            <div key={`${g.path}|${g.message}`} className="error" role="alert">
              {g.message}
              {g.path && <code className="muted"> ({g.path})</code>}
            </div>
          ))}
        </Section>
      );
    };
    const agents = base.raw.agents as { defaults?: Inherited } | undefined;
    const inherited: Inherited = agents?.defaults ?? {};
    const props = (issues: FieldIssues) => ({ form, update, issues, editing: true, initial });
    const intros: Record<SectionId, ReactNode> = {
      identity: 'Who it is. The persona is loaded into every conversation; its workspace files below are part of it too.',
      model: 'Which Claude model answers, and which ones take over when it fails.',
      tools: 'What it may do besides talking.',
      memory: 'Where memory_save writes and memory_search looks.',
      limits: 'Its own limits; empty ones follow agents.defaults.limits.',
      channels: 'Which chats it answers. A message goes to the most specific binding that matches.',
      owners: 'The people it works for.',
    };
    body = (
      <div className="stack agent-page">
        {SECTIONS.map((s) =>
          render(s, intros[s.id], (issues) => {
            switch (s.id) {
              case 'identity':
                return (
                  <>
                    <IdentityStep {...props(issues)} />
                    <PersonaFiles agentId={id} />
                  </>
                );
              case 'model':
                return <ModelSection {...props(issues)} defaultModel={defaultModelOf(base.raw)} />;
              case 'tools':
                return <ToolsStep {...props(issues)} />;
              case 'memory':
                return <MemoryFields {...props(issues)} />;
              case 'limits':
                return <LimitsFields {...props(issues)} inherited={inherited} />;
              case 'channels':
                return <ChannelsStep {...props(issues)} accounts={configuredAccounts(base.check, base.raw)} shorthands={shorthands} />;
              case 'owners':
                return <OwnersFields {...props(issues)} inherited={inherited} />;
            }
          }),
        )}
      </div>
    );
  }

  return (
    <div className="page">
      {header}
      <StaleBanner stale={wizardBase.stale} onReload={() => void rebase()} />
      {body}
    </div>
  );
}
