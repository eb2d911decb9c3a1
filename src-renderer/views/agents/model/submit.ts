// What saving the wizard sends, in order. Create: agents.create (config entry, bindings, folders
// and persona files in one hash-guarded write), then the credentials choice. Edit: agents.update
// for the agent's own fields, then one config.apply for bindings and the auth scope, each write
// based on the hash the previous one returned, so an edit made elsewhere is a conflict, never lost.
import { ControlError } from '../../../../src-shared/protocol/errors.ts';
import { errorText, type GatewayClient } from '../../../gateway/client.ts';
import { bindingsChanged, createParams, editPatch, mergeBindings, scopeOf, setAuthScope, type WizardForm } from './draft.ts';

export const STALE_MESSAGE = 'the config changed since you opened this';

export interface SaveOutcome {
  agentId: string;
  /** Absolute folders the gateway created (create only). */
  workspace?: string;
  agentDir?: string;
  /** Profiles auth.copy gave the new agent (create with "copy keys" only). */
  copied?: { profileId: string; from: string }[];
  /** Later steps that failed after the config was written, in words the user can act on. */
  warnings: string[];
}

/** Re-reads the config and applies `edit` to it, refused if it is no longer at `hash`. */
async function applyOnTop(client: GatewayClient, hash: string, edit: (raw: Record<string, unknown>) => void): Promise<string> {
  const snapshot = await client.request('config.get');
  if (snapshot.hash !== hash || !snapshot.raw) throw new ControlError('conflict', `${STALE_MESSAGE} (someone else edited it)`);
  const raw = snapshot.raw;
  edit(raw);
  return (await client.request('config.apply', { config: raw, baseHash: hash })).hash;
}

/** A new agent stores its own key only when "add a key" is chosen; an edited agent whenever one is typed. */
async function storeKeys(client: GatewayClient, agentId: string, form: WizardForm, warnings: string[], editing: boolean): Promise<void> {
  const key = form.auth.apiKey.trim();
  const sharedKey = form.auth.sharedKey.trim();
  if (key && (editing || form.auth.mode === 'key')) {
    try {
      await client.request('auth.add', { agentId, apiKey: key, label: 'added in the agent wizard' });
    } catch (err) {
      warnings.push(
        `the API key was not stored: ${errorText(err)}. Add it later in Settings or with "switchboard auth add --agent ${agentId}".`,
      );
    }
  }
  if (form.auth.mode === 'shared' && sharedKey) {
    try {
      await client.request('auth.add', { agentId, apiKey: sharedKey, shared: true, label: 'added to the shared pool in the agent wizard' });
    } catch (err) {
      warnings.push(`the key was not added to the shared pool: ${errorText(err)}`);
    }
  }
}

/** Copies the chosen keys of another agent to `agentId`; what was skipped, or the whole copy failing, becomes a warning. */
export async function copyKeys(
  client: GatewayClient,
  agentId: string,
  from: string,
  profileIds: string[],
  warnings: string[],
): Promise<{ profileId: string; from: string }[]> {
  try {
    const result = await client.request('auth.copy', { fromAgentId: from, toAgentId: agentId, profileIds });
    for (const s of result.skipped) warnings.push(`the key "${s.profileId}" of ${from} was not copied: ${s.reason}`);
    return result.copied;
  } catch (err) {
    warnings.push(
      `the keys of ${from} were not copied: ${errorText(err)}. Try again from the agent's Credentials step or with "switchboard auth copy --from ${from} --to ${agentId}".`,
    );
    return [];
  }
}

export async function saveNewAgent(client: GatewayClient, form: WizardForm, baseHash: string): Promise<SaveOutcome> {
  const created = await client.request('agents.create', createParams(form, baseHash));
  const warnings: string[] = [];
  if (form.auth.mode === 'shared') {
    // agents.create has no auth scope: the opt-in goes into the entry it just wrote.
    try {
      await applyOnTop(client, created.hash, (raw) => setAuthScope(raw, created.agentId, 'shared'));
    } catch (err) {
      warnings.push(`the agent was created, but not switched to the shared key pool: ${errorText(err)}. Edit the agent to try again.`);
    }
  }
  await storeKeys(client, created.agentId, form, warnings, false);
  const copied =
    form.auth.mode === 'copy' ? await copyKeys(client, created.agentId, form.auth.copyFrom, form.auth.copyProfiles, warnings) : undefined;
  return { agentId: created.agentId, workspace: created.workspace, agentDir: created.agentDir, ...(copied ? { copied } : {}), warnings };
}

/** Throws a ControlError (`conflict` when the file moved on) if nothing could be written. */
export async function saveAgentEdit(
  client: GatewayClient,
  agentId: string,
  initial: WizardForm,
  form: WizardForm,
  baseHash: string,
): Promise<SaveOutcome> {
  let hash = baseHash;
  const patch = editPatch(initial, form);
  if (Object.keys(patch).length > 0) hash = (await client.request('agents.update', { agentId, baseHash: hash, patch })).hash;
  const moveBindings = bindingsChanged(initial, form);
  const moveScope = scopeOf(initial) !== scopeOf(form);
  if (moveBindings || moveScope) {
    await applyOnTop(client, hash, (raw) => {
      if (moveBindings) mergeBindings(raw, agentId, form.bindings);
      if (moveScope) setAuthScope(raw, agentId, scopeOf(form));
    });
  }
  const warnings: string[] = [];
  await storeKeys(client, agentId, form, warnings, true);
  return { agentId, warnings };
}
