// Local Anthropic Messages API peer (docs/testing.md#real-parts-instead-of-mocks): a loopback-only
// HTTP server speaking the real wire format — Message JSON, SSE streams, error bodies, retry-after
// — so the unmodified @anthropic-ai/sdk talks to it via `baseURL`. Replies are scripted per request
// (`enqueue`) or echo the last user turn.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { splitText as split, sseEvent as sse } from './sse.ts';

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';
export type ReplyBlock = { type: 'text'; text: string } | { type: 'tool_use'; name: string; input: unknown; id?: string };

/**
 * One scripted reply; `enqueue`d steps are consumed one per accepted request (auth/validation
 * failures consume none), in arrival order. `text` defaults to the echo reply where optional.
 * text / tool_use / message: a normal answer (stop_reason end_turn, tool_use, or as given).
 * error: any status with the API's error body; overloaded = 529, server_error = 500.
 * spend_limit: see spendLimit() below. cut: destroy the socket after N deltas (non-stream: at once).
 * stream_error: `event: error` after N deltas (non-stream: the HTTP error). hold: pause after N
 * deltas (default 1) until `release` settles (non-stream: before answering). delay: wait, then `then`.
 */
export type PeerStep =
  | { kind: 'text'; text: string; stopReason?: StopReason; deltaDelayMs?: number }
  | { kind: 'tool_use'; name: string; input: unknown; text?: string; id?: string; deltaDelayMs?: number }
  | { kind: 'message'; content: ReplyBlock[]; stopReason?: StopReason; deltaDelayMs?: number }
  | {
      kind: 'error';
      status: number;
      type?: string;
      message?: string;
      retryAfter?: number;
      details?: Record<string, unknown>;
      headers?: Record<string, string>;
    }
  | { kind: 'overloaded' }
  | { kind: 'server_error' }
  | { kind: 'spend_limit'; variant?: 'monthly' | 'workspace' | 'credit'; retryAfter?: number }
  | { kind: 'cut'; afterDeltas: number; text?: string }
  | { kind: 'stream_error'; afterDeltas: number; text?: string; type?: string; message?: string }
  | { kind: 'hold'; release: PromiseLike<unknown>; afterDeltas?: number; text?: string; onHold?: () => void }
  | { kind: 'delay'; ms: number; then?: PeerStep };

export interface WireMessage {
  role: string;
  content: string | Array<Record<string, unknown>>;
}
export interface MessagesBody {
  model?: string;
  max_tokens?: number;
  system?: string | Array<{ type: string; text: string }>;
  messages?: WireMessage[];
  tools?: Array<Record<string, unknown>>;
  stream?: boolean;
  [key: string]: unknown;
}
export interface RecordedRequest {
  method: string;
  /** Path including any query string, e.g. `/v1/messages`. */
  path: string;
  /** Lower-cased names; repeated headers joined with ", ". Keys are kept (this is a test double). */
  headers: Record<string, string>;
  /** From `x-api-key`, else from `authorization: Bearer …`; null when absent. */
  apiKey: string | null;
  /** Parsed JSON body; undefined when absent or not JSON. */
  body: MessagesBody | undefined;
}
export interface AnthropicPeerOptions {
  /** When given, only these keys are accepted; otherwise any non-empty key is. */
  keys?: string[];
  /** Characters per text delta / input_json_delta piece (default 8). */
  chunkSize?: number;
  /** Pause between streamed deltas (default 0: the whole stream goes out in one write). */
  deltaDelayMs?: number;
  /** Keep every request in `requests` (default true; turn off for long benchmarks). */
  record?: boolean;
  /** Port on 127.0.0.1 (default 0 = any free port). */
  port?: number;
}
export interface AnthropicPeer {
  /** `http://127.0.0.1:<port>` — pass as the SDK's `baseURL`. */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Number of requests received (counted even when `record` is false). */
  readonly requestCount: number;
  enqueue(...steps: PeerStep[]): void;
  /** Reply used when the script is empty; null restores the echo default. */
  setDefault(fn: ((req: RecordedRequest) => PeerStep) | null): void;
  /** Replace the accepted key set; null accepts any non-empty key. */
  setKeys(keys: string[] | null): void;
  /** Resolves with the n-th request (1-based) once it has been received (its reply may be in flight). */
  waitForRequest(n: number): Promise<RecordedRequest>;
  /** Drops the script, the recorded requests and the custom default. */
  reset(): void;
  close(): Promise<void>;
}

