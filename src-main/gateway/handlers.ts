// The gateway's control-plane methods (src-shared/protocol/methods.ts) implemented over a Gateway.
// Nothing secret leaves here: results carry ids, states, counters and transcript text only.
import { DEFAULT_MODEL, TIER_NAMES, bindingTier, isChannelId, type ChannelId } from '../../src-shared/config/index.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import type { ControlMethods } from '../../src-shared/protocol/methods.ts';
import { RouteInputError } from '../../src-shared/routing/index.ts';
import type { Handlers } from '../control/service.ts';
import type { Gateway } from './gateway.ts';
import type { PairingStore } from './pairing.ts';

export function gatewayHandlers(gateway: Gateway, pairing: PairingStore, version: string): Handlers<ControlMethods> {
  return {
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
        channels: gateway.channelStatuses(),
        inFlight: gateway.inFlight,
        queued: gateway.queued,
        processed: gateway.processed,
        dropped: { ...gateway.dropped },
      };
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
            bindingIndex: c.bindingIndex, source: c.source, agentId: c.agentId, tier: c.tier, matched: c.evaluation.matched,
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
            workspace: gateway.pathsOf(agent).workspace,
            state: activity.state,
            reason: activity.reason,
            bindings: config.bindings.filter((b) => b.agentId === agent.id).map((b) => ({ index: b.index, channel: b.match.channel, accountId: b.match.accountId, matchedBy: TIER_NAMES[bindingTier(b)] })),
            today: activity.today,
            lastActivity: activity.lastActivity,
          };
        }),
      };
    },
    async 'sessions.list'({ agentId }) {
      const store = await gateway.storeFor(knownAgent(gateway, agentId));
      return {
        agentId,
        sessions: store.list().map((s) => ({
          key: s.key, sessionKey: s.sessionKey, sessionId: s.sessionId, created: s.created, updated: s.updated, messages: s.messages,
          inputTokens: s.inputTokens, outputTokens: s.outputTokens, archived: s.archived === true, ...(s.title ? { title: s.title } : {}),
        })),
      };
    },
    async 'sessions.history'({ agentId, sessionKey, before, limit }) {
      const store = await gateway.storeFor(knownAgent(gateway, agentId));
      try {
        const page = await store.history(sessionKey, { ...(before !== undefined ? { before } : {}), limit: limit ?? 100 });
        return { agentId, sessionKey, records: page.records, hasMore: page.hasMore };
      } catch (err) {
        if ((err as Error).name === 'SessionNotFoundError') throw new ControlError('not_found', `agent "${agentId}" has no session ${sessionKey}`);
        throw err;
      }
    },
    async 'webchat.send'({ agentId, text, sessionKey }) {
      const sent = await gateway.webchatSend(agentId, text, sessionKey);
      return { agentId: agentId.toLowerCase(), ...sent };
    },
    async 'turn.cancel'({ agentId, sessionKey }) {
      return { cancelled: gateway.cancelTurn(agentId, sessionKey) };
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

function channelOf(channel: string): ChannelId {
  const c = channel.trim().toLowerCase();
  if (!isChannelId(c)) throw new ControlError('bad_request', `unknown channel "${channel}"`);
  return c;
}

function knownAgent(gateway: Gateway, agentId: string): string {
  const id = agentId.toLowerCase();
  if (!gateway.currentConfig.agents.list.some((a) => a.id === id)) {
    throw new ControlError('not_found', `agent "${agentId}" does not exist (agents: ${gateway.currentConfig.agents.list.map((a) => a.id).join(', ')})`);
  }
  return id;
}
