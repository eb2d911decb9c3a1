// The wizard's form and the would-be config it stands for. A draft is the config snapshot with the
// agent added (or patched) and its bindings merged, built with the same src-shared edits the
// gateway applies, so the shared checker's messages and config paths are exactly what saving
// would report (issues.ts attaches each one to its field).
import {
  addAgent,
  ConfigEditError,
  DEFAULT_AGENT_ID,
  DEFAULT_MODEL,
  formatPath,
  isArgentosAgents,
  KNOWN_MODELS,
  updateAgent,
  type AgentPatch,
  type ConfigCheck,
  type JsonPath,
  type RawBinding,
} from '../../../../src-shared/config/index.ts';
import { bindingMatch, draftFromRaw, rawBinding, type DraftBinding } from './bindings.ts';
import { agentKeysOf, pageKeysPatch } from './agent-keys.ts';
import { toolsConfig, type ToolPolicy } from './tools.ts';

/** New agents: a key of its own, the shared pool, copies of another agent's keys, or nothing yet. */
export type AuthMode = 'key' | 'shared' | 'copy' | 'skip';

export interface WizardForm {
  id: string;
  name: string;
  emoji: string;
  persona: string;
  makeDefault: boolean;
  /** '' = use `agents.defaults.model` (else the built-in default). */
  model: string;
  /** The model is typed in rather than picked from the list. */
  customModel: boolean;
  /** Only for new agents: the folder typed in when `customWorkspace`, else `<stateDir>/workspace-<id>`. */
  workspace: string;
  customWorkspace: boolean;
  /** `copyFrom`/`copyProfiles`: the agent and profile ids `auth.copy` copies once a new agent exists. */
  auth: { mode: AuthMode; apiKey: string; sharedKey: string; copyFrom: string; copyProfiles: string[] };
  bindings: DraftBinding[];
  tools: ToolPolicy;
  /** `sandbox.mode` for exec (docs/config.md); the wizard turns it on with exec on Linux and macOS. */
  sandboxMode: SandboxMode;
  /** `model.fallbacks` as the agent writes them (the agent page edits them; the wizard leaves them). */
  fallbacks: string[];
  /** `owners` as written, one `<channel>:<sender id>` a line. */
  owners: string;
  /** `limits` as typed ('' = no limit of its own). */
  limits: { dailyTokens: string; perSenderPerMinute: string };
  /** `memory`: its own, or the shared pool named here ('' = the pool "shared"). */
  memory: { scope: 'agent' | 'shared'; pool: string };
}

export type SandboxMode = 'off' | 'non-main' | 'all';

export type WizardMode = { kind: 'create' } | { kind: 'edit'; agentId: string };

/** The config the wizard was opened on: every save is based on `hash` (a later edit elsewhere is a conflict). */
export interface WizardBase {
  raw: Record<string, unknown>;
  hash: string;
  stateDir: string;
  check: ConfigCheck;
}

export interface FieldIssue {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  /** Config path, e.g. `agents.list[1].id` ('' when the problem is not at one place). */
  path: string;
}

/** Field keys: id, name, emoji, persona, default, model, workspace, auth, tools, general, and `binding:<key>:<part>`. */
export type FieldIssues = Record<string, FieldIssue[]>;

export function emptyForm(): WizardForm {
  return {
    id: '',
    name: '',
    emoji: '',
    persona: '',
    makeDefault: false,
    model: '',
    customModel: false,
    workspace: '',
    customWorkspace: false,
    auth: { mode: 'skip', apiKey: '', sharedKey: '', copyFrom: '', copyProfiles: [] },
    bindings: [],
    tools: { deny: [] },
    sandboxMode: 'off',
    ...agentKeysOf(undefined),
  };
}

export const normId = (id: string): string => id.trim().toLowerCase();

/** Joins a path onto the state dir with the separator the state dir itself uses. */
export function joinPath(dir: string, ...parts: string[]): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return [dir.replace(/[\\/]+$/, ''), ...parts].join(sep);
}

export function defaultWorkspacePath(stateDir: string, id: string): string {
  return joinPath(stateDir, `workspace-${normId(id) || '<id>'}`);
}

export function agentDirPath(stateDir: string, id: string): string {
  return joinPath(stateDir, 'agents', normId(id) || '<id>', 'agent');
}

/** The model agents get when they name none: `agents.defaults.model`, else the built-in default. */
export function defaultModelOf(raw: Record<string, unknown> | undefined): string {
  const defaults = (raw?.agents as { defaults?: { model?: unknown } } | undefined)?.defaults;
  return primaryOf(defaults?.model) || DEFAULT_MODEL;
}

