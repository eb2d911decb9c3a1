// The ArgentOS shape (`agents: { defaults, main: {...}, work: {...} }`) converted to the list form
// before the schema runs, with a path map so every error still points at what the user wrote.
import type { JsonPath } from './issues.ts';

export interface PathMap {
  /** Converted path prefix (e.g. `agents.list.1`) → the original path prefix (`agents.work`). */
  entries: { from: JsonPath; to: JsonPath }[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isArgentosAgents(agents: unknown): agents is Record<string, unknown> {
  if (!isPlainObject(agents) || 'list' in agents) return false;
  return Object.keys(agents).some((k) => k !== 'defaults');
}

/** Returns a shallow copy of `raw` whose `agents` is in list form, plus the path map. */
export function convertArgentos(raw: unknown): { raw: unknown; map: PathMap; converted: boolean } {
  const map: PathMap = { entries: [] };
  if (!isPlainObject(raw) || !isArgentosAgents(raw.agents)) return { raw, map, converted: false };
  const agents = raw.agents;
  const list: unknown[] = [];
  for (const [key, value] of Object.entries(agents)) {
    if (key === 'defaults') continue;
    map.entries.push({ from: ['agents', 'list', list.length], to: ['agents', key] });
    list.push(isPlainObject(value) ? { id: key, ...value } : value);
  }
  const converted: Record<string, unknown> = { list };
  if ('defaults' in agents) converted.defaults = agents.defaults;
  return { raw: { ...raw, agents: converted }, map, converted: true };
}

export function mapPath(path: JsonPath, map: PathMap): JsonPath {
  for (const { from, to } of map.entries) {
    if (from.length <= path.length && from.every((part, i) => path[i] === part)) {
      const rest = path.slice(from.length);
      // The id was synthesised from the map key: point at the key itself.
      return rest.length === 1 && rest[0] === 'id' ? to : [...to, ...rest];
    }
  }
  return path;
}