export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}
/** A promise plus its resolver, for `{ kind: 'hold', release: gate.promise }`. */
export function createGate(): Gate {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { promise, open: () => resolve() };
}

/** Text of the last user message: text blocks, tool_result contents, `[image]` per image block. */
export function lastUserText(body: MessagesBody | undefined): string {
  const messages = body?.messages;
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === 'user') return contentText(messages[i]!.content);
  return '';
}
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const b of content as Array<{ type?: unknown; text?: unknown; content?: unknown }>) {
    if (b?.type === 'text' && typeof b.text === 'string') parts.push(b.text);
    else if (b?.type === 'tool_result') parts.push(contentText(b.content));
    else if (b?.type === 'image') parts.push('[image]');
  }
  return parts.join('\n');
}
/** The default reply: `echo: <text of the last user message>`. */
export function echoReply(req: RecordedRequest): PeerStep {
  return { kind: 'text', text: `echo: ${lastUserText(req.body)}` };
}

const STATUS_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};
const TYPE_STATUS: Record<string, number> = Object.fromEntries(Object.entries(STATUS_TYPE).map(([s, t]) => [t, Number(s)]));
const TYPE_MESSAGE: Record<string, string> = {
  overloaded_error: 'Overloaded',
  api_error: 'Internal server error',
  timeout_error: 'Request timeout',
  rate_limit_error: "This request would exceed your organization's rate limit. Please try again later.",
  authentication_error: 'invalid x-api-key',
  not_found_error: 'Not found',
};

const settled = (p: PromiseLike<unknown> | undefined): Promise<void> =>
  Promise.resolve(p).then(
    () => undefined,
    () => undefined,
  );
/** Token estimate used for usage: ~4 characters per token, at least 1. */
const tokens = (chars: number): number => Math.max(1, Math.ceil(chars / 4));

interface ErrorReply {
  status: number;
  type: string;
  message: string;
  retryAfter?: number;
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
}
interface Interrupt {
  after: number;
  kind: 'cut' | 'error' | 'hold';
  type?: string;
  message?: string;
  release?: PromiseLike<unknown>;
  onHold?: () => void;
}
interface Reply {
  blocks: ReplyBlock[];
  stop?: StopReason;
  deltaDelayMs?: number;
  interrupt?: Interrupt;
}

/*
 * Spend/usage-limit rejections. The real API has more than one shape; none clears on retry:
 * - 'monthly' (default): the organization crossed its usage tier's monthly spend cap. 429 with type
 *   `rate_limit_error` (so a naive client sees an ordinary rate limit) but `error.details.error_code`
 *   = 'enforced_spend_limit_reached' and, unlike a rate limit, no retry-after. The SDK maps it to
 *   EnforcedSpendLimitReachedError (a RateLimitError subclass) with `.errorCode`; a client tells it
 *   apart by that code, not by status. The SDK still auto-retries it (429), as against the real API.
 * - 'workspace': a user-set workspace limit — 400 invalid_request_error, "You have reached your
 *   specified workspace API usage limits. You will regain access on <date> at 00:00 UTC."
 * - 'credit': prepaid credit exhausted — 400 invalid_request_error, "Your credit balance is too low…".
 * The two 400 shapes carry no code; clients can only match the message (as real clients do).
 */
function spendLimit(variant: 'monthly' | 'workspace' | 'credit', retryAfter?: number): ErrorReply {
  const now = new Date();
  const regain = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  if (variant === 'workspace')
    return {
      status: 400,
      type: 'invalid_request_error',
      message: `You have reached your specified workspace API usage limits. You will regain access on ${regain} at 00:00 UTC.`,
    };
  if (variant === 'credit')
    return {
      status: 400,
      type: 'invalid_request_error',
      message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
    };
  return {
    status: 429,
    type: 'rate_limit_error',
    retryAfter,
    message: "This request would exceed your organization's monthly spend limit. Please try again later.",
    details: { error_code: 'enforced_spend_limit_reached' },
  };
}

