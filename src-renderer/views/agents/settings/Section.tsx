// One section of the agent page: a card with its title, the fields, and — once something in it
// changed — its own Save and Discard, with what saving said right beneath.
import type { ReactNode } from 'react';
import { Button } from '../../../ui/controls.tsx';

export interface SectionState {
  dirty: boolean;
  busy: boolean;
  /** Errors that block saving this section (shown above the buttons). */
  blocked: boolean;
  result?: { ok: boolean; text: string } | undefined;
}

export function Section({
  id,
  title,
  noun,
  intro,
  state,
  onSave,
  onDiscard,
  disabledReason,
  children,
}: {
  id: string;
  title: string;
  noun: string;
  intro?: ReactNode;
  state: SectionState;
  onSave: () => void;
  onDiscard: () => void;
  /** Why nothing can be saved now (the config file has errors, the gateway is away). */
  disabledReason?: string | undefined;
  children: ReactNode;
}) {
  const headingId = `agent-section-${id}`;
  return (
    <section className="card card-pad agent-section" aria-labelledby={headingId}>
      <header className="agent-section-head">
        <h2 id={headingId}>{title}</h2>
        {intro && <p className="small muted">{intro}</p>}
      </header>
      <div className="stack">{children}</div>
      {(state.dirty || state.result) && (
        <div className="agent-section-foot">
          {state.result && (
            <span className={`small ${state.result.ok ? '' : 'danger-text'}`} role={state.result.ok ? 'status' : 'alert'}>
              {state.result.text}
            </span>
          )}
          <span className="spacer" />
          {state.dirty && disabledReason && <span className="small danger-text">{disabledReason}</span>}
          {state.dirty && !disabledReason && state.blocked && <span className="small danger-text">Fix what is marked above to save.</span>}
          {state.dirty && (
            <>
              <Button variant="ghost" onClick={onDiscard} disabled={state.busy}>
                Discard
              </Button>
              <Button variant="primary" busy={state.busy} disabled={disabledReason !== undefined} onClick={onSave}>
                Save {noun}
              </Button>
            </>
          )}
        </div>
      )}
    </section>
  );
}