/** The primary of a `model` as written: a name, or `{ primary, fallbacks }` (docs/config.md#model-fallbacks). */
function primaryOf(model: unknown): string {
  const name = isObj(model) ? model.primary : model;
  return typeof name === 'string' ? name.trim() : '';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The agent's entry as written (list or ArgentOS map form) and its config path. */
export function findAgentEntry(raw: Obj, id: string): { entry: Obj; path: JsonPath } | undefined {
  const agents = raw.agents;
  if (!isObj(agents)) return undefined;
  if (isArgentosAgents(agents)) {
    for (const [key, value] of Object.entries(agents)) {
      if (key !== 'defaults' && isObj(value) && normId(String(value.id ?? key)) === id) return { entry: value, path: ['agents', key] };
    }
    return undefined;
  }
  const written = (agents as Obj).list;
  const list: unknown[] = Array.isArray(written) ? written : [];
  const at = list.findIndex((a) => isObj(a) && normId(String(a.id)) === id);
  return at < 0 ? undefined : { entry: list[at] as Obj, path: ['agents', 'list', at] };
}

/** Sets or clears `authProfiles.scope: "shared"` on the agent's entry (absent = its own keys only). */
export function setAuthScope(raw: Obj, id: string, scope: 'agent' | 'shared'): void {
  const found = findAgentEntry(raw, id);
  if (!found) throw new ConfigEditError(`agent "${id}" is not written in the config`, 'not_found');
  if (scope === 'shared') found.entry.authProfiles = { scope: 'shared' };
  else delete found.entry.authProfiles;
}

const SAME_FIELDS = ['channel', 'accountId', 'peerKind', 'peerId', 'guildId', 'roles', 'teamId', 'comment'] as const;

export function sameBinding(a: DraftBinding, b: DraftBinding): boolean {
  return SAME_FIELDS.every((f) => (a[f] ?? '') === (b[f] ?? ''));
}

const agentIdOf = (b: unknown): string => (isObj(b) ? normId(String(b.agentId ?? '')) : '');

/**
 * Writes the agent's bindings into `raw.bindings`: rows that came from the file stay where they
 * were (byte-for-byte when unchanged), removed ones go, new ones are appended. Returns which file
 * index each form row ended up at.
 */
export function mergeBindings(raw: Obj, agentId: string, rows: DraftBinding[]): Map<number, string> {
  const existing = Array.isArray(raw.bindings) ? (raw.bindings as unknown[]) : [];
  const out: unknown[] = [];
  const at = new Map<number, string>();
  existing.forEach((b, i) => {
    if (agentIdOf(b) !== agentId) {
      out.push(b);
      return;
    }
    const row = rows.find((r) => r.origin === i);
    if (!row) return;
    at.set(out.length, row.key);
    out.push(sameBinding(draftFromRaw(b as RawBinding, i), row) ? b : rawBinding(agentId, row));
  });
  for (const row of rows) {
    if (row.origin !== undefined) continue;
    at.set(out.length, row.key);
    out.push(rawBinding(agentId, row));
  }
  if (out.length > 0 || raw.bindings !== undefined) raw.bindings = out;
  return at;
}

/** The agent's explicit bindings as form rows (edit mode). */
export function agentBindings(raw: Obj, agentId: string): DraftBinding[] {
  const list = Array.isArray(raw.bindings) ? (raw.bindings as unknown[]) : [];
  return list.flatMap((b, i) => (agentIdOf(b) === agentId && isObj(b) && isObj(b.match) ? [draftFromRaw(b as RawBinding, i)] : []));
}

/** The form for an existing agent, from the normalised config (undefined when the config has errors). */
export function formFromAgent(base: WizardBase, agentId: string): WizardForm | undefined {
  const config = base.check.config;
  const agent = config?.agents.list.find((a) => a.id === agentId);
  if (!config || !agent) return undefined;
  const defaultId = (config.agents.list.find((a) => a.default) ?? config.agents.list[0])?.id;
  const model = agent.model ?? '';
  return {
    id: agent.id,
    name: agent.name ?? '',
    emoji: agent.identity.emoji ?? '',
    persona: agent.identity.persona ?? '',
    makeDefault: defaultId === agent.id,
    model,
    customModel: model !== '' && !KNOWN_MODELS.includes(model),
    workspace: agent.workspace ?? '',
    customWorkspace: false,
    auth: { mode: agent.authProfiles.scope === 'shared' ? 'shared' : 'skip', apiKey: '', sharedKey: '', copyFrom: '', copyProfiles: [] },
    bindings: agentBindings(base.raw, agent.id),
    tools: {
      ...(agent.tools.allow ? { allow: [...agent.tools.allow] } : {}),
      deny: [...agent.tools.deny],
      ...(agent.tools.nonOwners.allow.length > 0 ? { nonOwners: [...agent.tools.nonOwners.allow] } : {}),
    },
    sandboxMode: agent.sandbox.mode,
    ...agentKeysOf(findAgentEntry(base.raw, agent.id)?.entry),
  };
}

/** After a reload: re-attach the edited rows to the file's bindings as they are now. */
export function rebaseBindings(rows: DraftBinding[], previous: Obj, next: Obj, agentId: string): DraftBinding[] {
  const before = new Map(agentBindings(previous, agentId).map((b) => [b.origin!, b]));
  const now = agentBindings(next, agentId);
  const used = new Set<number>();
  const result: DraftBinding[] = [];
  for (const row of rows) {
    if (row.origin === undefined) {
      result.push(row);
      continue;
    }
    const original = before.get(row.origin);
    const match = original && now.find((b) => !used.has(b.origin!) && sameBinding(b, original));
    const edited = !original || !sameBinding(row, original);
    if (match) {
      used.add(match.origin!);
      result.push({ ...row, origin: match.origin! });
    } else if (edited) {
      // Gone from the file but changed here: the user's version is added back as a new binding.
      const { origin: _gone, ...rest } = row;
      result.push(rest);
    }
  }
  // Bindings someone else added to this agent in the meantime are shown, not silently dropped.
  for (const b of now) if (!used.has(b.origin!)) result.push(b);
  return result;
}

/** What `agents.update` should change: only fields that differ from when the wizard opened. */
export function editPatch(initial: WizardForm, form: WizardForm): AgentPatch {
  const patch: AgentPatch = {};
  const text = (key: 'name' | 'emoji' | 'persona') => {
    const now = form[key].trim();
    if (now !== initial[key].trim()) patch[key] = now === '' ? null : now;
  };
  text('name');
  text('emoji');
  text('persona');
  const model = form.model.trim();
  if (model !== initial.model.trim()) patch.model = model === '' ? null : model;
  if (JSON.stringify(toolsConfig(form.tools) ?? null) !== JSON.stringify(toolsConfig(initial.tools) ?? null))
    patch.tools = toolsConfig(form.tools) ?? null;
  if (form.sandboxMode !== initial.sandboxMode) patch.sandbox = { mode: form.sandboxMode };
  if (form.makeDefault && !initial.makeDefault) patch.default = true;
  Object.assign(patch, pageKeysPatch(initial, form, patch.model === null));
  return patch;
}

export function bindingsChanged(initial: WizardForm, form: WizardForm): boolean {
  if (initial.bindings.length !== form.bindings.length) return true;
  return form.bindings.some((b, i) => b.origin !== initial.bindings[i]!.origin || !sameBinding(b, initial.bindings[i]!));
}

export function scopeOf(form: WizardForm): 'agent' | 'shared' {
  return form.auth.mode === 'shared' ? 'shared' : 'agent';
}

/** `agents.create` params for the form. A default workspace is left to the gateway. */
export function createParams(form: WizardForm, baseHash: string) {
  const opt = (s: string) => s.trim() || undefined;
  const tools = toolsConfig(form.tools);
  return {
    baseHash,
    agent: {
      id: normId(form.id),
      ...(opt(form.name) ? { name: opt(form.name)! } : {}),
      ...(opt(form.emoji) ? { emoji: opt(form.emoji)! } : {}),
      ...(opt(form.persona) ? { persona: opt(form.persona)! } : {}),
      ...(opt(form.model) ? { model: opt(form.model)! } : {}),
      ...(form.customWorkspace && opt(form.workspace) ? { workspace: opt(form.workspace)! } : {}),
      ...(form.makeDefault ? { default: true } : {}),
      ...(tools ? { tools } : {}),
      ...(form.sandboxMode !== 'off' ? { sandbox: { mode: form.sandboxMode } } : {}),
    },
    ...(form.bindings.length > 0 ? { bindings: form.bindings.map(bindingMatch) } : {}),
  };
}

export interface Draft {
  raw: Obj;
  /** Config paths of the agent's entry in the draft (`agents.list[2]`, or `agents.ops` in the map form). */
  agentPaths: string[];
  /** File binding index → form row key. */
  bindingAt: Map<number, string>;
  /** Problems found while building it (e.g. the id is taken). */
  issues: { field: string; issue: FieldIssue }[];
}

export const RESERVED_ID_MESSAGE = `the id "${DEFAULT_AGENT_ID}" is reserved for the built-in agent; choose another id (edit "${DEFAULT_AGENT_ID}" on its own page)`;

/** The config as it would be after saving the form. */
export function buildDraft(base: WizardBase, form: WizardForm, mode: WizardMode): Draft {
  const raw = structuredClone(base.raw);
  const id = mode.kind === 'edit' ? mode.agentId : normId(form.id);
  const issues: Draft['issues'] = [];
  const main = { workspace: joinPath(base.stateDir, 'workspace'), agentDir: joinPath(base.stateDir, 'agents', 'main', 'agent') };
  if (mode.kind === 'create' && id === DEFAULT_AGENT_ID) {
    // The built-in agent's id: "creating" it would rewrite the default agent (the gateway refuses it too).
    issues.push({ field: 'id', issue: { severity: 'error', code: 'reserved_agent_id', path: '', message: RESERVED_ID_MESSAGE } });
    return { raw, agentPaths: [], bindingAt: new Map(), issues };
  }
  if (mode.kind === 'create') {
    const tools = toolsConfig(form.tools);
    const identity = {
      ...(form.emoji.trim() ? { emoji: form.emoji.trim() } : {}),
      ...(form.persona.trim() ? { persona: form.persona.trim() } : {}),
    };
    try {
      addAgent(
        raw,
        {
          id,
          workspace: (form.customWorkspace && form.workspace.trim()) || defaultWorkspacePath(base.stateDir, id),
          agentDir: agentDirPath(base.stateDir, id),
          ...(form.name.trim() ? { name: form.name.trim() } : {}),
          ...(form.model.trim() ? { model: form.model.trim() } : {}),
          ...(Object.keys(identity).length > 0 ? { identity } : {}),
          ...(tools ? { tools } : {}),
          ...(form.sandboxMode !== 'off' ? { sandbox: { mode: form.sandboxMode } } : {}),
          ...(form.makeDefault ? { default: true } : {}),
        },
        main,
      );
    } catch (err) {
      if (!(err instanceof ConfigEditError)) throw err;
      issues.push({
        field: 'id',
        issue: {
          severity: 'error',
          code: 'duplicate_agent',
          path: '',
          message: `an agent with the id "${id}" already exists; choose another id`,
        },
      });
      return { raw, agentPaths: [], bindingAt: new Map(), issues };
    }
  } else if (!findAgentEntry(raw, id)) {
    // The built-in agent is written out first, as the gateway does when it is edited.
    addAgent(raw, { id, default: true, ...main });
  }
  if (mode.kind === 'edit') {
    updateAgent(raw, id, editPatchFromScratch(raw, id, form));
  }
  if (mode.kind === 'edit' || form.auth.mode === 'shared') setAuthScope(raw, id, scopeOf(form));
  const found = findAgentEntry(raw, id);
  const bindingAt = mergeBindings(raw, id, form.bindings);
  return { raw, agentPaths: found ? [formatPath(found.path)] : [], bindingAt, issues };
}

/** A patch that makes the agent's entry say what the form says (for the draft, not for saving). */
function editPatchFromScratch(raw: Obj, id: string, form: WizardForm): AgentPatch {
  const entry = findAgentEntry(raw, id)!.entry;
  const identity = isObj(entry.identity) ? entry.identity : typeof entry.identity === 'string' ? { persona: entry.identity } : {};
  const current: WizardForm = {
    ...form,
    name: String(entry.name ?? identity.name ?? ''),
    emoji: String(identity.emoji ?? ''),
    persona: String(identity.persona ?? ''),
    model: primaryOf(entry.model),
    makeDefault: entry.default === true,
    tools: {
      ...(isObj(entry.tools) && Array.isArray(entry.tools.allow) ? { allow: entry.tools.allow as string[] } : {}),
      deny: isObj(entry.tools) && Array.isArray(entry.tools.deny) ? (entry.tools.deny as string[]) : [],
      ...(isObj(entry.tools) && isObj(entry.tools.nonOwners) && Array.isArray(entry.tools.nonOwners.allow)
        ? { nonOwners: entry.tools.nonOwners.allow as string[] }
        : {}),
    },
    sandboxMode: isObj(entry.sandbox) && typeof entry.sandbox.mode === 'string' ? (entry.sandbox.mode as SandboxMode) : 'off',
    ...agentKeysOf(entry),
  };
  return editPatch(current, form);
}
