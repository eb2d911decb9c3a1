// `switchboard auth add | list | remove | copy | test`: an agent's Anthropic auth profiles. Metadata
// goes to `<agentDir>/auth-profiles.json`, keys to the OS keychain. The running gateway reads
// profiles on every turn, so these commands act on the files and keychain directly.
import type { SwitchboardConfig } from '../../../src-shared/config/index.ts';
import { InsecureEndpointError, resolveBaseUrl, resolveModel } from '../../agents/turn.ts';
import { testAgentProfiles } from '../../secrets/api-keys.ts';
import { AuthProfileError, AuthProfiles, agentAuthRef, type AgentAuthRef } from '../../secrets/auth-profiles.ts';
import { listAgentProfiles } from '../../secrets/credentials.ts';
import { openSecretStore } from '../../secrets/store.ts';
import { flagList, flagString, type Command } from '../command.ts';
import { CliError, emit, out, type CliContext } from '../io.ts';
import { loadValid } from './config.ts';
import { keychain, readSecretInput } from './secrets.ts';

async function agentOf(
  ctx: CliContext,
  flag: string | undefined,
  what = '--agent',
): Promise<{ ref: AgentAuthRef; config: SwitchboardConfig }> {
  if (!flag) throw new CliError(`${what} AGENT is required`, 'bad_request', {}, 2);
  const { config } = await loadValid(ctx);
  const agent = config.agents.list.find((a) => a.id === flag.trim().toLowerCase());
  if (!agent) throw new CliError(`agent "${flag}" does not exist (agents: ${config.agents.list.map((a) => a.id).join(', ')})`, 'not_found');
  return { ref: agentAuthRef(agent, config, ctx.loc, ctx.homeDir), config };
}

