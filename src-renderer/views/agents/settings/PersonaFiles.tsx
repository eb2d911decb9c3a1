// The persona files in the agent's workspace (AGENTS.md, SOUL.md, USER.md), which every
// conversation loads: read with agents.files.get, saved whole with agents.files.set. Saving
// replaces the file on disk; it is not part of the config and has no config hash.
import { useCallback, useEffect, useState } from 'react';
import { PERSONA_FILE_NAMES, type PersonaFileName } from '../../../../src-shared/protocol/persona-methods.ts';
import { errorText } from '../../../gateway/client.ts';
import { useGateway } from '../../../store/gateway.ts';
import { toast } from '../../../store/toasts.ts';
import { Button, Field, Segmented, Spinner } from '../../../ui/controls.tsx';

const ABOUT: Record<PersonaFileName, string> = {
  'AGENTS.md': 'Its operating rules.',
  'SOUL.md': 'Its persona: who it is and how it talks.',
  'USER.md': 'What it knows about you.',
};

interface Loaded {
  name: PersonaFileName;
  path: string;
  exists: boolean;
  content: string;
}

export function PersonaFiles({ agentId }: { agentId: string }) {
  const client = useGateway((s) => s.client);
  const [name, setName] = useState<PersonaFileName>('SOUL.md');
  const [loaded, setLoaded] = useState<Loaded>();
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    async (file: PersonaFileName) => {
      if (!client) return;
      setError(undefined);
      setSaved(undefined);
      setLoaded(undefined);
      try {
        const got = await client.request('agents.files.get', { agentId, name: file });
        setLoaded({ name: file, path: got.path, exists: got.exists, content: got.content });
        setText(got.content);
      } catch (err) {
        setError(`Could not read ${file}: ${errorText(err)}`);
      }
    },
    [client, agentId],
  );

  useEffect(() => {
    void load(name);
  }, [load, name]);

  const dirty = loaded !== undefined && text !== loaded.content;
  const save = async () => {
    if (!client || !loaded) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await client.request('agents.files.set', { agentId, name: loaded.name, content: text });
      setLoaded({ ...loaded, exists: true, content: text, path: result.path });
      setSaved(`Saved ${loaded.name}.`);
      toast('ok', `Saved ${loaded.name} of ${agentId}`);
    } catch (err) {
      setError(`${loaded.name} was not saved: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack persona-files" style={{ gap: 'var(--s2)' }}>
      <span className="section-title">Workspace persona files</span>
      <Segmented
        label="Persona file"
        value={name}
        options={PERSONA_FILE_NAMES.map((n) => ({ value: n, label: n }))}
        onChange={(n) => {
          if (!dirty || window.confirm(`Drop your changes to ${loaded?.name ?? name}?`)) setName(n);
        }}
      />
      {!loaded && !error && (
        <span className="row small muted">
          <Spinner label={`Reading ${name}`} /> Reading {name}…
        </span>
      )}
      {loaded && (
        <Field
          label={name}
          hint={
            <>
              {ABOUT[name]} {loaded.exists ? <code>{loaded.path}</code> : 'It does not exist yet; saving creates it.'} Loaded into every
              conversation (the first 16 KiB).
            </>
          }
        >
          {(id, describedBy) => (
            <textarea
              id={id}
              className="textarea mono"
              rows={8}
              value={text}
              spellCheck={false}
              aria-describedby={describedBy}
              onChange={(e) => {
                setText(e.target.value);
                setSaved(undefined);
              }}
            />
          )}
        </Field>
      )}
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      {(dirty || saved) && (
        <div className="row">
          {saved && (
            <span className="small" role="status">
              {saved}
            </span>
          )}
          <span className="spacer" />
          {dirty && (
            <>
              <Button variant="ghost" onClick={() => setText(loaded!.content)} disabled={busy}>
                Discard
              </Button>
              <Button variant="primary" busy={busy} onClick={() => void save()}>
                Save {name}
              </Button>
            </>
          )}
        </div>
      )}
    </div>
  );
}
