// Control methods over the config file (src-shared/protocol/config-methods.ts): read it with
// secrets redacted, check or replace it whole, and the agent and binding edits the dashboard
// makes. Every write is hash-guarded by ConfigStore and hot-applied at once (gateway.reload,
// which emits `config.changed`); user mistakes come back as ControlErrors saying what to fix.
import { systemOpener, type OpenPath } from './open-path.ts';
import {
  REDACTED_SECRET,
  DEFAULT_AGENT_ID,
  addAgent,
  findShadowedBindings,
  formatPath,
  redactSecrets,
  restoreRedactedSecrets,
  setBindings,
  updateAgent,
  ConfigEditError,
  type ConfigIssue,
  type IncludeSite,
  type SwitchboardConfig,
} from '../../src-shared/config/index.ts';
import { editJson5 } from '../../src-shared/json5/index.ts';
import type { CONFIG_METHODS } from '../../src-shared/protocol/config-methods.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { UnsafeAgentIdError } from '../agents/layout.ts';
import { createAgent } from '../config/agent-create.ts';
import { AgentRemoveError, removeAgentEverywhere } from '../config/agent-remove.ts';
import { includeSiteValues } from '../config/includes.ts';
import { agentPaths, homeRelative, resolveConfigRelative } from '../config/paths.ts';
import { ConfigConflictError, ConfigInvalidError, type LoadedConfig } from '../config/store.ts';
import type { Handlers } from '../control/service.ts';
import { agentAuthPrefix, type SecretStore } from '../secrets/store.ts';
import type { Gateway } from './gateway.ts';
import type { UsageCounts } from './usage-ledger.ts';

export interface ConfigHandlerDeps {
  /** The keychain `agents.delete` with purge removes the agent's entries from. */
  keychain?: SecretStore;
  /** Opens the config file for `config.open`; default: the platform's opener (xdg-open, open, explorer). */
  openPath?: OpenPath;
}

type Obj = Record<string, unknown>;
type ValidLoaded = LoadedConfig & { config: SwitchboardConfig };

export const STALE =
  'the config file changed since you read it (someone else edited it); reload it (config.get) and make your change again';
const DEFAULT_USAGE_DAYS = 7;

function issueOut(issue: ConfigIssue) {
  return {
    severity: issue.severity,
    code: issue.code,
    message: issue.message,
    path: issue.path.length > 0 ? formatPath(issue.path) : '',
    ...(issue.line !== undefined ? { line: issue.line } : {}),
    ...(issue.column !== undefined ? { column: issue.column } : {}),
  };
}

/** "bindings[2].agentId: unknown agent "wrok"; 3:5 …" — the first errors, with where they are. */
export function describeErrors(issues: readonly ConfigIssue[]): string {
  const errors = issues.filter((i) => i.severity === 'error');
  const parts = errors
    .slice(0, 3)
    .map(
      (i) => `${i.path.length > 0 ? `${formatPath(i.path)}: ` : i.line !== undefined ? `${i.line}:${i.column ?? 1}: ` : ''}${i.message}`,
    );
  return parts.join('; ') + (errors.length > 3 ? ` (+${errors.length - 3} more)` : '');
}

function placeholderIssues(paths: string[][]): ConfigIssue[] {
  return paths.map((path) => ({
    severity: 'error',
    code: 'redacted_secret',
    path,
    message: `holds the placeholder "${REDACTED_SECRET}" but the config has no value there to keep; enter the secret or a { secret: "NAME" } reference`,
  }));
}

/** Errors of the config layer become protocol errors a user can act on; anything else stays internal. */
export async function configCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ControlError) throw err;
    if (err instanceof ConfigConflictError) throw new ControlError('conflict', STALE);
    if (err instanceof ConfigInvalidError)
      throw new ControlError('bad_request', `the change would make the config invalid: ${describeErrors(err.issues)}`);
    if (err instanceof ConfigEditError || err instanceof AgentRemoveError) throw new ControlError(err.code, err.message);
    if (err instanceof UnsafeAgentIdError) throw new ControlError('bad_request', err.message);
    throw err;
  }
}

