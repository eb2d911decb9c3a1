// The gateway's control-plane methods (src-shared/protocol/methods.ts) implemented over a Gateway.
// Nothing secret leaves here: results carry ids, states, counters and transcript text only.
import { DEFAULT_MODEL, TIER_NAMES, bindingTier, isChannelId, type ChannelId } from '../../src-shared/config/index.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import type { ControlMethods } from '../../src-shared/protocol/methods.ts';
import { RouteInputError } from '../../src-shared/routing/index.ts';
import type { Handlers } from '../control/service.ts';
import { resolveBaseUrl, resolveModel } from '../agents/turn.ts';
import { PoolNameError } from '../agents/memory/index.ts';
import { listAgentTasks, TaskInputError, TaskNotFoundError, updateAgentTask } from '../agents/tasks/index.ts';
import { testAgentProfiles } from '../secrets/api-keys.ts';
import { AuthProfileError, agentAuthRef, type AuthProfiles } from '../secrets/auth-profiles.ts';
import { listAgentProfiles, listSecrets, storeSecret } from '../secrets/credentials.ts';
import { SecretStoreUnavailableError, secretAccount, type SecretStore } from '../secrets/store.ts';
import type { Gateway } from './gateway.ts';
import { channelAccountHandlers } from './channel-account-handlers.ts';
import { channelHandlers, type ChannelHandlerDeps } from './channel-handlers.ts';
import { configHandlers } from './config-handlers.ts';
import { personaHandlers } from './persona-handlers.ts';
import type { OpenPath } from './open-path.ts';
import type { PairingStore } from './pairing.ts';
import type { LogMethodName } from './log-handlers.ts';
import { sessionHandlers } from './session-handlers.ts';
import { usageHandlers } from './usage-handlers.ts';

/** The keychain and the auth profiles the gateway's turns use (the same objects, so no cache to invalidate). */
export interface GatewayCredentials {
  store: SecretStore;
  profiles: AuthProfiles;
  env: NodeJS.ProcessEnv;
  homeDir?: string;
}

