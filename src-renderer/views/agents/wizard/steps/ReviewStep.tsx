// Last step: everything the wizard will do, with a way back to each step, every remaining warning,
// and the config entry and bindings as they will be written.
import type { ReactNode } from 'react';
import { Badge, Banner, Button } from '../../../../ui/controls.tsx';
import { channelName } from '../../../../ui/format.ts';
import { bindingSummary, describeTier, bindingMatch } from '../../model/bindings.ts';
import { defaultWorkspacePath, findAgentEntry, normId, type Draft, type FieldIssue } from '../../model/draft.ts';
import { effectiveTools, nonOwnerTools, presetOf, SANDBOX_CHOICES, TOOL_PRESETS } from '../../model/tools.ts';
import { issueText, Warnings, type StepProps } from '../parts.tsx';

export function ReviewStep({
  form,
  issues,
  editing,
  defaultModel,
  stateDir,
  draft,
  currentWorkspace,
  onGo,
  stepOf,
}: StepProps & {
  defaultModel: string;
  stateDir: string;
  draft: Draft | undefined;
  currentWorkspace?: string;
  onGo: (step: number) => void;
  stepOf: (field: string) => number;
}) {
  const id = normId(form.id);
  const preset = presetOf(form.tools);
  const tools = effectiveTools(form.tools);
  const warnings: FieldIssue[] = Object.values(issues)
    .flat()
    .filter((i) => i.severity === 'warning');
  const general = (issues.general ?? []).filter((i) => i.severity === 'error');
  const row = (label: string, step: number, value: ReactNode) => (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
      <Button size="sm" variant="ghost" onClick={() => onGo(step)} aria-label={`Change ${label.toLowerCase()}`}>
        Change
      </Button>
    </>
  );
  const entry = draft ? findAgentEntry(draft.raw, id)?.entry : undefined;
  const written = draft ? ((draft.raw.bindings as unknown[] | undefined) ?? []).filter((_, i) => draft.bindingAt.has(i)) : [];
  return (
    <>
      {general.map((g) => (
        <Banner key={`${g.path}|${g.message}`} tone="danger" title="The config would not be valid:">
          {issueText(g)}
        </Banner>
      ))}
      <dl className="review">
        {row(
          'Agent',
          stepOf('id'),
          <span className="row">
            <span aria-hidden="true">{form.emoji || '☺'}</span>
            <strong>{form.name.trim() || id}</strong>
            <code className="muted">{id}</code>
            {form.makeDefault && <Badge tone="accent">default</Badge>}
          </span>,
        )}
        {row(
          'Persona',
          stepOf('persona'),
          form.persona.trim() ? (
            <span>
              {form.persona.trim().slice(0, 220)}
              {form.persona.trim().length > 220 ? '…' : ''}
            </span>
          ) : (
            <span className="muted">The standard persona (&quot;a helpful, calm and direct assistant&quot;)</span>
          ),
        )}
        {row(
          'Model',
          stepOf('model'),
          form.model.trim() ? (
            <code>{form.model.trim()}</code>
          ) : (
            <span>
              The default <span className="muted">({defaultModel})</span>
            </span>
          ),
        )}
        {row(
          'Workspace',
          stepOf('workspace'),
          <code>
            {editing
              ? currentWorkspace
              : form.customWorkspace && form.workspace.trim()
                ? form.workspace.trim()
                : defaultWorkspacePath(stateDir, id)}
          </code>,
        )}
        {row('Credentials', stepOf('auth'), <span>{credentials(form, editing)}</span>)}
        {row(
          'Bindings',
          stepOf('binding:'),
          form.bindings.length === 0 ? (
            <span className="muted">
              None — reachable from the dashboard{form.makeDefault ? ' and for messages no binding claims' : ''}
            </span>
          ) : (
            <ul className="binding-list">
              {form.bindings.map((b) => {
                const t = describeTier(b);
                return (
                  <li key={b.key}>
                    <strong>{channelName(b.channel)}</strong>
                    <span className="grow">{bindingSummary(bindingMatch(b))}</span>
                    <Badge tone="accent">
                      Tier {t.tier} · {t.name}
                    </Badge>
                  </li>
                );
              })}
            </ul>
          ),
        )}
        {row(
          'Tools',
          stepOf('tools'),
          <span>
            <strong>{preset === 'custom' ? 'Custom' : TOOL_PRESETS.find((p) => p.id === preset)!.label}</strong> —{' '}
            {tools.length === 0 ? 'no tools' : tools.join(', ')}
            {nonOwnerTools(form.tools).length > 0 && `; also for non-owners: ${nonOwnerTools(form.tools).join(', ')}`}
            {tools.includes('exec') && `; exec sandbox: ${SANDBOX_CHOICES.find((c) => c.mode === form.sandboxMode)!.label.toLowerCase()}`}
          </span>,
        )}
      </dl>
      {warnings.length > 0 && (
        <div className="stack" style={{ gap: 6 }}>
          <span className="section-title">Warnings (saving is still possible)</span>
          <Warnings list={warnings} />
        </div>
      )}
      {entry && (
        <details>
          <summary className="small muted" style={{ cursor: 'pointer' }}>
            What will be written to switchboard.json
          </summary>
          <pre className="code-preview mono">{JSON.stringify({ agent: entry, bindings: written }, null, 2)}</pre>
          <span className="small muted">
            Paths inside your home folder are written as <code>~/…</code>. Comments elsewhere in the file are kept.
          </span>
        </details>
      )}
    </>
  );
}

function credentials(form: StepProps['form'], editing: boolean): string {
  const adding = form.auth.apiKey.trim() ? ' A new key is added to the keychain.' : '';
  if (form.auth.mode === 'shared')
    return `Its own keys, then the shared pool.${form.auth.sharedKey.trim() ? ' A key is added to the pool.' : ''}${editing ? adding : ''}`;
  if (editing) return `Its own keys only.${adding}`;
  if (form.auth.mode === 'key') return 'A key of its own, stored in the keychain when you create the agent.';
  if (form.auth.mode === 'copy') {
    const n = form.auth.copyProfiles.length;
    return `Its own copy of ${n} key${n === 1 ? '' : 's'} of agent "${form.auth.copyFrom}" (${form.auth.copyProfiles.join(', ')}), copied inside the keychain when you create the agent.`;
  }
  return "None yet — uses the gateway's ANTHROPIC_API_KEY if set.";
}
