// Control methods that add and manage channel accounts (src-shared/protocol/channel-account-methods.ts).
// A token is checked with the platform through the account's apiRoot before anything is kept, then
// stored in the keychain (never in a file); the config gets a `{ secret }` reference, written
// comment-preserving against the caller's baseHash, and the gateway picks the account up at once.
import {
  addChannelAccount,
  bindAccount,
  removeChannelAccount,
  tokenField,
  updateChannelAccount,
  type ChannelAccount,
  type ConfigCheck,
  type ManagedChannel,
  type SwitchboardConfig,
} from '../../src-shared/config/index.ts';
import { editJson5 } from '../../src-shared/json5/index.ts';
import type { CHANNEL_ACCOUNT_METHODS } from '../../src-shared/protocol/channel-account-methods.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import type { LoadedConfig } from '../config/store.ts';
import type { Handlers } from '../control/service.ts';
import { secretReferences } from '../secrets/credentials.ts';
import { registerSecret } from '../secrets/redact.ts';
import { SecretStoreUnavailableError, secretAccount, type SecretStore } from '../secrets/store.ts';
import { STALE, configCall, describeErrors } from './config-handlers.ts';
import type { ProbeResult } from './envelope.ts';
import type { Gateway } from './gateway.ts';

type Obj = Record<string, unknown>;
type ValidLoaded = LoadedConfig & { config: SwitchboardConfig };

export interface ChannelAccountDeps {
  keychain?: SecretStore;
}

const NO_KEYCHAIN =
  'the token cannot be stored: this gateway has no keychain (the OS keychain is not available); Switchboard never writes tokens into files';

/** The probe result as the protocol says it (identity is for the Probe button, not needed here). */
function checkOut(r: ProbeResult) {
  return {
    ok: r.ok,
    ...(r.bot ? { bot: r.bot } : {}),
    ...(r.ok ? {} : { problem: r.problem ?? 'other', error: r.error ?? 'the platform did not accept the token and did not say why' }),
  };
}

