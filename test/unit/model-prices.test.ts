// The cost estimate behind the Usage page: list prices per model, and tokens of a model without a
// price counted but never costed (docs/dashboard.md#usage-and-cost).
import { describe, expect, it } from 'vitest';
import { estimateCost, KNOWN_MODELS, MODEL_PRICES, modelPrice } from '../../src-shared/config/index.ts';

describe('model prices', () => {
  it('prices only models the SDK knows (a typo in the table would silently price nothing)', () => {
    for (const model of Object.keys(MODEL_PRICES)) expect(KNOWN_MODELS).toContain(model);
  });

  it('prices a dated snapshot like its alias and reads the OpenClaw-style anthropic/ prefix', () => {
    expect(modelPrice('claude-haiku-4-5-20251001')).toEqual(modelPrice('claude-haiku-4-5'));
    expect(modelPrice('anthropic/claude-opus-5-5')).toEqual({ inputPerMTok: 4, outputPerMTok: 20 });
  });

  it('costs input and output at their own rates per model and adds the models up', () => {
    const est = estimateCost({
      'claude-sonnet-4-6': { inputTokens: 1_000_000, outputTokens: 200_000 }, // $3 + $3
      'claude-haiku-4-5': { inputTokens: 500_000, outputTokens: 100_000 }, // $0.50 + $0.50
    });
    expect(est.usd).toBeCloseTo(7, 10);
    expect(est.unpriced).toEqual({ inputTokens: 0, outputTokens: 0 });
    expect(est.unpricedModels).toEqual([]);
  });

  it('gives an unknown model tokens only: no dollars, its tokens and name reported as unpriced', () => {
    const est = estimateCost({
      'claude-opus-5-5': { inputTokens: 10_000, outputTokens: 1_000 }, // $0.04 + $0.02
      'my-local-model': { inputTokens: 700, outputTokens: 30 },
      '': { inputTokens: 5, outputTokens: 0 },
      'claude-haiku-5-5': { inputTokens: 0, outputTokens: 0 },
    });
    expect(est.usd).toBeCloseTo(0.06, 10);
    expect(est.unpriced).toEqual({ inputTokens: 705, outputTokens: 30 });
    expect(est.unpricedModels).toEqual(['', 'my-local-model']);
  });

  it('leaves Haiku 5.5 unpriced: its rate depends on each request’s prompt length, which a daily sum cannot tell', () => {
    expect(modelPrice('claude-haiku-5-5')).toBeUndefined();
    expect(estimateCost({ 'claude-haiku-5-5': { inputTokens: 100, outputTokens: 10 } }).usd).toBe(0);
  });
});
