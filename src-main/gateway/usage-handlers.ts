// `usage.daily`: each agent's tokens per local day and model over the last N days, summed from its
// transcripts' usage records (TranscriptUsage), with its daily token budget for the chart's line.
import type { AgentConfig } from '../../src-shared/config/index.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import type { USAGE_METHODS } from '../../src-shared/protocol/usage-methods.ts';
import type { Handlers } from '../control/service.ts';
import type { Gateway } from './gateway.ts';
import { TranscriptUsage, type TokenCounts } from './transcript-usage.ts';

const DEFAULT_DAYS = 7;

export function usageHandlers(gateway: Gateway): Handlers<typeof USAGE_METHODS> {
  const usage = new TranscriptUsage(gateway.currentLoc.stateDir);
  return {
    async 'usage.daily'(params) {
      const config = gateway.currentConfig;
      const list = config.agents.list;
      let agents = list;
      if (params?.agentId !== undefined) {
        const id = params.agentId.trim().toLowerCase();
        agents = list.filter((a) => a.id === id);
        if (agents.length === 0)
          throw new ControlError('not_found', `agent "${params.agentId}" does not exist (agents: ${list.map((a) => a.id).join(', ')})`);
      }
      const defaults = (config.agents.defaults.limits ?? {}) as AgentConfig['limits'];
      const out = [];
      for (const agent of agents) {
        const days = await usage.days(agent.id, params?.days ?? DEFAULT_DAYS);
        const total = { inputTokens: 0, outputTokens: 0, models: {} as Record<string, TokenCounts> };
        for (const d of days) {
          total.inputTokens += d.inputTokens;
          total.outputTokens += d.outputTokens;
          for (const [model, t] of Object.entries(d.models)) {
            const m = (total.models[model] ??= { inputTokens: 0, outputTokens: 0 });
            m.inputTokens += t.inputTokens;
            m.outputTokens += t.outputTokens;
          }
        }
        out.push({ agentId: agent.id, dailyTokens: agent.limits.dailyTokens ?? defaults.dailyTokens ?? null, days, total });
      }
      return { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, agents: out };
    },
  };
}
