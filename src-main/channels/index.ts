// The production adapter factory: one ChannelAdapter per configured channel account. The adapter
// modules are light; each loads its platform library (grammy, discord.js, Slack's, Baileys) only when an
// account of that channel starts, so unconfigured channels cost nothing.
import type { AdapterFactory } from '../gateway/channel-set.ts';
import type { ChannelStatus } from '../gateway/envelope.ts';
import type { Logger } from '../log.ts';
import { SecretUnavailableError, type SecretResolver } from '../secrets/resolver.ts';
import { SecretStoreUnavailableError, whatsappLinkKeyAccount, type SecretStore } from '../secrets/store.ts';
import { createDiscordAdapter } from './discord/index.ts';
import { createSlackAdapter } from './slack/index.ts';
import { createTelegramAdapter } from './telegram/index.ts';
import { createWhatsAppAdapter } from './whatsapp/adapter.ts';
import { whatsAppAuthKeyProvider } from './whatsapp/auth-store.ts';

export interface ChannelFactoryDeps {
  stateDir: string;
  log: Logger;
  secrets: SecretResolver;
  /** Holds the key that encrypts WhatsApp link state at rest. */
  keychain: SecretStore;
  onState?: (status: ChannelStatus) => void;
  onQr?: (channel: 'whatsapp', accountId: string, qr: string) => void;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A keychain failure reads like every other missing credential: "credentials unavailable for …". */
function credentialsKeyProvider(accountId: string, provider: () => Promise<Buffer>): () => Promise<Buffer> {
  return async () => {
    try {
      return await provider();
    } catch (err) {
      if (err instanceof SecretStoreUnavailableError) throw new SecretUnavailableError(`WhatsApp account ${accountId}`, err.message);
      throw err;
    }
  };
}

export function channelAdapterFactory(deps: ChannelFactoryDeps): AdapterFactory {
  const env = deps.env ?? process.env;
  return (account, config) => {
    switch (account.channel) {
      case 'telegram':
        return createTelegramAdapter(account, config, {
          stateDir: deps.stateDir,
          secrets: deps.secrets,
          log: deps.log,
          env,
          ...(deps.onState ? { emit: (_e, status) => deps.onState!(status) } : {}),
        });
      case 'discord':
        return createDiscordAdapter(account, config, { stateDir: deps.stateDir, secrets: deps.secrets, log: deps.log, env });
      case 'slack':
        return createSlackAdapter(account, config, { stateDir: deps.stateDir, secrets: deps.secrets, log: deps.log, env });
      case 'whatsapp':
        return createWhatsAppAdapter(account, config, {
          stateDir: deps.stateDir,
          log: deps.log,
          env,
          keyProvider: credentialsKeyProvider(
            account.accountId,
            whatsAppAuthKeyProvider(account.accountId, deps.keychain, whatsappLinkKeyAccount(account.accountId)),
          ),
          ...(deps.onQr ? { onQr: (qr: string) => deps.onQr!('whatsapp', account.accountId, qr) } : {}),
        });
      default:
        return undefined;
    }
  };
}
