// Export and Delete in the transcript header (docs/architecture.md#sessions-from-the-inspector).
// Export downloads the session as JSONL with its metadata; Delete asks first, naming the session,
// and the gateway refuses it while a reply is being written there.
import { useState } from 'react';
import { errorText } from '../../gateway/client.ts';
import { useInspector } from '../../store/inspector.ts';
import { toast } from '../../store/toasts.ts';
import { Button, Dialog } from '../../ui/controls.tsx';
import { compactNumber } from '../../ui/format.ts';
import { downloadText, exportFileName, exportFileText } from './export-file.ts';

export interface SessionActionsProps {
  agentId: string;
  agentName: string;
  /** The list key: the live session key, or `<sessionKey>#<sessionId>` for an archived one. */
  sessionKey: string;
  label: string;
  messages: number | undefined;
  /** No row in the list: nothing stored yet, so nothing to export or delete. */
  stored: boolean;
  running: boolean;
  onDeleted(): void;
}

export function SessionActions({ agentId, agentName, sessionKey, label, messages, stored, running, onDeleted }: SessionActionsProps) {
  const [exporting, setExporting] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const exportSession = async () => {
    setExporting(true);
    try {
      const exported = await useInspector.getState().exportSession(agentId, sessionKey);
      downloadText(exportFileName(agentId, sessionKey), exportFileText(exported));
    } catch (err) {
      toast('danger', `Could not export “${label}”: ${errorText(err)}`);
    } finally {
      setExporting(false);
    }
  };

  const deleteSession = async () => {
    setDeleting(true);
    try {
      await useInspector.getState().deleteSession(agentId, sessionKey);
      setConfirming(false);
      toast('ok', `Deleted “${label}”.`);
      onDeleted();
    } catch (err) {
      setConfirming(false);
      toast('danger', `Could not delete “${label}”: ${errorText(err)}`);
    } finally {
      setDeleting(false);
    }
  };

  const nothing = stored ? undefined : 'Nothing is stored in this session yet';
  return (
    <div className="row insp-thead-actions">
      <Button
        size="sm"
        busy={exporting}
        disabled={!stored}
        onClick={() => void exportSession()}
        title={nothing ?? 'Download this conversation as a JSONL file'}
      >
        Export
      </Button>
      <Button
        size="sm"
        variant="danger"
        disabled={!stored || running}
        onClick={() => setConfirming(true)}
        title={nothing ?? (running ? 'Stop the reply first' : 'Delete this conversation')}
      >
        Delete
      </Button>
      {confirming && (
        <Dialog
          title="Delete this session?"
          onClose={() => {
            if (!deleting) setConfirming(false);
          }}
          footer={
            <>
              <Button onClick={() => setConfirming(false)} disabled={deleting}>
                Cancel
              </Button>
              <Button variant="danger-solid" busy={deleting} onClick={() => void deleteSession()}>
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
