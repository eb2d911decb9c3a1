// Session keys (docs/routing.md#session-keys): which conversation a message belongs to, per agent.
// Lower-cased as a whole; ids compare case-sensitively elsewhere, which cannot merge senders on the
// supported channels (numeric ids, E.164 numbers, lower-case JIDs).
import type { PeerRef, SessionConfig } from '../config/index.ts';

export function mainSessionKey(agentId: string, session: SessionConfig): string {
  return `agent:${agentId}:${session.mainKey}`.toLowerCase();
}

export function sessionKeyFor(
  agentId: string,
  channel: string,
  accountId: string,
  peer: PeerRef | undefined,
  session: SessionConfig,
): string {
  if (!peer || peer.kind === 'direct') {
    const rawId = peer?.id ?? '';
    if (session.dmScope === 'main' || rawId === '') return mainSessionKey(agentId, session);
    const peerId = session.identityLinks[`${channel}:${rawId}`.toLowerCase()] ?? rawId;
    switch (session.dmScope) {
      case 'per-peer':
        return `agent:${agentId}:direct:${peerId}`.toLowerCase();
      case 'per-channel-peer':
        return `agent:${agentId}:${channel}:direct:${peerId}`.toLowerCase();
      case 'per-account-channel-peer':
        return `agent:${agentId}:${channel}:${accountId}:direct:${peerId}`.toLowerCase();
    }
  }
  return `agent:${agentId}:${channel}:${peer.kind}:${peer.id === '' ? 'unknown' : peer.id}`.toLowerCase();
}

/**
 * A sub-agent's session (sessions_spawn, docs/heartbeat-subagents.md): OpenClaw's key form
 * `agent:<id>:subagent:<uuid>`, one new session per spawn. The parent is recorded in the session's
 * header, not in the key, so the key stays short at any depth.
 */
export function subagentSessionKey(agentId: string, runId: string): string {
  return `agent:${agentId}:subagent:${runId}`.toLowerCase();
}

export function isSubagentSessionKey(sessionKey: string): boolean {
  return /^agent:[^:]+:subagent:[^:]+$/i.test(sessionKey);
}

/**
 * The key of one agent's session in the gateway's lanes and running turns and in the dashboard's
 * per-session state. Agent ids never contain a newline, so two different pairs never share a key
 * (joined with `:` instead, `a` + `b:c` and `a:b` + `c` would).
 */
export function laneKey(agentId: string, sessionKey: string): string {
  return `${agentId}\n${sessionKey}`;
}

/** The scope a non-owner's direct messages get while `session.dmScope` is left at its default. */
export const NON_OWNER_DM_SCOPE = 'per-channel-peer' as const;

/**
 * A direct message's session once the sender's ownership is known (the router cannot know it:
 * owners are per agent and need the platform's word that the sender is who they say). The
 * default `dmScope: "main"` is meant for the owner's own chats: a sender who is not an owner
 * gets a session of their own (channel-qualified, since ids are only unique per channel) unless
 * the config sets `dmScope: "main"` explicitly. Anything else keeps `routedKey`.
 */
export function ownerAwareSessionKey(
  routedKey: string,
  agentId: string,
  channel: string,
  accountId: string,
  peer: PeerRef | undefined,
  session: SessionConfig,
  senderIsOwner: boolean,
): string {
  if (senderIsOwner || peer?.kind !== 'direct' || session.dmScope !== 'main' || session.dmScopeExplicit) return routedKey;
  // No id to scope by: still never the owner's main session.
  if (peer.id === '') return `agent:${agentId}:${channel}:direct:unknown`.toLowerCase();
  return sessionKeyFor(agentId, channel, accountId, peer, { ...session, dmScope: NON_OWNER_DM_SCOPE });
}
