// Sub-agents (sessions_spawn): the `subagents` config keys and their checks, the child session key
// form, the limits counted per agent and per session, the tool policy a sub-agent turn runs under,
// and the parent recorded in the child session's header.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConfigValue, SUBAGENT_DEFAULTS } from '../../src-shared/config/index.ts';
import { isSubagentSessionKey, subagentSessionKey } from '../../src-shared/routing/index.ts';
import { subagentRefusal } from '../../src-main/agents/tools/index.ts';
import { SubagentRuns } from '../../src-main/gateway/subagent-runs.ts';
import { findCutOffTurns } from '../../src-main/gateway/turn-resume.ts';
import { AgentSessionStore } from '../../src-main/sessions/index.ts';
import { errorsOf, validConfig, warningsOf } from '../helpers/config.ts';

const agentWith = (subagents: unknown) => ({ agents: { list: [{ id: 'a', subagents }] } });

describe('subagents config', () => {
  it('fills in the defaults: depth 1 (a sub-agent cannot spawn), 8 at once per agent, 5 per session', () => {
    const config = checkConfigValue({ agents: { list: [{ id: 'a' }] } }).config!;
    expect(config.agents.list[0]!.subagents).toEqual({ maxSpawnDepth: 1, maxConcurrent: 8, maxChildrenPerAgent: 5 });
    expect(SUBAGENT_DEFAULTS).toEqual(config.agents.list[0]!.subagents);
  });

  it('inherits agents.defaults.subagents key by key; the agent’s own keys win', () => {
    const config = checkConfigValue({
      agents: {
        defaults: { subagents: { maxSpawnDepth: 2, maxConcurrent: 3 } },
        list: [{ id: 'a' }, { id: 'b', subagents: { maxConcurrent: 1 } }],
      },
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

describe('sub-agent limits (SubagentRuns)', () => {
  const limits = { maxSpawnDepth: 2, maxConcurrent: 3, maxChildrenPerAgent: 2 };
  const lineage = (sessionKey: string, depth = 0) => ({
    agentId: 'a',
    sessionKey,
    seq: 1,
    depth,
    isOwner: true,
    sender: { id: 'operator' },
  });

  it('admits up to maxChildrenPerAgent children of one session, and again once one is released', () => {
    const runs = new SubagentRuns();
    const one = runs.admit(lineage('agent:a:main'), limits);
    const two = runs.admit(lineage('agent:a:main'), limits);
    expect([one.ok, two.ok]).toEqual([true, true]);
    const three = runs.admit(lineage('agent:a:main'), limits);
    expect(three).toEqual({ ok: false, reason: expect.stringContaining('subagents.maxChildrenPerAgent is 2') });
    if (one.ok) one.release();
    expect(runs.admit(lineage('agent:a:main'), limits).ok).toBe(true);
  });

  it('counts maxConcurrent over all sessions of the agent; a release is counted once', () => {
    const runs = new SubagentRuns();
    const admitted = ['agent:a:main', 'agent:a:direct:1', 'agent:a:direct:2'].map((k) => runs.admit(lineage(k), limits));
    expect(admitted.every((a) => a.ok)).toBe(true);
    expect(runs.admit(lineage('agent:a:direct:3'), limits)).toEqual({ ok: false, reason: expect.stringContaining('maxConcurrent is 3') });
    const first = admitted[0]!;
    if (first.ok) {
      first.release();
      first.release();
    }
    expect(runs.active('a')).toBe(2);
  });

  it('refuses a child beyond maxSpawnDepth, naming the depth and the key', () => {
    const runs = new SubagentRuns();
    expect(runs.admit(lineage('agent:a:subagent:x', 2), limits)).toEqual({
      ok: false,
      reason: expect.stringMatching(/depth 2 and subagents\.maxSpawnDepth is 2/),
    });
    expect(runs.active('a')).toBe(0);
  });
});

describe('sub-agent tool policy', () => {
  const agent = validConfig({ agents: { list: [{ id: 'a', subagents: { maxSpawnDepth: 2 } }] } }).agents.list[0]!;

  it('leaves a depth-0 turn alone', () => {
    for (const tool of ['sessions_spawn', 'sessions_send', 'sessions_list', 'sessions_history', 'write'])
      expect(subagentRefusal(tool, { agent })).toBeNull();
  });

  it('a sub-agent never messages other agents; below the depth limit it may still spawn and read sessions', () => {
    expect(subagentRefusal('sessions_send', { agent, spawnDepth: 1 })).toMatch(/does not message other agents/);
    for (const tool of ['sessions_spawn', 'sessions_list', 'sessions_history', 'read'])
      expect(subagentRefusal(tool, { agent, spawnDepth: 1 })).toBeNull();
  });

  it('at the depth limit it also loses sessions_spawn, sessions_list and sessions_history', () => {
    for (const tool of ['sessions_spawn', 'sessions_list', 'sessions_history'])
      expect(subagentRefusal(tool, { agent, spawnDepth: 2 })).not.toBeNull();
    expect(subagentRefusal('sessions_spawn', { agent, spawnDepth: 2 })).toContain('subagents.maxSpawnDepth is 2');
    expect(subagentRefusal('read', { agent, spawnDepth: 2 })).toBeNull();
  });
});

describe('sub-agent session header', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sb-subagent-'));
  });
  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('records the parent in the header and the index, a rebuilt index gets it back, and a crash orphans the child turn', async () => {
    const key = subagentSessionKey('a', '0f8fad5b-d9cb-469f-a165-70867728950e');
    const parent = { sessionKey: 'agent:a:main', inReplyTo: 7, label: 'primes' };
    let store = await AgentSessionStore.open(tmp, 'a');
    await store.getOrCreate(key, { parent });
    await store.append(key, { type: 'message', role: 'user', text: 'task' });
    expect(store.get(key)!.parent).toEqual(parent);
    expect((await store.history(key)).records[0]).toMatchObject({ type: 'session', sessionKey: key, parent });
    // An existing session never gets a parent written into it afterwards.
    await store.append('agent:a:main', { type: 'message', role: 'user', text: 'hi' });
    await store.getOrCreate('agent:a:main', { parent: { sessionKey: 'agent:a:x', inReplyTo: 2 } });
    expect(store.get('agent:a:main')!.parent).toBeUndefined();

    // A crash before the child answered: nobody waits for it any more, so it is closed, never re-run.
    const cut = await findCutOffTurns(store, 'a', { now: Date.now(), resumeWindowMs: 600_000 });
    expect(cut.map((t) => [t.sessionKey, t.action, t.tell])).toEqual(
      expect.arrayContaining([
        [key, 'orphaned', false],
        ['agent:a:main', 'resume', true],
      ]),
    );
    await store.close();

    await fs.rm(path.join(store.dir, 'sessions.json'));
    store = await AgentSessionStore.open(tmp, 'a');
    try {
      expect(store.get(key)!.parent).toEqual(parent);
    } finally {
      await store.close();
    }
  });
});
