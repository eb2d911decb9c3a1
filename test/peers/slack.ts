// Local Slack peer (docs/testing.md#real-parts-instead-of-mocks): the Web API under /api/<method>
// (auth.test, apps.connections.open, chat.postMessage, conversations.open) and a Socket Mode
// WebSocket on 127.0.0.1 speaking the real wire format (hello, events_api envelopes that must be
// acked by envelope_id, disconnect), so the unmodified @slack/bolt and @slack/socket-mode run against it.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface PeerApp {
  /** xapp-… : opens Socket Mode connections. */
  appToken: string;
  /** xoxb-… : calls the Web API as the bot user. */
  botToken: string;
  appId: string;
  botUserId: string;
  botId: string;
  teamId: string;
  name: string;
}
export type ChannelType = 'channel' | 'group' | 'im' | 'mpim';
export interface MessageSpec {
  channel: string;
  channelType?: ChannelType;
  user: string;
  text: string;
  threadTs?: string;
  /** Also send the app_mention event Slack sends when the text mentions the app (default: when it does). */
  appMention?: boolean;
}
export interface PostedMessage {
  appId: string;
  channel: string;
  text: string;
  threadTs?: string;
  ts: string;
}
export interface Envelope {
  envelope_id: string;
  type: string;
  payload: unknown;
  accepts_response_payload: boolean;
  retry_attempt: number;
  retry_reason: string;
}

export interface SlackPeer {
  /** `http://127.0.0.1:<port>/api/` — use as `channels.slack.apiRoot` / clientOptions.slackApiUrl. */
  readonly apiRoot: string;
  readonly posted: PostedMessage[];
  readonly requests: { method: string; token: string | undefined; status: number }[];
  /** Envelopes pushed to each app, in order. */
  readonly pushed: { appId: string; envelope: Envelope }[];
  /** envelope_ids acknowledged, in order. */
  readonly acks: string[];
  /** The DM channel (D…) between an app's bot and a member. */
  dmChannel(appId: string, userId: string): string;
  /** Posts a message as a member: `message` event (+ `app_mention` when it mentions the app). Returns its ts. */
  message(appId: string, spec: MessageSpec): string;
  dm(appId: string, user: string, text: string, threadTs?: string): string;
  /** Pushes an events_api envelope with exactly this payload (malformed too). */
  pushPayload(appId: string, payload: unknown): string;
  /** Answer the next `times` chat.postMessage calls with 429 and Retry-After: `seconds`. */
  rateLimitPosts(times: number, seconds: number): void;
  /** Revoke a token: every call with it answers invalid_auth. */
  revoke(token: string): void;
  /** Sends `{type: "disconnect"}` (as Slack does before it rotates a connection) to the app's sockets. */
  disconnect(appId: string, reason?: string): void;
  isConnected(appId: string): boolean;
  connectionCount(appId: string): number;
  close(): Promise<void>;
}

