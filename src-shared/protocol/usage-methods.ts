// The Usage page's method: tokens per agent, local day and model, summed from the usage records of
// the agents' transcripts (docs/dashboard.md#usage-and-cost). Costs are not here: they are an
// estimate the dashboard computes from src-shared/config/model-prices.ts.
import { z } from 'zod';
import { defineMethod } from './contract.ts';

const tokens = z.object({ inputTokens: z.number(), outputTokens: z.number() });
/** `models`: the same tokens by the model that spent them; '' = records that name no model. */
const usageWithModels = tokens.extend({ models: z.record(z.string(), tokens) });

export const agentDailyUsageSchema = z.object({
  agentId: z.string(),
  /** The agent's `limits.dailyTokens` (else `agents.defaults.limits.dailyTokens`); null = no budget. */
  dailyTokens: z.number().nullable(),
  /** Oldest first, one entry per local day (quiet days are zeros), the last one today. */
  days: z.array(usageWithModels.extend({ date: z.string() })),
  total: usageWithModels,
});

export const USAGE_METHODS = {
  'usage.daily': defineMethod({
    params: z.object({ agentId: z.string().min(1).max(64).optional(), days: z.number().int().min(1).max(90).optional() }).optional(),
    result: z.object({
      /** The gateway's time zone (IANA name), in which the days are counted: the one the daily budget uses. */
      timeZone: z.string(),
      agents: z.array(agentDailyUsageSchema),
    }),
  }),
};
