// What a model's tokens cost, for the dashboard's usage *estimate* (docs/dashboard.md#usage-and-cost).
// The gateway bills nothing itself: these are Anthropic's list prices, so an invoice can differ
// (batch, regional or negotiated rates). A model without a price here shows its tokens only.
import { canonicalModelName } from './constants.ts';

/** US dollars per million tokens. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

export interface TokenPair {
  inputTokens: number;
  outputTokens: number;
}

const p = (inputPerMTok: number, outputPerMTok: number): ModelPrice => ({ inputPerMTok, outputPerMTok });

/**
 * Base input and output prices from platform.claude.com (the "Pricing" page and each model's
 * overview page), read 2026-12-06. Input is priced at the base rate: the gateway does not ask for
 * prompt caching, so every input token it records is a base input token.
 *
 * Deliberately not listed (their tokens are shown without a cost):
 * - claude-haiku-5-5: priced by each request's prompt length (5× above 100k prompt tokens), and
 *   the usage records are summed per day, so one rate would be wrong for long prompts;
 * - claude-fable-5-2, claude-mythos-5-2, claude-mythos-preview: no price on the pages read.
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-fable-5-1': p(10, 50),
  'claude-mythos-5-1': p(10, 50),
  'claude-fable-5': p(10, 50),
  'claude-mythos-5': p(10, 50),
  'claude-opus-5-5': p(4, 20),
  'claude-opus-5': p(5, 25),
  'claude-opus-4-8': p(5, 25),
  'claude-opus-4-7': p(5, 25),
  'claude-opus-4-6': p(5, 25),
  'claude-opus-4-5': p(5, 25),
  'claude-opus-4-5-20251101': p(5, 25),
  'claude-sonnet-5-5': p(2, 10),
  'claude-sonnet-5': p(2, 10),
  'claude-sonnet-4-6': p(3, 15),
  'claude-sonnet-4-5': p(3, 15),
  'claude-sonnet-4-5-20250929': p(3, 15),
  'claude-haiku-4-5': p(1, 5),
  'claude-haiku-4-5-20251001': p(1, 5),
};

/** The list price of `model` (`anthropic/claude-x` names `claude-x`), or undefined when we have none. */
export function modelPrice(model: string): ModelPrice | undefined {
  return MODEL_PRICES[canonicalModelName(model)];
}

export interface CostEstimate {
  /** Estimated US dollars for the tokens of priced models. */
  usd: number;
  /** Tokens of models without a price (and of records that name no model): counted, not costed. */
  unpriced: TokenPair;
  /** Those models, sorted ('' stands for usage recorded without a model). */
  unpricedModels: string[];
}

/** The estimate for tokens split by the model that spent them. */
export function estimateCost(byModel: Readonly<Record<string, TokenPair>>): CostEstimate {
  const out: CostEstimate = { usd: 0, unpriced: { inputTokens: 0, outputTokens: 0 }, unpricedModels: [] };
  for (const [model, t] of Object.entries(byModel)) {
    const price = modelPrice(model);
    if (price) {
      out.usd += (t.inputTokens * price.inputPerMTok + t.outputTokens * price.outputPerMTok) / 1_000_000;
    } else if (t.inputTokens + t.outputTokens > 0) {
      out.unpriced.inputTokens += t.inputTokens;
      out.unpriced.outputTokens += t.outputTokens;
      out.unpricedModels.push(model);
    }
  }
  out.unpricedModels.sort();
  return out;
}