export function gatewayHandlers(
  gateway: Gateway,
  pairing: PairingStore,
  version: string,
  creds?: GatewayCredentials,
  channels?: ChannelHandlerDeps,
  openPath?: OpenPath,
): Omit<Handlers<ControlMethods>, LogMethodName> {
  const need = (): GatewayCredentials => {
    if (!creds) throw new ControlError('unavailable', 'credentials unavailable: this gateway was started without a keychain');
    return creds;
  };
  const agentRef = (agentId: string) => {
    const id = knownAgent(gateway, agentId);
    const config = gateway.currentConfig;
    return agentAuthRef(
      config.agents.list.find((a) => a.id === id)!,
      config,
      gateway.currentLoc,
      creds?.homeDir,
    );
  };
  return {
    ...channelHandlers(gateway, channels ?? { log: { log() {} }, emitQr() {}, ...(creds ? { keychain: creds.store } : {}) }),
    ...channelAccountHandlers(gateway, creds ? { keychain: creds.store } : {}),
    ...configHandlers(gateway, { ...(creds ? { keychain: creds.store } : {}), ...(openPath ? { openPath } : {}) }),
    ...sessionHandlers(gateway, (agentId) => knownAgent(gateway, agentId)),
    ...personaHandlers(gateway, (agentId) => knownAgent(gateway, agentId)),
    ...usageHandlers(gateway),
    async 'agents.pause'({ agentId }) {
      const id = knownAgent(gateway, agentId);
      await gateway.setPaused(id, true);
      return { agentId: id, paused: true };
    },
    async 'agents.resume'({ agentId }) {
      const id = knownAgent(gateway, agentId);
      await gateway.setPaused(id, false);
      return { agentId: id, paused: false };
    },
    async status() {
      const loaded = gateway.currentLoaded;
      return {
        version,
        state: gateway.state,
        startedAt: gateway.startedAt?.toISOString() ?? null,
        configPath: loaded.configPath,
        stateDir: gateway.currentLoc.stateDir,
        configHash: loaded.hash,
        configErrors: gateway.lastReloadErrors.map((message) => ({ message, path: '' })),
        agents: gateway.currentConfig.agents.list.length,
        unavailableAgents: gateway.currentConfig.agents.list.flatMap((a) => {
          const { state, reason } = gateway.activity.snapshot(a.id);
          return state === 'unavailable' ? [{ agentId: a.id, reason: reason ?? 'unavailable' }] : [];
        }),
        channels: gateway.channelStatuses(),
        inFlight: gateway.inFlight,
        queued: gateway.queued,
        processed: gateway.processed,
        dropped: { ...gateway.dropped },
        keychain: creds ? await creds.store.status() : { available: false, reason: 'this gateway was started without a keychain' },
        storage: gateway.storage.status,
      };
    },
    async 'secrets.list'() {
      return listSecrets(need().store, gateway.currentLoaded.check.raw ?? {});
    },
    async 'secrets.set'({ name, value }) {
      // A secret is not part of the config file, so baseHash has nothing to guard here.
      await keychainCall(() => storeSecret(need().store, name, value));
      return { name, stored: true };
    },
    async 'secrets.delete'({ name }) {
      return { name, deleted: await keychainCall(() => need().store.delete(secretAccount(name))) };
    },
    async 'auth.list'(params) {
      const c = need();
      if (params?.agentId !== undefined) knownAgent(gateway, params.agentId);
      const listed = await keychainCall(() =>
        listAgentProfiles(c.profiles, c.store, gateway.currentConfig, gateway.currentLoc, c.homeDir, params?.agentId),
      );
      return { ...listed, envKey: Boolean(c.env.ANTHROPIC_API_KEY?.trim()) };
    },
    async 'auth.add'({ agentId, profileId, shared, label, apiKey }) {
      const ref = agentRef(agentId);
      const added = await keychainCall(() =>
        need().profiles.add(ref, {
          apiKey,
          ...(profileId !== undefined ? { profileId } : {}),
          ...(shared ? { shared } : {}),
          ...(label !== undefined ? { label } : {}),
        }),
      );
      return { agentId: ref.id, profileId: added.profileId, scope: added.scope };
    },
    async 'auth.remove'({ agentId, profileId, shared }) {
      const ref = agentRef(agentId);
      return { removed: await keychainCall(() => need().profiles.remove(ref, profileId, shared === true)) };
    },
    async 'auth.copy'({ fromAgentId, toAgentId, profileIds }) {
      const c = need();
      const from = agentRef(fromAgentId);
      const to = agentRef(toAgentId);
      const result = await keychainCall(() => c.profiles.copyProfiles(from, to, profileIds));
      return { toAgentId: to.id, ...result };
    },
    async 'auth.test'({ agentId, profileId }) {
      const c = need();
      const ref = agentRef(agentId);
      const config = gateway.currentConfig;
      const agent = config.agents.list.find((a) => a.id === ref.id)!;
      const results = await keychainCall(() =>
        testAgentProfiles(c.profiles, ref, {
          baseURL: resolveBaseUrl(config, c.env),
          model: resolveModel(agent, config),
          env: c.env,
          ...(profileId !== undefined ? { profileId } : {}),
        }),
      );
      return { agentId: ref.id, results };
    },
    async 'gateway.start'() {
      return { state: await gateway.start() };
    },
    async 'gateway.stop'() {
      return { state: await gateway.stop() };
    },
    async 'route.explain'(params) {
      try {
        const e = gateway.currentRouter.explain(params);
        return {
          decision: e.decision,
          tier: e.tier,
          candidates: e.candidates.map((c) => ({
            bindingIndex: c.bindingIndex,
            source: c.source,
            agentId: c.agentId,
            tier: c.tier,
            matched: c.evaluation.matched,
            ...(c.evaluation.matched ? { matchTier: c.evaluation.tier } : { reason: c.evaluation.reason }),
          })),
        };
      } catch (err) {
        if (err instanceof RouteInputError) throw new ControlError('bad_request', err.message);
        throw err;
      }
    },
    async 'agents.list'() {
      const config = gateway.currentConfig;
      const defaultId = gateway.currentRouter.defaultAgentId;
      return {
        agents: config.agents.list.map((agent) => {
          const activity = gateway.activity.snapshot(agent.id);
          return {
            id: agent.id,
            name: agent.name ?? null,
            emoji: agent.identity.emoji ?? null,
            default: agent.id === defaultId,
            model: agent.model ?? config.agents.defaults.model ?? DEFAULT_MODEL,
            modelFallbacks: agent.modelFallbacks ?? (agent.model ? [] : (config.agents.defaults.modelFallbacks ?? [])),
            workspace: gateway.pathsOf(agent).workspace,
            state: gateway.controls.isPaused(agent.id) && activity.state !== 'unavailable' ? ('paused' as const) : activity.state,
            reason: activity.reason,
            bindings: config.bindings
              .filter((b) => b.agentId === agent.id)
              .map((b) => ({
                index: b.index,
                channel: b.match.channel,
                accountId: b.match.accountId,
                matchedBy: TIER_NAMES[bindingTier(b)],
              })),
            today: activity.today,
            lastActivity: activity.lastActivity,
          };
        }),
      };
    },
    async 'webchat.send'({ agentId, text, sessionKey, clientId }) {
      const sent = await gateway.webchatSend(agentId, text, sessionKey, clientId);
      return { agentId: agentId.toLowerCase(), ...sent };
    },
    async 'turn.cancel'({ agentId, sessionKey }) {
      return { cancelled: gateway.cancelTurn(agentId, sessionKey) };
    },
    async 'tasks.list'({ agentId, status }) {
      const id = knownAgent(gateway, agentId);
      return taskCall(() => listAgentTasks(gateway.currentConfig, gateway.currentLoc.stateDir, id, status));
    },
    async 'tasks.update'({ agentId, id: taskId, status, due, notes }) {
      const id = knownAgent(gateway, agentId);
      const patch = {
        ...(status !== undefined ? { status } : {}),
        ...(due !== undefined ? { due } : {}),
        ...(notes !== undefined ? { notes } : {}),
      };
      const task = await taskCall(() => updateAgentTask(gateway.currentConfig, gateway.currentLoc.stateDir, id, taskId, patch));
      return { agentId: id, task };
    },
    async 'pairing.list'(params) {
      return { pending: await pairing.list(params?.channel === undefined ? undefined : channelOf(params.channel), params?.account) };
    },
    async 'pairing.approve'({ channel, code, account }) {
      const approved = await pairing.approve(channelOf(channel), code, account);
      return { channel: approved.channel, account: approved.account, senderId: approved.senderId };
    },
  };
}

