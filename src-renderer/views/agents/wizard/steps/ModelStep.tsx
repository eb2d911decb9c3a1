// Step 2: the Claude model — the configured default, one the installed SDK lists, or any name typed in.
import { DEPRECATED_MODELS, KNOWN_MODELS } from '../../../../../src-shared/config/index.ts';
import { Field } from '../../../../ui/controls.tsx';
import { CustomModelField, firstError, hintWith, type StepProps } from '../parts.tsx';

const CUSTOM = '__custom__';

export function ModelStep({ form, update, issues, defaultModel }: StepProps & { defaultModel: string }) {
  const selected = form.customModel ? CUSTOM : form.model;
  const error = firstError(issues, 'model');
  return (
    <>
      <Field
        label="Model"
        error={form.customModel ? undefined : error}
        hint={hintWith(
          <>
            The agent answers with this model. The default follows <code>agents.defaults.model</code>, so it changes when that does.
          </>,
          issues,
          form.customModel ? '' : 'model',
        )}
      >
        {(id, describedBy) => (
          <select
            id={id}
            className="select"
            value={selected}
            aria-describedby={describedBy}
            aria-invalid={!form.customModel && error ? true : undefined}
            onChange={(e) => {
              const value = e.target.value;
              update((f) =>
                value === CUSTOM
                  ? { ...f, customModel: true, model: f.customModel ? f.model : '' }
                  : { ...f, customModel: false, model: value },
              );
            }}
          >
            <option value="">Use the default ({defaultModel})</option>
            <optgroup label="Models of the installed Anthropic SDK">
              {KNOWN_MODELS.map((m) => (
                <option key={m} value={m}>
                  {m}
                  {DEPRECATED_MODELS[m] ? ` — deprecated, ends ${DEPRECATED_MODELS[m]}` : ''}
                </option>
              ))}
            </optgroup>
            <option value={CUSTOM}>Another model (type its name)…</option>
          </select>
        )}
      </Field>
      {form.customModel && (
        <CustomModelField
          form={form}
          update={update}
          error={error}
          hint={hintWith('Sent to the Messages API as written.', issues, 'model')}
        />
      )}
    </>
  );
}
