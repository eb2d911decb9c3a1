// The model table as the agent page's picker shows it: the installed SDK's models (KNOWN_MODELS in
// src-shared) grouped by family, newest first as the table lists them, with the deprecated ones
// (DEPRECATED_MODELS, with their end-of-life dates) kept apart behind a toggle.
import { DEPRECATED_MODELS, KNOWN_MODELS, canonicalModelName } from '../../../../src-shared/config/index.ts';

export interface ModelGroup {
  family: string;
  models: string[];
}

/** `claude-opus-5-5` → `Opus`; a name that does not follow the pattern is its own family. */
export function familyOf(model: string): string {
  const m = /^claude-([a-z]+)/.exec(canonicalModelName(model));
  return m ? m[1]!.charAt(0).toUpperCase() + m[1]!.slice(1) : 'Other';
}

export function isDeprecated(model: string): boolean {
  return DEPRECATED_MODELS[canonicalModelName(model)] !== undefined;
}

export function endOfLife(model: string): string | undefined {
  return DEPRECATED_MODELS[canonicalModelName(model)];
}

/** Current models by family, families in the order the table first names them. */
export function currentModelGroups(models: readonly string[] = KNOWN_MODELS): ModelGroup[] {
  const groups: ModelGroup[] = [];
  for (const model of models) {
    if (isDeprecated(model)) continue;
    const family = familyOf(model);
    const group = groups.find((g) => g.family === family);
    if (group) group.models.push(model);
    else groups.push({ family, models: [model] });
  }
  return groups;
}

export function deprecatedModels(models: readonly string[] = KNOWN_MODELS): string[] {
  return models.filter(isDeprecated);
}

export function isKnownModel(model: string): boolean {
  return KNOWN_MODELS.includes(canonicalModelName(model));
}
