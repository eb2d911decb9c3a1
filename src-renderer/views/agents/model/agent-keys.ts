// The agent keys only the agent page edits (model fallbacks, owners, limits, memory): read from the
// agent's entry as written (not what it inherits from agents.defaults), and the agents.update patch
// that changes just what the form changed.
import type { AgentPatch } from '../../../../src-shared/config/index.ts';
import type { WizardForm } from './draft.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The keys only the agent page edits, read from the agent's entry as written (not inherited from agents.defaults). */
export function agentKeysOf(entry: Obj | undefined): Pick<WizardForm, 'fallbacks' | 'owners' | 'limits' | 'memory'> {
  const model = entry?.model;
  const limits = isObj(entry?.limits) ? entry.limits : {};
  const memory = isObj(entry?.memory) ? entry.memory : {};
  const text = (v: unknown) => (typeof v === 'number' ? String(v) : '');
  return {
    fallbacks: isObj(model) && Array.isArray(model.fallbacks) ? model.fallbacks.map(String) : [],
    owners: Array.isArray(entry?.owners) ? entry.owners.map(String).join('\n') : '',
    limits: { dailyTokens: text(limits.dailyTokens), perSenderPerMinute: text(limits.perSenderPerMinute) },
    memory: {
      scope: memory.scope === 'shared' || (memory.scope === undefined && typeof memory.pool === 'string') ? 'shared' : 'agent',
      pool: typeof memory.pool === 'string' ? memory.pool : '',
    },
  };
}

/** The owners typed, one a line, without blanks. */
export function ownerList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** A limit as typed: undefined for '' (none), NaN for anything but a whole number above 0. */
export function limitValue(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^[1-9][0-9]{0,14}$/.test(t) ? Number(t) : Number.NaN;
}

/** The page's keys that differ; `modelCleared`: the patch removes `model`, so fallbacks that stay are written again. */
export function pageKeysPatch(initial: WizardForm, form: WizardForm, modelCleared: boolean): AgentPatch {
  const patch: AgentPatch = {};
  const fallbacks = form.fallbacks.map((m) => m.trim()).filter(Boolean);
  // Clearing the model removes the whole `model` key: fallbacks that stay are written again after it.
  if (JSON.stringify(fallbacks) !== JSON.stringify(initial.fallbacks) || (modelCleared && fallbacks.length > 0))
    patch.fallbacks = fallbacks.length > 0 ? fallbacks : null;
  const owners = ownerList(form.owners);
  if (JSON.stringify(owners) !== JSON.stringify(ownerList(initial.owners))) patch.owners = owners.length > 0 ? owners : null;
  const limits: NonNullable<AgentPatch['limits']> = {};
  for (const key of ['dailyTokens', 'perSenderPerMinute'] as const) {
    const now = limitValue(form.limits[key]);
    // A limit that is not a number is a form error (issues.ts); it is never sent.
    if (Number.isNaN(now) || now === limitValue(initial.limits[key])) continue;
    limits[key] = now ?? null;
  }
  if (Object.keys(limits).length > 0) patch.limits = limits;
  const memory = { scope: form.memory.scope, pool: form.memory.scope === 'shared' ? form.memory.pool.trim() : '' };
  const before = { scope: initial.memory.scope, pool: initial.memory.scope === 'shared' ? initial.memory.pool.trim() : '' };
  if (JSON.stringify(memory) !== JSON.stringify(before))
    patch.memory = memory.scope === 'agent' ? null : { scope: 'shared', ...(memory.pool ? { pool: memory.pool } : {}) };
  return patch;
}