function toPlan(step: PeerStep, req: RecordedRequest): Reply | ErrorReply {
  const echo = (): string => `echo: ${lastUserText(req.body)}`;
  switch (step.kind) {
    case 'text':
      return { blocks: [{ type: 'text', text: step.text }], stop: step.stopReason, deltaDelayMs: step.deltaDelayMs };
    case 'tool_use': {
      const blocks: ReplyBlock[] = step.text ? [{ type: 'text', text: step.text }] : [];
      blocks.push({ type: 'tool_use', name: step.name, input: step.input, id: step.id });
      return { blocks, deltaDelayMs: step.deltaDelayMs };
    }
    case 'message':
      return { blocks: step.content, stop: step.stopReason, deltaDelayMs: step.deltaDelayMs };
    case 'error': {
      const type = step.type ?? STATUS_TYPE[step.status] ?? 'api_error';
      return {
        status: step.status,
        type,
        message: step.message ?? TYPE_MESSAGE[type] ?? type,
        retryAfter: step.retryAfter,
        details: step.details,
        headers: step.headers,
      };
    }
    case 'overloaded':
      return { status: 529, type: 'overloaded_error', message: 'Overloaded' };
    case 'server_error':
      return { status: 500, type: 'api_error', message: 'Internal server error' };
    case 'spend_limit':
      return spendLimit(step.variant ?? 'monthly', step.retryAfter);
    case 'cut':
      return { blocks: [{ type: 'text', text: step.text ?? echo() }], interrupt: { after: step.afterDeltas, kind: 'cut' } };
    case 'stream_error': {
      const type = step.type ?? 'overloaded_error';
      return {
        blocks: [{ type: 'text', text: step.text ?? echo() }],
        interrupt: { after: step.afterDeltas, kind: 'error', type, message: step.message ?? TYPE_MESSAGE[type] ?? type },
      };
    }
    case 'hold':
      return {
        blocks: [{ type: 'text', text: step.text ?? echo() }],
        interrupt: { after: step.afterDeltas ?? 1, kind: 'hold', release: step.release, onHold: step.onHold },
      };
    case 'delay':
      return toPlan(step.then ?? echoReply(req), req);
  }
}

