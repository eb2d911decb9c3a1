// `switchboard route`: which agent a message would reach and why; `--batch FILE` routes one JSON
// inbound object per line and prints one decision per line, in order.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { TIER_NAMES, bindingTier } from '../../../src-shared/config/index.ts';
import { compileRouter, RouteInputError, type InboundInput } from '../../../src-shared/routing/index.ts';
import { flagString, type Command } from '../command.ts';
import { CliError, emit, out, printJson } from '../io.ts';
import { parsePeer } from './bindings.ts';
import { loadValid } from './config.ts';
import { describeMatch } from './describe.ts';

export const routeCommand: Command = {
  name: 'route',
  usage: 'route --channel C [--account X] [--peer KIND:ID] [--parent KIND:ID] [--guild G] [--roles r1,r2] [--team T] | route --batch FILE',
  summary: 'Explain which agent gets a message: the tier and binding that decided, and every binding considered.',
  options: {
    channel: { type: 'string' },
    account: { type: 'string' },
    peer: { type: 'string' },
    parent: { type: 'string' },
    guild: { type: 'string' },
    roles: { type: 'string' },
    team: { type: 'string' },
    batch: { type: 'string' },
  },
  async run(ctx, flags) {
    const { config } = await loadValid(ctx);
    const router = compileRouter(config);
    const batch = flagString(flags, 'batch');
    if (batch !== undefined) {
      const input = batch === '-' ? ctx.stdin : createReadStream(batch, 'utf8');
      let failed = false;
      const lines = createInterface({ input, crlfDelay: Infinity });
      try {
        let lineNo = 0;
        for await (const line of lines) {
          lineNo++;
          // One output line per input line, so results stay aligned with their messages.
          try {
            if (line.trim() === '') throw new RouteInputError('empty line', 'line');
            printJson(ctx, router.resolve(JSON.parse(line) as InboundInput));
          } catch (err) {
            failed = true;
            const message = err instanceof SyntaxError ? `not JSON: ${err.message}` : (err as Error).message;
            printJson(ctx, {
              error: { code: 'bad_request', message, line: lineNo, ...(err instanceof RouteInputError ? { path: err.field } : {}) },
            });
          }
        }
      } catch (err) {
        throw new CliError(`cannot read ${batch}: ${(err as Error).message}`);
      }
      return failed ? 1 : 0;
    }
    const channel = flagString(flags, 'channel');
    if (!channel) throw new CliError('--channel is required (or --batch FILE)', 'bad_request', {}, 2);
    const inbound: InboundInput = { channel, accountId: flagString(flags, 'account') ?? null };
    const peer = flagString(flags, 'peer');
    if (peer) inbound.peer = parsePeer(peer, '--peer');
    const parent = flagString(flags, 'parent');
    if (parent) inbound.parentPeer = parsePeer(parent, '--parent');
    const guild = flagString(flags, 'guild');
    if (guild) inbound.guildId = guild;
    const roles = flagString(flags, 'roles');
    if (roles)
      inbound.memberRoleIds = roles
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
    const team = flagString(flags, 'team');
    if (team) inbound.teamId = team;
    let explanation;
    try {
      explanation = router.explain(inbound);
    } catch (err) {
      if (err instanceof RouteInputError) throw new CliError(err.message, 'bad_request', { path: err.field });
      throw err;
    }
    const { decision, tier, candidates } = explanation;
    emit(ctx, { ...decision, tier, candidates }, () => {
      out(ctx, `agent:        ${decision.agentId}`);
      out(ctx, `session:      ${decision.sessionKey}`);
      out(ctx, `main session: ${decision.mainSessionKey}`);
      out(
        ctx,
        `matched by:   tier ${tier} ${decision.matchedBy}${decision.bindingIndex !== null ? `, binding [${decision.bindingIndex}]` : ` (no binding matched: the default agent "${router.defaultAgentId}")`}`,
      );
      if (candidates.length === 0) out(ctx, `considered:   no bindings for channel ${decision.channel}`);
      else out(ctx, 'considered:');
      for (const c of candidates) {
        const b = config.bindings.find((x) => x.index === c.bindingIndex)!;
        const verdict = c.evaluation.matched
          ? c.bindingIndex === decision.bindingIndex
            ? `WON at tier ${c.evaluation.tier}`
            : `matched at tier ${c.evaluation.tier}, lost to an earlier tier or binding`
          : `no: ${c.evaluation.reason}`;
        out(ctx, `  [${c.bindingIndex}] ${TIER_NAMES[bindingTier(b)]} → ${c.agentId}: ${describeMatch(b)} — ${verdict}`);
      }
    });
    return 0;
  },
};
