// `switchboard import` maps OpenClaw's `anthropic/` model names to Switchboard's bare ids in every
// form the docs use: a string, `{ primary, fallbacks }`, per agent and in agents.defaults.
import { describe, expect, it } from 'vitest';
import { convertForeignConfig } from '../../src-main/cli/commands/import.ts';

const convert = (source: unknown) => convertForeignConfig(source, { stateDir: '/home/u/.switchboard', homeDir: '/home/u' });

describe('import: model names', () => {
  it('strips anthropic/ from strings and from primary and fallbacks, reporting each change', () => {
    const { raw, report } = convert({
      agents: {
        defaults: { model: { primary: 'anthropic/claude-sonnet-4-5', fallbacks: ['anthropic/claude-haiku-4-5'] } },
        list: [
          { id: 'main', model: 'anthropic/claude-opus-4-5' },
          { id: 'work', model: { primary: 'anthropic/claude-opus-4-5', fallbacks: ['claude-sonnet-4-5', 'anthropic/claude-haiku-4-5'] } },
          { id: 'plain', model: 'claude-haiku-4-5' },
        ],
      },
    });
    const agents = raw.agents as { defaults: { model: unknown }; list: { id: string; model: unknown }[] };
    expect(agents.defaults.model).toEqual({ primary: 'claude-sonnet-4-5', fallbacks: ['claude-haiku-4-5'] });
    expect(agents.list.map((a) => a.model)).toEqual([
      'claude-opus-4-5',
      { primary: 'claude-opus-4-5', fallbacks: ['claude-sonnet-4-5', 'claude-haiku-4-5'] },
      'claude-haiku-4-5',
    ]);
    expect(report.mapped).toEqual(
      expect.arrayContaining([
        'agent main: model anthropic/claude-opus-4-5 → claude-opus-4-5',
        'agent work: model anthropic/claude-opus-4-5 → claude-opus-4-5',
        'agent work: fallback model anthropic/claude-haiku-4-5 → claude-haiku-4-5',
        'agents.defaults: model anthropic/claude-sonnet-4-5 → claude-sonnet-4-5',
      ]),
    );
    expect(report.mapped.filter((m) => m.includes('plain'))).toEqual([]);
  });
});
