// `switchboard pairing list | approve`: pending DM pairing requests, approved only by the owner.
import { isChannelId, type ChannelId } from '../../../src-shared/config/index.ts';
import { PairingStore } from '../../gateway/pairing.ts';
import { flagString, type Command } from '../command.ts';
import { CliError, emit, out, table } from '../io.ts';
import { withRunningGateway } from './live.ts';

function channelArg(value: string | undefined): ChannelId | undefined {
  if (value === undefined) return undefined;
  const c = value.trim().toLowerCase();
  if (!isChannelId(c)) throw new CliError(`unknown channel "${value}" (telegram, discord, whatsapp, webchat)`, 'bad_request', {}, 2);
  return c;
}

const list: Command = {
  name: 'pairing list',
  usage: 'pairing list [CHANNEL] [--account A]',
  positionals: [0, 1],
  summary: 'Pending pairing requests (code, sender, expiry).',
  options: { account: { type: 'string' } },
  async run(ctx, flags, args) {
    const channel = channelArg(args[0]);
    const account = flagString(flags, 'account');
    const params = { ...(channel ? { channel } : {}), ...(account ? { account } : {}) };
    const pending =
      (await withRunningGateway(ctx, (c) => c.request('pairing.list', params)))?.pending ??
      (await new PairingStore({ stateDir: ctx.loc.stateDir }).list(channel, account));
    emit(ctx, { pending }, () => {
      if (pending.length === 0) {
        out(ctx, 'No pending pairing requests.');
        return;
      }
      out(
        ctx,
        table([
          ['channel', 'account', 'code', 'sender', 'expires'],
          ...pending.map((p) => [
            p.channel,
            p.account,
            p.code,
            `${p.senderId}${p.senderName ? ` (${p.senderName})` : ''}`,
            new Date(p.expiresAt).toLocaleTimeString(),
          ]),
        ]),
      );
    });
    return 0;
  },
};

const approve: Command = {
  name: 'pairing approve',
  usage: 'pairing approve CHANNEL CODE [--account A]',
  positionals: [2, 2],
  summary: 'Let the sender of a pending pairing code talk to your agents in direct messages.',
  options: { account: { type: 'string' } },
  async run(ctx, flags, args) {
    if (args.length !== 2) throw new CliError('pairing approve takes CHANNEL and CODE', 'bad_request', {}, 2);
    const channel = channelArg(args[0])!;
    const code = args[1]!;
    const account = flagString(flags, 'account');
    const approved =
      (await withRunningGateway(ctx, (c) => c.request('pairing.approve', { channel, code, ...(account ? { account } : {}) }))) ??
      (await new PairingStore({ stateDir: ctx.loc.stateDir }).approve(channel, code, account));
    emit(ctx, { channel: approved.channel, account: approved.account, senderId: approved.senderId }, () => {
      out(ctx, `Approved ${approved.senderId} on ${approved.channel} account ${approved.account}.`);
    });
    return 0;
  },
};

export const pairingCommands = [list, approve];
