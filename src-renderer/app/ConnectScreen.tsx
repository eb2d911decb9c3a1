// Shown when the page has no token (or the gateway refused it). The token is pasted here, never
// taken from a link's query or a gateway address typed by the user: the page only ever talks to
// the gateway that served it.
import { useState } from 'react';
import { saveToken } from '../gateway/token.ts';
import { Banner, Button, Field } from '../ui/controls.tsx';

export function ConnectScreen({ onToken, problem }: { onToken: (token: string) => void; problem: string | undefined }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  const submit = () => {
    if (!saveToken(value)) return setError('That does not look like a Switchboard token (letters, digits, - and _ only).');
    setError(undefined);
    onToken(value.trim());
  };
  return (
    <div className="connect">
      <form
        className="card card-pad stack"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        aria-label="Connect to the gateway"
      >
        <div className="brand" style={{ padding: 0 }}>
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          Switchboard
        </div>
        <h1>Connect to your gateway</h1>
        {problem && (
          <Banner tone="danger" title="Not connected:">
            {problem}.
          </Banner>
        )}
        <p className="muted">
          Open the <code>dashboard:</code> address that <code>switchboard gateway</code> printed — it carries the token. Or paste the token
          from the file <code>control-token</code> in the state folder (<code>~/.switchboard/control-token</code> by default).
        </p>
        <Field label="Control token" error={error}>
          {(id, describedBy) => (
            <input
              id={id}
              className="input mono"
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={value}
              aria-describedby={describedBy}
              aria-invalid={error ? true : undefined}
              onChange={(e) => setValue(e.target.value)}
            />
          )}
        </Field>
        <div className="row">
          <span className="spacer" />
          <Button variant="primary" type="submit" disabled={!value.trim()}>
            Connect
          </Button>
        </div>
        <p className="small muted">This page connects only to the gateway at {window.location.host}; the token stays in this tab.</p>
      </form>
    </div>
  );
}
