// `agents.defaults` inherited by every agent, before the agent is normalised: objects merge field
// by field (the agent's value wins), every list named `deny` is the union of both (a default deny
// can never be undone by one agent), any other list or value written by the agent replaces the default.
import type { RawAgent } from './schema.ts';

import { AGENT_ONLY_KEYS } from './constants.ts';

export { AGENT_ONLY_KEYS };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function union(agent: unknown[], inherited: unknown[]): unknown[] {
  const seen = new Set(agent.map((v) => String(v).trim()));
  return [...agent, ...inherited.filter((v) => !seen.has(String(v).trim()))];
}

function mergeValue(key: string, inherited: unknown, own: unknown): unknown {
  if (own === undefined) return structuredClone(inherited);
  if (inherited === undefined) return own;
  // The agent's own entries come first, so their indices still point at what the agent wrote.
  if (key === 'deny' && Array.isArray(own) && Array.isArray(inherited)) return union(own, inherited);
  if (isPlainObject(own) && isPlainObject(inherited)) return mergeObjects(inherited, own);
  return own;
}

function mergeObjects(inherited: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(inherited), ...Object.keys(own)])) {
    const value = mergeValue(key, inherited[key], own[key]);
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** The agent as if it had written every default it does not override itself. */
export function withAgentDefaults(defaults: Record<string, unknown> | undefined, agent: RawAgent): RawAgent {
  if (!defaults || Object.keys(defaults).length === 0) return agent;
  return mergeObjects(defaults, agent as Record<string, unknown>) as RawAgent;
}
