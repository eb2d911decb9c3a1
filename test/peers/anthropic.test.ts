// Proves the local Messages API peer (test/peers/anthropic.ts) against the real @anthropic-ai/sdk:
// streaming, tool_use assembly, retries honouring retry-after, error classes, cut and errored
// streams, spend-limit rejections, holds, and loopback-only binding.
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import Anthropic, {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  OverloadedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGate, startAnthropicPeer, type AnthropicPeer } from './anthropic.ts';

const MODEL = 'claude-sonnet-4-6';
let peer: AnthropicPeer;

beforeEach(async () => {
  peer = await startAnthropicPeer({ keys: ['sk-good'], chunkSize: 5 });
});
afterEach(async () => {
  await peer.close();
});

const client = (opts: { apiKey?: string; maxRetries?: number } = {}): Anthropic =>
  new Anthropic({ baseURL: peer.url, apiKey: opts.apiKey ?? 'sk-good', maxRetries: opts.maxRetries ?? 0 });
const ask = (text: string) => ({ model: MODEL, max_tokens: 1024, messages: [{ role: 'user' as const, content: text }] });

/** Runs a streaming request, collecting text deltas until it ends or throws. */
async function streamText(c: Anthropic, text: string): Promise<{ deltas: string[]; error?: unknown }> {
  const deltas: string[] = [];
  try {
    for await (const ev of c.messages.stream(ask(text))) {
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') deltas.push(ev.delta.text);
    }
    return { deltas };
  } catch (error) {
    return { deltas, error };
  }
}

