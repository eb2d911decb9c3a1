// The wizard's frame: the stepper (step names with what was chosen so far), the "discard your
// changes?" question on Cancel/Escape, and the panel shown once a new agent exists.
import { useEffect, useRef } from 'react';
import { useNav } from '../../../store/nav.ts';
import { Badge, Button, Dialog } from '../../../ui/controls.tsx';
import { channelName } from '../../../ui/format.ts';
import { normId, type WizardForm } from '../model/draft.ts';
import type { SaveOutcome } from '../model/submit.ts';
import { STEPS, stepSummary } from './steps.ts';

export function Stepper({
  form,
  editing,
  defaultModel,
  step,
  reached,
  errors,
  onGo,
}: {
  form: WizardForm;
  editing: boolean;
  defaultModel: string;
  step: number;
  reached: number;
  errors: boolean[];
  onGo: (step: number) => void;
}) {
  const list = useRef<HTMLOListElement>(null);
  // In a narrow window the steps are a scrolling row: keep the current one in view.
  useEffect(() => {
    list.current?.querySelector<HTMLElement>('[aria-current="step"]')?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }, [step]);
  return (
    <ol className="stepper" aria-label="Steps" ref={list}>
      {STEPS.map((s, i) => {
        const state = errors[i] ? 'has-error' : i < reached && i !== step ? 'done' : '';
        return (
          <li key={s.id} className={state}>
            <button type="button" aria-current={i === step ? 'step' : undefined} disabled={i > reached} onClick={() => onGo(i)}>
              <span className="step-num" aria-hidden="true">
                {errors[i] ? '!' : state === 'done' ? '✓' : i + 1}
              </span>
              <span className="step-label">
                <span className="step-title">
                  {s.title}
                  {errors[i] && <span className="sr-only"> (has a problem)</span>}
                </span>
                <span className="step-sub">{i <= reached ? stepSummary(s.id, form, editing, defaultModel) : ''}</span>
              </span>
            </button>
          </li>
        );
      })}
    </ol>
  );
}

export function LeaveDialog({ editing, onStay, onLeave }: { editing: boolean; onStay: () => void; onLeave: () => void }) {
  return (
    <Dialog
      title={editing ? 'Discard your changes?' : 'Discard this new agent?'}
      onClose={onStay}
      footer={
        <>
          <Button variant="primary" onClick={onStay}>
            Keep editing
          </Button>
          <Button variant="danger" onClick={onLeave}>
            Discard
          </Button>
        </>
      }
    >
      <p>{editing ? 'Nothing you changed here has been saved.' : 'The agent has not been created; what you entered is lost.'}</p>
    </Dialog>
  );
}

export function DonePanel({ form, outcome, onAnother }: { form: WizardForm; outcome: SaveOutcome; onAnother: () => void }) {
  const navigate = useNav((s) => s.navigate);
  const name = form.name.trim() || outcome.agentId;
  return (
    <section className="card card-pad stack done-panel" aria-labelledby="done-title">
      <div className="row">
        <span className="avatar" aria-hidden="true">
          {form.emoji || name.slice(0, 1).toUpperCase()}
        </span>
        <div className="stack" style={{ gap: 2 }}>
          <h2 id="done-title">{name} is ready</h2>
          <p className="muted">Its folders and persona files are in place, and the running gateway already routes to it.</p>
        </div>
      </div>
      <dl className="review" style={{ gridTemplateColumns: '150px 1fr' }}>
        <dt>Id</dt>
        <dd>
          <code>{normId(outcome.agentId)}</code>
        </dd>
        {outcome.workspace && (
          <>
            <dt>Workspace</dt>
            <dd>
              <code>{outcome.workspace}</code>
            </dd>
          </>
        )}
        {outcome.copied && outcome.copied.length > 0 && (
          <>
            <dt>API keys</dt>
            <dd>
              Copied {outcome.copied.map((c) => c.profileId).join(', ')} from <code>{outcome.copied[0]!.from}</code>
            </dd>
          </>
        )}
        <dt>Bindings</dt>
        <dd>
          {form.bindings.length === 0 ? (
            <span className="muted">none — talk to it from its chats here</span>
          ) : (
            <span className="row wrap">
              {form.bindings.map((b) => (
                <Badge key={b.key}>
                  {channelName(b.channel)} · {b.accountId === '*' ? 'every account' : b.accountId}
                </Badge>
              ))}
            </span>
          )}
        </dd>
      </dl>
      <p className="small muted">
        Edit <code>SOUL.md</code> and <code>AGENTS.md</code> in its workspace to refine its persona and rules.
      </p>
      <div className="row">
        <Button variant="primary" onClick={() => navigate('inspector', outcome.agentId)}>
          Open chats
        </Button>
        <Button onClick={() => navigate('agents')}>Back to agents</Button>
        <Button variant="ghost" onClick={onAnother}>
          Create another agent
        </Button>
      </div>
    </section>
  );
}
