// Adds an Anthropic API key to an agent's auth profiles in the OS keychain (`auth.add`). The key
// goes straight to the gateway; the dashboard never keeps it, shows it or gets it back. Without a
// keychain (`status.keychain`) the dialog says how to start one, or to use `ANTHROPIC_API_KEY`.
import { useState } from 'react';
import { errorText } from '../gateway/client.ts';
import { useGateway } from '../store/gateway.ts';
import { toast } from '../store/toasts.ts';
import { Banner, Button, Dialog, Field } from './controls.tsx';
import { NoKeychainHelp } from './keychain-help.tsx';

export function ApiKeyDialog({
  agentIds,
  initialAgent,
  onClose,
  onAdded,
}: {
  agentIds: string[];
  initialAgent?: string;
  onClose: () => void;
  onAdded?: () => void;
}) {
  const client = useGateway((s) => s.client);
  const keychain = useGateway((s) => s.status?.keychain);
  const noKeychain = keychain?.available === false;
  const [agentId, setAgentId] = useState(initialAgent ?? agentIds[0] ?? 'main');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const save = async () => {
    if (!client) return;
    setBusy(true);
    setError(undefined);
    try {
      await client.request('auth.add', { agentId, apiKey: key.trim(), label: 'added in the dashboard' });
      setKey('');
      toast('ok', `API key stored in the keychain for ${agentId}`);
      onAdded?.();
      onClose();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Add an Anthropic API key"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} disabled={!key.trim() || noKeychain} onClick={() => void save()}>
            Save key
          </Button>
        </>
      }
    >
      <p className="muted">The key is stored in your operating system's keychain, never in a file. Get one at console.anthropic.com.</p>
      {noKeychain && (
        <>
          <Banner tone="warn" title="This computer has no keychain the gateway can use:">
            {keychain.reason ?? 'no reason given'}.
          </Banner>
          <NoKeychainHelp />
        </>
      )}
      {agentIds.length > 1 && (
        <Field label="For agent">
          {(id) => (
            <select id={id} className="select" value={agentId} onChange={(e) => setAgentId(e.target.value)}>
              {agentIds.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label="API key" error={error}>
        {(id, describedBy) => (
          <input
            id={id}
            className="input mono"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="sk-ant-…"
            disabled={noKeychain}
            value={key}
            aria-describedby={describedBy}
            aria-invalid={error ? true : undefined}
            onChange={(e) => setKey(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && key.trim() && !noKeychain) void save();
            }}
          />
        )}
      </Field>
    </Dialog>
  );
}