/** Profile and keychain errors as CLI errors. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await keychain(fn);
  } catch (err) {
    if (err instanceof AuthProfileError) throw new CliError(err.message, err.code);
    throw err;
  }
}

const profiles = (ctx: CliContext) => new AuthProfiles(openSecretStore(), ctx.loc.stateDir);

const add: Command = {
  name: 'auth add',
  usage: 'auth add --agent A [--profile P] [--shared] [--label L]',
  summary:
    'Add (or replace) an Anthropic API key for an agent; the key is read from a hidden prompt or stdin and stored in the OS keychain.',
  options: { agent: { type: 'string' }, profile: { type: 'string' }, shared: { type: 'boolean' }, label: { type: 'string' } },
  async run(ctx, flags) {
    const { ref } = await agentOf(ctx, flagString(flags, 'agent'));
    const apiKey = await readSecretInput(ctx, `Anthropic API key for agent "${ref.id}"`);
    const label = flagString(flags, 'label');
    const profileId = flagString(flags, 'profile');
    const added = await guarded(() =>
      profiles(ctx).add(ref, {
        apiKey,
        ...(profileId ? { profileId } : {}),
        ...(flags.shared ? { shared: true } : {}),
        ...(label ? { label } : {}),
      }),
    );
    emit(ctx, { agentId: ref.id, profileId: added.profileId, scope: added.scope, usesSharedPool: ref.scope === 'shared' }, () => {
      out(
        ctx,
        `Added ${added.scope === 'shared' ? 'shared ' : ''}auth profile "${added.profileId}" for agent "${ref.id}" (key in the OS keychain).`,
      );
      if (added.scope === 'shared' && ref.scope !== 'shared')
        out(ctx, `  note: agent "${ref.id}" uses the shared pool only with authProfiles: { scope: "shared" } in its config entry`);
    });
    return 0;
  },
};

const list: Command = {
  name: 'auth list',
  usage: 'auth list [--agent A]',
  summary: 'Auth profiles per agent: id, scope, label, last use and last error (never the keys).',
  options: { agent: { type: 'string' } },
  async run(ctx, flags) {
    const agentFlag = flagString(flags, 'agent');
    const { config } = agentFlag ? await agentOf(ctx, agentFlag) : await loadValid(ctx);
    const store = openSecretStore();
    const result = await guarded(() =>
      listAgentProfiles(new AuthProfiles(store, ctx.loc.stateDir), store, config, ctx.loc, ctx.homeDir, agentFlag),
    );
    emit(ctx, result, () => {
      if (!result.keychain.available) out(ctx, `keychain unavailable: ${result.keychain.reason}`);
      for (const a of result.agents) {
        out(ctx, `${a.agentId}${a.scope === 'shared' ? '  (uses the shared pool)' : ''}`);
        if (a.envFallback) out(ctx, '  no profiles: turns use ANTHROPIC_API_KEY when it is set');
        for (const p of a.profiles) {
          const key = p.keyStored === null ? 'key ?' : p.keyStored ? 'key stored' : 'KEY MISSING';
          out(
            ctx,
            `  ${p.order}. ${p.scope === 'shared' ? 'shared:' : ''}${p.profileId}${p.label ? ` "${p.label}"` : ''}  ${key}  created ${p.createdAt}${p.lastUsedAt ? `  last used ${p.lastUsedAt}` : ''}${p.lastError ? `  last error ${p.lastError.at}: ${p.lastError.message}` : ''}`,
          );
        }
      }
    });
    return 0;
  },
};

const remove: Command = {
  name: 'auth remove',
  usage: 'auth remove --agent A --profile P [--shared]',
  summary: 'Remove an auth profile and its key (--shared: a profile of the shared pool, for every agent using it).',
  options: { agent: { type: 'string' }, profile: { type: 'string' }, shared: { type: 'boolean' } },
  async run(ctx, flags) {
    const { ref } = await agentOf(ctx, flagString(flags, 'agent'));
    const profileId = flagString(flags, 'profile');
    if (!profileId) throw new CliError('--profile P is required', 'bad_request', {}, 2);
    const removed = await guarded(() => profiles(ctx).remove(ref, profileId, flags.shared === true));
    emit(ctx, { agentId: ref.id, profileId, removed }, () =>
      out(
        ctx,
        removed
          ? `Removed auth profile "${profileId}" of agent "${ref.id}".`
          : `Agent "${ref.id}" has no ${flags.shared ? 'shared ' : ''}profile "${profileId}".`,
      ),
    );
    return removed ? 0 : 1;
  },
};

const copy: Command = {
  name: 'auth copy',
  usage: 'auth copy --from A --to B [--profile P]...',
  summary:
    "Copy agent A's own auth profile(s) to agent B, the keys from keychain entry to keychain entry (B's existing profiles are kept). Keys never move between agents otherwise.",
  options: { from: { type: 'string' }, to: { type: 'string' }, profile: { type: 'string', multiple: true } },
  async run(ctx, flags) {
    const { ref: from } = await agentOf(ctx, flagString(flags, 'from'), '--from');
    const { ref: to } = await agentOf(ctx, flagString(flags, 'to'), '--to');
    if (from.id === to.id) throw new CliError('--from and --to name the same agent', 'bad_request', {}, 2);
    const wanted = flagList(flags, 'profile');
    const result = await guarded(() => profiles(ctx).copyProfiles(from, to, wanted.length > 0 ? wanted : undefined));
    emit(ctx, { from: from.id, to: to.id, ...result }, () => {
      out(
        ctx,
        `Copied auth profile(s) ${result.copied.map((c) => c.profileId).join(', ')} from "${from.id}" to "${to.id}" (keys in the OS keychain).`,
      );
      for (const s of result.skipped) out(ctx, `  skipped ${s.profileId}: ${s.reason}`);
    });
    return 0;
  },
};

/** The model endpoint; an ANTHROPIC_BASE_URL that would send the key over plain http is refused before any key is read. */
function endpoint(config: Parameters<typeof resolveBaseUrl>[0]): string {
  try {
    return resolveBaseUrl(config, process.env);
  } catch (err) {
    if (err instanceof InsecureEndpointError) throw new CliError(err.message);
    throw err;
  }
}

const test: Command = {
  name: 'auth test',
  usage: 'auth test --agent A [--profile P]',
  summary: "Make a minimal real Messages API call with each of the agent's keys and record the outcome.",
  options: { agent: { type: 'string' }, profile: { type: 'string' } },
  async run(ctx, flags) {
    const { ref, config } = await agentOf(ctx, flagString(flags, 'agent'));
    const agent = config.agents.list.find((a) => a.id === ref.id)!;
    const profileId = flagString(flags, 'profile');
    const baseURL = endpoint(config);
    const results = await guarded(() =>
      testAgentProfiles(profiles(ctx), ref, {
        baseURL,
        model: resolveModel(agent, config),
        ...(profileId ? { profileId } : {}),
      }),
    );
    emit(ctx, { agentId: ref.id, results }, () => {
      for (const r of results) out(ctx, `${r.ok ? 'ok  ' : 'FAIL'}  ${r.profileId}: ${r.message}`);
    });
    return results.every((r) => r.ok) ? 0 : 1;
  },
};

export const authCommands = [add, list, remove, copy, test];
