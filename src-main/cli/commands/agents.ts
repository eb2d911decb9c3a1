// `switchboard agents add | list | remove`.
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { AgentConfig, SwitchboardConfig } from '../../../src-shared/config/index.ts';
import { safeAgentId } from '../../agents/layout.ts';
import { enabledToolNames } from '../../agents/tools/registry.ts';
import { agentsWithoutSandbox } from '../../agents/sandbox/index.ts';
import { createAgent, titleCase } from '../../config/agent-create.ts';
import { removeAgentEverywhere } from '../../config/agent-remove.ts';
import { agentPaths, expandHome } from '../../config/paths.ts';
import { agentAuthPrefix, openSecretStore } from '../../secrets/store.ts';
import { flagList, flagString, type Command } from '../command.ts';
import { CliError, emit, out, table, warn, type CliContext } from '../io.ts';
import { loadValid } from './config.ts';
import { bindingJson, describeMatch, effectiveFallbacks, effectiveModel } from './describe.ts';

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

const add: Command = {
  name: 'agents add',
  usage: 'agents add <id> [--name N] [--model M] [--workspace DIR] [--bind CHANNEL[:ACCOUNT]]… [--default]',
  positionals: [1, 1],
  summary: 'Create an isolated agent: its workspace with persona files, agentDir and session store, and optional bindings.',
  options: {
    name: { type: 'string' },
    model: { type: 'string' },
    workspace: { type: 'string' },
    emoji: { type: 'string' },
    bind: { type: 'string', multiple: true },
    default: { type: 'boolean' },
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
    const loaded = await loadValid(ctx);
    const workspace = flagString(flags, 'workspace');
    const emoji = flagString(flags, 'emoji');
    const {
      agent,
      paths,
      loaded: result,
      implicitWrittenOut,
      created,
    } = await createAgent({ store: ctx.store, loc: ctx.loc, homeDir: ctx.homeDir }, loaded, {
      id,
      bindings: binds.map(parseBind),
      ...(workspace ? { workspace: path.resolve(expandHome(workspace, ctx.homeDir)) } : {}),
      ...(name ? { name } : {}),
      ...(model ? { model } : {}),
      ...(emoji ? { emoji } : {}),
      ...(flags.default ? { default: true } : {}),
    });
    const config = result.config;
    warn(ctx, result.check.issues);
    const own = config.bindings.filter((b) => b.agentId === id);
    emit(ctx, { agent: agentJson(agent, config, ctx), created, hash: result.hash }, () => {
      out(ctx, `Added agent "${id}"${agent.name ? ` (${agent.name})` : ''} to ${ctx.loc.configPath}`);
      out(ctx, `  workspace: ${paths.workspace}\n  agentDir:  ${paths.agentDir}\n  sessions:  ${paths.sessionsDir}`);
      for (const b of own) out(ctx, `  binding [${b.index}]: ${describeMatch(b)} → ${id}`);
      if (implicitWrittenOut)
        out(ctx, `  (the built-in "main" agent was written into the config too, so it keeps its folders and stays the default)`);
    });
    return 0;
  },
};

