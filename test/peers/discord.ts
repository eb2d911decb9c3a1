// Local Discord peer (docs/testing.md#real-parts-instead-of-mocks): REST under /api/v10 and a
// WebSocket gateway on 127.0.0.1 speaking the real wire format
// (HELLO/IDENTIFY/READY/heartbeat/RESUME, close codes 4004/4013/4014), so the unmodified discord.js
// runs against it via `rest.api`. Several bots share one world of guilds.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface PeerBot {
  token: string;
  id: string;
  username: string;
  /** Privileged intent bits this bot may use (developer-portal switches); default: all. */
  privilegedIntents?: number;
}
export interface PeerUser {
  id: string;
  username: string;
  bot?: boolean;
  globalName?: string;
}
export interface PeerGuild {
  id: string;
  name?: string;
  channels: { id: string; name?: string }[];
  threads?: { id: string; parentId: string; name?: string }[];
  roles?: { id: string; name?: string }[];
  /** Members and their role ids; every bot is a member of every guild (listed or not). */
  members?: { userId: string; roles?: string[]; nick?: string }[];
}
export interface PeerGroupDm {
  id: string;
  recipients: string[];
}
export interface DiscordPeerOptions {
  bots: PeerBot[];
  users?: PeerUser[];
  guilds?: PeerGuild[];
  groupDms?: PeerGroupDm[];
  heartbeatIntervalMs?: number;
  /** Bots receive MESSAGE_CREATE for messages they post, as on Discord (default true). */
  echoOwnMessages?: boolean;
}
export interface MessageSpec {
  /** Guild channel, thread or group DM id (DMs: use `dm`). */
  channelId: string;
  from: string;
  text: string;
  /** User ids mentioned natively (the `mentions` array); `<@id>` is not added to the text. */
  mentions?: string[];
  mentionRoles?: string[];
  replyTo?: string;
  /** `data` is served at the attachment's URL (see DiscordPeer.files); `size` defaults to its length. */
  attachments?: { filename: string; contentType?: string; data?: Buffer; size?: number }[];
}
export interface SentMessage {
  id: string;
  botId: string;
  channelId: string;
  content: string;
  replyTo?: string;
  allowedMentions?: unknown;
}
export interface GatewayRecord {
  botId: string | undefined;
  token: string;
  op: 'identify' | 'resume';
  intents?: number;
  ok: boolean;
}

