// Edits of the raw (as-written) config that the CLI, the control plane and the dashboard share.
// They change plain objects; the store writes them back with comments preserved.
import { isArgentosAgents } from './argentos.ts';
import type { RawBinding } from './schema.ts';
import type { SwitchboardConfig } from './types.ts';

export class ConfigEditError extends Error {
  readonly code: 'bad_request' | 'not_found' | 'conflict';
  constructor(message: string, code: 'bad_request' | 'not_found' | 'conflict' = 'bad_request') {
    super(message);
    this.code = code;
  }
}

type Obj = Record<string, unknown>;

function obj(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Obj;
  const created: Obj = {};
  parent[key] = created;
  return created;
}

/** The agents list, converting the ArgentOS map form to the list form if needed. */
export function agentList(raw: Obj): Obj[] {
  const agents = obj(raw, 'agents');
  if (isArgentosAgents(agents)) {
    const list = Object.entries(agents).filter(([k]) => k !== 'defaults').map(([id, v]) => ({ id, ...(v as Obj) }));
    for (const key of Object.keys(agents)) if (key !== 'defaults') delete agents[key];
    agents.list = list;
  }
  if (!Array.isArray(agents.list)) agents.list = [];
  return agents.list as Obj[];
}

export interface NewAgent {
  id: string;
  name?: string;
  model?: string;
  workspace: string;
  agentDir: string;
  default?: boolean;
  identity?: { name?: string; emoji?: string; persona?: string };
  tools?: { allow?: string[]; deny?: string[] };
}

/**
 * Adds an agent. When the config lists no agents, the implicit `main` agent is written out first
 * (as the default, with its current folders) so it keeps its data and stays the default.
 */
export function addAgent(raw: Obj, agent: NewAgent, implicitMain?: { workspace: string; agentDir: string }): void {
  const list = agentList(raw);
  if (list.some((a) => String(a.id).trim().toLowerCase() === agent.id)) throw new ConfigEditError(`agent "${agent.id}" already exists`, 'conflict');
  if (list.length === 0 && implicitMain && agent.id !== 'main') {
    list.push({ id: 'main', default: true, workspace: implicitMain.workspace, agentDir: implicitMain.agentDir });
  }
  const entry: Obj = { id: agent.id };
  if (agent.default) {
    for (const a of list) delete a.default;
    entry.default = true;
  }
  if (agent.name) entry.name = agent.name;
  if (agent.identity && Object.keys(agent.identity).length > 0) entry.identity = agent.identity;
  entry.workspace = agent.workspace;
  entry.agentDir = agent.agentDir;
  if (agent.model) entry.model = agent.model;
  if (agent.tools) entry.tools = agent.tools;
  list.push(entry);
}

export function addBinding(raw: Obj, binding: RawBinding, before?: number): number {
  if (!Array.isArray(raw.bindings)) raw.bindings = [];
  const list = raw.bindings as unknown[];
  const at = before === undefined ? list.length : before;
  if (!Number.isInteger(at) || at < 0 || at > list.length) throw new ConfigEditError(`--before ${before} is out of range: there are ${list.length} bindings (0-${list.length})`);
  list.splice(at, 0, binding);
  return at;
}

/** Removes `bindings[index]`; a channel shorthand cannot be removed by index. */
export function removeBinding(raw: Obj, index: number, config: SwitchboardConfig): RawBinding {
  const list = Array.isArray(raw.bindings) ? (raw.bindings as RawBinding[]) : [];
  if (!Number.isInteger(index) || index < 0) throw new ConfigEditError(`binding index must be a whole number from 0, not ${index}`);
  if (index >= list.length) {
    const shorthand = config.bindings.find((b) => b.index === index && b.source === 'shorthand');
    if (shorthand) {
      throw new ConfigEditError(`binding ${index} comes from the channel shorthand channels.${shorthand.match.channel}.agent; remove or change that key instead`);
    }
    throw new ConfigEditError(`there is no binding ${index} (there are ${list.length} in bindings, numbered from 0)`, 'not_found');
  }
  return list.splice(index, 1)[0]!;
}

export interface AgentReferences {
  bindings: number[];
  shorthands: string[];
  broadcast: string[];
  agentToAgent: boolean;
}

export function agentReferences(config: SwitchboardConfig, id: string): AgentReferences {
  return {
    bindings: config.bindings.filter((b) => b.agentId === id && b.source === 'bindings').map((b) => b.index),
    shorthands: config.bindings.filter((b) => b.agentId === id && b.source === 'shorthand').map((b) => b.match.channel),
    broadcast: Object.entries(config.broadcast?.groups ?? {}).filter(([, agents]) => agents.includes(id)).map(([peer]) => peer),
    agentToAgent: config.tools.agentToAgent.allow.includes(id),
  };
}

/** Removes an agent; with `dropReferences`, also every binding, shorthand and broadcast entry naming it. */
export function removeAgent(raw: Obj, id: string, config: SwitchboardConfig, dropReferences: boolean): AgentReferences {
  const list = agentList(raw);
  const at = list.findIndex((a) => String(a.id).trim().toLowerCase() === id);
  if (at < 0) throw new ConfigEditError(`agent "${id}" does not exist`, 'not_found');
  const refs = agentReferences(config, id);
  const referenced = refs.bindings.length + refs.shorthands.length + refs.broadcast.length > 0;
  if (referenced && !dropReferences) {
    const where = [
      ...refs.bindings.map((i) => `bindings[${i}]`),
      ...refs.shorthands.map((c) => `channels.${c}.agent`),
      ...refs.broadcast.map((p) => `broadcast["${p}"]`),
    ];
    throw new ConfigEditError(`agent "${id}" is still used by ${where.join(', ')}; remove those first or pass --drop-bindings`, 'conflict');
  }
  list.splice(at, 1);
  const lower = (v: unknown) => String(v).trim().toLowerCase();
  if (Array.isArray(raw.bindings)) raw.bindings = (raw.bindings as RawBinding[]).filter((b) => lower(b.agentId) !== id);
  const channels = raw.channels as Record<string, Obj> | undefined;
  for (const c of refs.shorthands) if (channels?.[c]) delete channels[c].agent;
  const broadcast = raw.broadcast as Record<string, unknown> | undefined;
  if (broadcast) {
    for (const [k, v] of Object.entries(broadcast)) {
      if (Array.isArray(v)) broadcast[k] = v.filter((a) => lower(a) !== id);
    }
  }
  const a2a = (raw.tools as Obj | undefined)?.agentToAgent as Obj | undefined;
  if (a2a && Array.isArray(a2a.allow)) a2a.allow = (a2a.allow as unknown[]).filter((a) => lower(a) !== id);
  return refs;
}
