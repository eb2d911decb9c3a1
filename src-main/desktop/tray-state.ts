// What the tray shows, as data: the gateway's state, channel accounts, agents and pending pairing
// requests, reduced from the control plane's `status` snapshot and its events. Pure functions,
// so the icon, the status line and the menu (tray-menu.ts) are tested for every state.

export type GatewayPhase = 'stopped' | 'starting' | 'running' | 'stopping' | 'error';

export interface TrayChannel {
  channel: string;
  accountId: string;
  state: 'stopped' | 'connecting' | 'connected' | 'linking' | 'error';
  reason?: string;
}

export interface TrayAgent {
  id: string;
  name: string | null;
  emoji: string | null;
  state: 'idle' | 'thinking' | 'error' | 'paused' | 'unavailable';
  reason: string | null;
}

export interface TrayPairing {
  channel: string;
  account: string;
  code: string;
  senderId: string;
  senderName?: string;
  expiresAt: number;
}

export interface TrayState {
  /** `closed`: the gateway could not be opened at all (state dir taken, invalid config…); `reason` says why. */
  gateway: GatewayPhase | 'closed';
  reason?: string;
  channels: TrayChannel[];
  agents: TrayAgent[];
  pairing: TrayPairing[];
  /** Errors of the last rejected config edit (the gateway runs on the previous one). */
  configErrors: string[];
}

export type TrayIcon = 'running' | 'stopped' | 'error' | 'attention';

export const TRAY_ICONS: readonly TrayIcon[] = ['running', 'stopped', 'error', 'attention'];

export const INITIAL_TRAY_STATE: TrayState = { gateway: 'stopped', channels: [], agents: [], pairing: [], configErrors: [] };

const CHANNEL_NAMES: Record<string, string> = { telegram: 'Telegram', discord: 'Discord', whatsapp: 'WhatsApp', webchat: 'Webchat' };

export function channelLabel(c: { channel: string; accountId: string }): string {
  return `${CHANNEL_NAMES[c.channel] ?? c.channel} "${c.accountId}"`;
}

export function agentLabel(a: TrayAgent): string {
  const name = a.name ?? a.id;
  return a.emoji ? `${a.emoji} ${name}` : name;
}

/** A stopped account whose reason means the user has to do something (re-link, replace a session). */
const NEEDS_USER_WHEN_STOPPED = /logged out|re-link|not linked|replaced/i;

/** Things the user has to act on, most urgent first, each a sentence that says what. */
export function attentionItems(state: TrayState): string[] {
  const items: string[] = [];
  for (const c of state.channels) {
    if (c.state === 'linking') items.push(`${channelLabel(c)} is waiting for its QR code to be scanned`);
    else if (c.state === 'error') items.push(`${channelLabel(c)}: ${c.reason ?? 'stopped after an error'}`);
    else if (c.state === 'stopped' && c.reason && NEEDS_USER_WHEN_STOPPED.test(c.reason)) items.push(`${channelLabel(c)}: ${c.reason}`);
  }
  if (state.pairing.length > 0) {
    items.push(
      state.pairing.length === 1
        ? '1 pairing request is waiting for approval'
        : `${state.pairing.length} pairing requests are waiting for approval`,
    );
  }
  for (const a of state.agents) {
    if (a.state === 'unavailable' || a.state === 'error')
      items.push(`Agent ${agentLabel(a)} ${a.state === 'unavailable' ? 'is unavailable' : 'failed'}${a.reason ? `: ${a.reason}` : ''}`);
  }
  for (const message of state.configErrors) items.push(`Config edit rejected: ${message}`);
  return items;
}

export function iconFor(state: TrayState): TrayIcon {
  if (state.gateway === 'error' || state.gateway === 'closed') return 'error';
  if (attentionItems(state).length > 0) return 'attention';
  return state.gateway === 'running' ? 'running' : 'stopped';
}

