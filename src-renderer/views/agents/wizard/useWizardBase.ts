// Loads the config the wizard works on and keeps it fixed: the hash it was read at is the base of
// every save, so a change made elsewhere meanwhile is reported (`stale`), never silently taken
// over or overwritten. Reloading adopts the new file and leaves the user's input alone.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText, type Result } from '../../../gateway/client.ts';
import { checkDraft, useConfig } from '../../../store/config.ts';
import { useGateway } from '../../../store/gateway.ts';
import type { WizardBase } from '../model/draft.ts';

export type FileIssue = Result<'config.get'>['issues'][number];

export interface WizardBaseState {
  base: WizardBase | undefined;
  /** Errors the file on disk has now (the gateway refuses edits until they are fixed). */
  fileErrors: FileIssue[];
  loadError: string | undefined;
  /** The file changed since `base` was read: noticed (`changed`), or a save was refused for it (`refused`). */
  stale: 'changed' | 'refused' | undefined;
  /** Reads the file again; resolves with the new base, the one it replaces, and whether keys can be stored. */
  reload(): Promise<{ next: WizardBase; previous: WizardBase | undefined; keychainAvailable: boolean } | undefined>;
  /** While the wizard itself writes, its own changes are not "someone else's". */
  setSaving(saving: boolean): void;
  /** A save came back with `conflict`. */
  markStale(): void;
}

export function useWizardBase(): WizardBaseState {
  const client = useGateway((s) => s.client);
  const [base, setBase] = useState<WizardBase>();
  const [fileErrors, setFileErrors] = useState<FileIssue[]>([]);
  const [loadError, setLoadError] = useState<string>();
  const [stale, setStale] = useState<WizardBaseState['stale']>();
  const baseRef = useRef<WizardBase | undefined>(undefined);
  const saving = useRef(false);

  const reload = useCallback(async () => {
    if (!client) return undefined;
    setLoadError(undefined);
    const snapshot = await useConfig.getState().load();
    if (!snapshot) {
      setLoadError(useConfig.getState().error ?? 'the gateway did not answer');
      return undefined;
    }
    let status = useGateway.getState().status;
    if (!status) {
      try {
        status = await client.request('status');
      } catch (err) {
        setLoadError(errorText(err));
        return undefined;
      }
    }
    const { stateDir } = status;
    const raw = snapshot.raw ?? {};
    const next: WizardBase = { raw, hash: snapshot.hash, stateDir, check: checkDraft(raw, snapshot) };
    const previous = baseRef.current;
    baseRef.current = next;
    setBase(next);
    setFileErrors(snapshot.issues.filter((i) => i.severity === 'error'));
    setStale(undefined);
    return { next, previous, keychainAvailable: status.keychain.available };
  }, [client]);

  useEffect(() => {
    if (!client) return;
    return client.on('config.changed', (d) => {
      if (!saving.current && baseRef.current && d.hash !== baseRef.current.hash) setStale((s) => s ?? 'changed');
    });
  }, [client]);

  const setSaving = useCallback((value: boolean) => {
    saving.current = value;
  }, []);
  const markStale = useCallback(() => setStale('refused'), []);

  return { base, fileErrors, loadError, stale, reload, setSaving, markStale };
}
