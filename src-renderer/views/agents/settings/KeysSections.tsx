// The agent page's smaller sections, each one config key of the agent's entry: `memory` (its own
// or a shared pool), `limits` (tokens a day, messages a minute per sender) and `owners`.
import { Field } from '../../../ui/controls.tsx';
import { ownerList } from '../model/agent-keys.ts';
import { Choice, firstError, hintWith, type StepProps } from '../wizard/parts.tsx';

export function MemoryFields({ form, update, issues }: StepProps) {
  const setScope = (scope: string) => update((f) => ({ ...f, memory: { ...f.memory, scope: scope === 'shared' ? 'shared' : 'agent' } }));
  return (
    <>
      <div className="choices" role="radiogroup" aria-label="Whose memory it uses">
        <Choice name="memory" value="agent" checked={form.memory.scope === 'agent'} onChange={setScope} title="Its own memory">
          What it saves with memory_save only it can find again.
        </Choice>
        <Choice name="memory" value="shared" checked={form.memory.scope === 'shared'} onChange={setScope} title="A shared memory pool">
          Agents naming the same pool read and add to the same memory.
        </Choice>
      </div>
      {form.memory.scope === 'shared' && (
        <Field label="Pool name" error={firstError(issues, 'memory')} hint={hintWith('Empty: the pool "shared".', issues, 'memory')}>
          {(id, describedBy) => (
            <input
              id={id}
              className="input mono"
              value={form.memory.pool}
              placeholder="shared"
              maxLength={64}
              aria-describedby={describedBy}
              onChange={(e) => {
                const pool = e.target.value;
                update((f) => ({ ...f, memory: { ...f.memory, pool } }));
              }}
            />
          )}
        </Field>
      )}
    </>
  );
}

/** `agents.defaults` as written: what an agent that says nothing itself inherits (shown as placeholders). */
export interface Inherited {
  owners?: unknown;
  limits?: { dailyTokens?: unknown; perSenderPerMinute?: unknown } | undefined;
}

export function LimitsFields({ form, update, issues, inherited }: StepProps & { inherited: Inherited }) {
  const error = firstError(issues, 'limits');
  const input = (key: 'dailyTokens' | 'perSenderPerMinute', label: string, hint: string) => (
    <Field label={label} hint={hint}>
      {(id, describedBy) => (
        <input
          id={id}
          className="input mono"
          inputMode="numeric"
          value={form.limits[key]}
          placeholder={typeof inherited.limits?.[key] === 'number' ? `${inherited.limits[key]} (agents.defaults)` : 'no limit'}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          onChange={(e) => {
            const value = e.target.value;
            update((f) => ({ ...f, limits: { ...f.limits, [key]: value } }));
          }}
        />
      )}
    </Field>
  );
  return (
    <>
      <div className="two-col">
        {input(
          'dailyTokens',
          'Tokens a day',
          'Input and output tokens per local day; past it, each message gets a reply saying the budget is spent.',
        )}
        {input(
          'perSenderPerMinute',
          'Messages a minute per sender',
          'Messages beyond it within a minute get one reply saying so; the dashboard operator is exempt.',
        )}
      </div>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
    </>
  );
}

export function OwnersFields({ form, update, issues, inherited }: StepProps & { inherited: Inherited }) {
  const error = firstError(issues, 'owners');
  const fromDefaults = Array.isArray(inherited.owners) ? inherited.owners.map(String) : [];
  return (
    <Field
      label="Owners"
      error={error}
      hint={hintWith(
        <>
          One <code>&lt;channel&gt;:&lt;sender id&gt;</code> a line, e.g. <code>telegram:123456789</code>. Only owners may make it write,
          edit or run commands, or read its private files.
          {fromDefaults.length > 0 && ownerList(form.owners).length === 0 && (
            <> Empty: the owners of agents.defaults apply ({fromDefaults.join(', ')}).</>
          )}
        </>,
        issues,
        'owners',
      )}
    >
      {(id, describedBy) => (
        <textarea
          id={id}
          className="textarea mono"
          rows={3}
          value={form.owners}
          spellCheck={false}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          onChange={(e) => {
            const value = e.target.value;
            update((f) => ({ ...f, owners: value }));
          }}
        />
      )}
    </Field>
  );
}
