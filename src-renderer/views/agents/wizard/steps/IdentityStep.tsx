// Step 1: who the agent is — id (fixed once created), display name, emoji, persona, default flag.
import { Field } from '../../../../ui/controls.tsx';
import { normId } from '../../model/draft.ts';
import { firstError, hintWith, Warnings, warningsOf, type StepProps } from '../parts.tsx';

const EMOJI = ['🤖', '🛠️', '📣', '🏠', '💼', '🧭', '🦉', '⚡', '🌱', '📚', '🎧', '🛰️'];

export function titleCase(id: string): string {
  return id.replace(/[-_]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

export function IdentityStep({ form, update, issues, editing, initial }: StepProps) {
  const fixedDefault = editing && initial?.makeDefault === true;
  return (
    <>
      <div className="id-row">
        <Field
          label="Agent id"
          error={firstError(issues, 'id')}
          hint={hintWith(
            editing
              ? "The id cannot change: it names the agent's folders, sessions and keychain entries."
              : 'Lower-case letters, digits, "-" and "_". Names its folders and session keys; it cannot change later.',
            issues,
            'id',
          )}
        >
          {(id, describedBy) => (
            <input
              id={id}
              className="input mono"
              value={form.id}
              readOnly={editing}
              aria-readonly={editing || undefined}
              autoComplete="off"
              spellCheck={false}
              placeholder="e.g. ops"
              maxLength={64}
              aria-describedby={describedBy}
              aria-invalid={firstError(issues, 'id') ? true : undefined}
              onChange={(e) => {
                const value = e.target.value.toLowerCase();
                update((f) => ({ ...f, id: value }));
              }}
            />
          )}
        </Field>
        <Field
          label="Name"
          error={firstError(issues, 'name')}
          hint={hintWith('Shown in the dashboard and in its persona files.', issues, 'name')}
        >
          {(id, describedBy) => (
            <input
              id={id}
              className="input"
              value={form.name}
              placeholder={titleCase(normId(form.id)) || 'Ops'}
              maxLength={200}
              aria-describedby={describedBy}
              onChange={(e) => {
                const value = e.target.value;
                update((f) => ({ ...f, name: value }));
              }}
            />
          )}
        </Field>
        <Field label="Emoji" error={firstError(issues, 'emoji')}>
          {(id, describedBy) => (
            <input
              id={id}
              className="input"
              value={form.emoji}
              placeholder="🤖"
              maxLength={32}
              aria-describedby={describedBy}
              onChange={(e) => {
                const value = e.target.value;
                update((f) => ({ ...f, emoji: value }));
              }}
            />
          )}
        </Field>
      </div>
      <div className="emoji-picks" role="group" aria-label="Pick an emoji">
        {EMOJI.map((e) => (
          <button
            key={e}
            type="button"
            aria-pressed={form.emoji === e}
            aria-label={`Use ${e}`}
            onClick={() => update((f) => ({ ...f, emoji: f.emoji === e ? '' : e }))}
          >
            {e}
          </button>
        ))}
      </div>
      <Field
        label="Persona"
        error={firstError(issues, 'persona')}
        hint={hintWith(
          editing
            ? 'Saved as identity.persona and loaded into every conversation. SOUL.md in the workspace is yours to edit; it is not rewritten.'
            : 'Who the agent is and how it talks. Goes into SOUL.md in its workspace and into every conversation. Ctrl+Enter continues.',
          issues,
          'persona',
        )}
      >
        {(id, describedBy) => (
          <textarea
            id={id}
            className="textarea"
            rows={5}
            value={form.persona}
            maxLength={20_000}
            aria-describedby={describedBy}
            placeholder="You are Ops, a calm on-call assistant. You answer briefly and ask before doing anything irreversible."
            onChange={(e) => {
              const value = e.target.value;
              update((f) => ({ ...f, persona: value }));
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
        )}
      </Field>
      <div className="stack" style={{ gap: 4 }}>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.makeDefault}
            disabled={fixedDefault}
            onChange={(e) => {
              const value = e.target.checked;
              update((f) => ({ ...f, makeDefault: value }));
            }}
          />
          Make this the default agent
        </label>
        <span className="small muted" style={{ marginLeft: 24 }}>
          The default agent answers every message that no binding claims.
          {fixedDefault ? ' It is the default now; to change that, make another agent the default.' : ''}
        </span>
        <Warnings list={warningsOf(issues, 'default')} />
      </div>
    </>
  );
}