export function channelAccountHandlers(gateway: Gateway, deps: ChannelAccountDeps): Handlers<typeof CHANNEL_ACCOUNT_METHODS> {
  const store = gateway.configStore;

  async function based(baseHash: string): Promise<ValidLoaded> {
    const loaded = await store.load();
    if (loaded.hash !== baseHash) throw new ControlError('conflict', STALE);
    if (!loaded.check.ok || !loaded.check.config)
      throw new ControlError(
        'bad_request',
        `the config file has errors, fix them first (config.get lists them): ${describeErrors(loaded.check.issues)}`,
      );
    return { ...loaded, config: loaded.check.config };
  }

  const rawOf = (loaded: LoadedConfig): Obj => structuredClone((loaded.check.raw ?? {}) as Obj);

  /** How `raw` would load, checked as the text that would be written. */
  function checkCandidate(raw: Obj, current: LoadedConfig): ConfigCheck {
    const check = store.check(editJson5(current.exists ? current.text : '', raw));
    if (!check.ok || !check.config)
      throw new ControlError('bad_request', `the change would make the config invalid: ${describeErrors(check.issues)}`);
    return check;
  }

  async function write(raw: Obj, current: LoadedConfig): Promise<LoadedConfig> {
    const written = await configCall(() => store.write(raw, current.hash));
    await gateway.reload();
    return written;
  }

  function need(): SecretStore {
    if (!deps.keychain) throw new ControlError('unavailable', NO_KEYCHAIN);
    return deps.keychain;
  }

  async function keychain<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SecretStoreUnavailableError)
        throw new ControlError('unavailable', `the token cannot be stored: the keychain is not available (${err.reason})`);
      throw err;
    }
  }

  /** Probes `token` as account `account` would use it (its apiRoot, proxy); refuses with what to do. */
  async function probeToken(account: ChannelAccount, token: string): Promise<ProbeResult> {
    const field = tokenField(account.channel as ManagedChannel)!;
    return gateway.probeCandidate({ ...account, secrets: { ...account.secrets, [field]: token } });
  }

  async function mustValidate(account: ChannelAccount, token: string): Promise<ProbeResult> {
    const result = await probeToken(account, token);
    if (!result.ok) throw new ControlError('bad_request', `the token was not saved: ${result.error ?? 'the platform did not accept it'}`);
    return result;
  }

  /** A keychain name for the account's token not used by any other config path. */
  function freshSecretName(raw: Obj, channel: string, accountId: string): string {
    const used = secretReferences(raw);
    const base = `${channel}/${accountId}`;
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      if (!used.has(name)) return name;
    }
  }

  /** Stores `value` under `name`, returning how to put back what was there (the config write may still fail). */
  async function storeToken(name: string, value: string): Promise<() => Promise<void>> {
    const kc = need();
    const previous = await keychain(() => kc.get(secretAccount(name)));
    await keychain(() => kc.set(secretAccount(name), value));
    return async () => {
      if (previous === null) await kc.delete(secretAccount(name)).catch(() => false);
      else await kc.set(secretAccount(name), previous).catch(() => undefined);
    };
  }

  function existing(config: SwitchboardConfig, channel: ManagedChannel, accountId: string): ChannelAccount {
    const account = config.channels[channel]?.accounts[accountId];
    if (!account) throw new ControlError('not_found', `${channel} account "${accountId}" does not exist`);
    return account;
  }

  return {
    async 'channels.validate'({ channel, token, accountId, apiRoot }) {
      registerSecret(token);
      const config = gateway.currentConfig;
      const known = accountId ? config.channels[channel]?.accounts[accountId] : undefined;
      let account: ChannelAccount;
      if (known) account = known;
      else {
        // As the account would be written: the channel's inherited settings, plus the apiRoot given.
        const raw = rawOf(gateway.currentLoaded);
        addChannelAccount(raw, { channel, accountId: accountId ?? 'validate-candidate', ...(apiRoot ? { apiRoot } : {}) }, config);
        const check = store.check(editJson5('', raw));
        account = check.config?.channels[channel]?.accounts[accountId ?? 'validate-candidate'] ?? {
          channel,
          accountId: accountId ?? 'validate-candidate',
          enabled: true,
          dmPolicy: 'pairing',
          allowFrom: [],
          groupPolicy: 'allowlist',
          groupAllowFrom: [],
          groups: {},
          settings: apiRoot ? { apiRoot } : {},
          secrets: {},
        };
      }
      return checkOut(await probeToken(account, token));
    },

    async 'channels.add'({ baseHash, channel, accountId, name, token, apiRoot, dmPolicy }) {
      const current = await based(baseHash);
      const field = tokenField(channel);
      if (field && !token)
        throw new ControlError('bad_request', `a ${channel} account needs its bot token; paste the token to add account "${accountId}"`);
      if (!field && token)
        throw new ControlError('bad_request', `${channel} accounts take no token: they are linked by scanning a QR code`);
      if (token) registerSecret(token);
      const raw = rawOf(current);
      const secret = field ? freshSecretName(raw, channel, accountId) : undefined;
      await configCall(async () =>
        addChannelAccount(
          raw,
          {
            channel,
            accountId,
            ...(name ? { name } : {}),
            ...(secret ? { secret } : {}),
            ...(apiRoot ? { apiRoot } : {}),
            ...(dmPolicy ? { dmPolicy } : {}),
          },
          current.config,
        ),
      );
      const check = checkCandidate(raw, current);
      let bot: ProbeResult['bot'];
      let undo: (() => Promise<void>) | undefined;
      if (token && secret) {
        need();
        bot = (await mustValidate(check.config!.channels[channel]!.accounts[accountId]!, token)).bot;
        undo = await storeToken(secret, token);
      }
      let written: LoadedConfig;
      try {
        written = await write(raw, current);
      } catch (err) {
        await undo?.();
        throw err;
      }
      return { channel, accountId, hash: written.hash, ...(bot ? { bot } : {}), ...(secret ? { secret } : {}) };
    },

    async 'channels.update'({ baseHash, channel, accountId, name, enabled, dmPolicy, token }) {
      const current = await based(baseHash);
      const account = existing(current.config, channel, accountId);
      const field = tokenField(channel);
      if (token && !field)
        throw new ControlError('bad_request', `${channel} accounts take no token: they are linked by scanning a QR code`);
      const raw = rawOf(current);
      let secret: string | undefined;
      let bot: ProbeResult['bot'];
      let undo: (() => Promise<void>) | undefined;
      let sameRef = false;
      if (token && field) {
        registerSecret(token);
        need();
        bot = (await mustValidate(account, token)).bot;
        // The account's own keychain entry is overwritten in place unless another account shares it.
        const own = account.secrets[field];
        const ownName = typeof own === 'object' && 'secret' in own ? own.secret : undefined;
        const users = ownName ? (secretReferences(raw).get(ownName) ?? []) : [];
        sameRef = ownName !== undefined && users.length === 1;
        secret = sameRef ? ownName : freshSecretName(raw, channel, accountId);
      }
      await configCall(async () =>
        updateChannelAccount(raw, channel, accountId, {
          ...(name !== undefined ? { name } : {}),
          ...(enabled !== undefined ? { enabled } : {}),
          ...(dmPolicy !== undefined ? { dmPolicy } : {}),
          ...(secret && !sameRef ? { secret } : {}),
        }),
      );
      checkCandidate(raw, current);
      if (token && secret) undo = await storeToken(secret, token);
      let written: LoadedConfig;
      try {
        written = await write(raw, current);
      } catch (err) {
        await undo?.();
        throw err;
      }
      // Same reference, new value: the running adapter still holds the old token; start it afresh.
      const now = gateway.currentConfig.channels[channel]?.accounts[accountId];
      if (sameRef && now?.enabled && gateway.state === 'running') {
        await gateway.suspendChannel(channel, accountId);
        await gateway.resumeChannels();
      }
      return { channel, accountId, hash: written.hash, ...(bot ? { bot } : {}) };
    },

    async 'channels.remove'({ baseHash, channel, accountId, dropBindings }) {
      const current = await based(baseHash);
      const account = existing(current.config, channel, accountId);
      const raw = rawOf(current);
      const removed = await configCall(async () => removeChannelAccount(raw, channel, accountId, current.config, dropBindings === true));
      checkCandidate(raw, current);
      const written = await write(raw, current);
      const warnings: string[] = [];
      let deletedSecret: string | undefined;
      const field = tokenField(channel);
      const own = field ? account.secrets[field] : undefined;
      const ownName = typeof own === 'object' && 'secret' in own ? own.secret : undefined;
      // The token goes with the account unless another config path still refers to it.
      if (ownName && !secretReferences(raw).has(ownName)) {
        if (!deps.keychain) warnings.push(`its token (keychain entry "${ownName}") was not deleted: this gateway runs without a keychain`);
        else {
          try {
            if (await deps.keychain.delete(secretAccount(ownName))) deletedSecret = ownName;
          } catch (err) {
            warnings.push(
              `its token (keychain entry "${ownName}") could not be deleted: ${(err as Error).message}; remove it with "switchboard secrets delete ${ownName}"`,
            );
          }
        }
      }
      return {
        channel,
        accountId,
        hash: written.hash,
        removedBindings: removed,
        ...(deletedSecret ? { deletedSecret } : {}),
        warnings,
      };
    },

    async 'channels.bind'({ baseHash, channel, accountId, agentId }) {
      const current = await based(baseHash);
      existing(current.config, channel, accountId);
      const id = agentId.trim().toLowerCase();
      if (!current.config.agents.list.some((a) => a.id === id))
        throw new ControlError(
          'not_found',
          `agent "${agentId}" does not exist (agents: ${current.config.agents.list.map((a) => a.id).join(', ')})`,
        );
      const raw = rawOf(current);
      const index = bindAccount(raw, channel, accountId, id, current.config);
      checkCandidate(raw, current);
      const written = await write(raw, current);
      return { channel, accountId, agentId: id, bindingIndex: index, hash: written.hash };
    },
  };
}
