// Sub-agents (sessions_spawn): the `subagents` config keys and their checks, the child session key
// form, and the tool policy a sub-agent turn runs under.
import { describe, expect, it } from 'vitest';
import { checkConfigValue, SUBAGENT_DEFAULTS } from '../../src-shared/config/index.ts';
import { isSubagentSessionKey, subagentSessionKey } from '../../src-shared/routing/index.ts';
import { errorsOf, warningsOf } from '../helpers/config.ts';

const agentWith = (subagents: unknown) => ({ agents: { list: [{ id: 'a', subagents }] } });

describe('subagents config', () => {
  it('fills in the defaults: depth 1 (a sub-agent cannot spawn), 8 at once per agent, 5 per session', () => {
    const config = checkConfigValue({ agents: { list: [{ id: 'a' }] } }).config!;
    expect(config.agents.list[0]!.subagents).toEqual({ maxSpawnDepth: 1, maxConcurrent: 8, maxChildrenPerAgent: 5 });
    expect(SUBAGENT_DEFAULTS).toEqual(config.agents.list[0]!.subagents);
  });

  it('inherits agents.defaults.subagents key by key; the agent’s own keys win', () => {
    const config = checkConfigValue({
      agents: { defaults: { subagents: { maxSpawnDepth: 2, maxConcurrent: 3 } }, list: [{ id: 'a' }, { id: 'b', subagents: { maxConcurrent: 1 } }] },
    }).config!;
    expect(config.agents.list[0]!.subagents).toEqual({ maxSpawnDepth: 2, maxConcurrent: 3, maxChildrenPerAgent: 5 });
    expect(config.agents.list[1]!.subagents).toEqual({ maxSpawnDepth: 2, maxConcurrent: 1, maxChildrenPerAgent: 5 });
  });

  it('refuses values out of range or not whole numbers, naming the key and the range', () => {
    for (const [sub, key, range] of [
      [{ maxSpawnDepth: 0 }, 'maxSpawnDepth', '1 to 5'],
      [{ maxSpawnDepth: 6 }, 'maxSpawnDepth', '1 to 5'],
      [{ maxConcurrent: 1.5 }, 'maxConcurrent', '1 to 20'],
      [{ maxConcurrent: 0 }, 'maxConcurrent', '1 to 20'],
      [{ maxChildrenPerAgent: 21 }, 'maxChildrenPerAgent', '1 to 20'],
      [{ maxChildrenPerAgent: 'many' }, 'maxChildrenPerAgent', '1 to 20'],
    ] as const) {
      const errors = errorsOf(agentWith(sub));
      expect(errors.map((e) => e.path)).toEqual([['agents', 'list', 0, 'subagents', key]]);
      expect(errors[0]!.message).toContain(range);
    }
  });

  it('an unknown key under subagents is an error', () => {
    expect(errorsOf(agentWith({ maxDepth: 2 })).map((e) => e.path.at(-1))).toContain('maxDepth');
  });

  it("accepts OpenClaw's other sub-agent keys with a warning that they have no effect, once where they are written", () => {
    expect(warningsOf(agentWith({ model: 'claude-haiku-4-5', runTimeoutSeconds: 900 }))).toMatchObject([
      { code: 'subagents_key_unsupported', path: ['agents', 'list', 0, 'subagents', 'model'] },
      { code: 'subagents_key_unsupported', path: ['agents', 'list', 0, 'subagents', 'runTimeoutSeconds'] },
    ]);
    const inherited = warningsOf({ agents: { defaults: { subagents: { allowAgents: ['b'] } }, list: [{ id: 'a' }, { id: 'b' }] } });
    expect(inherited.filter((w) => w.code === 'subagents_key_unsupported').map((w) => w.path)).toEqual([
      ['agents', 'defaults', 'subagents', 'allowAgents'],
    ]);
  });
});

describe('sub-agent session keys', () => {
  it("are OpenClaw's agent:<id>:subagent:<uuid>, lower-cased, and recognised as such", () => {
    const key = subagentSessionKey('Main', '0F8FAD5B-D9CB-469F-A165-70867728950E');
    expect(key).toBe('agent:main:subagent:0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(isSubagentSessionKey(key)).toBe(true);
    for (const other of ['agent:main:main', 'agent:main:a2a:work', 'agent:main:telegram:direct:subagent', 'agent:main:subagent:x:y'])
      expect(isSubagentSessionKey(other)).toBe(false);
  });
});
