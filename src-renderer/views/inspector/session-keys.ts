// What a session key means to a person (docs/routing.md#session-keys: `agent:<a>:<mainKey>`,
// `agent:<a>:<channel>:direct:<peer>`, `agent:<a>:<channel>:group:<id>`,
// `agent:<a>:webchat:<name>`, `agent:<a>:a2a:<from>`, `agent:<a>:subagent:<uuid>`; archived sessions are listed as
// `<sessionKey>#<sessionId>`), and whether the dashboard may write in it
// (docs/architecture.md#sessions-from-the-inspector).
import { channelName } from '../../ui/format.ts';

export interface SessionKeyInfo {
  label: string;
  kind: 'main' | 'webchat' | 'direct' | 'group' | 'channel' | 'a2a' | 'subagent' | 'other';
  channel: string | undefined;
  archived: boolean;
  /** The live session key (without the archive suffix). */
  sessionKey: string;
}

const PEER_KINDS = new Set(['direct', 'group', 'channel']);
/** `chat-` and 10 base-36 characters: the name "New chat" gives a web chat session. */
const NEW_CHAT_NAME = /^chat-[0-9a-z]{10}$/;

export function describeSessionKey(key: string, agentId: string, mainKey: string): SessionKeyInfo {
  const hash = key.indexOf('#');
  const archived = hash >= 0;
  const sessionKey = archived ? key.slice(0, hash) : key;
  const prefix = `agent:${agentId.toLowerCase()}:`;
  const rest = sessionKey.startsWith(prefix) ? sessionKey.slice(prefix.length) : sessionKey;
  const parts = rest.split(':');
  const base = { archived, sessionKey };
  if (rest === mainKey.toLowerCase()) return { ...base, label: 'Main session', kind: 'main', channel: undefined };
  if (parts[0] === 'webchat') {
    const name = parts.slice(1).join(':');
    // A chat started with "New chat" has a generated name: until it gets a title it is just a chat.
    const label = NEW_CHAT_NAME.test(name) ? 'Untitled chat' : `Web chat · ${name || 'default'}`;
    return { ...base, label, kind: 'webchat', channel: 'webchat' };
  }
  if (parts[0] === 'a2a') return { ...base, label: `From agent ${parts.slice(1).join(':')}`, kind: 'a2a', channel: undefined };
  if (parts[0] === 'subagent' && parts.length === 2)
    return { ...base, label: `Sub-agent ${parts[1]!.slice(0, 8)}`, kind: 'subagent', channel: undefined };
  if (parts[0] === 'direct') return { ...base, label: `Direct · ${parts.slice(1).join(':')}`, kind: 'direct', channel: undefined };
  // <channel>:<kind>:<peer> or <channel>:<account>:<kind>:<peer>
  const kindAt = PEER_KINDS.has(parts[1] ?? '') ? 1 : PEER_KINDS.has(parts[2] ?? '') ? 2 : -1;
  if (kindAt > 0) {
    const channel = parts[0]!;
    const kind = parts[kindAt] as 'direct' | 'group' | 'channel';
    const account = kindAt === 2 ? ` (${parts[1]})` : '';
    const peer = parts.slice(kindAt + 1).join(':');
    const what = kind === 'direct' ? 'direct' : kind;
    return { ...base, label: `${channelName(channel)}${account} · ${what} ${peer}`, kind, channel };
  }
  return { ...base, label: rest || key, kind: 'other', channel: undefined };
}

export function mainSessionKeyOf(agentId: string, mainKey: string): string {
  return `agent:${agentId}:${mainKey}`.toLowerCase();
}

/** `webchat.send` writes in the agent's main session or one of its webchat sessions, never an archived one. */
export function isWritable(info: SessionKeyInfo): boolean {
  return !info.archived && (info.kind === 'main' || info.kind === 'webchat');
}

/**
 * The key of a new web chat with the agent (docs/routing.md#session-keys): `agent:<a>:webchat:chat-<10 base-36>`,
 * random so two chats — or two dashboards — never share one. Nothing is stored until the first message.
 */
export function newChatKey(agentId: string): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(10));
  const name = [...bytes].map((b) => (b % 36).toString(36)).join('');
  return `agent:${agentId}:webchat:chat-${name}`.toLowerCase();
}

/** True for a chat started with "New chat" (its name was generated, not chosen). */
export function isNewChatKey(info: SessionKeyInfo): boolean {
  return info.kind === 'webchat' && NEW_CHAT_NAME.test(info.sessionKey.split(':').slice(3).join(':'));
}
