// Step 3: the agent's workspace folder — the default under the state dir, or a folder of the user's
// choosing — and what the gateway creates there. Fixed once the agent exists (its files live there).
import { Field } from '../../../../ui/controls.tsx';
import { agentDirPath, defaultWorkspacePath, joinPath, normId } from '../../model/draft.ts';
import { Choice, firstError, hintWith, type StepProps } from '../parts.tsx';

export function WorkspaceStep({
  form,
  update,
  issues,
  editing,
  stateDir,
  currentWorkspace,
}: StepProps & { stateDir: string; currentWorkspace?: string }) {
  const id = normId(form.id) || '<id>';
  const custom = form.customWorkspace;
  const error = firstError(issues, 'workspace');
  if (editing) {
    return (
      <>
        <div className="field">
          <span className="field-label">Workspace</span>
          <div className="path-box">{currentWorkspace ?? (form.workspace || defaultWorkspacePath(stateDir, id))}</div>
          <span className="small muted">
            An agent&apos;s workspace holds its persona files and everything its tools wrote, so it is not moved from here. To use another
            folder, move it yourself and change <code>workspace</code> in switchboard.json.
          </span>
        </div>
        <Folders stateDir={stateDir} id={id} />
      </>
    );
  }
  return (
    <>
      <div className="choices" role="radiogroup" aria-label="Where its workspace is">
        <Choice
          name="workspace"
          value="default"
          checked={!custom}
          title="The default folder"
          onChange={() => update((f) => ({ ...f, customWorkspace: false }))}
        >
          <span className="mono">{defaultWorkspacePath(stateDir, id)}</span>
        </Choice>
        <Choice
          name="workspace"
          value="custom"
          checked={custom}
          title="Another folder"
          onChange={() => update((f) => ({ ...f, customWorkspace: true }))}
        >
          Any folder of yours, e.g. a project the agent should work in. It must not be another agent&apos;s.
        </Choice>
      </div>
      {custom && (
        <Field
          label="Workspace folder"
          error={error}
          hint={hintWith(
            "An absolute path, ~/… for your home folder, or a path relative to the config file's folder.",
            issues,
            'workspace',
          )}
        >
          {(fid, describedBy) => (
            <input
              id={fid}
              className="input mono"
              value={form.workspace}
              placeholder={joinPath('~', 'projects', id)}
              spellCheck={false}
              autoComplete="off"
              aria-describedby={describedBy}
              aria-invalid={error ? true : undefined}
              onChange={(e) => {
                const value = e.target.value;
                update((f) => ({ ...f, workspace: value }));
              }}
            />
          )}
        </Field>
      )}
      {!custom && error && (
        <div className="error small danger-text" role="alert">
          {error}
        </div>
      )}
      <Folders stateDir={stateDir} id={id} />
    </>
  );
}

function Folders({ stateDir, id }: { stateDir: string; id: string }) {
  return (
    <div className="card-pad card stack" style={{ gap: 6, boxShadow: 'none' }}>
      <span className="section-title">What the agent gets</span>
      <span className="small">
        In its workspace: <code>AGENTS.md</code> (operating rules), <code>SOUL.md</code> (persona), <code>USER.md</code> (about you) and{' '}
        <code>skills/</code>. Existing files are kept, never overwritten.
      </span>
      <span className="small">
        Its settings and auth-profile metadata: <code>{agentDirPath(stateDir, id)}</code>
      </span>
      <span className="small">
        Its conversations and memory: <code>{joinPath(stateDir, 'agents', id)}</code>
      </span>
    </div>
  );
}
