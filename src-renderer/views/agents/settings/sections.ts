// The agent page's sections: which form fields each one edits (and saves, alone) and which issue
// fields it owns, so a section's Save sends only its own change and shows only its own errors.
import type { WizardForm } from '../model/draft.ts';

export type SectionId = 'identity' | 'model' | 'tools' | 'memory' | 'limits' | 'channels' | 'owners';

export interface SectionDef {
  id: SectionId;
  title: string;
  /** What its Save button says after "Save ". */
  noun: string;
  fields: readonly (keyof WizardForm)[];
  owns(field: string): boolean;
}

export const SECTIONS: readonly SectionDef[] = [
  {
    id: 'identity',
    title: 'Identity and persona',
    noun: 'identity',
    fields: ['name', 'emoji', 'persona', 'makeDefault'],
    owns: (f) => ['id', 'name', 'emoji', 'persona', 'default'].includes(f),
  },
  { id: 'model', title: 'Model', noun: 'model', fields: ['model', 'customModel', 'fallbacks'], owns: (f) => f === 'model' },
  { id: 'tools', title: 'Tools', noun: 'tools', fields: ['tools', 'sandboxMode'], owns: (f) => f === 'tools' },
  { id: 'memory', title: 'Memory', noun: 'memory', fields: ['memory'], owns: (f) => f === 'memory' },
  { id: 'limits', title: 'Limits', noun: 'limits', fields: ['limits'], owns: (f) => f === 'limits' },
  {
    id: 'channels',
    title: 'Channels and bindings',
    noun: 'bindings',
    fields: ['bindings'],
    owns: (f) => f.startsWith('binding:'),
  },
  { id: 'owners', title: 'Owners', noun: 'owners', fields: ['owners'], owns: (f) => f === 'owners' },
];

export function sectionDef(id: SectionId): SectionDef {
  return SECTIONS.find((s) => s.id === id)!;
}

function pick(form: WizardForm, fields: readonly (keyof WizardForm)[]): Partial<WizardForm> {
  return Object.fromEntries(fields.map((f) => [f, form[f]]));
}

export function sectionDirty(section: SectionDef, initial: WizardForm, form: WizardForm): boolean {
  return JSON.stringify(pick(initial, section.fields)) !== JSON.stringify(pick(form, section.fields));
}

/** The form as saved when only `section` is: the agent as it is, with that section's edits. */
export function withSection(initial: WizardForm, form: WizardForm, section: SectionDef): WizardForm {
  return { ...structuredClone(initial), ...structuredClone(pick(form, section.fields)) };
}

/** After a save, the fresh agent with the edits of the other sections still pending laid over it. */
export function keepPending(fresh: WizardForm, previous: WizardForm, form: WizardForm, saved: SectionDef): WizardForm {
  let next = structuredClone(fresh);
  for (const s of SECTIONS) {
    if (s.id !== saved.id && sectionDirty(s, previous, form)) next = { ...next, ...structuredClone(pick(form, s.fields)) };
  }
  return next;
}
