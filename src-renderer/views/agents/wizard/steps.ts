// The wizard's steps in order, which form fields each one owns (so a config problem is shown,
// and blocks Next, on the step where the user can fix it), and the one-line summary under each name.
import type { AuthMode, WizardForm } from '../model/draft.ts';
import { presetOf, TOOL_PRESETS } from '../model/tools.ts';

export type StepId = 'identity' | 'model' | 'workspace' | 'credentials' | 'channels' | 'tools' | 'review';

export interface StepDef {
  id: StepId;
  title: string;
  intro: string;
  owns: (field: string) => boolean;
  /** Also checked by the gateway (config.validate: the on-disk rules, e.g. shared folders). */
  gatewayCheck?: boolean;
}

export const STEPS: StepDef[] = [
  {
    id: 'identity',
    title: 'Identity',
    intro: 'Who the agent is. Its id names its folders and sessions.',
    owns: (f) => ['id', 'name', 'emoji', 'persona', 'default'].includes(f),
  },
  { id: 'model', title: 'Model', intro: 'The Claude model it answers with.', owns: (f) => f === 'model' },
  {
    id: 'workspace',
    title: 'Workspace',
    intro: 'The folder with its persona files and everything its tools write.',
    owns: (f) => f === 'workspace',
    gatewayCheck: true,
  },
  { id: 'credentials', title: 'Credentials', intro: 'The Anthropic API key it uses.', owns: (f) => f === 'auth' },
  {
    id: 'channels',
    title: 'Channels',
    intro: 'Which incoming messages it answers: bind it to channel accounts and chats.',
    owns: (f) => f.startsWith('binding:'),
  },
  { id: 'tools', title: 'Tools', intro: 'What it may do besides talking.', owns: (f) => f === 'tools' },
  { id: 'review', title: 'Review', intro: 'Check everything once more.', owns: (f) => f === 'general', gatewayCheck: true },
];

export function stepOf(field: string): number {
  const at = STEPS.findIndex((s) => s.owns(field));
  return at < 0 ? STEPS.length - 1 : at;
}

const AUTH: Record<AuthMode, [create: string, edit: string]> = {
  key: ['a key of its own', 'its own keys'],
  shared: ['the shared pool', 'own keys, then the pool'],
  copy: ['copied from another agent', 'its own keys'],
  skip: ['skip for now', 'its own keys'],
};

export function stepSummary(id: StepId, form: WizardForm, editing: boolean, defaultModel: string): string {
  switch (id) {
    case 'identity':
      return form.id.trim() ? `${form.emoji ? `${form.emoji} ` : ''}${form.name.trim() || form.id.trim()}` : 'Id, name, persona';
    case 'model':
      return form.model.trim() || `default (${defaultModel})`;
    case 'workspace':
      return editing ? 'stays where it is' : form.customWorkspace ? form.workspace.trim() || 'another folder' : 'the default folder';
    case 'credentials':
      return !editing && form.auth.mode === 'copy' && form.auth.copyFrom
        ? `keys of ${form.auth.copyFrom}`
        : AUTH[form.auth.mode][editing ? 1 : 0];
    case 'channels':
      return form.bindings.length === 0 ? 'dashboard only' : `${form.bindings.length} binding${form.bindings.length === 1 ? '' : 's'}`;
    case 'tools': {
      const preset = presetOf(form.tools);
      return preset === 'custom' ? 'custom' : TOOL_PRESETS.find((p) => p.id === preset)!.label;
    }
    default:
      return editing ? 'then save' : 'then create';
  }
}
