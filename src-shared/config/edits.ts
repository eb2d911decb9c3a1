// Edits of the raw (as-written) config that the CLI, the control plane and the dashboard share.
// They change plain objects; the store writes them back with comments preserved.
import { isArgentosAgents } from './argentos.ts';
import { isChannelId } from './constants.ts';
import { SECRET_FIELDS } from './normalize.ts';
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

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const lower = (v: unknown): string => String(v).trim().toLowerCase();

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
    const list = Object.entries(agents)
      .filter(([k]) => k !== 'defaults')
      .map(([id, v]) => ({ id, ...(v as Obj) }));
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
  tools?: { allow?: string[]; deny?: string[]; nonOwners?: { allow?: string[] } };
  sandbox?: SandboxEdit;
}

/** The sandbox keys the dashboard edits (`agents.list[].sandbox`); other keys written by hand are kept. */
export interface SandboxEdit {
  mode: 'off' | 'non-main' | 'all';
  network?: { allow: string[] };
}

/**
 * Adds an agent. When the config lists no agents, the implicit `main` agent is written out first
 * (as the default, with its current folders) so it keeps its data and stays the default.
 */
export function addAgent(raw: Obj, agent: NewAgent, implicitMain?: { workspace: string; agentDir: string }): void {
  const list = agentList(raw);
  if (list.some((a) => String(a.id).trim().toLowerCase() === agent.id))
    throw new ConfigEditError(`agent "${agent.id}" already exists`, 'conflict');
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
  if (agent.sandbox) entry.sandbox = agent.sandbox;
  list.push(entry);
}

export function addBinding(raw: Obj, binding: RawBinding, before?: number): number {
  if (!Array.isArray(raw.bindings)) raw.bindings = [];
  const list = raw.bindings as unknown[];
  const at = before === undefined ? list.length : before;
  if (!Number.isInteger(at) || at < 0 || at > list.length)
    throw new ConfigEditError(`--before ${before} is out of range: there are ${list.length} bindings (0-${list.length})`);
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
      throw new ConfigEditError(
        `binding ${index} comes from the channel shorthand channels.${shorthand.match.channel}.agent; remove or change that key instead`,
      );
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
    broadcast: Object.entries(config.broadcast?.groups ?? {})
      .filter(([, agents]) => agents.includes(id))
      .map(([peer]) => peer),
    agentToAgent: config.tools.agentToAgent.allow.includes(id),
  };
}

/**
 * Removes an agent; with `dropReferences`, also every binding, shorthand and broadcast entry naming it.
 * `dropHint` finishes the refusal message with how the caller's user says "drop them too".
 */
export function removeAgent(
  raw: Obj,
  id: string,
  config: SwitchboardConfig,
  dropReferences: boolean,
  dropHint = 'pass --drop-bindings',
): AgentReferences {
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
    throw new ConfigEditError(`agent "${id}" is still used by ${where.join(', ')}; remove those first or ${dropHint}`, 'conflict');
  }
  list.splice(at, 1);
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

/** Each agent entry as written (list or ArgentOS map form, not converted) with its lower-cased id. */
function agentEntries(raw: Obj): { id: string; entry: Obj }[] {
  const agents = raw.agents;
  if (!isObj(agents)) return [];
  if (isArgentosAgents(agents)) {
    return Object.entries(agents)
      .filter(([k, v]) => k !== 'defaults' && isObj(v))
      .map(([k, v]) => ({ id: lower((v as Obj).id ?? k), entry: v as Obj }));
  }
  const list: unknown = (raw.agents as Obj).list;
  return Array.isArray(list) ? list.filter(isObj).map((entry) => ({ id: lower(entry.id), entry })) : [];
}

