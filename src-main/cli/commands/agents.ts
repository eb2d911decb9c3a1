// `switchboard agents add | list | remove`.
import fs from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { addAgent, addBinding, agentReferences, removeAgent, type AgentConfig, type SwitchboardConfig } from '../../../src-shared/config/index.ts';
import { createAgentLayout, safeAgentId } from '../../agents/layout.ts';
import { agentPaths, defaultAgentDir, defaultWorkspace, expandHome, homeRelative } from '../../config/paths.ts';
import { agentAuthPrefix, openSecretStore } from '../../secrets/store.ts';
import { flagList, flagString, type Command } from '../command.ts';
import { CliError, emit, out, table, warn, type CliContext } from '../io.ts';
import { loadValid } from './config.ts';
import { bindingJson, describeMatch, effectiveModel } from './describe.ts';

function parseBind(spec: string): { channel: string; accountId?: string } {
  const [channel, account] = spec.split(':', 2);
  if (!channel) throw new CliError(`--bind "${spec}" must be CHANNEL or CHANNEL:ACCOUNT`);
  return account ? { channel, accountId: account } : { channel };
}

async function prompt(ctx: CliContext, questions: { key: string; question: string; fallback: string }[]): Promise<Record<string, string>> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr });
  const answers: Record<string, string> = {};
  try {
    for (const q of questions) answers[q.key] = (await rl.question(`${q.question} [${q.fallback}]: `)).trim() || q.fallback;
  } finally {
    rl.close();
  }
  return answers;
}

