// `switchboard models list` (the models the installed SDK knows, which agents use which) and
// `switchboard agents set <id> --model M …` (change an agent in place, comments kept). A running
// gateway picks the change up through its config watcher, like any other edit of the file.
import {
  addAgent,
  canonicalModelName,
  DEPRECATED_MODELS,
  didYouMean,
  KNOWN_MODELS,
  updateAgent,
  type AgentPatch,
} from '../../../src-shared/config/index.ts';
import { safeAgentId } from '../../agents/layout.ts';
import { agentPaths, homeRelative } from '../../config/paths.ts';
import { flagString, type Command } from '../command.ts';
import { CliError, emit, out, table, warn } from '../io.ts';
import { loadValid } from './config.ts';
import { effectiveModel } from './describe.ts';

const modelsList: Command = {
  name: 'models list',
  usage: 'models list [--all]',
  summary: 'Models agents can use (deprecated ones with --all), and which agents use each.',
  options: { all: { type: 'boolean' } },
  async run(ctx, flags) {
    const loaded = await loadValid(ctx);
    const config = loaded.config;
    const users = new Map<string, string[]>();
    for (const agent of config.agents.list) {
      const model = canonicalModelName(effectiveModel(agent.model, config.agents.defaults));
      users.set(model, [...(users.get(model) ?? []), agent.id]);
    }
    const inUse = [...users.keys()];
    const names = [...new Set([...KNOWN_MODELS, ...inUse])].filter((m) => flags.all || !DEPRECATED_MODELS[m] || users.has(m));
    const rows = names.map((model) => ({
      model,
      known: KNOWN_MODELS.includes(model),
      deprecated: DEPRECATED_MODELS[model] ?? null,
      agents: users.get(model) ?? [],
    }));
    emit(ctx, { models: rows }, () => {
      out(
        ctx,
        table([
          ['MODEL', 'AGENTS', 'NOTE'],
          ...rows.map((r) => [
            r.model,
            r.agents.join(', ') || '-',
            r.deprecated ? `deprecated, end of life ${r.deprecated}` : r.known ? '' : 'not in the SDK list: sent as written',
          ]),
        ]),
      );
      const hidden = KNOWN_MODELS.filter((m) => DEPRECATED_MODELS[m] && !names.includes(m)).length;
      if (hidden > 0) out(ctx, `(${hidden} deprecated model${hidden === 1 ? '' : 's'} hidden; --all shows them)`);
    });
    return 0;
  },
};

const agentsSet: Command = {
  name: 'agents set',
  usage: 'agents set <id> [--model M] [--name N] [--emoji E] [--default]',
  positionals: [1, 1],
  summary: "Change an agent in place: its model, display name, emoji, or make it the default ('' clears a value).",
  options: { model: { type: 'string' }, name: { type: 'string' }, emoji: { type: 'string' }, default: { type: 'boolean' } },
  async run(ctx, flags, args) {
    const id = safeAgentId(args[0]!);
    const patch: AgentPatch = {};
    const value = (key: 'model' | 'name' | 'emoji') => {
      const v = flagString(flags, key);
      return v === undefined ? undefined : v.trim() === '' ? null : v.trim();
    };
    const model = value('model');
    if (model !== undefined) patch.model = model;
    const name = value('name');
    if (name !== undefined) patch.name = name;
    const emoji = value('emoji');
    if (emoji !== undefined) patch.emoji = emoji;
    if (flags.default) patch.default = true;
    if (Object.keys(patch).length === 0)
      throw new CliError('nothing to change: give --model, --name, --emoji or --default', 'bad_request', {}, 2);
    const loaded = await loadValid(ctx);
    const config = loaded.config;
    const agent = config.agents.list.find((a) => a.id === id);
    if (!agent)
      throw new CliError(
        `agent "${id}" does not exist${didYouMean(
          id,
          config.agents.list.map((a) => a.id),
        )}; "switchboard agents list" shows them`,
        'not_found',
      );
    const written = await ctx.store.update((raw) => {
      if (agent.implicit) {
        // The built-in agent is written out first, with the folders it already uses.
        const paths = agentPaths(agent, config, ctx.loc, ctx.homeDir);
        addAgent(raw, {
          id,
          default: true,
          workspace: homeRelative(paths.workspace, ctx.homeDir),
          agentDir: homeRelative(paths.agentDir, ctx.homeDir),
        });
      }
      updateAgent(raw, id, patch);
    });
    warn(ctx, written.check.issues);
    const after = written.check.config!.agents.list.find((a) => a.id === id)!;
    const effective = effectiveModel(after.model, written.check.config!.agents.defaults);
    emit(ctx, { agentId: id, model: effective, name: after.name ?? null, hash: written.hash }, () =>
      out(ctx, `Updated agent "${id}" in ${ctx.loc.configPath}: model ${effective}${after.name ? `, name "${after.name}"` : ''}`),
    );
    return 0;
  },
};

export const modelCommands = [modelsList, agentsSet];
