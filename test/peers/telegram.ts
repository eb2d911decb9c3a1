// Local Telegram Bot API peer (docs/testing.md#real-parts-instead-of-mocks): a loopback HTTP server
// speaking the real wire format at /bot<token>/<method> (JSON, form or query parameters;
// {ok,result} / {ok:false,error_code,…}), so unmodified grammy talks to it via `apiRoot`. Several
// bots, each with its own update queue and long polls; scriptable faults (any error code, 429
// retry_after, dropped connections).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Chat, Message, Update, User } from 'grammy/types';

export type UpdateKind = 'message' | 'edited_message' | 'channel_post' | 'edited_channel_post';
export type Fault = { kind: 'error'; code: number; description?: string; retryAfter?: number } | { kind: 'drop' };
export interface RecordedCall {
  token: string;
  method: string;
  params: Record<string, unknown>;
}
export interface SentMessage {
  chatId: string;
  text: string;
  messageId: number;
  replyTo?: number;
  threadId?: number;
}

const ANONYMOUS_ADMIN: User = { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' };

/** Message shapes as Telegram sends them; message_id/date 0 are filled in by PeerBot.push. */
export const tg = {
  user: (id: number, firstName: string, username?: string): User => ({
    id,
    is_bot: false,
    first_name: firstName,
    ...(username ? { username } : {}),
  }),
  privateChat: (u: User): Chat => ({
    id: u.id,
    type: 'private',
    first_name: u.first_name,
    ...(u.username ? { username: u.username } : {}),
  }),
  group: (id: number, title = 'Group'): Chat => ({ id, type: 'group', title }),
  supergroup: (id: number, title = 'Supergroup', forum = false): Chat => ({
    id,
    type: 'supergroup',
    title,
    ...(forum ? { is_forum: true as const } : {}),
  }),
  channel: (id: number, title = 'Channel'): Chat => ({ id, type: 'channel', title }),
  text: (chat: Chat, from: User | undefined, text: string, extra: Partial<Message> = {}): Message => ({
    message_id: 0,
    date: 0,
    chat,
    ...(from ? { from } : {}),
    text,
    ...extra,
  }),
  mention: (chat: Chat, from: User, botUsername: string, rest: string): Message => {
    const handle = `@${botUsername}`;
    return tg.text(chat, from, `${handle} ${rest}`, { entities: [{ type: 'mention', offset: 0, length: handle.length }] });
  },
  reply: (chat: Chat, from: User, text: string, original: Message): Message =>
    tg.text(chat, from, text, { reply_to_message: { ...original, reply_to_message: undefined } }),
  topic: (chat: Chat, threadId: number, from: User, text: string, extra: Partial<Message> = {}): Message =>
    tg.text(chat, from, text, { message_thread_id: threadId, is_topic_message: true, ...extra }),
  anonymousAdmin: (chat: Chat, text: string, extra: Partial<Message> = {}): Message =>
    tg.text(chat, ANONYMOUS_ADMIN, text, { sender_chat: chat, ...extra }),
  channelPost: (chat: Chat, text: string): Message => tg.text(chat, undefined, text, { sender_chat: chat }),
  viaBot: (chat: Chat, from: User, text: string, bot: User): Message => tg.text(chat, from, text, { via_bot: bot }),
  forwarded: (chat: Chat, from: User, text: string, origin: User): Message =>
    tg.text(chat, from, text, { forward_origin: { type: 'user', date: 1_700_000_000, sender_user: origin } }),
  /** A photo in the given sizes (smallest first, as Telegram sends them); serve them with PeerBot.addFile. */
  photoSizes: (
    chat: Chat,
    from: User,
    sizes: { fileId: string; width: number; height: number; size?: number }[],
    caption?: string,
  ): Message => ({
    message_id: 0,
    date: 0,
    chat,
    from,
    ...(caption ? { caption } : {}),
    photo: sizes.map((p) => ({
      file_id: p.fileId,
      file_unique_id: `${p.fileId}-u`,
      width: p.width,
      height: p.height,
      ...(p.size !== undefined ? { file_size: p.size } : {}),
    })),
  }),
  photo: (chat: Chat, from: User, caption?: string): Message => ({
    message_id: 0,
    date: 0,
    chat,
    from,
    ...(caption ? { caption } : {}),
    photo: [
      { file_id: 'p-small', file_unique_id: 'ps', width: 90, height: 90, file_size: 1000 },
      { file_id: 'p-big', file_unique_id: 'pb', width: 800, height: 800, file_size: 60_000 },
    ],
  }),
  voice: (chat: Chat, from: User, duration: number): Message => ({
    message_id: 0,
    date: 0,
    chat,
    from,
    voice: { file_id: 'v1', file_unique_id: 'v1u', duration, mime_type: 'audio/ogg' },
  }),
  document: (chat: Chat, from: User, fileName: string, mimeType = 'application/pdf'): Message => ({
    message_id: 0,
    date: 0,
    chat,
    from,
    document: { file_id: 'd1', file_unique_id: 'd1u', file_name: fileName, mime_type: mimeType },
  }),
  sticker: (chat: Chat, from: User, emoji: string): Message => ({
    message_id: 0,
    date: 0,
    chat,
    from,
    sticker: { file_id: 's1', file_unique_id: 's1u', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji },
  }),
};

interface Poll {
  res: ServerResponse;
  offset: number | undefined;
  limit: number;
  timer: NodeJS.Timeout;
}

export class PeerBot {
  /** Updates Telegram still holds (not yet confirmed by a higher offset). */
  readonly pending: Update[] = [];
  readonly sent: SentMessage[] = [];
  /** Messages the bot sent, as Message objects (for replies to the bot). */
  readonly sentMessages: Message[] = [];
  readonly user: User;
  webhookUrl = '';
  allowedUpdates: string[] | undefined;
  private nextUpdateId = 100_000;
  private nextMessageId = 1;
  readonly polls = new Set<Poll>();
  readonly faults = new Map<string, Fault[]>();
  /** Files served by getFile + /file/bot<token>/<file_path>, by file id. */
  readonly files = new Map<string, { path: string; data: Buffer }>();
  /** file_path of every file downloaded. */
  readonly downloads: string[] = [];

  constructor(
    readonly token: string,
    readonly id: number,
    readonly username: string,
  ) {
    this.user = { id, is_bot: true, first_name: username, username };
  }

  /** Queues an update; returns the message as delivered (with its ids). */
  push(kind: UpdateKind, message: Message): Message {
    const now = Math.floor(Date.now() / 1000);
    const full: Message = { ...message, message_id: message.message_id || this.nextMessageId++, date: message.date || now };
    if (kind.startsWith('edited_')) full.edit_date = now;
    this.pending.push({ update_id: this.nextUpdateId++, [kind]: full } as Update);
    this.flush();
    return full;
  }

  /** Queues an update exactly as given, malformed ones too (no ids filled in); returns its update_id. */
  pushRaw(fields: Record<string, unknown>): number {
    const updateId = this.nextUpdateId++;
    this.pending.push({ update_id: updateId, ...fields } as unknown as Update);
    this.flush();
    return updateId;
  }

  message(message: Message): Message {
    return this.push(message.chat.type === 'channel' ? 'channel_post' : 'message', message);
  }

  edit(original: Message, text: string): Message {
    return this.push(original.chat.type === 'channel' ? 'edited_channel_post' : 'edited_message', { ...original, text });
  }

  /** Serves `data` as the file `fileId` (getFile answers with its path). */
  addFile(fileId: string, data: Buffer, ext = 'jpg'): void {
    this.files.set(fileId, { path: `photos/file_${this.files.size}.${ext}`, data });
  }

  /** The next `times` calls of `method` fail with `fault`. */
  failNext(method: string, fault: Fault, times = 1): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.faults.set(method, list);
  }

  /** Destroys the connections of the long polls held right now (a network drop). */
  dropPolls(): number {
    const polls = [...this.polls];
    for (const poll of polls) this.endPoll(poll, () => poll.res.socket?.destroy());
    return polls.length;
  }

  /** Resolves once `n` long polls are held (the adapter is waiting for updates). */
  async waitForPoll(n = 1, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.polls.size < n) {
      if (Date.now() > end) throw new Error(`no long poll held by ${this.username}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private available(offset: number | undefined): Update[] {
    const allowed = this.allowedUpdates;
    return this.pending.filter(
      (u) =>
        (offset === undefined || u.update_id >= offset) &&
        (!allowed || allowed.length === 0 || Object.keys(u).some((k) => allowed.includes(k))),
    );
  }

  confirm(offset: number | undefined): void {
    if (offset === undefined) return;
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.update_id < offset) this.pending.splice(i, 1);
  }

  endPoll(poll: Poll, finish: () => void): void {
    if (!this.polls.delete(poll)) return;
    clearTimeout(poll.timer);
    finish();
  }

  /** Answers held polls that now have something to return. */
  flush(): void {
    for (const poll of [...this.polls]) {
      const ready = this.available(poll.offset).slice(0, poll.limit);
      if (ready.length > 0) this.endPoll(poll, () => reply(poll.res, ready));
    }
  }

  recordSent(chatId: string, text: string, threadId: number | undefined, replyTo: number | undefined): Message {
    const n = Number(chatId);
    const chat: Chat =
      n > 0
        ? { id: n, type: 'private', first_name: 'User' }
        : String(n).startsWith('-100')
          ? { id: n, type: 'supergroup', title: 'Supergroup' }
          : { id: n, type: 'group', title: 'Group' };
    const message: Message = {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: this.user,
      text,
      ...(threadId !== undefined ? { message_thread_id: threadId, is_topic_message: true } : {}),
    };
    this.sentMessages.push(message);
    this.sent.push({
      chatId,
      text,
      messageId: message.message_id,
      ...(replyTo !== undefined ? { replyTo } : {}),
      ...(threadId !== undefined ? { threadId } : {}),
    });
    return message;
  }
}

function reply(res: ServerResponse, result: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
}

function fail(res: ServerResponse, code: number, description: string, retryAfter?: number): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      ok: false,
      error_code: code,
      description,
      ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}),
    }),
  );
}

/** Form and query values are strings; JSON-looking ones (arrays, objects) are decoded as Telegram does. */
function formValue(v: string): unknown {
  if (/^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) params[k] = formValue(v);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  if (!body) return params;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return { ...params, ...(JSON.parse(body) as Record<string, unknown>) };
  if (type.includes('application/x-www-form-urlencoded')) for (const [k, v] of new URLSearchParams(body)) params[k] = formValue(v);
  return params;
}

const int = (v: unknown): number | undefined => (v === undefined || v === null || v === '' ? undefined : Number(v));

export class TelegramPeer {
  readonly calls: RecordedCall[] = [];
  private readonly bots = new Map<string, PeerBot>();
  private nextBotId = 7_000_000_001;

  private readonly server = createServer(
    (req, res) =>
      void this.handle(req, res).catch((err: Error) => {
        if (!res.headersSent) fail(res, 500, `Internal Server Error: ${err.message}`);
      }),
  );
  url = '';

  static async start(): Promise<TelegramPeer> {
    const peer = new TelegramPeer();
    await new Promise<void>((resolve) => peer.server.listen(0, '127.0.0.1', resolve));
    peer.url = `http://127.0.0.1:${(peer.server.address() as AddressInfo).port}`;
    return peer;
  }

  /** Registers a bot; its token is `<id>:<secret>` like a real one. */
  addBot(username: string, token?: string): PeerBot {
    const id = this.nextBotId++;
    const bot = new PeerBot(token ?? `${id}:AAH-test-${username}-${Math.random().toString(36).slice(2, 12)}`, id, username);
    this.bots.set(bot.token, bot);
    return bot;
  }

  bot(token: string): PeerBot {
    const bot = this.bots.get(token);
    if (!bot) throw new Error('unknown bot');
    return bot;
  }

  callsOf(token: string, method?: string): RecordedCall[] {
    return this.calls.filter((c) => c.token === token && (method === undefined || c.method === method));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) return this.serveFile(file[1] ?? '', decodeURIComponent(file[2] ?? ''), res);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) return fail(res, 404, 'Not Found');
    const [, token = '', method = ''] = match;
    const params = await readParams(req, url);
    this.calls.push({ token, method, params });
    const bot = this.bots.get(token);
    if (!bot) return fail(res, 401, 'Unauthorized');
    const fault = bot.faults.get(method)?.shift();
    if (fault?.kind === 'drop') return void res.socket?.destroy();
    if (fault)
      return fail(
        res,
        fault.code,
        fault.description ?? (fault.code === 429 ? `Too Many Requests: retry after ${fault.retryAfter ?? 1}` : 'Error'),
        fault.retryAfter,
      );
    switch (method) {
      case 'getMe':
        return reply(res, { ...bot.user, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'deleteWebhook':
        bot.webhookUrl = '';
        if (params.drop_pending_updates === true || params.drop_pending_updates === 'true') bot.pending.length = 0;
        return reply(res, true);
      case 'setWebhook':
        bot.webhookUrl = String(params.url ?? '');
        return reply(res, true);
      case 'getUpdates':
        return this.getUpdates(bot, params, res);
      case 'sendMessage': {
        const text = typeof params.text === 'string' ? params.text : '';
        if (params.chat_id === undefined) return fail(res, 400, 'Bad Request: chat_id is empty');
        if (text.trim() === '') return fail(res, 400, 'Bad Request: message text is empty');
        if (text.length > 4096) return fail(res, 400, 'Bad Request: message is too long');
        const replyParams = params.reply_parameters as { message_id?: unknown } | undefined;
        const replyTo = int(replyParams?.message_id ?? params.reply_to_message_id);
        return reply(res, bot.recordSent(String(params.chat_id), text, int(params.message_thread_id), replyTo));
      }
      case 'getFile': {
        const fileId = String(params.file_id ?? '');
        const f = bot.files.get(fileId);
        if (!f) return fail(res, 400, 'Bad Request: invalid file_id');
        return reply(res, { file_id: fileId, file_unique_id: `${fileId}-u`, file_size: f.data.length, file_path: f.path });
      }
      case 'sendChatAction':
        if (params.chat_id === undefined || params.action === undefined) return fail(res, 400, 'Bad Request: chat_id or action is empty');
        return reply(res, true);
      default:
        return fail(res, 404, 'Not Found');
    }
  }

  /** The Bot API's file download: `/file/bot<token>/<file_path>`, as Telegram serves it. */
  private serveFile(token: string, filePath: string, res: ServerResponse): void {
    const bot = this.bots.get(token);
    const f = bot && [...bot.files.values()].find((x) => x.path === filePath);
    if (!bot) return fail(res, 401, 'Unauthorized');
    if (!f) return fail(res, 404, 'Not Found');
    bot.downloads.push(filePath);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(f.data.length) }).end(f.data);
  }

  private getUpdates(bot: PeerBot, params: Record<string, unknown>, res: ServerResponse): void {
    if (bot.webhookUrl)
      return fail(res, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    // Like Telegram, a newer poll terminates the one still waiting.
    for (const poll of [...bot.polls])
      bot.endPoll(poll, () =>
        fail(poll.res, 409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'),
      );
    const offset = int(params.offset);
    bot.confirm(offset);
    if (Array.isArray(params.allowed_updates)) bot.allowedUpdates = params.allowed_updates.map(String);
    const limit = Math.min(100, Math.max(1, int(params.limit) ?? 100));
    const timeout = int(params.timeout) ?? 0;
    const poll: Poll = { res, offset, limit, timer: setTimeout(() => bot.endPoll(poll, () => reply(res, [])), timeout * 1000) };
    bot.polls.add(poll);
    res.on('close', () => bot.endPoll(poll, () => undefined));
    bot.flush();
  }

  async close(): Promise<void> {
    for (const bot of this.bots.values()) for (const poll of [...bot.polls]) bot.endPoll(poll, () => poll.res.socket?.destroy());
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const startTelegramPeer = (): Promise<TelegramPeer> => TelegramPeer.start();
