// `switchboard chat "text" [--agent A] [--session KEY]`: talk to an agent of the running gateway
// from the terminal (webchat), with the reply streamed as it is written.
import { randomUUID } from 'node:crypto';
import { ControlError } from '../../../src-shared/protocol/errors.ts';
import { flagString, type Command } from '../command.ts';
import { CliError, emit, out } from '../io.ts';
import { withRunningGateway } from './live.ts';

export const chatCommand: Command = {
  name: 'chat',
  usage: 'chat "TEXT" [--agent A] [--session KEY]',
  positionals: [1, Infinity],
  summary: "Send a message to an agent of the running gateway (default: the default agent's main session) and print the reply.",
  options: { agent: { type: 'string' }, session: { type: 'string' } },
  async run(ctx, flags, args) {
    const text = args.join(' ').trim();
    if (!text) throw new CliError('chat needs the message text', 'bad_request', {}, 2);
    const result = await withRunningGateway(ctx, async (client) => {
      const agentId = flagString(flags, 'agent') ?? (await client.request('agents.list', {})).agents.find((a) => a.default)?.id ?? 'main';
      const session = flagString(flags, 'session');
      // Deltas can arrive before webchat.send answers with the message id: keep them until then.
      const sent: { messageId?: string } = {};
      let streamed = '';
      const write = (t: string) => {
        streamed += t;
        if (!ctx.json) ctx.stdout.write(t);
      };
      const early: { text: string; id: string }[] = [];
      const earlyDrops: { reason: string; id: string }[] = [];
      let settle!: (r: { text: string; failure?: string; incomplete: boolean }) => void;
      const finished = new Promise<{ text: string; failure?: string; incomplete: boolean }>((resolve) => (settle = resolve));
      client.on('agent.delta', (d) => {
        if (sent.messageId === undefined) early.push({ text: d.text, id: d.messageId });
        else if (d.messageId === sent.messageId) write(d.text);
      });
      client.on('message.outbound', (d) => {
        if (d.messageId === sent.messageId)
          settle({ text: d.text, incomplete: d.incomplete, ...(d.failure ? { failure: d.failure } : {}) });
      });
      // A message the gateway refuses to answer (agent unavailable, queue full…) ends the wait.
      const dropped = (reason: string) => settle({ text: streamed, incomplete: true, failure: `not answered: ${reason}` });
      client.on('message.dropped', (d) => {
        if (d.messageId === undefined) return;
        if (sent.messageId === undefined) earlyDrops.push({ reason: d.reason, id: d.messageId });
        else if (d.messageId === sent.messageId) dropped(d.reason);
      });
      // The gateway going away mid-reply ends the wait with what arrived so far.
      client.onClose(() => settle({ text: streamed, incomplete: true, failure: 'the gateway went away before the reply was finished' }));
      // Named, so that a send retried when its answer never came is stored once (the gateway
      // answers the retry with the original message id).
      const params = { agentId, text, clientId: `cli-${randomUUID()}`, ...(session ? { sessionKey: session } : {}) };
      const answer = await client.request('webchat.send', params).catch((err: unknown) => {
        if (!isNoAnswer(err)) throw err;
        return client.request('webchat.send', params); // once
      });
      sent.messageId = answer.messageId;
      for (const d of early) if (d.id === sent.messageId) write(d.text);
      for (const d of earlyDrops) if (d.id === sent.messageId) dropped(d.reason);
      const reply = await finished;
      return {
        agentId,
        sessionKey: answer.sessionKey,
        ...reply,
        rest: reply.text.startsWith(streamed) ? reply.text.slice(streamed.length) : `\n${reply.text}`,
        // Endings the gateway wrote no reply for: said on stderr, after what was streamed.
        notice: reply.text === streamed && reply.failure ? reply.failure : undefined,
      };
    });
    if (!result)
      throw new CliError(
        `no gateway is running for ${ctx.loc.stateDir}; start one with "switchboard gateway" (or "npm run gateway")`,
        'unavailable',
      );
    const { rest, notice, ...json } = result;
    // Deltas were printed as they came; what remains is e.g. the failure line after a partial reply.
    emit(ctx, json, () => {
      if (rest) out(ctx, rest);
      else if (result.text) out(ctx, '');
      if (notice) ctx.stderr.write(`error: ${notice}\n`);
    });
    return result.failure && result.failure !== 'cancelled' ? 1 : 0;
  },
};

/** The request went out but no answer came (the message may or may not be stored). */
function isNoAnswer(err: unknown): boolean {
  return err instanceof ControlError && err.code === 'unavailable' && err.message.startsWith('no answer to ');
}
