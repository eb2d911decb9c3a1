// The lane key (src-shared/routing/session-key.ts): one string per (agent, session) pair, shared by
// the gateway's lanes and running turns and by the dashboard's per-session state.
import { expect, it } from 'vitest';
import { ID_PATTERN } from '../../src-shared/config/constants.ts';
import { laneKey } from '../../src-shared/routing/index.ts';

const agents = ['main', 'ops', 'main-2', 'a', 'a_b'];
const sessions = ['agent:main:main', 'agent:ops:main', 'main', 'a:b', 'b', '', 'x\ny', 'agent:main:telegram:group:-100'];

it('gives every (agent, session) pair its own key, whatever the session key holds', () => {
  for (const a of agents) expect(a).toMatch(ID_PATTERN);
  const keys = new Map<string, [string, string]>();
  for (const a of agents) for (const s of sessions) keys.set(laneKey(a, s), [a, s]);
  expect(keys.size).toBe(agents.length * sessions.length);
  // Agent ids never hold a newline, so the first one splits any key back into its pair.
  for (const [key, [a, s]] of keys) expect([key.slice(0, key.indexOf('\n')), key.slice(key.indexOf('\n') + 1)]).toEqual([a, s]);
});

it('is the same key for the same pair, so lanes and maps find an entry again', () => {
  expect(laneKey('main', 'agent:main:main')).toBe(laneKey('main', 'agent:main:main'));
  expect(laneKey('main', 'agent:main:main')).not.toBe(laneKey('ops', 'agent:main:main'));
});