/** Keychain and profile errors become protocol errors a user can act on. */
async function keychainCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SecretStoreUnavailableError) throw new ControlError('unavailable', `credentials unavailable: ${err.reason}`);
    if (err instanceof AuthProfileError) throw new ControlError(err.code, err.message);
    if ((err as { code?: unknown }).code === 'bad_request') throw new ControlError('bad_request', (err as Error).message);
    throw err;
  }
}

/** Task-list errors become protocol errors: unknown task → not_found, bad input or pool name → bad_request. */
async function taskCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TaskNotFoundError) throw new ControlError('not_found', err.message);
    if (err instanceof TaskInputError || err instanceof PoolNameError) throw new ControlError('bad_request', err.message);
    throw err;
  }
}

function channelOf(channel: string): ChannelId {
  const c = channel.trim().toLowerCase();
  if (!isChannelId(c)) throw new ControlError('bad_request', `unknown channel "${channel}"`);
  return c;
}

function knownAgent(gateway: Gateway, agentId: string): string {
  const id = agentId.toLowerCase();
  if (!gateway.currentConfig.agents.list.some((a) => a.id === id)) {
    throw new ControlError(
      'not_found',
      `agent "${agentId}" does not exist (agents: ${gateway.currentConfig.agents.list.map((a) => a.id).join(', ')})`,
    );
  }
  return id;
}