export function configHandlers(gateway: Gateway, deps: ConfigHandlerDeps = {}): Handlers<typeof CONFIG_METHODS> {
  const store = gateway.configStore;
  const loc = gateway.currentLoc;

  /** The file as it is now, refused when it is not what the caller's change was based on. */
  async function based(baseHash: string): Promise<LoadedConfig> {
    const loaded = await store.load();
    if (loaded.hash !== baseHash) throw new ControlError('conflict', STALE);
    return loaded;
  }

  /** Edits other than config.apply start from a valid file: they could not say what they broke otherwise. */
  function valid(loaded: LoadedConfig): ValidLoaded {
    if (!loaded.check.ok || !loaded.check.config) {
      throw new ControlError(
        'bad_request',
        `the config file has errors, fix them first (config.get lists them; config.apply replaces the file): ${describeErrors(loaded.check.issues)}`,
      );
    }
    return { ...loaded, config: loaded.check.config };
  }

  function knownAgent(config: SwitchboardConfig, agentId: string): string {
    const id = agentId.trim().toLowerCase();
    if (!config.agents.list.some((a) => a.id === id)) {
      throw new ControlError('not_found', `agent "${agentId}" does not exist (agents: ${config.agents.list.map((a) => a.id).join(', ')})`);
    }
    return id;
  }

  /** Writes `raw` over the file `loaded` came from and makes the running gateway use it now. */
  async function write(raw: Obj, loaded: LoadedConfig): Promise<LoadedConfig> {
    const written = await configCall(() => store.write(raw, loaded.hash));
    await gateway.reload();
    return written;
  }

  /** A candidate config with REDACTED_SECRET put back to the current values. */
  function candidate(config: Obj, current: LoadedConfig): { raw: Obj; missing: ConfigIssue[] } {
    const raw = structuredClone(config);
    return { raw, missing: placeholderIssues(restoreRedactedSecrets(raw, current.check.raw)) };
  }

  return {
    async 'config.open'() {
      const file = store.configPath;
      if (!(await store.load()).exists) {
        throw new ControlError(
          'unavailable',
          `there is no config file yet (${file}); it is created with the first change you save here or with "switchboard agents add"`,
        );
      }
      try {
        await (deps.openPath ?? systemOpener())(file);
      } catch (err) {
        throw new ControlError('unavailable', `could not open ${file}: ${(err as Error).message}; open it in your editor yourself`);
      }
      return { path: file };
    },
    async 'config.get'() {
      const loaded = await store.load();
      const raw = loaded.check.raw;
      return {
        configPath: loaded.configPath,
        exists: loaded.exists,
        hash: loaded.hash,
        raw: typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? redactSecrets(raw as Obj) : null,
        issues: loaded.check.issues.map(issueOut),
        ...(loaded.check.includedFiles?.length ? { includes: redactedIncludes(loaded.configPath, raw) } : {}),
      };
    },

    async 'config.validate'({ config }) {
      const current = await store.load();
      const { raw, missing } = candidate(config, current);
      // Checked as the text that would be written, so line:column point into that file.
      const check = store.check(editJson5(current.exists ? current.text : '', raw));
      const issues = [...missing, ...check.issues];
      return { ok: !issues.some((i) => i.severity === 'error'), issues: issues.map(issueOut) };
    },

    async 'config.apply'({ config, baseHash }) {
      const current = await based(baseHash);
      const { raw, missing } = candidate(config, current);
      if (missing.length > 0) throw new ControlError('bad_request', `the config was not changed: ${describeErrors(missing)}`);
      const written = await write(raw, current);
      return { hash: written.hash, issues: written.check.issues.map(issueOut) };
    },

    async 'agents.create'({ baseHash, agent, bindings }) {
      const current = valid(await based(baseHash));
      refuseTakenId(current.config, agent.id);
      const homeDir = gateway.homeDir;
      const created = await configCall(() =>
        createAgent({ store, loc, homeDir }, current, {
          id: agent.id,
          ...(agent.workspace ? { workspace: resolveConfigRelative(agent.workspace, loc, homeDir) } : {}),
          ...(agent.name ? { name: agent.name } : {}),
          ...(agent.emoji ? { emoji: agent.emoji } : {}),
          ...(agent.persona ? { persona: agent.persona } : {}),
          ...(agent.model ? { model: agent.model } : {}),
          ...(agent.default ? { default: true } : {}),
          ...(agent.tools ? { tools: agent.tools } : {}),
          ...(agent.sandbox ? { sandbox: agent.sandbox } : {}),
          ...(bindings ? { bindings } : {}),
        }),
      );
      // After the folders exist, so the agent's first message finds its workspace.
      await gateway.reload();
      return { agentId: created.agent.id, workspace: created.paths.workspace, agentDir: created.paths.agentDir, hash: created.loaded.hash };
    },

    async 'agents.update'({ agentId, baseHash, patch }) {
      const current = valid(await based(baseHash));
      const id = knownAgent(current.config, agentId);
      const agent = current.config.agents.list.find((a) => a.id === id)!;
      const raw = structuredClone((current.check.raw ?? {}) as Obj);
      await configCall(async () => {
        if (agent.implicit) {
          // The built-in agent is written out first, with the folders it already uses.
          const paths = agentPaths(agent, current.config, loc, gateway.homeDir);
          addAgent(raw, {
            id,
            default: true,
            workspace: homeRelative(paths.workspace, gateway.homeDir),
            agentDir: homeRelative(paths.agentDir, gateway.homeDir),
          });
        }
        updateAgent(raw, id, patch);
      });
      const written = await write(raw, current);
      return { agentId: id, hash: written.hash };
    },

    async 'agents.delete'({ agentId, baseHash, dropBindings, purge }) {
      const current = valid(await based(baseHash));
      const id = knownAgent(current.config, agentId);
      if (purge && gateway.activity.snapshot(id).state === 'thinking') {
        throw new ControlError(
          'conflict',
          `agent "${id}" is answering a message right now; wait for it or stop it (turn.cancel), then delete it again`,
        );
      }
      const removed = await configCall(() =>
        removeAgentEverywhere(
          { store, loc, homeDir: gateway.homeDir, ...(deps.keychain ? { keychain: () => deps.keychain! } : {}) },
          current,
          id,
          {
            dropBindings: dropBindings === true,
            purge: purge === true,
            dropHint: 'set dropBindings to remove them with the agent',
            afterWrite: async () => {
              await gateway.reload();
              if (purge) await forgetSessions(gateway, id);
            },
          },
        ),
      );
      const warnings: string[] = [];
      if (purge && !deps.keychain)
        warnings.push(`its keychain entries (${agentAuthPrefix(id)}*) were not deleted: this gateway runs without a keychain`);
      if (removed.keychain?.error)
        warnings.push(`its keychain entries (${agentAuthPrefix(id)}*) could not be deleted: ${removed.keychain.error}`);
      return { agentId: id, removedBindings: removed.bindingIndices, purged: purge === true, hash: removed.written.hash, warnings };
    },

    async 'bindings.set'({ baseHash, bindings }) {
      const current = valid(await based(baseHash));
      const raw = structuredClone((current.check.raw ?? {}) as Obj);
      setBindings(raw, bindings);
      const written = await write(raw, current);
      const shadowed = findShadowedBindings(written.check.config?.bindings ?? []).map(({ shadowed: s, by }) => ({
        index: s.index,
        by: by.index,
      }));
      return { hash: written.hash, shadowed };
    },

    async 'usage.summary'(params) {
      const config = gateway.currentConfig;
      const ids = params?.agentId !== undefined ? [knownAgent(config, params.agentId)] : config.agents.list.map((a) => a.id);
      const days = params?.days ?? DEFAULT_USAGE_DAYS;
      const agents = [];
      for (const agentId of ids) {
        const perDay = await gateway.usage.days(agentId, days);
        const total: UsageCounts = { messages: 0, inputTokens: 0, outputTokens: 0 };
        for (const d of perDay) {
          total.messages += d.messages;
          total.inputTokens += d.inputTokens;
          total.outputTokens += d.outputTokens;
          for (const [model, u] of Object.entries(d.models ?? {})) {
            const m = ((total.models ??= {})[model] ??= { inputTokens: 0, outputTokens: 0 });
            m.inputTokens += u.inputTokens;
            m.outputTokens += u.outputTokens;
          }
        }
        agents.push({ agentId, days: perDay, total });
      }
      return { agents };
    },
  };
}