function agentJson(agent: AgentConfig, config: SwitchboardConfig, ctx: CliContext) {
  const paths = agentPaths(agent, config, ctx.loc, ctx.homeDir);
  return {
    id: agent.id,
    name: agent.name ?? null,
    default:
      config.agents.list.find((a) => a.default)?.id === agent.id ||
      (!config.agents.list.some((a) => a.default) && config.agents.list[0]?.id === agent.id),
    implicit: agent.implicit === true,
    model: effectiveModel(agent.model, config.agents.defaults),
    modelFallbacks: effectiveFallbacks(agent, config.agents.defaults),
    emoji: agent.identity.emoji ?? null,
    ...paths,
    // The effective settings: agents.defaults already merged in (the agent's own values win).
    tools: { ...agent.tools, enabled: [...enabledToolNames(agent, config)].sort() },
    sandbox: agent.sandbox,
    memory: agent.memory,
    tasks: agent.tasks,
    groupChat: agent.groupChat,
    skills: agent.skills ?? null,
    authProfiles: agent.authProfiles,
    owners: agent.owners,
    limits: agent.limits,
    reset: agent.reset,
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
    const unavailable = new Map(agentsWithoutSandbox(config.agents.list).map((u) => [u.agentId, u.reason]));
    const agents = config.agents.list.map((a) => ({ ...agentJson(a, config, ctx), unavailable: unavailable.get(a.id) ?? null }));
    emit(ctx, { agents }, () => {
      for (const a of agents) {
        out(ctx, `${a.id}${a.name ? ` (${a.name})` : ''}${a.default ? '  [default]' : ''}${a.implicit ? '  [built-in]' : ''}`);
        if (a.unavailable) out(ctx, `  unavailable: ${a.unavailable} — it does not start`);
        out(
          ctx,
          table([
            ['  model', [a.model, ...a.modelFallbacks].join(' → ')],
            ['  workspace', a.workspace],
            ['  agentDir', a.agentDir],
            ['  sessions', a.sessionsDir],
          ]),
        );
        if (flags.bindings) {
          if (a.bindings.length === 0) out(ctx, `  bindings:  none${a.default ? ' (gets every message no binding claims)' : ''}`);
          for (const b of a.bindings)
            out(
              ctx,
              `  binding [${b.index}] ${b.tierName}: ${describeMatch(config.bindings.find((x) => x.index === b.index)!)}${b.source === 'shorthand' ? ` (from channels.${b.match.channel}.agent)` : ''}`,
            );
        }
      }
    });
    return 0;
  },
};

const remove: Command = {
  name: 'agents remove',
  usage: 'agents remove <id> [--drop-bindings] [--purge]',
  positionals: [1, 1],
  summary: 'Remove an agent from the config. Its files stay unless --purge; refuses while bindings name it unless --drop-bindings.',
  options: { 'drop-bindings': { type: 'boolean' }, purge: { type: 'boolean' } },
  async run(ctx, flags, args) {
    if (args.length !== 1) throw new CliError('agents remove takes exactly one agent id', 'bad_request', {}, 2);
    const loaded = await loadValid(ctx);
    const {
      id,
      refs,
      paths,
      written: result,
      purged: removed,
      keychain,
    } = await removeAgentEverywhere(
      { store: ctx.store, loc: ctx.loc, homeDir: ctx.homeDir, keychain: () => openSecretStore() },
      loaded,
      args[0]!,
      { dropBindings: flags['drop-bindings'] === true, purge: flags.purge === true },
    );
    warn(ctx, result.check.issues);
    emit(
      ctx,
      {
        removed: id,
        droppedBindings: refs.bindings,
        droppedShorthands: refs.shorthands,
        purged: removed,
        kept: flags.purge ? [] : [paths.workspace, paths.agentDir, path.dirname(paths.sessionsDir)],
        ...(keychain ? { keychainDeleted: keychain.deleted, ...(keychain.error ? { keychainError: keychain.error } : {}) } : {}),
      },
      () => {
        out(ctx, `Removed agent "${id}" from ${ctx.loc.configPath}`);
        if (refs.bindings.length || refs.shorthands.length)
          out(
            ctx,
            `  dropped bindings: ${[...refs.bindings.map((i) => `[${i}]`), ...refs.shorthands.map((c) => `channels.${c}.agent`)].join(', ')}`,
          );
        if (flags.purge) out(ctx, removed.length ? `  deleted: ${removed.join(', ')}` : '  nothing on disk to delete');
        if (keychain?.deleted.length) out(ctx, `  deleted keychain entries: ${keychain.deleted.join(', ')}`);
        if (keychain?.error) out(ctx, `  its keychain entries (${agentAuthPrefix(id)}*) could not be deleted: ${keychain.error}`);
        else if (!flags.purge)
          out(ctx, `  its files were kept: ${paths.workspace}, ${path.dirname(paths.sessionsDir)} (use --purge to delete them)`);
      },
    );
    return 0;
  },
};

export const agentCommands = [add, list, remove];
