// Control methods for channel accounts: status, credential probes, restarting one account, and WhatsApp linking (the
// account is suspended while linking so there are never two sockets for it; QR codes go out as
// `channel.qr` events for the dashboard and the CLI to render).
import { isChannelId } from '../../src-shared/config/index.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import type { CHANNEL_METHODS } from '../../src-shared/protocol/methods.ts';
import { linkWhatsAppAccount, WhatsAppLinkError } from '../channels/whatsapp/link.ts';
import { whatsAppAuthKeyProvider } from '../channels/whatsapp/auth-store.ts';
import type { Handlers } from '../control/service.ts';
import type { Logger } from '../log.ts';
import { whatsappLinkKeyAccount, type SecretStore } from '../secrets/store.ts';
import type { Gateway } from './gateway.ts';

export interface ChannelHandlerDeps {
  keychain?: SecretStore;
  log: Logger;
  emitQr(data: { channel: string; accountId: string; qr: string }): void;
}

function accountOf(gateway: Gateway, channel: string, accountId = 'default') {
  const c = channel.trim().toLowerCase();
  if (!isChannelId(c)) throw new ControlError('bad_request', `unknown channel "${channel}"`);
  const id = accountId.trim().toLowerCase();
  const account = gateway.currentConfig.channels[c]?.accounts[id];
  if (!account) throw new ControlError('not_found', `${c} account "${id}" is not configured; add it under channels.${c}.accounts`);
  return account;
}

export function channelHandlers(gateway: Gateway, deps: ChannelHandlerDeps): Handlers<typeof CHANNEL_METHODS> {
  return {
    async 'channels.status'() {
      return { channels: gateway.channelStatuses() };
    },
    async 'channels.probe'({ channel, accountId }) {
      const account = accountOf(gateway, channel, accountId);
      const result = await gateway.probeChannel(account.channel, account.accountId);
      return {
        channel: account.channel,
        accountId: account.accountId,
        ok: result.ok,
        ...(result.identity ? { identity: result.identity } : {}),
        ...(result.error ? { error: result.error } : {}),
      };
    },
    async 'channels.restart'({ channel, accountId }) {
      const account = accountOf(gateway, channel, accountId);
      if (!account.enabled)
        throw new ControlError(
          'bad_request',
          `${account.channel} account "${account.accountId}" is disabled in the config (enabled: false); enable it to start it`,
        );
      if (gateway.state !== 'running')
        throw new ControlError('unavailable', 'the gateway is stopped; start it and its channel accounts connect');
      await gateway.suspendChannel(account.channel, account.accountId);
      await gateway.resumeChannels();
      const now = gateway.channelStatuses().find((s) => s.channel === account.channel && s.accountId === account.accountId);
      return { channel: account.channel, accountId: account.accountId, state: now?.state ?? 'stopped' };
    },
    async 'channels.login'({ channel, accountId, timeoutMs }) {
      const account = accountOf(gateway, channel, accountId);
      if (account.channel !== 'whatsapp')
        throw new ControlError(
          'bad_request',
          `${account.channel} accounts are linked with a token, not a QR code: store it with "switchboard secrets set"`,
        );
      if (!deps.keychain)
        throw new ControlError(
          'unavailable',
          'credentials unavailable: the WhatsApp link state is encrypted with a key kept in the OS keychain',
        );
      await gateway.suspendChannel('whatsapp', account.accountId);
      try {
        const linked = await linkWhatsAppAccount({
          account: account.accountId,
          stateDir: gateway.currentLoc.stateDir,
          log: deps.log,
          ...(timeoutMs ? { timeoutMs } : {}),
          keyProvider: whatsAppAuthKeyProvider(account.accountId, deps.keychain, whatsappLinkKeyAccount(account.accountId)),
          onQr: (qr) => deps.emitQr({ channel: 'whatsapp', accountId: account.accountId, qr }),
        });
        return {
          channel: 'whatsapp',
          accountId: account.accountId,
          alreadyLinked: linked.alreadyLinked,
          ...(linked.phone ? { phone: linked.phone } : {}),
        };
      } catch (err) {
        if (err instanceof WhatsAppLinkError)
          throw new ControlError(err.reason === 'timeout' || err.reason === 'qr_expired' ? 'unavailable' : 'conflict', err.message);
        throw err;
      } finally {
        await gateway.resumeChannels();
      }
    },
  };
}
