// Model fallbacks through the real gateway and the local Anthropic peer (docs/config.md#model-fallbacks):
// which failures move a turn to the next model, what the transcript and the usage ledger then say,
// and that every turn starts on the primary again. One quick attempt per model keeps backoff out.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import type { PeerStep, RecordedRequest } from '../peers/anthropic.ts';

const PRIMARY = 'claude-opus-5-5';
const SECOND = 'claude-sonnet-5-5';
const THIRD = 'claude-haiku-5-5';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

/** A gateway whose `main` agent has `model` as written, each model answered by `reply(model)` (default: an echo naming it). */
async function start(
  model: unknown,
  reply: (model: string, req: RecordedRequest) => PeerStep | undefined,
  where: 'agent' | 'defaults' = 'agent',
) {
  gw = await startTestGateway({
    retry: { maxAttempts: 1 },
    config: (url) => ({
      models: { anthropic: { baseUrl: url } },
      agents: where === 'agent' ? { list: [{ id: 'main', model }] } : { defaults: { model }, list: [{ id: 'main' }] },
    }),
  });
  gw.peer.setDefault((req) => reply(String(req.body?.model), req) ?? { kind: 'text', text: `answer from ${String(req.body?.model)}` });
  return gw;
}

async function send(g: TestGateway, text: string) {
  const sent = await g.client.request('webchat.send', { agentId: 'main', text });
  return g.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
}

async function records(g: TestGateway) {
  return (await g.client.request('sessions.history', { agentId: 'main', sessionKey: 'agent:main:main' })).records;
}

const modelsAsked = (g: TestGateway) => g.peer.requests.map((r) => r.body?.model);

describe('model fallbacks', () => {
  it('an overloaded primary hands the turn to the fallback, the transcript says so, and the next turn tries the primary first', async () => {
    let overloaded = true;
    const g = await start({ primary: PRIMARY, fallbacks: [SECOND] }, (model) =>
      model === PRIMARY && overloaded ? { kind: 'overloaded' } : undefined,
    );
    const first = await send(g, 'hi');
    expect(first.failure).toBeUndefined();
    expect(first.text).toBe(`answer from ${SECOND}`);
    expect(modelsAsked(g)).toEqual([PRIMARY, SECOND]);
    const assistant = (await records(g)).filter((r) => r.type === 'message' && r.role === 'assistant');
    expect(assistant).toHaveLength(1);
    expect(assistant[0]).toMatchObject({ model: SECOND, fallbackFrom: [{ model: PRIMARY, reason: 'overloaded' }] });
    expect((await records(g)).some((r) => r.type === 'error')).toBe(false);

    overloaded = false;
    const second = await send(g, 'again');
    expect(second.text).toBe(`answer from ${PRIMARY}`);
    expect(modelsAsked(g)).toEqual([PRIMARY, SECOND, PRIMARY]);
    const last = (await records(g)).filter((r) => r.type === 'message' && r.role === 'assistant').at(-1);
    expect(last).toMatchObject({ model: PRIMARY });
    expect(last).not.toHaveProperty('fallbackFrom');
  });

  it('a 5xx after the retries and an unknown model (404 naming it) both fall back, in chain order', async () => {
    const g = await start({ primary: PRIMARY, fallbacks: [SECOND, THIRD] }, (model) =>
      model === PRIMARY
        ? { kind: 'server_error' }
        : model === SECOND
          ? { kind: 'error', status: 404, type: 'not_found_error', message: `model: ${SECOND}` }
          : undefined,
    );
    const out = await send(g, 'hi');
    expect(out.text).toBe(`answer from ${THIRD}`);
    expect(modelsAsked(g)).toEqual([PRIMARY, SECOND, THIRD]);
    const assistant = (await records(g)).find((r) => r.type === 'message' && r.role === 'assistant');
    expect(assistant).toMatchObject({
      model: THIRD,
      fallbackFrom: [
        { model: PRIMARY, reason: 'server' },
        { model: SECOND, reason: 'model_not_found' },
      ],
    });
  });

  it('a rejected key (401) does not fall back: every model would be refused the same way', async () => {
    const g = await start({ primary: PRIMARY, fallbacks: [SECOND] }, () => undefined);
    g.peer.setKeys(['sk-some-other-key']);
    const out = await send(g, 'hi');
    expect(out.failure).toBe('auth');
    expect(modelsAsked(g)).toEqual([PRIMARY]);
    expect((await records(g)).find((r) => r.type === 'error')).not.toHaveProperty('fallbackFrom');
  });

  it('an exhausted chain fails the turn naming every model tried', async () => {
    const g = await start({ primary: PRIMARY, fallbacks: [SECOND, THIRD] }, () => ({ kind: 'overloaded' }));
    const out = await send(g, 'hi');
    expect(out.failure).toBe('overloaded');
    expect(modelsAsked(g)).toEqual([PRIMARY, SECOND, THIRD]);
    const error = (await records(g)).find((r) => r.type === 'error');
    expect(error).toMatchObject({ kind: 'overloaded', model: THIRD });
    for (const model of [PRIMARY, SECOND, THIRD]) expect(String(error?.message)).toContain(model);
    expect(error?.fallbackFrom).toEqual([
      { model: PRIMARY, reason: 'overloaded' },
      { model: SECOND, reason: 'overloaded' },
    ]);
  });

  it('inherits the chain from agents.defaults, and the usage ledger counts tokens under the model that answered', async () => {
    const g = await start(
      { primary: PRIMARY, fallbacks: [SECOND] },
      (model) => (model === PRIMARY ? { kind: 'overloaded' } : undefined),
      'defaults',
    );
    const out = await send(g, 'hi');
    expect(out.text).toBe(`answer from ${SECOND}`);
    const summary = await g.client.request('usage.summary', { agentId: 'main', days: 1 });
    const today = summary.agents[0]!.days.at(-1)!;
    expect(today.outputTokens).toBeGreaterThan(0);
    expect(Object.keys(today.models ?? {})).toEqual([SECOND]);
    expect(today.models![SECOND]).toEqual({ inputTokens: today.inputTokens, outputTokens: today.outputTokens });
  });
});