/** A change to one agent: a value sets, `null` clears (the agent then uses the defaults). */
export interface AgentPatch {
  name?: string | null;
  emoji?: string | null;
  persona?: string | null;
  model?: string | null;
  /**
   * `model.fallbacks` (docs/config.md#model-fallbacks): a list writes `model: { primary, fallbacks }`
   * (the primary as written, else `model`); `null` or `[]` leaves the primary alone as a plain name.
   */
  fallbacks?: string[] | null;
  tools?: { allow?: string[]; deny?: string[]; nonOwners?: { allow?: string[] } } | null;
  sandbox?: SandboxEdit | null;
  /** `owners`: `<channel>:<sender id>` entries; `null` removes the key (the defaults' owners apply). */
  owners?: string[] | null;
  /** `limits`: each number sets, `null` removes that limit; an emptied block is removed. */
  limits?: { dailyTokens?: number | null; perSenderPerMinute?: number | null } | null;
  /** `memory`: the agent's own memory, or a shared pool; `null` removes the key. */
  memory?: { scope: 'agent' | 'shared'; pool?: string } | null;
  /** Makes this agent the default (and no other). */
  default?: true;
}

/** Applies `patch` to the agent written in the config (list or map form, which is kept). */
export function updateAgent(raw: Obj, id: string, patch: AgentPatch): void {
  const entries = agentEntries(raw);
  const found = entries.find((e) => e.id === id);
  if (!found) throw new ConfigEditError(`agent "${id}" is not written in the config`, 'not_found');
  const entry = found.entry;
  // ArgentOS writes the persona as a string identity; it becomes the canonical object once edited.
  const identity = (): Obj => {
    if (typeof entry.identity === 'string') entry.identity = { persona: entry.identity };
    return obj(entry, 'identity');
  };
  const setIdentity = (key: 'name' | 'emoji' | 'persona', value: string | null | undefined): void => {
    if (value === undefined) return;
    if (value !== null) {
      identity()[key] = value;
      return;
    }
    if (entry.identity === undefined) return;
    const current = identity();
    delete current[key];
    if (Object.keys(current).length === 0) delete entry.identity;
  };
  if (patch.name !== undefined) {
    // The display name is `name`, else `identity.name`: keep both saying the same thing.
    if (patch.name === null) delete entry.name;
    else entry.name = patch.name;
    if (patch.name === null || (isObj(entry.identity) && entry.identity.name !== undefined)) setIdentity('name', patch.name);
  }
  setIdentity('emoji', patch.emoji);
  setIdentity('persona', patch.persona);
  if (patch.model === null) delete entry.model;
  // A new model name replaces the primary; the fallbacks written beside it stay (docs/config.md#model-fallbacks).
  else if (patch.model !== undefined && isObj(entry.model)) entry.model.primary = patch.model;
  else if (patch.model !== undefined) entry.model = patch.model;
  if (patch.fallbacks !== undefined) setFallbacks(entry, patch.fallbacks);
  if (patch.tools === null) delete entry.tools;
  else if (patch.tools !== undefined) {
    entry.tools = {
      ...(patch.tools.allow !== undefined ? { allow: patch.tools.allow } : {}),
      ...(patch.tools.deny !== undefined ? { deny: patch.tools.deny } : {}),
      ...(patch.tools.nonOwners !== undefined ? { nonOwners: patch.tools.nonOwners } : {}),
    };
  }
  if (patch.sandbox === null) delete entry.sandbox;
  else if (patch.sandbox !== undefined) {
    // workspaceAccess, scope, docker… written by hand stay as they were.
    const sandbox = obj(entry, 'sandbox');
    sandbox.mode = patch.sandbox.mode;
    if (patch.sandbox.network) obj(sandbox, 'network').allow = patch.sandbox.network.allow;
  }
  if (patch.owners === null) delete entry.owners;
  else if (patch.owners !== undefined) entry.owners = patch.owners;
  if (patch.limits === null) delete entry.limits;
  else if (patch.limits !== undefined) {
    const limits = obj(entry, 'limits');
    for (const key of ['dailyTokens', 'perSenderPerMinute'] as const) {
      const value = patch.limits[key];
      if (value === null) delete limits[key];
      else if (value !== undefined) limits[key] = value;
    }
    if (Object.keys(limits).length === 0) delete entry.limits;
  }
  if (patch.memory === null) delete entry.memory;
  else if (patch.memory !== undefined)
    entry.memory = { scope: patch.memory.scope, ...(patch.memory.pool ? { pool: patch.memory.pool } : {}) };
  if (patch.default) {
    for (const e of entries) delete e.entry.default;
    entry.default = true;
  }
}

