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
 * The key of one agent's session in the gateway's lanes and running turns and in the dashboard's
 * per-session state. Agent ids never contain a newline, so two different pairs never share a key
 * (joined with `:` instead, `a` + `b:c` and `a:b` + `c` would).
 */
export function laneKey(agentId: string, sessionKey: string): string {
  return `${agentId}\n${sessionKey}`;
}