/**
 * The dashboard creates new agents only: `main` is the built-in agent's id (creating it would
 * silently rewrite the default agent while the config lists none) and a taken id names someone
 * else. Both are refused before anything is written; the CLI's `agents add main` stays the way to
 * write the built-in agent out (docs/dashboard.md).
 */
function refuseTakenId(config: SwitchboardConfig, id: string): void {
  const wanted = id.trim().toLowerCase();
  if (wanted === DEFAULT_AGENT_ID)
    throw new ControlError(
      'conflict',
      `the id "${DEFAULT_AGENT_ID}" is reserved for the built-in agent; choose another id (edit "main" on its own page)`,
    );
  if (config.agents.list.some((a) => a.id === wanted))
    throw new ControlError('conflict', `an agent with the id "${wanted}" already exists; choose another id`);
}

/**
 * Before a purge deletes `<stateDir>/agents/<id>/`: every session goes through the live store
 * (so the inbound journal holds tombstones and never brings them back), and the usage ledger
 * stops writing there.
 */
async function forgetSessions(gateway: Gateway, agentId: string): Promise<void> {
  const sessions = await gateway.storeFor(agentId);
  for (const s of sessions.list()) await sessions.delete(s.key, { includeArchived: true });
  await gateway.usage.forget(agentId);
}

/** Each include site's value with plaintext secrets redacted as they would be at that place in the config. */
function redactedIncludes(configPath: string, raw: unknown): IncludeSite[] {
  return includeSiteValues(configPath, raw).map(({ path, value }) => {
    if (path.length === 0) return { path, value: redactSecrets(value as Obj) };
    const holder: Obj = {};
    let node: Obj = holder;
    path.slice(0, -1).forEach((key, i) => {
      const next: Obj = typeof path[i + 1] === 'number' ? ([] as unknown as Obj) : {};
      node[key as string] = next;
      node = next;
    });
    node[path[path.length - 1] as string] = value;
    let out: unknown = redactSecrets(holder);
    for (const key of path) out = (out as Obj)[key as string];
    return { path, value: out };
  });
}