export async function startAnthropicPeer(opts: AnthropicPeerOptions = {}): Promise<AnthropicPeer> {
  const chunkSize = Math.max(1, opts.chunkSize ?? 8);
  const record = opts.record ?? true;
  let keys = opts.keys ? new Set(opts.keys) : null;
  let script: PeerStep[] = [];
  let fallback: (req: RecordedRequest) => PeerStep = echoReply;
  const requests: RecordedRequest[] = [];
  let count = 0;
  let waiters: Array<{ n: number; resolve: (r: RecordedRequest) => void }> = [];
  const closing = new AbortController();
  const closed = new Promise<void>((resolve) => closing.signal.addEventListener('abort', () => resolve()));

  const idBase = randomBytes(16)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .padEnd(14, 'x')
    .slice(0, 14);
  let seq = 0;
  const newId = (prefix: string): string => `${prefix}_01${idBase}${(++seq).toString(36).padStart(8, '0')}`;

  function sendError(res: ServerResponse, e: ErrorReply): void {
    const requestId = newId('req');
    const error: Record<string, unknown> = { type: e.type, message: e.message };
    if (e.details) error.details = e.details;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': requestId, ...e.headers };
    if (e.retryAfter !== undefined) headers['retry-after'] = String(e.retryAfter);
    if (e.status === 429 && e.type === 'rate_limit_error' && !e.details) headers['x-should-retry'] = 'true';
    res.writeHead(e.status, headers).end(JSON.stringify({ type: 'error', error, request_id: requestId }));
  }

  function onRecorded(rec: RecordedRequest): void {
    count++;
    if (record) requests.push(rec);
    if (!waiters.length) return;
    waiters = waiters.filter((w) => {
      if (w.n > count) return true;
      w.resolve(requests[w.n - 1] ?? rec);
      return false;
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const bearer = headers.authorization?.startsWith('Bearer ') ? headers.authorization.slice(7) : undefined;
    const apiKey = headers['x-api-key'] ?? bearer ?? null;
    let body: MessagesBody | undefined;
    let parseError: string | undefined;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8')) as MessagesBody;
      } catch (e) {
        parseError = (e as Error).message;
      }
    }
    const path = req.url ?? '/';
    const rec: RecordedRequest = { method: req.method ?? 'GET', path, headers, apiKey, body };
    onRecorded(rec);

    const route = path.split('?', 1)[0];
    const isMessages = route === '/v1/messages';
    if (req.method !== 'POST' || (!isMessages && route !== '/v1/messages/count_tokens')) {
      return sendError(res, { status: 404, type: 'not_found_error', message: 'Not found' });
    }
    if (!apiKey) return sendError(res, { status: 401, type: 'authentication_error', message: 'x-api-key header is required' });
    if (keys && !keys.has(apiKey)) return sendError(res, { status: 401, type: 'authentication_error', message: 'invalid x-api-key' });
    if (!headers['anthropic-version'])
      return sendError(res, { status: 400, type: 'invalid_request_error', message: 'anthropic-version: header is required' });
    const bad = (message: string): void => sendError(res, { status: 400, type: 'invalid_request_error', message });
    if (parseError !== undefined || !body || typeof body !== 'object')
      return bad(`There was an error parsing the body of your request: ${parseError ?? 'body is required'}`);
    if (typeof body.model !== 'string') return bad('model: Field required');
    if (!Array.isArray(body.messages) || body.messages.length === 0) return bad('messages: at least one message is required');
    const inputTokens = tokens(raw.length);
    if (!isMessages) {
      res
        .writeHead(200, { 'content-type': 'application/json', 'request-id': newId('req') })
        .end(JSON.stringify({ input_tokens: inputTokens }));
      return;
    }
    if (typeof body.max_tokens !== 'number' || body.max_tokens < 1) return bad('max_tokens: Field required');

    let step = script.shift() ?? fallback(rec);
    while (step.kind === 'delay') {
      await sleep(step.ms, undefined, { signal: closing.signal });
      step = step.then ?? fallback(rec);
    }
    const plan = toPlan(step, rec);
    if ('status' in plan) return sendError(res, plan);
    return reply(res, plan, body, inputTokens);
  }

  async function reply(res: ServerResponse, plan: Reply, body: MessagesBody, inputTokens: number): Promise<void> {
    // Build the final content; a text-only reply longer than max_tokens is truncated like the model would be.
    let stop: StopReason = plan.stop ?? (plan.blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
    let blocks = plan.blocks;
    const budget = (body.max_tokens ?? 1) * 4;
    if (
      !plan.stop &&
      blocks.every((b) => b.type === 'text') &&
      blocks.reduce((n, b) => n + (b.type === 'text' ? b.text.length : 0), 0) > budget
    ) {
      let left = budget;
      blocks = blocks.map((b) => {
        const text = b.type === 'text' ? b.text.slice(0, Math.max(0, left)) : '';
        left -= text.length;
        return { type: 'text', text };
      });
      stop = 'max_tokens';
    }
    let outChars = 0;
    type Out = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown; json: string };
    const content = blocks.map((b): Out => {
      if (b.type === 'text') {
        outChars += b.text.length;
        return { type: 'text', text: b.text };
      }
      const input = b.input ?? {};
      const json = JSON.stringify(input);
      outChars += b.name.length + json.length;
      return { type: 'tool_use', id: b.id ?? newId('toolu'), name: b.name, input, json };
    });
    const outputTokens = tokens(outChars);
    const requestId = newId('req');
    const message = {
      id: newId('msg'),
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [] as unknown[],
      stop_reason: null as StopReason | null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      usage: {
        input_tokens: inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        output_tokens: 1,
        service_tier: 'standard',
      },
    };
    const interrupt = plan.interrupt;

    if (!body.stream) {
      if (interrupt?.kind === 'cut') {
        res.socket?.destroy();
        return;
      }
      if (interrupt?.kind === 'error') {
        const type = interrupt.type ?? 'overloaded_error';
        return sendError(res, { status: TYPE_STATUS[type] ?? 500, type, message: interrupt.message ?? type });
      }
      if (interrupt?.kind === 'hold') {
        interrupt.onHold?.();
        await Promise.race([settled(interrupt.release), closed]);
      }
      if (res.destroyed || closing.signal.aborted) return;
      message.content = content.map((c) => (c.type === 'tool_use' ? { type: c.type, id: c.id, name: c.name, input: c.input } : c));
      message.stop_reason = stop;
      message.usage.output_tokens = outputTokens;
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId }).end(JSON.stringify(message));
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': requestId });
    const delay = plan.deltaDelayMs ?? opts.deltaDelayMs ?? 0;
    let buf = sse('message_start', { type: 'message_start', message });
    let deltas = 0;
    let interrupted = false;
    const flush = (): Promise<void> =>
      new Promise((resolve) => {
        const chunk = buf;
        buf = '';
        res.write(chunk, () => resolve());
      });
    // Returns true when the stream must stop here.
    const checkpoint = async (): Promise<boolean> => {
      if (res.destroyed || closing.signal.aborted) return true;
      if (interrupt && !interrupted && deltas >= interrupt.after) {
        interrupted = true;
        if (interrupt.kind === 'cut') {
          await flush();
          res.socket?.destroy();
          return true;
        }
        if (interrupt.kind === 'error') {
          buf += sse('error', { type: 'error', error: { type: interrupt.type, message: interrupt.message } });
          res.end(buf);
          return true;
        }
        await flush();
        interrupt.onHold?.();
        await Promise.race([settled(interrupt.release), closed]);
        return res.destroyed || closing.signal.aborted;
      }
      if (delay > 0 && deltas > 0) {
        await flush();
        await sleep(delay, undefined, { signal: closing.signal });
      }
      return false;
    };
    for (let index = 0; index < content.length; index++) {
      const c = content[index]!;
      const start = c.type === 'text' ? { type: 'text', text: '' } : { type: 'tool_use', id: c.id, name: c.name, input: {} };
      buf += sse('content_block_start', { type: 'content_block_start', index, content_block: start });
      if (index === 0) buf += sse('ping', { type: 'ping' });
      const pieces = c.type === 'text' ? split(c.text, chunkSize) : ['', ...split(c.json, chunkSize)];
      for (const piece of pieces) {
        if (await checkpoint()) return;
        const delta = c.type === 'text' ? { type: 'text_delta', text: piece } : { type: 'input_json_delta', partial_json: piece };
        buf += sse('content_block_delta', { type: 'content_block_delta', index, delta });
        deltas++;
      }
      if (index === content.length - 1 && (await checkpoint())) return;
      buf += sse('content_block_stop', { type: 'content_block_stop', index });
    }
    buf += sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stop, stop_sequence: null, stop_details: null },
      usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens },
    });
    buf += sse('message_stop', { type: 'message_stop' });
    res.end(buf);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (closing.signal.aborted) return;
      if (!res.headersSent) sendError(res, { status: 500, type: 'api_error', message: `peer failure: ${String(err)}` });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get requestCount() {
      return count;
    },
    enqueue: (...steps) => {
      script.push(...steps);
    },
    setDefault: (fn) => {
      fallback = fn ?? echoReply;
    },
    setKeys: (k) => {
      keys = k ? new Set(k) : null;
    },
    waitForRequest: (n) => {
      const r = requests[n - 1];
      if (r) return Promise.resolve(r);
      if (n <= count) return Promise.reject(new Error(`request ${n} was not recorded (record: false)`));
      return new Promise((resolve) => {
        waiters.push({ n, resolve });
      });
    },
    reset: () => {
      script = [];
      requests.length = 0;
      count = 0;
      fallback = echoReply;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