export const INTENTS = {
  Guilds: 1,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;
const PRIVILEGED = INTENTS.GuildMembers | INTENTS.GuildPresences | INTENTS.MessageContent;
const ALL_INTENTS = (1 << 26) - 1;
const OP = { Dispatch: 0, Heartbeat: 1, Identify: 2, Resume: 6, Reconnect: 7, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;
const CH = { GuildText: 0, DM: 1, GroupDM: 3, PublicThread: 11 } as const;

const EPOCH = 1420070400000n;
let lastId = 0n;
/** A real snowflake (discord.js derives timestamps from ids), strictly increasing. */
export function snowflake(): string {
  const candidate = (BigInt(Date.now()) - EPOCH) << 22n;
  lastId = candidate > lastId ? candidate : lastId + 1n;
  return String(lastId);
}

interface Session {
  id: string;
  bot: PeerBot;
  intents: number;
  seq: number;
  events: { s: number; t: string; d: unknown }[];
  ws?: WebSocket;
  alive: boolean;
}

export interface DiscordPeer {
  /** `http://127.0.0.1:<port>/api` — use as `channels.discord.apiRoot` / discord.js `rest.api`. */
  readonly apiRoot: string;
  readonly sent: SentMessage[];
  readonly typing: { botId: string; channelId: string }[];
  readonly gatewayLog: GatewayRecord[];
  readonly requests: { method: string; path: string; botId?: string }[];
  /** Paths of attachment files downloaded (attachments given `data` are served at their URL). */
  readonly fileDownloads: string[];
  /** The DM channel between a bot and a user (created on first use). */
  dmChannel(botId: string, userId: string): string;
  dm(botId: string, from: string, text: string, extra?: Partial<MessageSpec>): string;
  post(spec: MessageSpec): string;
  /** Sends a dispatch exactly as given (malformed payloads too) on the bot's live gateway socket. */
  dispatchRaw(botId: string, t: string, d: unknown): void;
  /** Answer the next `times` POST …/messages with 429 + retry-after (seconds). */
  rateLimitMessages(times: number, retryAfterSec?: number): void;
  /** IDENTIFY with this token closes 4004 (REST still accepts it: a token revoked at the gateway). */
  rejectAtGateway(token: string): void;
  /** Drops the live gateway socket(s) abruptly (code 1006); sessions stay resumable. */
  dropConnections(botId?: string): void;
  /** Sends op 7 RECONNECT on the bot's live socket (the client should resume). */
  requestReconnect(botId: string): void;
  /** Number of READY (fresh sessions) sent to the bot. */
  readyCount(botId: string): number;
  isConnected(botId: string): boolean;
  close(): Promise<void>;
}

const user = (u: PeerUser) => ({
  id: u.id,
  username: u.username,
  discriminator: '0',
  global_name: u.globalName ?? null,
  avatar: null,
  ...(u.bot ? { bot: true } : {}),
});

export async function startDiscordPeer(opts: DiscordPeerOptions): Promise<DiscordPeer> {
  const heartbeat = opts.heartbeatIntervalMs ?? 41_250;
  const users = new Map<string, PeerUser>((opts.users ?? []).map((u) => [u.id, u]));
  for (const b of opts.bots) users.set(b.id, { id: b.id, username: b.username, bot: true });
  const guilds = opts.guilds ?? [];
  const groupDms = opts.groupDms ?? [];
  const dms = new Map<string, { id: string; botId: string; userId: string }>();
  const sessions = new Map<string, Session>();
  const gatewayRejected = new Set<string>();
  const sent: SentMessage[] = [];
  const typing: DiscordPeer['typing'] = [];
  const gatewayLog: GatewayRecord[] = [];
  const requests: DiscordPeer['requests'] = [];
  const files = new Map<string, Buffer>();
  const fileDownloads: string[] = [];
  const limited = { times: 0, retryAfter: 0.2 };
  let port = 0;

  const userOf = (id: string) => users.get(id) ?? { id, username: `user${id}` };
  const guildOfChannel = (id: string) =>
    guilds.find((g) => g.channels.some((c) => c.id === id) || (g.threads ?? []).some((t) => t.id === id));
  const member = (g: PeerGuild, id: string) => {
    const m = g.members?.find((x) => x.userId === id);
    return { roles: m?.roles ?? [], nick: m?.nick ?? null, joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 };
  };
  const dmChannel = (botId: string, userId: string): string => {
    const key = `${botId}:${userId}`;
    let dm = dms.get(key);
    if (!dm) dms.set(key, (dm = { id: snowflake(), botId, userId }));
    return dm.id;
  };
  const dmById = (id: string) => [...dms.values()].find((d) => d.id === id);
  const liveSession = (botId: string) => [...sessions.values()].find((s) => s.alive && s.bot.id === botId);

  function channelJson(id: string): Record<string, unknown> | undefined {
    const g = guildOfChannel(id);
    if (g) {
      const t = (g.threads ?? []).find((x) => x.id === id);
      if (t)
        return {
          id,
          type: CH.PublicThread,
          guild_id: g.id,
          parent_id: t.parentId,
          name: t.name ?? `thread-${id}`,
          owner_id: opts.bots[0]?.id,
          message_count: 0,
          member_count: 1,
          thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date(0).toISOString(), locked: false },
        };
      const c = g.channels.find((x) => x.id === id)!;
      return {
        id,
        type: CH.GuildText,
        guild_id: g.id,
        name: c.name ?? `channel-${id}`,
        position: 0,
        permission_overwrites: [],
        parent_id: null,
      };
    }
    const dm = dmById(id);
    if (dm) return { id, type: CH.DM, recipients: [user(userOf(dm.userId))], last_message_id: null };
    const gd = groupDms.find((x) => x.id === id);
    if (gd) return { id, type: CH.GroupDM, recipients: gd.recipients.map((r) => user(userOf(r))), name: null, owner_id: gd.recipients[0] };
    return undefined;
  }

  /** Which bots see a message in this channel. */
  function audience(channelId: string): string[] {
    if (guildOfChannel(channelId)) return opts.bots.map((b) => b.id);
    const dm = dmById(channelId);
    if (dm) return [dm.botId];
    return groupDms.find((g) => g.id === channelId)?.recipients.filter((r) => opts.bots.some((b) => b.id === r)) ?? [];
  }

  function dispatch(session: Session, t: string, d: unknown): void {
    const s = ++session.seq;
    session.events.push({ s, t, d });
    if (session.ws?.readyState === 1) session.ws.send(JSON.stringify({ op: OP.Dispatch, t, s, d }));
  }

  function attachmentJson(a: NonNullable<MessageSpec['attachments']>[number]): Record<string, unknown> {
    const id = snowflake();
    if (a.data) files.set(`/attachments/${id}/${a.filename}`, a.data);
    return {
      id,
      filename: a.filename,
      size: a.size ?? a.data?.length ?? 1,
      url: `http://127.0.0.1:${port}/attachments/${id}/${a.filename}`,
      proxy_url: '',
      ...(a.contentType ? { content_type: a.contentType } : {}),
    };
  }

  function messageJson(spec: MessageSpec & { id: string }): Record<string, unknown> {
    const g = guildOfChannel(spec.channelId);
    const type = channelJson(spec.channelId)?.type;
    return {
      id: spec.id,
      channel_id: spec.channelId,
      ...(g ? { guild_id: g.id, member: member(g, spec.from) } : {}),
      channel_type: type,
      author: user(userOf(spec.from)),
      content: spec.text,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: (spec.mentions ?? []).map((id) => ({ ...user(userOf(id)), ...(g ? { member: member(g, id) } : {}) })),
      mention_roles: spec.mentionRoles ?? [],
      attachments: (spec.attachments ?? []).map((a) => attachmentJson(a)),
      embeds: [],
      pinned: false,
      flags: 0,
      type: spec.replyTo ? 19 : 0,
      ...(spec.replyTo
        ? { message_reference: { type: 0, message_id: spec.replyTo, channel_id: spec.channelId, ...(g ? { guild_id: g.id } : {}) } }
        : {}),
    };
  }

  /** MESSAGE_CREATE to every bot that can see the channel, honouring intents as Discord does. */
  function deliver(spec: MessageSpec & { id: string }): void {
    const msg = messageJson(spec);
    const inGuild = 'guild_id' in msg;
    for (const botId of audience(spec.channelId)) {
      const session = liveSession(botId);
      if (!session || !(session.intents & (inGuild ? INTENTS.GuildMessages : INTENTS.DirectMessages))) continue;
      // Without Message Content, guild messages arrive empty unless they mention the bot or are its own.
      const contentOk =
        !inGuild || session.intents & INTENTS.MessageContent || spec.from === botId || (spec.mentions ?? []).includes(botId);
      dispatch(session, 'MESSAGE_CREATE', contentOk ? msg : { ...msg, content: '', attachments: [] });
    }
  }

  function guildCreate(g: PeerGuild): Record<string, unknown> {
    const memberIds = new Set([...(g.members ?? []).map((m) => m.userId), ...opts.bots.map((b) => b.id)]);
    return {
      id: g.id,
      name: g.name ?? `guild-${g.id}`,
      icon: null,
      owner_id: [...memberIds][0],
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      features: [],
      emojis: [],
      stickers: [],
      roles: [{ id: g.id, name: '@everyone' }, ...(g.roles ?? [])].map((r, i) => ({
        id: r.id,
        name: r.name ?? `role-${r.id}`,
        color: 0,
        hoist: false,
        position: i,
        permissions: '0',
        managed: false,
        mentionable: true,
        flags: 0,
      })),
      channels: g.channels.map((c) => channelJson(c.id)),
      threads: (g.threads ?? []).map((t) => channelJson(t.id)),
      members: [...memberIds].map((id) => ({ ...member(g, id), user: user(userOf(id)) })),
      member_count: memberIds.size,
      large: false,
      unavailable: false,
      joined_at: new Date(0).toISOString(),
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      preferred_locale: 'en-US',
      system_channel_flags: 0,
      premium_progress_bar_enabled: false,
    };
  }

  function onSocket(ws: WebSocket): void {
    const send = (payload: unknown) => ws.readyState === 1 && ws.send(JSON.stringify(payload));
    send({ op: OP.Hello, d: { heartbeat_interval: heartbeat } });
    ws.on('message', (raw) => {
      let msg: { op?: number; d?: Record<string, unknown> | number | null };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        return ws.close(4002, 'Error while decoding payload.');
      }
      const d = (typeof msg.d === 'object' && msg.d !== null ? msg.d : {}) as Record<string, unknown>;
      if (msg.op === OP.Heartbeat) return void send({ op: OP.HeartbeatAck });
      if (msg.op === OP.Identify) return identify(ws, d);
      if (msg.op === OP.Resume) return resume(ws, d);
    });
    ws.on('close', () => {
      for (const s of sessions.values()) if (s.ws === ws) s.ws = undefined;
    });
  }

  function identify(ws: WebSocket, d: Record<string, unknown>): void {
    const token = String(d.token ?? '');
    const bot = opts.bots.find((b) => b.token === token);
    const intents = d.intents;
    const record = (ok: boolean) =>
      gatewayLog.push({ botId: bot?.id, token, op: 'identify', ...(typeof intents === 'number' ? { intents } : {}), ok });
    if (!bot || gatewayRejected.has(token)) {
      record(false);
      return ws.close(4004, 'Authentication failed.');
    }
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0) {
      record(false);
      return ws.close(4013, 'Invalid intent(s).');
    }
    if (intents & PRIVILEGED & ~(bot.privilegedIntents ?? PRIVILEGED)) {
      record(false);
      return ws.close(4014, 'Disallowed intent(s).');
    }
    record(true);
    // One shard per bot here: a fresh IDENTIFY replaces the bot's previous session.
    for (const s of sessions.values()) if (s.bot === bot) s.alive = false;
    const session: Session = { id: randomBytes(16).toString('hex'), bot, intents, seq: 0, events: [], ws, alive: true };
    sessions.set(session.id, session);
    dispatch(session, 'READY', {
      v: 10,
      user: { ...user(userOf(bot.id)), verified: true, mfa_enabled: false, flags: 0 },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: `ws://127.0.0.1:${port}/gateway`,
      shard: [0, 1],
      application: { id: bot.id, flags: 0 },
      private_channels: [],
    });
    if (intents & INTENTS.Guilds) for (const g of guilds) dispatch(session, 'GUILD_CREATE', guildCreate(g));
  }

  function resume(ws: WebSocket, d: Record<string, unknown>): void {
    const session = sessions.get(String(d.session_id ?? ''));
    const ok = session !== undefined && session.alive && session.bot.token === d.token && !gatewayRejected.has(session.bot.token);
    gatewayLog.push({ botId: session?.bot.id, token: String(d.token ?? ''), op: 'resume', ok });
    if (!ok) return void ws.send(JSON.stringify({ op: OP.InvalidSession, d: false }));
    session.ws = ws;
    const from = typeof d.seq === 'number' ? d.seq : 0;
    for (const e of session.events) if (e.s > from) ws.send(JSON.stringify({ op: OP.Dispatch, t: e.t, s: e.s, d: e.d }));
    dispatch(session, 'RESUMED', {});
  }

  async function rest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    const token = /^Bot (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const bot = opts.bots.find((b) => b.token === token);
    const file = files.get(url.pathname);
    if (req.method === 'GET' && file) {
      fileDownloads.push(url.pathname);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.length) });
      return void res.end(file);
    }
    const path = url.pathname.replace(/^\/api\/v10/, '');
    requests.push({ method: req.method ?? 'GET', path, ...(bot ? { botId: bot.id } : {}) });
    if (!url.pathname.startsWith('/api/v10/')) return json(404, { message: '404: Not Found', code: 0 });
    if (!bot) return json(401, { message: '401: Unauthorized', code: 0 });
    const route = `${req.method} ${path}`;
    let m: RegExpExecArray | null;
    if (route === 'GET /gateway/bot') {
      return json(200, {
        url: `ws://127.0.0.1:${port}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      });
    }
    if (route === 'GET /users/@me') return json(200, { ...user(userOf(bot.id)), verified: true, mfa_enabled: false, flags: 0 });
    if (route === 'GET /applications/@me') {
      // The portal's intent switches show in the application's flags (the *_LIMITED bits for an
      // unverified app, as every test bot is): presence 1<<13, guild members 1<<15, message content 1<<19.
      const privileged = bot.privilegedIntents ?? PRIVILEGED;
      const flags =
        (privileged & INTENTS.GuildPresences ? 1 << 13 : 0) |
        (privileged & INTENTS.GuildMembers ? 1 << 15 : 0) |
        (privileged & INTENTS.MessageContent ? 1 << 19 : 0);
      return json(200, { id: bot.id, name: bot.username, bot_public: true, bot_require_code_grant: false, flags });
    }
    if (route === 'POST /users/@me/channels') {
      const recipient = String(body.recipient_id ?? '');
      return json(200, channelJson(dmChannel(bot.id, recipient)));
    }
    if ((m = /^GET \/channels\/(\d+)$/.exec(route))) {
      const channel = audience(m[1]!).includes(bot.id) ? channelJson(m[1]!) : undefined;
      return channel ? json(200, channel) : json(404, { message: 'Unknown Channel', code: 10003 });
    }
    if ((m = /^POST \/channels\/(\d+)\/typing$/.exec(route))) {
      if (!audience(m[1]!).includes(bot.id)) return json(404, { message: 'Unknown Channel', code: 10003 });
      typing.push({ botId: bot.id, channelId: m[1]! });
      return json(204);
    }
    if ((m = /^POST \/channels\/(\d+)\/messages$/.exec(route))) {
      const channelId = m[1]!;
      if (limited.times > 0) {
        limited.times--;
        return json(
          429,
          { message: 'You are being rate limited.', retry_after: limited.retryAfter, global: false },
          { 'retry-after': String(limited.retryAfter), 'x-ratelimit-scope': 'user' },
        );
      }
      if (!audience(channelId).includes(bot.id)) return json(404, { message: 'Unknown Channel', code: 10003 });
      const content = typeof body.content === 'string' ? body.content : '';
      if (content.length === 0 || content.length > 2000) {
        return json(400, {
          message: 'Invalid Form Body',
          code: 50035,
          errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } },
        });
      }
      const ref = body.message_reference as { message_id?: string } | undefined;
      const id = snowflake();
      sent.push({
        id,
        botId: bot.id,
        channelId,
        content,
        ...(ref?.message_id ? { replyTo: ref.message_id } : {}),
        ...(body.allowed_mentions ? { allowedMentions: body.allowed_mentions } : {}),
      });
      const spec = { id, channelId, from: bot.id, text: content, ...(ref?.message_id ? { replyTo: ref.message_id } : {}) };
      if (opts.echoOwnMessages !== false) deliver(spec);
      return json(200, messageJson(spec));
    }
    return json(404, { message: '404: Not Found', code: 0 });
  }

  const server = createServer((req, res) => {
    rest(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: err.message, code: 0 }));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!(req.url ?? '').startsWith('/gateway')) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    apiRoot: `http://127.0.0.1:${port}/api`,
    sent,
    typing,
    gatewayLog,
    requests,
    fileDownloads,
    dmChannel,
    dm(botId, from, text, extra = {}) {
      const id = snowflake();
      deliver({ ...extra, id, channelId: dmChannel(botId, from), from, text });
      return id;
    },
    post(spec) {
      const id = snowflake();
      deliver({ ...spec, id });
      return id;
    },
    dispatchRaw(botId, t, d) {
      const session = liveSession(botId);
      if (!session) throw new Error(`bot ${botId} has no live gateway session`);
      dispatch(session, t, d);
    },
    rateLimitMessages(times, retryAfterSec = 0.2) {
      limited.times = times;
      limited.retryAfter = retryAfterSec;
    },
    rejectAtGateway: (token) => void gatewayRejected.add(token),
    dropConnections(botId) {
      for (const s of sessions.values()) if (s.ws && (botId === undefined || s.bot.id === botId)) s.ws.terminate();
    },
    requestReconnect(botId) {
      liveSession(botId)?.ws?.send(JSON.stringify({ op: OP.Reconnect, d: null }));
    },
    readyCount: (botId) => gatewayLog.filter((r) => r.botId === botId && r.op === 'identify' && r.ok).length,
    isConnected: (botId) => liveSession(botId)?.ws?.readyState === 1,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