let lastTs = 0;
/** A Slack ts ("<seconds>.<6 digits>"), strictly increasing. */
export function slackTs(): string {
  const micros = Math.max(Date.now() * 1000, lastTs + 1);
  lastTs = micros;
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  if ((req.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(text));
}

export async function startSlackPeer(opts: { apps: PeerApp[]; echoOwnMessages?: boolean; pingIntervalMs?: number }): Promise<SlackPeer> {
  const apps = opts.apps;
  const echo = opts.echoOwnMessages ?? true;
  const revoked = new Set<string>();
  const tickets = new Map<string, PeerApp>();
  const sockets = new Map<string, Set<WebSocket>>();
  const connections = new Map<string, number>();
  const backlog = new Map<string, Envelope[]>();
  const dms = new Map<string, string>();
  let limitPosts = { times: 0, seconds: 1 };
  let dmCounter = 0;
  let envCounter = 0;

  const byToken = (token: string | undefined, kind: 'app' | 'bot') =>
    token && !revoked.has(token) ? apps.find((a) => (kind === 'app' ? a.appToken : a.botToken) === token) : undefined;
  const app = (appId: string) => {
    const found = apps.find((a) => a.appId === appId);
    if (!found) throw new Error(`no app ${appId}`);
    return found;
  };

  const peer: SlackPeer = {
    apiRoot: '',
    posted: [],
    requests: [],
    pushed: [],
    acks: [],
    dmChannel(appId, userId) {
      const key = `${appId}/${userId}`;
      let id = dms.get(key);
      if (!id) dms.set(key, (id = `D${String(++dmCounter).padStart(8, '0')}`));
      return id;
    },
    message(appId, spec) {
      const a = app(appId);
      const ts = slackTs();
      const channelType = spec.channelType ?? 'channel';
      const event = {
        type: 'message',
        channel: spec.channel,
        channel_type: channelType,
        user: spec.user,
        text: spec.text,
        ts,
        event_ts: ts,
        team: a.teamId,
        ...(spec.threadTs ? { thread_ts: spec.threadTs } : {}),
      };
      push(a, eventPayload(a, event));
      const mentions = spec.text.includes(`<@${a.botUserId}>`);
      if ((spec.appMention ?? mentions) && channelType !== 'im') {
        const { channel_type: _t, ...rest } = event;
        push(a, eventPayload(a, { ...rest, type: 'app_mention' }));
      }
      return ts;
    },
    dm(appId, user, text, threadTs) {
      return peer.message(appId, {
        channel: peer.dmChannel(appId, user),
        channelType: 'im',
        user,
        text,
        ...(threadTs ? { threadTs } : {}),
      });
    },
    pushPayload(appId, payload) {
      return push(app(appId), payload);
    },
    rateLimitPosts(times, seconds) {
      limitPosts = { times, seconds };
    },
    revoke(token) {
      revoked.add(token);
    },
    disconnect(appId, reason = 'refresh_requested') {
      for (const ws of sockets.get(appId) ?? []) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'peer' } }));
    },
    isConnected: (appId) => (sockets.get(appId)?.size ?? 0) > 0,
    connectionCount: (appId) => connections.get(appId) ?? 0,
    close: async () => {
      clearInterval(pinger);
      for (const set of sockets.values()) for (const ws of set) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function eventPayload(a: PeerApp, event: Record<string, unknown>) {
    return {
      token: 'verification-token',
      team_id: a.teamId,
      api_app_id: a.appId,
      event,
      type: 'event_callback',
      event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: a.teamId, user_id: a.botUserId, is_bot: true }],
    };
  }

  /** Delivers on a live socket, or keeps it until the app connects (Slack queues briefly too). */
  function push(a: PeerApp, payload: unknown): string {
    const envelope: Envelope = {
      envelope_id: `env-${++envCounter}-${randomBytes(4).toString('hex')}`,
      type: 'events_api',
      payload,
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
    };
    peer.pushed.push({ appId: a.appId, envelope });
    const live = [...(sockets.get(a.appId) ?? [])][0];
    if (live) live.send(JSON.stringify(envelope));
    else backlog.set(a.appId, [...(backlog.get(a.appId) ?? []), envelope]);
    return envelope.envelope_id;
  }

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = url.pathname.replace(/^\/api\//, '');
    const body = await readBody(req);
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '') || (body.token as string | undefined);
    const record = (status: number) => peer.requests.push({ method, token, status });
    const ok = (result: Record<string, unknown>) => (record(200), json(res, 200, { ok: true, ...result }));
    const err = (error: string) => (record(200), json(res, 200, { ok: false, error }));
    switch (method) {
      case 'auth.test': {
        const a = byToken(token, 'bot');
        if (!a) return err('invalid_auth');
        return ok({
          url: `https://${a.name}.slack.com/`,
          team: `team-${a.teamId}`,
          user: a.name,
          team_id: a.teamId,
          user_id: a.botUserId,
          bot_id: a.botId,
        });
      }
      case 'apps.connections.open': {
        const a = byToken(token, 'app');
        if (!a) return err(byToken(token, 'bot') ? 'not_allowed_token_type' : 'invalid_auth');
        const ticket = randomBytes(8).toString('hex');
        tickets.set(ticket, a);
        return ok({ url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${a.appId}` });
      }
      case 'conversations.open': {
        const a = byToken(token, 'bot');
        if (!a) return err('invalid_auth');
        const user = String(body.users ?? '');
        return user ? ok({ channel: { id: peer.dmChannel(a.appId, user) } }) : err('user_not_found');
      }
      case 'chat.postMessage': {
        const a = byToken(token, 'bot');
        if (!a) return err('invalid_auth');
        if (limitPosts.times > 0) {
          limitPosts.times--;
          record(429);
          return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limitPosts.seconds) });
        }
        const channel = String(body.channel ?? '');
        const text = String(body.text ?? '');
        if (!channel) return err('channel_not_found');
        const ts = slackTs();
        const threadTs = body.thread_ts ? String(body.thread_ts) : undefined;
        peer.posted.push({ appId: a.appId, channel, text, ts, ...(threadTs ? { threadTs } : {}) });
        if (echo) {
          const im = [...dms.values()].includes(channel);
          push(
            a,
            eventPayload(a, {
              type: 'message',
              channel,
              channel_type: im ? 'im' : 'channel',
              user: a.botUserId,
              bot_id: a.botId,
              text,
              ts,
              ...(threadTs ? { thread_ts: threadTs } : {}),
            }),
          );
        }
        return ok({ channel, ts, message: { text, ts, user: a.botUserId, bot_id: a.botId } });
      }
      default:
        record(200);
        return json(res, 200, { ok: false, error: 'unknown_method' });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => json(res, 500, { ok: false, error: String(e) }));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const ticket = new URL(req.url ?? '/', 'http://x').searchParams.get('ticket') ?? '';
    const a = tickets.get(ticket);
    tickets.delete(ticket); // a URL is good for one connection, as on Slack
    if (!a) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      let set = sockets.get(a.appId);
      if (!set) sockets.set(a.appId, (set = new Set()));
      set.add(ws);
      connections.set(a.appId, (connections.get(a.appId) ?? 0) + 1);
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { envelope_id?: string };
        if (msg.envelope_id) peer.acks.push(msg.envelope_id);
      });
      ws.on('close', () => set.delete(ws));
      ws.send(
        JSON.stringify({ type: 'hello', num_connections: set.size, connection_info: { app_id: a.appId }, debug_info: { host: 'peer' } }),
      );
      for (const envelope of backlog.get(a.appId) ?? []) ws.send(JSON.stringify(envelope));
      backlog.delete(a.appId);
    });
  });
  // Slack pings every few seconds; socket-mode reconnects after 30 s without one.
  const pinger = setInterval(() => {
    for (const set of sockets.values()) for (const ws of set) ws.ping();
  }, opts.pingIntervalMs ?? 5000);
  pinger.unref();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  (peer as { apiRoot: string }).apiRoot = `http://127.0.0.1:${port}/api/`;
  return peer;
}
