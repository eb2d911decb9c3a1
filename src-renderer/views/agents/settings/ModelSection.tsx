// The agent page's model picker: one click picks a current model (grouped by family from the
// model table), the deprecated ones wait behind a toggle, any other name can be typed, and the
// fallback chain (`model: { primary, fallbacks }`) is shown in order and edited in place.
import { useState } from 'react';
import { Button } from '../../../ui/controls.tsx';
import { currentModelGroups, deprecatedModels, endOfLife, isDeprecated, isKnownModel } from '../model/models.ts';
import { CustomModelField, firstError, Warnings, warningsOf, type StepProps } from '../wizard/parts.tsx';

const CUSTOM = '__custom__';

function ModelRadio({ model, checked, onPick }: { model: string; checked: boolean; onPick: (m: string) => void }) {
  const eol = endOfLife(model);
  return (
    <label className={`model-option ${checked ? 'checked' : ''}`}>
      <input type="radio" name="agent-model" value={model} checked={checked} onChange={() => onPick(model)} />
      <code>{model}</code>
      {eol && <span className="small warn-text">ends {eol}</span>}
    </label>
  );
}

export function ModelSection({ form, update, issues, defaultModel }: StepProps & { defaultModel: string }) {
  const selected = form.customModel ? CUSTOM : form.model;
  const [showDeprecated, setShowDeprecated] = useState(isDeprecated(form.model) || form.fallbacks.some(isDeprecated));
  const [adding, setAdding] = useState('');
  const groups = currentModelGroups();
  const deprecated = deprecatedModels();
  const primary = form.model.trim() || defaultModel;
  const chain = [primary, ...form.fallbacks];
  const pick = (model: string) => update((f) => ({ ...f, customModel: false, model }));
  const setFallbacks = (change: (list: string[]) => string[]) => update((f) => ({ ...f, fallbacks: change([...f.fallbacks]) }));
  const move = (i: number, by: -1 | 1) =>
    setFallbacks((list) => {
      const [m] = list.splice(i, 1);
      list.splice(i + by, 0, m!);
      return list;
    });
  const error = firstError(issues, 'model');
  const offered = [...groups.flatMap((g) => g.models), ...(showDeprecated ? deprecated : [])].filter((m) => !chain.includes(m));
  return (
    <>
      <p className="small" aria-label="Model chain">
        {form.fallbacks.length > 0 ? 'Tried in order: ' : 'Answers with '}
        {chain.map((m, i) => (
          <span key={`${m}-${i}`}>
            {i > 0 && ' → '}
            <code>{m}</code>
          </span>
        ))}
        {form.model.trim() === '' && <span className="muted"> (the default)</span>}
      </p>
      <div className="stack" role="radiogroup" aria-label="Model" aria-invalid={error ? true : undefined} style={{ gap: 'var(--s3)' }}>
        <label className={`model-option ${selected === '' ? 'checked' : ''}`}>
          <input type="radio" name="agent-model" value="" checked={selected === ''} onChange={() => pick('')} />
          Use the default (<code>{defaultModel}</code>)
        </label>
        {groups.map((g) => (
          <fieldset key={g.family} className="model-group">
            <legend className="small muted">{g.family}</legend>
            {g.models.map((m) => (
              <ModelRadio key={m} model={m} checked={selected === m} onPick={pick} />
            ))}
          </fieldset>
        ))}
        <label className="checkbox small">
          <input type="checkbox" checked={showDeprecated} onChange={(e) => setShowDeprecated(e.target.checked)} />
          Show deprecated models ({deprecated.length})
        </label>
        {showDeprecated && (
          <fieldset className="model-group">
            <legend className="small muted">Deprecated — still answer until their end-of-life date</legend>
            {deprecated.map((m) => (
              <ModelRadio key={m} model={m} checked={selected === m} onPick={pick} />
            ))}
          </fieldset>
        )}
        <label className={`model-option ${selected === CUSTOM ? 'checked' : ''}`}>
          <input
            type="radio"
            name="agent-model"
            value={CUSTOM}
            checked={selected === CUSTOM}
            onChange={() => update((f) => ({ ...f, customModel: true, model: f.customModel || !isKnownModel(f.model) ? f.model : '' }))}
          />
          Another model (type its name)
        </label>
      </div>
      {form.customModel && <CustomModelField form={form} update={update} error={error} hint="Sent to the Messages API as written." />}
      {!form.customModel && error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      <Warnings list={warningsOf(issues, 'model')} />
      <div className="stack" style={{ gap: 'var(--s2)' }}>
        <span className="section-title">Fallbacks</span>
        <span className="small muted">
          Tried in order when the model above is overloaded, failing or unknown. Saved as{' '}
          <code>{'model: { primary, fallbacks: [...] }'}</code>.
        </span>
        {form.fallbacks.length === 0 ? (
          <span className="small muted">No fallbacks: when the model fails, the agent says so.</span>
        ) : (
          <ol className="binding-list" aria-label="Fallback models">
            {form.fallbacks.map((m, i) => (
              <li key={`${m}-${i}`}>
                <code className="grow">{m}</code>
                <Button size="sm" variant="ghost" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move ${m} up`}>
                  ↑
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={i === form.fallbacks.length - 1}
                  onClick={() => move(i, 1)}
                  aria-label={`Move ${m} down`}
                >
                  ↓
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  className="danger"
                  onClick={() => setFallbacks((list) => list.filter((_, j) => j !== i))}
                  aria-label={`Remove fallback ${m}`}
                >
                  Remove
                </Button>
              </li>
            ))}
          </ol>
        )}
        <div className="row">
          <select className="select" aria-label="Fallback to add" value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">Choose a model…</option>
            {offered.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
          <Button
            disabled={!adding}
            onClick={() => {
              setFallbacks((list) => [...list, adding]);
              setAdding('');
            }}
          >
            Add fallback
          </Button>
        </div>
      </div>
    </>
  );
}
