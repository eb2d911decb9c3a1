// First run (docs/dashboard.md#first-run): while an agent has no API key at all — no auth profile
// and no ANTHROPIC_API_KEY in the gateway's environment — the overview asks for one.
import { useEffect, useState } from 'react';
import { useGateway } from '../../store/gateway.ts';
import { ApiKeyDialog } from '../../ui/ApiKeyDialog.tsx';
import { Banner, Button } from '../../ui/controls.tsx';

export function ApiKeyBanner() {
  const client = useGateway((s) => s.client);
  const agents = useGateway((s) => s.agents);
  const [missing, setMissing] = useState<string[]>([]);
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!client) return;
    let live = true;
    client
      .request('auth.list')
      .then((list) => {
        if (!live) return;
        setMissing(list.envKey ? [] : list.agents.filter((a) => a.profiles.length === 0).map((a) => a.agentId));
      })
      .catch(() => setMissing([]));
    return () => {
      live = false;
    };
  }, [client, agents.length, version]);
  if (missing.length === 0) return null;
  return (
    <>
      <Banner
        tone="warn"
        title={
          missing.length === agents.length
            ? 'Add an API key to start chatting.'
            : `${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no API key.`
        }
        action={
          <Button variant="primary" size="sm" onClick={() => setOpen(true)}>
            Add API key
          </Button>
        }
      >
        Agents answer through the Anthropic API and need a key; it is kept in your keychain.
      </Banner>
      {open && <ApiKeyDialog agentIds={missing} onClose={() => setOpen(false)} onAdded={() => setVersion((v) => v + 1)} />}
    </>
  );
}
