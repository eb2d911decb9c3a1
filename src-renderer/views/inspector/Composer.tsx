// Talking to an agent from the dashboard (`webchat.send`): Enter sends, Shift+Enter is a new line.
// It writes only where the gateway lets the dashboard write — the agent's main session or a web
// chat session (docs/architecture.md#sessions-from-the-inspector) — and says why it cannot
// when it cannot.
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Button } from '../../ui/controls.tsx';

export interface ComposerProps {
  agentName: string;
  /** Why nothing can be sent right now (disconnected, gateway stopped); undefined when it can. */
  disabledReason: string | undefined;
  running: boolean;
  onSend(text: string): void;
  onStop(): Promise<void>;
}

export function Composer({ agentName, disabledReason, running, onSend, onStop }: ComposerProps) {
  const [text, setText] = useState('');
  const [stopping, setStopping] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const hintId = useId();
  const canSend = !disabledReason && text.trim() !== '';

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!canSend) return;
    onSend(text.trim());
    setText('');
    ref.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const stop = async () => {
    setStopping(true);
    try {
      await onStop();
    } finally {
      setStopping(false);
    }
  };

  return (
    <form className="insp-composer" onSubmit={submit} aria-label={`Write to ${agentName}`}>
      <div className="insp-composer-row">
        <textarea
          ref={ref}
          className="textarea insp-input"
          rows={1}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          aria-label={`Message ${agentName}`}
          aria-describedby={hintId}
          disabled={disabledReason !== undefined}
          placeholder={disabledReason ? 'Sending is not possible right now' : `Message ${agentName}…`}
        />
        {running && (
          <Button variant="danger" busy={stopping} onClick={() => void stop()} aria-label="Stop the reply" title="Cancel the running turn">
            <span aria-hidden="true">■</span> Stop
          </Button>
        )}
        <Button variant="primary" type="submit" disabled={!canSend}>
          Send
        </Button>
      </div>
      <div className={`insp-composer-hint small ${disabledReason ? 'warn' : 'muted'}`} id={hintId}>
        {disabledReason ?? <>Enter to send · Shift+Enter for a new line · replies come back here, not to a channel</>}
      </div>
    </form>
  );
}