describe('anthropic peer with the real SDK', () => {
  it('streams the default echo as several text deltas and a complete final message', async () => {
    const stream = client().messages.stream(ask('hello there, model'));
    const deltas: string[] = [];
    stream.on('text', (d) => deltas.push(d));
    const msg = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe('echo: hello there, model');
    expect(msg.content).toEqual([{ type: 'text', text: 'echo: hello there, model' }]);
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.model).toBe(MODEL);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBe(Math.ceil('echo: hello there, model'.length / 4));
  });

  it('answers a non-streaming request with a full Message and a request-id header', async () => {
    const { data, response } = await client()
      .messages.create({
        model: MODEL,
        max_tokens: 100,
        system: [{ type: 'text', text: 'be brief' }],
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'second' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            ],
          },
        ],
      })
      .withResponse();
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(data).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_reason: 'end_turn', stop_sequence: null });
    expect(data.content).toEqual([{ type: 'text', text: 'echo: second\n[image]' }]);
    expect(data.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it('records method, path, lower-cased headers with the key, and the parsed body', async () => {
    await client().messages.create(ask('record me'));
    const [req] = peer.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/messages', apiKey: 'sk-good' });
    expect(req!.headers.authorization).toBe('Bearer sk-good'); // this SDK sends apiKey as a bearer token
    expect(req!.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(req!.body?.messages).toEqual([{ role: 'user', content: 'record me' }]);
  });

  it('streams a tool_use block whose input the SDK assembles from input_json_delta pieces', async () => {
    peer.enqueue({ kind: 'tool_use', name: 'get_weather', input: { city: 'Paris', units: ['c', 'f'] }, text: 'Let me check.' });
    const stream = client().messages.stream({ ...ask('weather?'), tools: [{ name: 'get_weather', input_schema: { type: 'object' } }] });
    const pieces: string[] = [];
    stream.on('inputJson', (p) => pieces.push(p));
    const msg = await stream.finalMessage();
    expect(pieces.length).toBeGreaterThan(2);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content[0]).toEqual({ type: 'text', text: 'Let me check.' });
    expect(msg.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris', units: ['c', 'f'] } });
    expect((msg.content[1] as { id: string }).id).toMatch(/^toolu_/);
  });

  it('makes the SDK wait for retry-after on a 429 and then succeed', async () => {
    peer.enqueue({ kind: 'error', status: 429, retryAfter: 1 }, { kind: 'text', text: 'after the wait' });
    const started = Date.now();
    const msg = await client({ maxRetries: 2 }).messages.create(ask('x'));
    expect(msg.content).toEqual([{ type: 'text', text: 'after the wait' }]);
    expect(peer.requests).toHaveLength(2);
    expect(peer.requests[1]!.headers['x-stainless-retry-count']).toBe('1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('surfaces a 529 as an OverloadedError when retries are off', async () => {
    peer.enqueue({ kind: 'overloaded' });
    const err = await client()
      .messages.create(ask('x'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OverloadedError);
    expect(err).toMatchObject({ status: 529, type: 'overloaded_error' });
  });

  it('surfaces a 500 as an InternalServerError with type api_error', async () => {
    peer.enqueue({ kind: 'server_error' });
    const err = await client()
      .messages.create(ask('x'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err).toMatchObject({ status: 500, type: 'api_error' });
    expect((err as APIError).requestID).toMatch(/^req_/);
  });

  it('rejects an unknown key with 401 authentication_error without consuming the script', async () => {
    peer.enqueue({ kind: 'text', text: 'scripted' });
    const err = await client({ apiKey: 'sk-bad' })
      .messages.create(ask('x'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ status: 401, type: 'authentication_error', apiMessage: 'invalid x-api-key' });
    expect(peer.requests[0]!.apiKey).toBe('sk-bad');
    expect((await client().messages.create(ask('x'))).content).toEqual([{ type: 'text', text: 'scripted' }]);
  });

  it('accepts x-api-key and frames the stream as the real API does', async () => {
    const res = await fetch(`${peer.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-good', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask('hi'), stream: true }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((f) => f.split('\n'));
    const names = frames.map(([ev, data]) => {
      const type = ev!.slice('event: '.length);
      expect(JSON.parse(data!.slice('data: '.length))).toMatchObject({ type });
      return type;
    });
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(peer.requests[0]).toMatchObject({ apiKey: 'sk-good' });
  });

  it('rejects a request without anthropic-version with 400 invalid_request_error', async () => {
    const res = await fetch(`${peer.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-good' },
      body: JSON.stringify(ask('hi')),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
      request_id: expect.stringMatching(/^req_/),
    });
  });

  it('cuts the connection after N deltas so the SDK stream throws after the partial text', async () => {
    peer.enqueue({ kind: 'cut', afterDeltas: 2, text: 'abcdefghijklmnopqrstuvwxyz' });
    const { deltas, error } = await streamText(client(), 'x');
    expect(deltas).toEqual(['abcde', 'fghij']);
    expect(error).toBeInstanceOf(Error);
  });

  it('sends a mid-stream error event that the SDK raises as an overloaded APIError', async () => {
    peer.enqueue({ kind: 'stream_error', afterDeltas: 1, text: 'partial answer' });
    const { deltas, error } = await streamText(client(), 'x');
    expect(deltas).toEqual(['parti']);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ type: 'overloaded_error', apiMessage: 'Overloaded' });
  });

  it('marks the monthly spend-limit 429 with an error code that an ordinary rate limit lacks', async () => {
    peer.enqueue({ kind: 'spend_limit' }, { kind: 'error', status: 429, retryAfter: 3 });
    const spend = await client()
      .messages.create(ask('x'))
      .catch((e: unknown) => e);
    const rate = await client()
      .messages.create(ask('x'))
      .catch((e: unknown) => e);
    expect(spend).toBeInstanceOf(Anthropic.EnforcedSpendLimitReachedError);
    expect(spend).toBeInstanceOf(RateLimitError);
    expect(spend).toMatchObject({ status: 429, type: 'rate_limit_error', errorCode: 'enforced_spend_limit_reached' });
    expect((spend as APIError).headers?.get('retry-after')).toBeNull();
    expect(rate).toBeInstanceOf(RateLimitError);
    expect(rate).not.toBeInstanceOf(Anthropic.EnforcedSpendLimitReachedError);
    expect(rate).toMatchObject({ errorCode: null });
    expect((rate as APIError).headers?.get('retry-after')).toBe('3');
  });

  it('models the workspace usage limit as a non-retried 400 naming the limit', async () => {
    peer.setDefault(() => ({ kind: 'spend_limit', variant: 'workspace' }));
    const err = await client({ maxRetries: 2 })
      .messages.create(ask('x'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as APIError).apiMessage).toMatch(/reached your specified workspace API usage limits/);
    expect(peer.requestCount).toBe(1);
  });

  it('holds a stream open after the first delta until released', async () => {
    const gate = createGate();
    let held = false;
    peer.enqueue({
      kind: 'hold',
      release: gate.promise,
      text: 'first second',
      onHold: () => {
        held = true;
      },
    });
    const stream = client().messages.stream(ask('x'));
    const seen: string[] = [];
    const firstDelta = new Promise<void>((resolve) =>
      stream.on('text', (d) => {
        seen.push(d);
        resolve();
      }),
    );
    await peer.waitForRequest(1);
    await firstDelta;
    await new Promise((r) => setTimeout(r, 50));
    expect(held).toBe(true);
    expect(seen).toEqual(['first']);
    gate.open();
    expect((await stream.finalMessage()).content).toEqual([{ type: 'text', text: 'first second' }]);
  });

  it('delays a scripted step before answering', async () => {
    peer.enqueue({ kind: 'delay', ms: 200, then: { kind: 'text', text: 'late' } });
    const started = Date.now();
    const msg = await client().messages.create(ask('x'));
    expect(msg.content).toEqual([{ type: 'text', text: 'late' }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('consumes scripted steps in order, then falls back to the custom default', async () => {
    peer.enqueue({ kind: 'text', text: 'one' }, { kind: 'text', text: 'two' });
    peer.setDefault((req) => ({ kind: 'text', text: `default for ${req.body?.model}` }));
    const texts: unknown[] = [];
    for (let i = 0; i < 3; i++) texts.push((await client().messages.create(ask('x'))).content[0]);
    expect(texts).toEqual([
      { type: 'text', text: 'one' },
      { type: 'text', text: 'two' },
      { type: 'text', text: `default for ${MODEL}` },
    ]);
  });

  it('truncates a reply longer than max_tokens and stops with max_tokens', async () => {
    peer.enqueue({ kind: 'text', text: 'x'.repeat(100) });
    const msg = await client()
      .messages.stream({ ...ask('x'), max_tokens: 5 })
      .finalMessage();
    expect(msg.stop_reason).toBe('max_tokens');
    expect(msg.content).toEqual([{ type: 'text', text: 'x'.repeat(20) }]);
  });

  it('counts tokens on /v1/messages/count_tokens', async () => {
    const { input_tokens } = await client().messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'count me' }] });
    expect(input_tokens).toBeGreaterThan(0);
  });

  it('binds only to 127.0.0.1', async () => {
    expect(peer.url).toBe(`http://127.0.0.1:${peer.port}`);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal)
      .map((i) => i!.address)
      .concat('::1');
    for (const host of others) {
      const connected = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host, port: peer.port }, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      expect(connected, host).toBe(false);
    }
    expect(others.length).toBeGreaterThan(0);
  });
});