function titleCase(id: string): string {
  return id.replace(/[-_]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

const add: Command = {
  name: 'agents add',
  usage: 'agents add <id> [--name N] [--model M] [--workspace DIR] [--bind CHANNEL[:ACCOUNT]]… [--default]',
  summary: 'Create an isolated agent: its workspace with persona files, agentDir and session store, and optional bindings.',
  options: {
    name: { type: 'string' }, model: { type: 'string' }, workspace: { type: 'string' }, emoji: { type: 'string' },
    bind: { type: 'string', multiple: true }, default: { type: 'boolean' },
  },
  async run(ctx, flags, args) {
    if (args.length !== 1) throw new CliError('agents add takes exactly one agent id', 'bad_request', {}, 2);
    const id = safeAgentId(args[0]!);
    let name = flagString(flags, 'name');
    let model = flagString(flags, 'model');
    let binds = flagList(flags, 'bind');
    if (ctx.interactive && name === undefined) {
      const answers = await prompt(ctx, [
        { key: 'name', question: 'Display name', fallback: titleCase(id) },
        { key: 'model', question: 'Model (empty = the default)', fallback: model ?? '' },
        { key: 'bind', question: 'Bind to CHANNEL[:ACCOUNT] (empty = none)', fallback: binds.join(' ') },
      ]);
      name = answers.name;
      model = answers.model || undefined;
      binds = answers.bind ? answers.bind.split(/[\s,]+/).filter(Boolean) : [];
    }
    const bindings = binds.map(parseBind);
    const loaded = await loadValid(ctx);
    const stateDir = ctx.loc.stateDir;
    const workspaceFlag = flagString(flags, 'workspace');
    const implicit = loaded.config.agents.list.find((a) => a.implicit);
    const mainPaths = implicit ? agentPaths(implicit, loaded.config, ctx.loc, ctx.homeDir) : undefined;
    // Adding "main" itself while it is still the built-in agent keeps the folder it already uses.
    const workspace = workspaceFlag ? path.resolve(expandHome(workspaceFlag, ctx.homeDir))
      : implicit?.id === id && mainPaths ? mainPaths.workspace : defaultWorkspace(id, false, stateDir);
    const agentDir = defaultAgentDir(id, stateDir);
    const emoji = flagString(flags, 'emoji');
    const result = await ctx.store.update((raw) => {
      addAgent(raw, {
        id, workspace: homeRelative(workspace, ctx.homeDir), agentDir: homeRelative(agentDir, ctx.homeDir),
        ...(name ? { name } : {}), ...(model ? { model } : {}), ...(emoji ? { identity: { emoji } } : {}),
        ...(flags.default ? { default: true } : {}),
      }, mainPaths && { workspace: homeRelative(mainPaths.workspace, ctx.homeDir), agentDir: homeRelative(mainPaths.agentDir, ctx.homeDir) });
      for (const b of bindings) addBinding(raw, { agentId: id, match: b });
    });
    const config = result.check.config!;
    warn(ctx, result.check.issues);
    const created = config.agents.list.filter((a) => a.id === id || (implicit && a.id === implicit.id));
    const layouts = [];
    for (const agent of created) {
      layouts.push(await createAgentLayout(agentPaths(agent, config, ctx.loc, ctx.homeDir), { id: agent.id, name: agent.name ?? titleCase(agent.id), persona: agent.identity.persona }));
    }
    const agent = config.agents.list.find((a) => a.id === id)!;
    const paths = agentPaths(agent, config, ctx.loc, ctx.homeDir);
    const own = config.bindings.filter((b) => b.agentId === id);
    emit(ctx, { agent: agentJson(agent, config, ctx), created: layouts.flatMap((l) => l.created), hash: result.hash }, () => {
      out(ctx, `Added agent "${id}"${agent.name ? ` (${agent.name})` : ''} to ${ctx.loc.configPath}`);
      out(ctx, `  workspace: ${paths.workspace}\n  agentDir:  ${paths.agentDir}\n  sessions:  ${paths.sessionsDir}`);
      for (const b of own) out(ctx, `  binding [${b.index}]: ${describeMatch(b)} → ${id}`);
      if (implicit && implicit.id !== id) out(ctx, `  (the built-in "main" agent was written into the config too, so it keeps its folders and stays the default)`);
    });
    return 0;
  },
};

function agentJson(agent: AgentConfig, config: SwitchboardConfig, ctx: CliContext) {
  const paths = agentPaths(agent, config, ctx.loc, ctx.homeDir);
  return {
    id: agent.id, name: agent.name ?? null, default: config.agents.list.find((a) => a.default)?.id === agent.id || (!config.agents.list.some((a) => a.default) && config.agents.list[0]?.id === agent.id),
    implicit: agent.implicit === true, model: effectiveModel(agent.model, config.agents.defaults), emoji: agent.identity.emoji ?? null,
    ...paths,
    bindings: config.bindings.filter((b) => b.agentId === agent.id).map(bindingJson),
  };
}

const list: Command = {
  name: 'agents list',
  usage: 'agents list [--bindings]',
  summary: 'List agents with their model and folders; --bindings also shows what routes to each.',
  options: { bindings: { type: 'boolean' } },
  async run(ctx, flags) {
    const { config } = await loadValid(ctx);
    const agents = config.agents.list.map((a) => agentJson(a, config, ctx));
    emit(ctx, { agents }, () => {
      for (const a of agents) {
        out(ctx, `${a.id}${a.name ? ` (${a.name})` : ''}${a.default ? '  [default]' : ''}${a.implicit ? '  [built-in]' : ''}`);
        out(ctx, table([['  model', a.model], ['  workspace', a.workspace], ['  agentDir', a.agentDir], ['  sessions', a.sessionsDir]]));
        if (flags.bindings) {
          if (a.bindings.length === 0) out(ctx, `  bindings:  none${a.default ? ' (gets every message no binding claims)' : ''}`);
          for (const b of a.bindings) out(ctx, `  binding [${b.index}] ${b.tierName}: ${describeMatch(config.bindings.find((x) => x.index === b.index)!)}${b.source === 'shorthand' ? ` (from channels.${b.match.channel}.agent)` : ''}`);
        }
      }
    });
    return 0;
  },
};

function contains(outer: string, inner: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Checks a folder --purge would delete, before anything changes: it must not hold the home
 * folder, the state dir, the config file or another agent's folders (a workspace can be any path).
 */
function purgeTarget(dir: string, id: string, config: SwitchboardConfig, ctx: CliContext): string {
  const resolved = path.resolve(dir);
  const guarded = [
    { what: 'your home folder', at: ctx.homeDir },
    { what: 'the state dir', at: ctx.loc.stateDir },
    { what: 'the config file', at: ctx.loc.configPath },
    ...config.agents.list.filter((a) => a.id !== id).flatMap((a) => {
      const p = agentPaths(a, config, ctx.loc, ctx.homeDir);
      return [p.workspace, p.agentDir, p.sessionsDir].map((at) => ({ what: `the folders of agent "${a.id}"`, at }));
    }),
  ];
  const hit = guarded.find((g) => contains(resolved, path.resolve(g.at)));
  if (hit) throw new CliError(`refusing to delete ${resolved}: it contains ${hit.what}; nothing was changed (remove the agent without --purge and delete its files by hand)`, 'conflict');
  return resolved;
}

async function purgeFolder(resolved: string, removed: string[]): Promise<void> {
  try {
    await fs.access(resolved);
  } catch {
    return;
  }
  await fs.rm(resolved, { recursive: true, force: true });
  removed.push(resolved);
}

/** Deletes the agent's keychain entries (`agent:<id>:auth:*`); a keychain that cannot be reached is reported, not fatal. */
async function purgeKeychain(id: string): Promise<{ deleted: string[]; error?: string }> {
  try {
    const store = openSecretStore();
    const accounts = await store.list(agentAuthPrefix(id));
    for (const account of accounts) await store.delete(account);
    return { deleted: accounts };
  } catch (err) {
    return { deleted: [], error: (err as Error).message };
  }
}

const remove: Command = {
  name: 'agents remove',
  usage: 'agents remove <id> [--drop-bindings] [--purge]',
  summary: 'Remove an agent from the config. Its files stay unless --purge; refuses while bindings name it unless --drop-bindings.',
  options: { 'drop-bindings': { type: 'boolean' }, purge: { type: 'boolean' } },
  async run(ctx, flags, args) {
    if (args.length !== 1) throw new CliError('agents remove takes exactly one agent id', 'bad_request', {}, 2);
    const id = safeAgentId(args[0]!);
    const { config } = await loadValid(ctx);
    const agent = config.agents.list.find((a) => a.id === id);
    if (!agent) throw new CliError(`agent "${id}" does not exist (agents: ${config.agents.list.map((a) => a.id).join(', ')})`, 'not_found');
    if (agent.implicit) throw new CliError(`"${id}" is the built-in agent used when the config lists none; add another agent first`, 'conflict');
    const paths = agentPaths(agent, config, ctx.loc, ctx.homeDir);
    const refs = agentReferences(config, id);
    const targets = flags.purge ? [paths.workspace, paths.agentDir, path.join(ctx.loc.stateDir, 'agents', id)].map((d) => purgeTarget(d, id, config, ctx)) : [];
    const result = await ctx.store.update((raw) => {
      removeAgent(raw, id, config, flags['drop-bindings'] === true);
    });
    const removed: string[] = [];
    for (const target of targets) await purgeFolder(target, removed);
    const keychain = flags.purge ? await purgeKeychain(id) : undefined;
    warn(ctx, result.check.issues);
    emit(ctx, { removed: id, droppedBindings: refs.bindings, droppedShorthands: refs.shorthands, purged: removed, kept: flags.purge ? [] : [paths.workspace, paths.agentDir, path.dirname(paths.sessionsDir)], ...(keychain ? { keychainDeleted: keychain.deleted, ...(keychain.error ? { keychainError: keychain.error } : {}) } : {}) }, () => {
      out(ctx, `Removed agent "${id}" from ${ctx.loc.configPath}`);
      if (refs.bindings.length || refs.shorthands.length) out(ctx, `  dropped bindings: ${[...refs.bindings.map((i) => `[${i}]`), ...refs.shorthands.map((c) => `channels.${c}.agent`)].join(', ')}`);
      if (flags.purge) out(ctx, removed.length ? `  deleted: ${removed.join(', ')}` : '  nothing on disk to delete');
      if (keychain?.deleted.length) out(ctx, `  deleted keychain entries: ${keychain.deleted.join(', ')}`);
      if (keychain?.error) out(ctx, `  its keychain entries (${agentAuthPrefix(id)}*) could not be deleted: ${keychain.error}`);
      else out(ctx, `  its files were kept: ${paths.workspace}, ${path.dirname(paths.sessionsDir)} (use --purge to delete them)`);
    });
    return 0;
  },
};

export const agentCommands = [add, list, remove];