/**
 * A chain is written as `{ primary, fallbacks }`; without fallbacks the object goes back to a plain
 * name. An agent naming no model of its own keeps inheriting the primary of agents.defaults.
 */
function setFallbacks(entry: Obj, fallbacks: string[] | null): void {
  const written = entry.model;
  const primary = isObj(written) ? written.primary : written;
  if (fallbacks && fallbacks.length > 0) {
    entry.model = { ...(typeof primary === 'string' ? { primary } : {}), fallbacks };
    return;
  }
  if (typeof primary === 'string') entry.model = primary;
  else delete entry.model;
}

/** Replaces the explicit `bindings` list (channel shorthands are left as they are). */
export function setBindings(raw: Obj, bindings: RawBinding[]): void {
  if (bindings.length === 0 && raw.bindings === undefined) return;
  raw.bindings = bindings;
}

/**
 * What a plaintext secret reads as when the config leaves the main process (config.get). Sent
 * back unchanged (config.apply, config.validate) it means "keep the value the file holds".
 */
export const REDACTED_SECRET = '__redacted__';

interface SecretSlot {
  path: string[];
  holder: Obj;
  field: string;
}

/** Every secret field present in a raw config: each channel's base block and its accounts. */
function secretSlots(raw: unknown): SecretSlot[] {
  const slots: SecretSlot[] = [];
  if (!isObj(raw) || !isObj(raw.channels)) return slots;
  for (const [channel, block] of Object.entries(raw.channels)) {
    if (!isChannelId(channel) || !isObj(block)) continue;
    const visit = (holder: Obj, at: string[]) => {
      for (const field of SECRET_FIELDS[channel]) if (holder[field] !== undefined) slots.push({ path: [...at, field], holder, field });
    };
    visit(block, ['channels', channel]);
    if (isObj(block.accounts)) {
      for (const [account, value] of Object.entries(block.accounts))
        if (isObj(value)) visit(value, ['channels', channel, 'accounts', account]);
    }
  }
  return slots;
}

/** A copy of `raw` whose plaintext secrets read REDACTED_SECRET; `{secret}`/`{env}` references are kept. */
export function redactSecrets<T>(raw: T): T {
  const copy = structuredClone(raw);
  for (const slot of secretSlots(copy)) if (typeof slot.holder[slot.field] === 'string') slot.holder[slot.field] = REDACTED_SECRET;
  return copy;
}

/** The value at the same secret field of `current` (account keys compared case-insensitively). */
function currentSecret(current: unknown, path: string[]): unknown {
  if (!isObj(current)) return undefined;
  let node: unknown = current;
  for (const [i, part] of path.entries()) {
    if (!isObj(node)) return undefined;
    const inAccounts = i > 0 && path[i - 1] === 'accounts';
    node = part in node || !inAccounts ? node[part] : Object.entries(node).find(([k]) => lower(k) === lower(part))?.[1];
  }
  return node;
}

/**
 * Puts the current value back wherever `candidate` holds REDACTED_SECRET at a secret field
 * (mutates `candidate`). Returns the paths where there was no current value to keep.
 */
export function restoreRedactedSecrets(candidate: Obj, current: unknown): string[][] {
  const missing: string[][] = [];
  for (const slot of secretSlots(candidate)) {
    if (slot.holder[slot.field] !== REDACTED_SECRET) continue;
    const value = currentSecret(current, slot.path);
    if (value === undefined || value === REDACTED_SECRET) missing.push(slot.path);
    else slot.holder[slot.field] = structuredClone(value);
  }
  return missing;
}
