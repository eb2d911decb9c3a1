// `switchboard bindings list | add | remove` — indices are 0-based positions (= bindingIndex).
import { addBinding, bindingTier, removeBinding, TIER_NAMES, type RawBinding } from '../../../src-shared/config/index.ts';
import { flagString, type Command, type Flags } from '../command.ts';
import { CliError, emit, out, table, warn } from '../io.ts';
import { loadValid } from './config.ts';
import { bindingJson, describeMatch } from './describe.ts';

/** `KIND:ID`, split at the first colon (ids such as Telegram topics contain colons). */
export function parsePeer(spec: string, flag: string): { kind: string; id: string } {
  const colon = spec.indexOf(':');
  if (colon <= 0 || colon === spec.length - 1)
    throw new CliError(`${flag} "${spec}" must be KIND:ID, e.g. direct:+15551234567 or group:-100123`);
  return { kind: spec.slice(0, colon), id: spec.slice(colon + 1) };
}

function parseIndex(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d+$/.test(value))
    throw new CliError(`${what} must be a whole number from 0, not "${value ?? ''}"`, 'bad_request', {}, 2);
  return Number(value);
}

export function matchFromFlags(flags: Flags): RawBinding['match'] {
  const channel = flagString(flags, 'channel');
  if (!channel) throw new CliError('--channel is required', 'bad_request', {}, 2);
  const match: RawBinding['match'] = { channel };
  const account = flagString(flags, 'account');
  if (account !== undefined) match.accountId = account;
  const peer = flagString(flags, 'peer');
  if (peer !== undefined) match.peer = parsePeer(peer, '--peer');
  const guild = flagString(flags, 'guild');
  if (guild !== undefined) match.guildId = guild;
  const roles = flagString(flags, 'roles');
  if (roles !== undefined)
    match.roles = roles
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
  const team = flagString(flags, 'team');
  if (team !== undefined) match.teamId = team;
  return match;
}

export const MATCH_OPTIONS = {
  channel: { type: 'string' },
  account: { type: 'string' },
  peer: { type: 'string' },
  guild: { type: 'string' },
  roles: { type: 'string' },
  team: { type: 'string' },
} as const;

const list: Command = {
  name: 'bindings list',
  usage: 'bindings list',
  summary: 'The bindings in order, with their routing tier; channel shorthands are shown last, as such.',
  async run(ctx) {
    const loaded = await loadValid(ctx);
    const { config } = loaded;
    const shadowed = new Set(
      loaded.check.issues.filter((i) => i.code === 'shadowed_binding').map((i) => (i.path[0] === 'bindings' ? i.path[1] : `${i.path[1]}`)),
    );
    const bindings = config.bindings.map((b) => ({
      ...bindingJson(b),
      shadowed: shadowed.has(b.source === 'bindings' ? b.index : b.match.channel),
    }));
    emit(ctx, { bindings }, () => {
      if (bindings.length === 0) {
        out(
          ctx,
          `No bindings: every message goes to the default agent. Add one with "switchboard bindings add --agent ID --channel CHANNEL".`,
        );
        return;
      }
      out(
        ctx,
        table([
          ['#', 'tier', 'agent', 'match'],
          ...config.bindings.map((b, i) => [
            String(b.index),
            `${bindingTier(b)} ${TIER_NAMES[bindingTier(b)]}`,
            b.agentId,
            `${describeMatch(b)}${b.source === 'shorthand' ? ` (from channels.${b.match.channel}.agent)` : ''}${bindings[i]!.shadowed ? '  [never matches: shadowed]' : ''}`,
          ]),
        ]),
      );
    });
    return 0;
  },
};

const add: Command = {
  name: 'bindings add',
  usage: 'bindings add --agent A --channel C [--account X] [--peer KIND:ID] [--guild G] [--roles r1,r2] [--team T] [--before N]',
  summary: 'Add a binding (appended, or inserted before index N).',
  options: { agent: { type: 'string' }, before: { type: 'string' }, ...MATCH_OPTIONS },
  async run(ctx, flags) {
    const agentId = flagString(flags, 'agent');
    if (!agentId) throw new CliError('--agent is required', 'bad_request', {}, 2);
    const match = matchFromFlags(flags);
    const before = flags.before !== undefined ? parseIndex(flagString(flags, 'before'), '--before') : undefined;
    let at = 0;
    const result = await ctx.store.update((raw) => {
      at = addBinding(raw, { agentId, match }, before);
    });
    warn(ctx, result.check.issues);
    const added = result.check.config!.bindings.find((b) => b.index === at && b.source === 'bindings')!;
    emit(ctx, { binding: bindingJson(added), hash: result.hash }, () => {
      out(ctx, `Added binding [${at}] (${TIER_NAMES[bindingTier(added)]}): ${describeMatch(added)} → ${added.agentId}`);
    });
    return 0;
  },
};

const remove: Command = {
  name: 'bindings remove',
  usage: 'bindings remove <index>',
  positionals: [1, 1],
  summary: 'Remove the binding at a 0-based index (as shown by "bindings list").',
  async run(ctx, _flags, args) {
    if (args.length !== 1) throw new CliError('bindings remove takes one index', 'bad_request', {}, 2);
    const index = parseIndex(args[0], 'the binding index');
    const { config } = await loadValid(ctx);
    const target = config.bindings.find((b) => b.index === index);
    const result = await ctx.store.update((raw) => {
      removeBinding(raw, index, config);
    });
    warn(ctx, result.check.issues);
    emit(ctx, { removed: target ? bindingJson(target) : { index }, hash: result.hash }, () => {
      out(ctx, `Removed binding [${index}]${target ? `: ${describeMatch(target)} → ${target.agentId}` : ''}`);
    });
    return 0;
  },
};

export const bindingCommands = [list, add, remove];
