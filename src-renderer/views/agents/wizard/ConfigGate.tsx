// What an agent editor (the wizard on an existing agent, the agent's page) shows before there is
// anything to edit: the config could not be read, is being read, names no such agent, or has
// errors that must be fixed first; and the banner when the file changed under them. Both editors
// read the config the same way (useWizardBase).
import type { ReactNode } from 'react';
import { Banner, Button, EmptyState, Spinner } from '../../../ui/controls.tsx';

export interface GateState {
  loadError: string | undefined;
  loaded: boolean;
  /** The id the route names when the config has no such agent. */
  missingId: string | undefined;
  /** The config has errors (errors of the file, as the gateway reported them). */
  fileErrors: { path?: string; message: string }[] | undefined;
  onRetry(): void;
  onBack(): void;
}

/** The panel to show instead of the editor, or undefined when the editor can be shown. */
export function configGate({ loadError, loaded, missingId, fileErrors, onRetry, onBack }: GateState): ReactNode | undefined {
  if (loadError && !loaded)
    return (
      <Banner
        tone="danger"
        title="Could not read the config:"
        action={
          <Button size="sm" onClick={onRetry}>
            Try again
          </Button>
        }
      >
        {loadError}
      </Banner>
    );
  if (!loaded)
    return (
      <div className="card card-pad row" aria-busy="true">
        <Spinner label="Loading the config" />
        <span className="muted">Reading the config…</span>
      </div>
    );
  if (missingId !== undefined)
    return (
      <div className="card">
        <EmptyState icon="☺" title={`There is no agent "${missingId}"`} action={<Button onClick={onBack}>Back to agents</Button>}>
          It may have been deleted or renamed in the config file.
        </EmptyState>
      </div>
    );
  if (fileErrors)
    return (
      <Banner tone="danger" title="The config file has errors; fix them before editing agents:">
        {fileErrors.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`).join(' · ')}
      </Banner>
    );
  return undefined;
}

/** The config changed elsewhere since the editor read it (`refused`: a save was turned down for it). */
export function StaleBanner({ stale, onReload }: { stale: 'changed' | 'refused' | undefined; onReload(): void }) {
  if (!stale) return null;
  return (
    <Banner
      tone="warn"
      action={
        <Button size="sm" onClick={onReload}>
          Reload
        </Button>
      }
      title={
        stale === 'refused'
          ? 'Not saved: the config changed since you opened this — reload.'
          : 'The config changed since you opened this — reload.'
      }
    >
      Someone else (the CLI, another window, an editor) changed switchboard.json, so saving now would overwrite their change. Reload bases
      your changes on the new version; what you entered here is kept.
    </Banner>
  );
}