export function statusLine(state: TrayState): string {
  switch (state.gateway) {
    case 'closed':
      return `Gateway not running: ${state.reason ?? 'it could not be opened'}`;
    case 'error':
      return `Gateway error: ${state.reason ?? 'unknown'}`;
    case 'starting':
      return 'Gateway starting…';
    case 'stopping':
      return 'Gateway stopping…';
    case 'stopped':
      return 'Gateway stopped';
    case 'running': {
      const agents = state.agents.length === 1 ? '1 agent' : `${state.agents.length} agents`;
      const channels =
        state.channels.length === 0
          ? 'webchat only'
          : `${state.channels.filter((c) => c.state === 'connected').length}/${state.channels.length} channels connected`;
      return `Gateway running · ${agents} · ${channels}`;
    }
  }
}

/** Tray tooltips are short on every platform (Windows cuts at 127 characters). */
export function tooltipFor(state: TrayState): string {
  const attention = attentionItems(state);
  const text =
    attention.length > 0 && state.gateway !== 'closed' && state.gateway !== 'error'
      ? `Switchboard — ${attention[0]}${attention.length > 1 ? ` (+${attention.length - 1} more)` : ''}`
      : `Switchboard — ${statusLine(state)}`;
  return truncate(text, 127);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Applies one control-plane event; events that do not concern the tray return the same object. */
export function applyEvent(state: TrayState, event: string, data: unknown): TrayState {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  switch (event) {
    case 'gateway.state': {
      if (typeof d.state !== 'string') return state;
      const next: TrayState = { ...state, gateway: d.state as GatewayPhase };
      if (typeof d.reason === 'string') next.reason = d.reason;
      else delete next.reason;
      return next;
    }
    case 'channel.state': {
      if (typeof d.channel !== 'string' || typeof d.accountId !== 'string' || typeof d.state !== 'string') return state;
      const entry: TrayChannel = {
        channel: d.channel,
        accountId: d.accountId,
        state: d.state as TrayChannel['state'],
        ...(typeof d.reason === 'string' ? { reason: d.reason } : {}),
      };
      const i = state.channels.findIndex((c) => c.channel === entry.channel && c.accountId === entry.accountId);
      const channels = i < 0 ? [...state.channels, entry] : state.channels.map((c, j) => (j === i ? entry : c));
      return { ...state, channels };
    }
    case 'agent.state': {
      if (typeof d.agentId !== 'string' || typeof d.state !== 'string') return state;
      if (!state.agents.some((a) => a.id === d.agentId)) return state;
      return {
        ...state,
        agents: state.agents.map((a) =>
          a.id === d.agentId ? { ...a, state: d.state as TrayAgent['state'], reason: typeof d.reason === 'string' ? d.reason : null } : a,
        ),
      };
    }
    case 'config.changed':
      return {
        ...state,
        configErrors: d.ok === false && Array.isArray(d.errors) ? d.errors.filter((e): e is string => typeof e === 'string') : [],
      };
    default:
      return state;
  }
}

/** Results of `status`, `agents.list` and `pairing.list` (as the control plane returns them). */
export interface TraySnapshot {
  status?: { state: GatewayPhase; channels: TrayChannel[]; configErrors: { message: string }[] };
  agents?: { agents: TrayAgent[] };
  pairing?: { pending: TrayPairing[] };
}

export function withSnapshot(state: TrayState, snap: TraySnapshot): TrayState {
  const next: TrayState = { ...state };
  if (snap.status) {
    next.gateway = snap.status.state;
    if (snap.status.state !== 'error') delete next.reason;
    next.channels = snap.status.channels.map((c) => ({
      channel: c.channel,
      accountId: c.accountId,
      state: c.state,
      ...(c.reason ? { reason: c.reason } : {}),
    }));
    next.configErrors = snap.status.configErrors.map((e) => e.message);
  }
  if (snap.agents)
    next.agents = snap.agents.agents.map((a) => ({ id: a.id, name: a.name, emoji: a.emoji, state: a.state, reason: a.reason }));
  if (snap.pairing)
    next.pairing = snap.pairing.pending.map((p) => ({
      channel: p.channel,
      account: p.account,
      code: p.code,
      senderId: p.senderId,
      ...(p.senderName ? { senderName: p.senderName } : {}),
      expiresAt: p.expiresAt,
    }));
  return next;
}
