// The `model: { primary, fallbacks }` config form (docs/config.md#model-fallbacks): normalised to
// `model` (the primary) plus `modelFallbacks`, inherited from agents.defaults, and checked name by name.
import { describe, expect, it } from 'vitest';
import { updateAgent } from '../../src-shared/config/edits.ts';
import { resolveModelChain } from '../../src-main/agents/turn.ts';
import { errorsOf, validConfig, warningsOf } from '../helpers/config.ts';

describe('model chains in the config', () => {
  it('a plain string stays the primary with no fallbacks', () => {
    const config = validConfig({ agents: { list: [{ id: 'a', model: 'claude-opus-5-5' }] } });
    expect(config.agents.list[0]).toMatchObject({ model: 'claude-opus-5-5' });
    expect(config.agents.list[0]).not.toHaveProperty('modelFallbacks');
    expect(resolveModelChain(config.agents.list[0]!, config)).toEqual(['claude-opus-5-5']);
  });

  it('{ primary, fallbacks } becomes model + modelFallbacks, and the chain drops prefixes and repeats', () => {
    const config = validConfig({
      agents: {
        list: [{ id: 'a', model: { primary: 'anthropic/claude-opus-5-5', fallbacks: [' claude-sonnet-5-5', 'claude-opus-5-5'] } }],
      },
    });
    expect(config.agents.list[0]).toMatchObject({
      model: 'anthropic/claude-opus-5-5',
      modelFallbacks: ['claude-sonnet-5-5', 'claude-opus-5-5'],
    });
    expect(resolveModelChain(config.agents.list[0]!, config)).toEqual(['claude-opus-5-5', 'claude-sonnet-5-5']);
  });

  it('agents inherit the chain of agents.defaults; a string of their own replaces it whole', () => {
    const config = validConfig({
      agents: {
        defaults: { model: { primary: 'claude-opus-5-5', fallbacks: ['claude-haiku-5-5'] } },
        list: [{ id: 'a' }, { id: 'b', model: 'claude-sonnet-5-5' }],
      },
    });
    expect(config.agents.defaults).toMatchObject({ model: 'claude-opus-5-5', modelFallbacks: ['claude-haiku-5-5'] });
    expect(resolveModelChain(config.agents.list[0]!, config)).toEqual(['claude-opus-5-5', 'claude-haiku-5-5']);
    expect(resolveModelChain(config.agents.list[1]!, config)).toEqual(['claude-sonnet-5-5']);
  });

  it('an empty or missing primary, or an empty fallback, is one error naming where it is', () => {
    expect(errorsOf({ agents: { list: [{ id: 'a', model: { primary: ' ', fallbacks: [] } }] } })).toEqual([
      expect.objectContaining({ path: ['agents', 'list', 0, 'model', 'primary'], message: expect.stringMatching(/^empty: model.primary/) }),
    ]);
    expect(errorsOf({ agents: { list: [{ id: 'a', model: { fallbacks: ['claude-opus-5-5'] } }] } })).toEqual([
      expect.objectContaining({
        path: ['agents', 'list', 0, 'model', 'primary'],
        message: expect.stringMatching(/^missing: model.primary/),
      }),
    ]);
    expect(errorsOf({ agents: { defaults: { model: { primary: 'claude-opus-5-5', fallbacks: [''] } } } })).toEqual([
      expect.objectContaining({ path: ['agents', 'defaults', 'model', 'fallbacks', 0], message: 'must not be empty' }),
    ]);
    // Inherited whole from agents.defaults: reported there only, not once per agent.
    expect(errorsOf({ agents: { defaults: { model: { primary: '' } }, list: [{ id: 'a' }, { id: 'b' }] } })).toHaveLength(1);
  });

  it("an agent's { fallbacks } without a primary takes the primary of agents.defaults, even one written as a string", () => {
    const config = validConfig({
      agents: { defaults: { model: 'claude-opus-5-5' }, list: [{ id: 'a', model: { fallbacks: ['claude-haiku-5-5'] } }] },
    });
    expect(resolveModelChain(config.agents.list[0]!, config)).toEqual(['claude-opus-5-5', 'claude-haiku-5-5']);
  });

  it('an unknown fallback gets the same did-you-mean warning as the primary; a repeated one is warned about', () => {
    const warnings = warningsOf({
      agents: { list: [{ id: 'a', model: { primary: 'claude-opus-5-5', fallbacks: ['claude-sonet-5-5', 'claude-opus-5-5'] } }] },
    });
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'unknown_model',
        path: ['agents', 'list', 0, 'model', 'fallbacks', 0],
        message: expect.stringContaining('did you mean "claude-sonnet-5-5"'),
      }),
      expect.objectContaining({ code: 'duplicate_model', path: ['agents', 'list', 0, 'model', 'fallbacks', 1] }),
    ]);
  });

  it('an inherited chain is warned about once, under agents.defaults', () => {
    const warnings = warningsOf({
      agents: { defaults: { model: { primary: 'claude-opus-5-5', fallbacks: ['claude-nope'] } }, list: [{ id: 'a' }, { id: 'b' }] },
    });
    expect(warnings.map((w) => w.path)).toEqual([['agents', 'defaults', 'model', 'fallbacks', 0]]);
  });

  it('setting a new model on an agent written with fallbacks replaces the primary and keeps the fallbacks', () => {
    const raw = { agents: { list: [{ id: 'a', model: { primary: 'claude-opus-5-5', fallbacks: ['claude-haiku-5-5'] } }] } };
    updateAgent(raw, 'a', { model: 'claude-sonnet-5-5' });
    expect(raw.agents.list[0]!.model).toEqual({ primary: 'claude-sonnet-5-5', fallbacks: ['claude-haiku-5-5'] });
  });

  it('fallbacks set from the dashboard write { primary, fallbacks }, and clearing them leaves the plain name', () => {
    const raw: { agents: { list: Record<string, unknown>[] } } = { agents: { list: [{ id: 'a', model: 'claude-opus-5-5' }] } };
    updateAgent(raw, 'a', { fallbacks: ['claude-haiku-5-5'] });
    expect(raw.agents.list[0]!.model).toEqual({ primary: 'claude-opus-5-5', fallbacks: ['claude-haiku-5-5'] });
    expect(validConfig(raw).agents.list[0]).toMatchObject({ model: 'claude-opus-5-5', modelFallbacks: ['claude-haiku-5-5'] });
    updateAgent(raw, 'a', { model: 'claude-sonnet-5-5', fallbacks: null });
    expect(raw.agents.list[0]!.model).toBe('claude-sonnet-5-5');
  });
});

describe('the other per-agent keys the agent page edits', () => {
  it('sets and clears owners, limits (each one alone) and memory', () => {
    const raw: { agents: { list: Record<string, unknown>[] } } = {
      agents: { list: [{ id: 'a', limits: { dailyTokens: 5000 }, owners: ['telegram:1'] }] },
    };
    updateAgent(raw, 'a', {
      owners: ['telegram:1', 'discord:42'],
      limits: { perSenderPerMinute: 6 },
      memory: { scope: 'shared', pool: 'team' },
    });
    expect(raw.agents.list[0]).toMatchObject({
      owners: ['telegram:1', 'discord:42'],
      limits: { dailyTokens: 5000, perSenderPerMinute: 6 },
      memory: { scope: 'shared', pool: 'team' },
    });
    expect(validConfig(raw).agents.list[0]).toMatchObject({
      limits: { dailyTokens: 5000, perSenderPerMinute: 6 },
      memory: { pool: 'team' },
    });
    updateAgent(raw, 'a', { owners: null, limits: { dailyTokens: null, perSenderPerMinute: null }, memory: null });
    expect(raw.agents.list[0]).toEqual({ id: 'a' });
  });
});
