// Rename, Export and Delete in the transcript header (docs/architecture.md#sessions-from-the-inspector).
// Rename sets the session's display title (the key never changes). Export downloads the session as
// JSONL (complete, with its metadata) or Markdown (readable). Delete asks first, naming the
// session, and the gateway refuses it while a reply is being written there.
import { useState, type FormEvent } from 'react';
import { SESSION_TITLE_MAX } from '../../../src-shared/protocol/methods.ts';
import { errorText } from '../../gateway/client.ts';
import { useInspector } from '../../store/inspector.ts';
import { toast } from '../../store/toasts.ts';
import { Button, Dialog, Field } from '../../ui/controls.tsx';
import { compactNumber } from '../../ui/format.ts';
import { downloadText, exportFileName, exportFileText, exportMarkdown, type ExportFormat } from './export-file.ts';

export interface SessionActionsProps {
  agentId: string;
  agentName: string;
  /** The list key: the live session key, or `<sessionKey>#<sessionId>` for an archived one. */
  sessionKey: string;
  label: string;
  /** The title set with Rename, if any. */
  title: string | undefined;
  messages: number | undefined;
  /** No row in the list: nothing stored yet, so nothing to rename, export or delete. */
  stored: boolean;
  archived: boolean;
  running: boolean;
  onDeleted(): void;
}

export function SessionActions(props: SessionActionsProps) {
  const { agentId, agentName, sessionKey, label, title, messages, stored, archived, running, onDeleted } = props;
  const [dialog, setDialog] = useState<'rename' | 'export' | 'delete' | undefined>();
  const [busy, setBusy] = useState<ExportFormat | 'delete' | undefined>();

  const exportSession = async (format: ExportFormat) => {
    setBusy(format);
    try {
      const exported = await useInspector.getState().exportSession(agentId, sessionKey);
      if (format === 'jsonl') downloadText(exportFileName(agentId, sessionKey, 'jsonl', title), exportFileText(exported));
      else
        downloadText(exportFileName(agentId, sessionKey, 'markdown', title), exportMarkdown(exported, agentName, label), 'text/markdown');
      setDialog(undefined);
    } catch (err) {
      setDialog(undefined);
      toast('danger', `Could not export “${label}”: ${errorText(err)}`);
    } finally {
      setBusy(undefined);
    }
  };

  const deleteSession = async () => {
    setBusy('delete');
    try {
      await useInspector.getState().deleteSession(agentId, sessionKey);
      setDialog(undefined);
      toast('ok', `Deleted “${label}”.`);
      onDeleted();
    } catch (err) {
      setDialog(undefined);
      toast('danger', `Could not delete “${label}”: ${errorText(err)}`);
    } finally {
      setBusy(undefined);
    }
  };

  const nothing = stored ? undefined : 'Nothing is stored in this session yet';
  const close = () => {
    if (!busy) setDialog(undefined);
  };
  return (
    <div className="row insp-thead-actions">
      <Button
        size="sm"
        disabled={!stored || archived}
        onClick={() => setDialog('rename')}
        title={nothing ?? (archived ? 'An archived session keeps its name' : 'Give this conversation a name')}
      >
        Rename
      </Button>
      <Button size="sm" disabled={!stored} onClick={() => setDialog('export')} title={nothing ?? 'Download this conversation'}>
        Export
      </Button>
      <Button
        size="sm"
        variant="danger"
        disabled={!stored || running}
        onClick={() => setDialog('delete')}
        title={nothing ?? (running ? 'Stop the reply first' : 'Delete this conversation')}
      >
        Delete
      </Button>
      {dialog === 'rename' && <RenameDialog agentId={agentId} sessionKey={sessionKey} title={title} onClose={close} />}
      {dialog === 'export' && (
        <Dialog
          title="Export this session"
          onClose={close}
          footer={
            <Button onClick={close} disabled={busy !== undefined}>
              Cancel
            </Button>
          }
        >
          <p>
            <strong>{label}</strong>
            {messages !== undefined ? ` (${compactNumber(messages)} ${messages === 1 ? 'message' : 'messages'})` : ''}, secrets masked.
          </p>
          <div className="insp-export-choices">
            <Button variant="primary" busy={busy === 'jsonl'} disabled={busy !== undefined} onClick={() => void exportSession('jsonl')}>
              Download JSONL
            </Button>
            <span className="small muted">Complete: every stored record, with the session's metadata on the first line.</span>
            <Button busy={busy === 'markdown'} disabled={busy !== undefined} onClick={() => void exportSession('markdown')}>
              Download Markdown
            </Button>
            <span className="small muted">Readable: the conversation in order, failures and tool calls marked.</span>
          </div>
        </Dialog>
      )}
      {dialog === 'delete' && (
        <Dialog
          title="Delete this session?"
          onClose={close}
          footer={
            <>
              <Button onClick={close} disabled={busy === 'delete'}>
                Cancel
              </Button>
              <Button variant="danger-solid" busy={busy === 'delete'} onClick={() => void deleteSession()}>
                Delete session
              </Button>
            </>
          }
        >
          <p>
            <strong>{label}</strong>
            {messages !== undefined ? ` (${compactNumber(messages)} ${messages === 1 ? 'message' : 'messages'})` : ''} will be deleted from{' '}
            {agentName}'s sessions, transcript included. This cannot be undone — export it first to keep a copy.
          </p>
          <p className="small muted">
            <code>{sessionKey}</code>
          </p>
        </Dialog>
      )}
    </div>
  );
}

function RenameDialog({
  agentId,
  sessionKey,
  title,
  onClose,
}: {
  agentId: string;
  sessionKey: string;
  title: string | undefined;
  onClose(): void;
}) {
  const [value, setValue] = useState(title ?? '');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const length = [...value.replace(/\s+/g, ' ').trim()].length;
  const tooLong = length > SESSION_TITLE_MAX;

  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    if (tooLong || saving) return;
    setSaving(true);
    setError(undefined);
    try {
      const saved = await useInspector.getState().renameSession(agentId, sessionKey, value);
      toast('ok', saved ? `Renamed to “${saved}”.` : 'Name removed.');
      onClose();
    } catch (err) {
      setError(errorText(err));
      setSaving(false);
    }
  };

  return (
    <Dialog
      title="Rename this session"
      onClose={() => {
        if (!saving) onClose();
      }}
      footer={
        <>
          <Button onClick={onClose} disabled={saving}>
            Cancel
          </Button>
          <Button variant="primary" busy={saving} disabled={tooLong} onClick={() => void save()}>
            Save
          </Button>
        </>
      }
    >
      <form onSubmit={(e) => void save(e)}>
        <Field
          label="Name"
          hint={`Shown in the session list and here. Leave it empty to remove the name; the session key (${sessionKey}) does not change.`}
          error={tooLong ? `${length} characters; a name has at most ${SESSION_TITLE_MAX}.` : error}
        >
          {(id, describedBy) => (
            <input
              id={id}
              className="input"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={tooLong || undefined}
              autoComplete="off"
            />
          )}
        </Field>
      </form>
    </Dialog>
  );
}
