// The dashboard's picture of the gateway: status, agents, channel accounts, pairing requests and
// the keychain. Main owns the state; this store is a cache, filled by requests on connect and kept
// current by control-plane events (STYLE §4), so every open view is live without polling.
import { create } from 'zustand';
import type { z } from 'zod';
import type { agentSummarySchema, channelStatusSchema, statusSchema } from '../../src-shared/protocol/methods.ts';
import { errorText, type EventData, type GatewayClient, type Result } from '../gateway/client.ts';
import type { ConnectionState } from '../gateway/transport.ts';
import { toast } from './toasts.ts';

export type Status = z.output<typeof statusSchema>;
export type AgentSummary = z.output<typeof agentSummarySchema>;
export type ChannelStatus = z.output<typeof channelStatusSchema>;
export type PendingPairing = Result<'pairing.list'>['pending'][number];

export type Connection = ConnectionState | { kind: 'need-token' };

export const RECENT_CHANGES_MAX = 10;

export interface GatewayStore {
  client: GatewayClient | undefined;
  connection: Connection;
  status: Status | undefined;
  agents: AgentSummary[];
  channels: ChannelStatus[];
  pairing: PendingPairing[];
  /** Latest QR per `channel:account` while an account is linking. */
  qr: Record<string, string>;
  /** Config changes the owner should notice (`config.changed` notices), newest first, at most RECENT_CHANGES_MAX. */
  recentChanges: { at: number; text: string }[];
  /** Last load error, shown in a banner; cleared by the next successful refresh. */
  loadError: string | undefined;
  loaded: boolean;
  attach(client: GatewayClient): () => void;
  setConnection(connection: Connection): void;
  refresh(): Promise<void>;
  refreshAgents(): Promise<void>;
  refreshPairing(): Promise<void>;
}

/** Channel events that arrive while a refresh is waiting for its snapshot, one list per refresh. */
const inFlight = new Set<ChannelStatus[]>();

export const useGateway = create<GatewayStore>()((set, get) => ({
  client: undefined,
  connection: { kind: 'connecting' },
  status: undefined,
  agents: [],
  channels: [],
  pairing: [],
  qr: {},
  recentChanges: [],
  loadError: undefined,
  loaded: false,

  setConnection(connection) {
    set({ connection });
  },

  attach(client) {
    set({ client, connection: client.state });
    const offs = [
      client.onState((state) => {
        set({ connection: state });
        if (state.kind === 'open') void get().refresh();
      }),
      client.on('gateway.state', (d) => set((s) => (s.status ? { status: { ...s.status, state: d.state } } : {}))),
      client.on('storage.state', (d) => set((s) => (s.status ? { status: { ...s.status, storage: d } } : {}))),
      client.on('agent.state', (d) =>
        set((s) => ({ agents: s.agents.map((a) => (a.id === d.agentId ? { ...a, state: d.state, reason: d.reason ?? null } : a)) })),
      ),
      client.on('message.inbound', (d) => set((s) => ({ agents: touchAgent(s.agents, d.agentId) }))),
      client.on('message.outbound', (d) => set((s) => ({ agents: countUsage(s.agents, d) }))),
      client.on('channel.state', (d) => {
        for (const seen of inFlight) seen.push(d);
        set((s) => ({ channels: upsertChannel(s.channels, d) }));
      }),
      client.on('channel.qr', (d) => set((s) => ({ qr: { ...s.qr, [`${d.channel}:${d.accountId}`]: d.qr } }))),
      client.on('message.dropped', (d) => {
        if (/pairing/i.test(d.reason)) void get().refreshPairing();
        set((s) =>
          s.status ? { status: { ...s.status, dropped: { ...s.status.dropped, [d.reason]: (s.status.dropped[d.reason] ?? 0) + 1 } } } : {},
        );
      }),
      client.on('config.changed', (d) => {
        // Changes the owner should notice (the model endpoint the API key goes to) are announced.
        // The toast goes; the overview's "Recent changes" keeps them for as long as the dashboard is open.
        for (const notice of d.notices ?? []) toast('info', notice);
        const at = Date.now();
        if (d.notices?.length)
          set((s) => ({
            recentChanges: [...d.notices!.map((text) => ({ at, text })).reverse(), ...s.recentChanges].slice(0, RECENT_CHANGES_MAX),
          }));
        void get().refresh();
      }),
    ];
    if (client.state.kind === 'open') void get().refresh();
    return () => offs.forEach((off) => off());
  },

  async refresh() {
    const client = get().client;
    if (!client) return;
    // A channel that changes while the snapshot is on its way announces it by event; the snapshot
    // may predate that event, so the events seen meanwhile are laid over it (never rolled back).
    const seen: ChannelStatus[] = [];
    inFlight.add(seen);
    try {
      const [status, agents, pairing] = await Promise.all([
        client.request('status'),
        client.request('agents.list'),
        client.request('pairing.list'),
      ]);
      const channels = seen.reduce(upsertChannel, status.channels);
      set({ status, agents: agents.agents, channels, pairing: pairing.pending, loadError: undefined, loaded: true });
    } catch (err) {
      set({ loadError: errorText(err), loaded: true });
    } finally {
      inFlight.delete(seen);
    }
  },

  refreshAgents() {
    return reread(get().client, async (client) => set({ agents: (await client.request('agents.list')).agents }));
  },

  refreshPairing() {
    return reread(get().client, async (client) => set({ pairing: (await client.request('pairing.list')).pending }));
  },
}));

/** Re-reads one part of the picture; a failure goes to the banner instead of leaving it stale silently. */
async function reread(client: GatewayClient | undefined, load: (client: GatewayClient) => Promise<void>): Promise<void> {
  if (!client) return;
  try {
    await load(client);
  } catch (err) {
    useGateway.setState({ loadError: errorText(err) });
  }
}

function touchAgent(agents: AgentSummary[], agentId: string): AgentSummary[] {
  const now = new Date().toISOString();
  return agents.map((a) => (a.id === agentId ? { ...a, lastActivity: now, today: { ...a.today, messages: a.today.messages + 1 } } : a));
}

function countUsage(agents: AgentSummary[], d: EventData<'message.outbound'>): AgentSummary[] {
  return agents.map((a) =>
    a.id === d.agentId
      ? {
          ...a,
          lastActivity: new Date().toISOString(),
          today: {
            messages: a.today.messages,
            inputTokens: a.today.inputTokens + d.usage.inputTokens,
            outputTokens: a.today.outputTokens + d.usage.outputTokens,
          },
        }
      : a,
  );
}

function upsertChannel(channels: ChannelStatus[], d: ChannelStatus): ChannelStatus[] {
  const at = channels.findIndex((c) => c.channel === d.channel && c.accountId === d.accountId);
  if (at < 0) return [...channels, d];
  const next = channels.slice();
  next[at] = d;
  return next;
}
