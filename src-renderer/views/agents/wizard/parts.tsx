// Small pieces the wizard's steps share: a field's config problems (the error with its config
// path, warnings beneath), radio cards for "pick one of these", and toggle chips.
import type { ReactNode } from 'react';
import { Field } from '../../../ui/controls.tsx';
import type { FieldIssue, FieldIssues, WizardForm } from '../model/draft.ts';

export interface StepProps {
  form: WizardForm;
  update(change: (form: WizardForm) => WizardForm): void;
  /** Problems to show now, by field (errors only for steps the user tried to leave). */
  issues: FieldIssues;
  editing: boolean;
  /** The form as it was when an existing agent was opened. */
  initial?: WizardForm;
}

/** `message (agents.list[1].id)`: the checker's words and where in the config they point. */
export function issueText(issue: FieldIssue | undefined): string | undefined {
  if (!issue) return undefined;
  return issue.path ? `${issue.message} (${issue.path})` : issue.message;
}

export function firstError(issues: FieldIssues, field: string): string | undefined {
  return issueText((issues[field] ?? []).find((i) => i.severity === 'error'));
}

export function warningsOf(issues: FieldIssues, field: string): FieldIssue[] {
  return (issues[field] ?? []).filter((i) => i.severity === 'warning');
}

export function Warnings({ list }: { list: FieldIssue[] }) {
  if (list.length === 0) return null;
  return (
    <div className="stack" style={{ gap: 4 }}>
      {list.map((w) => (
        <div key={`${w.path}|${w.message}`} className="warn-text small">
          <span aria-hidden="true">⚠ </span>
          {w.message}
          {w.path && (
            <>
              {' '}
              <code className="muted">{w.path}</code>
            </>
          )}
        </div>
      ))}
    </div>
  );
}

/** A field's hint followed by its warnings (the ui Field shows the hint only when there is no error). */
export function hintWith(hint: ReactNode, issues: FieldIssues, field: string): ReactNode {
  const warnings = warningsOf(issues, field);
  if (warnings.length === 0) return hint;
  return (
    <>
      {hint}
      <Warnings list={warnings} />
    </>
  );
}

/** A radio button drawn as a card with a title and a sentence. */
export function Choice({
  name,
  value,
  checked,
  onChange,
  title,
  children,
  disabled,
  reason,
}: {
  name: string;
  value: string;
  checked: boolean;
  onChange: (value: string) => void;
  title: string;
  children?: ReactNode;
  disabled?: boolean;
  reason?: string;
}) {
  return (
    <label className={`choice ${checked ? 'checked' : ''} ${disabled ? 'disabled' : ''}`}>
      <input type="radio" name={name} value={value} checked={checked} disabled={disabled} onChange={() => onChange(value)} />
      <span className="grow stack" style={{ gap: 2 }}>
        <span className="choice-title">{title}</span>
        {children && <span className="small muted">{children}</span>}
        {disabled && reason && <span className="small warn-text">{reason}</span>}
      </span>
    </label>
  );
}

export function Chip({
  pressed,
  onToggle,
  label,
  title,
  tone,
}: {
  pressed: boolean;
  onToggle: () => void;
  label: string;
  title?: string;
  tone?: 'deny';
}) {
  return (
    <button type="button" className={`chip ${tone ?? ''}`} aria-pressed={pressed} title={title} onClick={onToggle}>
      <span aria-hidden="true">{pressed ? (tone === 'deny' ? '⊘' : '✓') : '+'}</span>
      {label}
    </button>
  );
}

/** "Another model": the name as typed, sent to the Messages API as written (the wizard and the agent's page). */
export function CustomModelField({
  form,
  update,
  error,
  hint,
}: Pick<StepProps, 'form' | 'update'> & { error: string | undefined; hint: ReactNode }) {
  return (
    <Field label="Model name" error={error} hint={hint}>
      {(id, describedBy) => (
        <input
          id={id}
          className="input mono"
          value={form.model}
          placeholder="claude-…"
          spellCheck={false}
          autoComplete="off"
          maxLength={200}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          onChange={(e) => {
            const value = e.target.value;
            update((f) => ({ ...f, model: value }));
          }}
        />
      )}
    </Field>
  );
}
