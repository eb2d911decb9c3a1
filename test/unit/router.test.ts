import { describe, expect, it } from 'vitest';
import { compileRouter, normalizeInbound, resolveLinear, RouteInputError, type InboundInput } from '../../src-shared/routing/index.ts';
import { TIER_NAMES } from '../../src-shared/config/index.ts';
import { pick, rng, routerFor, validConfig } from '../helpers/config.ts';

const agents = { list: [{ id: 'main', default: true }, { id: 'a' }, { id: 'b' }, { id: 'c' }] };

describe('tiers: the first tier with a match wins, whatever the config order', () => {
  const router = routerFor({
    agents,
    bindings: [
      { agentId: 'c', match: { channel: 'discord', accountId: '*' } }, // 0 tier 8
      { agentId: 'b', match: { channel: 'discord' } }, // 1 tier 7 (default account)
      { agentId: 'a', match: { channel: 'discord', teamId: 'T1' } }, // 2 tier 6
      { agentId: 'b', match: { channel: 'discord', guildId: 'G1' } }, // 3 tier 5
      { agentId: 'c', match: { channel: 'discord', guildId: 'G1', roles: ['R1', 'R2'] } }, // 4 tier 4
      { agentId: 'a', match: { channel: 'discord', peer: { kind: 'channel', id: '*' } } }, // 5 tier 3
      { agentId: 'b', match: { channel: 'discord', peer: { kind: 'channel', id: 'P' } } }, // 6 tier 1/2
    ],
  });
  const base = { channel: 'discord', guildId: 'G1', memberRoleIds: ['R2'], teamId: 'T1' };

  it('tier 1: an exact peer binding beats everything', () => {
    expect(router.resolve({ ...base, peer: { kind: 'channel', id: 'P' } })).toMatchObject({
      agentId: 'b',
      matchedBy: 'binding.peer',
      bindingIndex: 6,
    });
  });
  it('tier 2: a thread inherits the binding of its parent channel', () => {
    expect(router.resolve({ ...base, peer: { kind: 'channel', id: 'thread9' }, parentPeer: { kind: 'channel', id: 'P' } })).toMatchObject({
      agentId: 'b',
      matchedBy: 'binding.peer.parent',
      bindingIndex: 6,
    });
  });
  it('tier 3: a wildcard peer binding catches any peer of a compatible kind', () => {
    expect(router.resolve({ ...base, peer: { kind: 'channel', id: 'other' } })).toMatchObject({
      agentId: 'a',
      matchedBy: 'binding.peer.wildcard',
      bindingIndex: 5,
    });
  });
  it('tier 4: guild + roles when the member has any listed role', () => {
    expect(router.resolve(base)).toMatchObject({ agentId: 'c', matchedBy: 'binding.guild+roles', bindingIndex: 4 });
  });
  it('tier 5: guild when no role matches', () => {
    expect(router.resolve({ ...base, memberRoleIds: ['R9'] })).toMatchObject({ agentId: 'b', matchedBy: 'binding.guild', bindingIndex: 3 });
  });
  it('tier 6: team when no guild binding matches', () => {
    expect(router.resolve({ channel: 'discord', guildId: 'G2', teamId: 'T1' })).toMatchObject({
      agentId: 'a',
      matchedBy: 'binding.team',
      bindingIndex: 2,
    });
  });
  it('tier 7: the account binding for the default account', () => {
    expect(router.resolve({ channel: 'discord', guildId: 'G2' })).toMatchObject({
      agentId: 'b',
      matchedBy: 'binding.account',
      bindingIndex: 1,
    });
  });
  it('tier 8: the channel-wide binding for any other account', () => {
    expect(router.resolve({ channel: 'discord', accountId: 'second' })).toMatchObject({
      agentId: 'c',
      matchedBy: 'binding.channel',
      bindingIndex: 0,
    });
  });
  it('tier 9: the default agent when no binding matches, with a null bindingIndex', () => {
    expect(router.resolve({ channel: 'telegram' })).toMatchObject({ agentId: 'main', matchedBy: 'default', bindingIndex: null });
  });
});

describe('inside a tier the first binding in config order wins', () => {
  it('two account bindings for the same account: the earlier one', () => {
    const r = routerFor({
      agents,
      bindings: [
        { agentId: 'a', match: { channel: 'telegram' } },
        { agentId: 'b', match: { channel: 'telegram' } },
      ],
    });
    expect(r.resolve({ channel: 'telegram' })).toMatchObject({ agentId: 'a', bindingIndex: 0 });
  });
  it('a named-account binding and a "*" binding of the same tier: config order decides', () => {
    const r = routerFor({
      agents,
      bindings: [
        { agentId: 'a', match: { channel: 'whatsapp', accountId: '*', peer: { kind: 'group', id: '*' } } },
        { agentId: 'b', match: { channel: 'whatsapp', accountId: 'biz', peer: { kind: 'group', id: '*' } } },
      ],
    });
    expect(r.resolve({ channel: 'whatsapp', accountId: 'biz', peer: { kind: 'group', id: 'x@g.us' } })).toMatchObject({
      agentId: 'a',
      bindingIndex: 0,
    });
  });
  it('roles: the earliest binding among those whose roles the member has', () => {
    const r = routerFor({
      agents,
      bindings: [
        { agentId: 'a', match: { channel: 'discord', guildId: 'G', roles: ['R2'] } },
        { agentId: 'b', match: { channel: 'discord', guildId: 'G', roles: ['R1'] } },
      ],
    });
    expect(r.resolve({ channel: 'discord', guildId: 'G', memberRoleIds: ['R1', 'R2'] })).toMatchObject({ agentId: 'a', bindingIndex: 0 });
  });
});

describe('account scope', () => {
  const r = routerFor({
    agents,
    bindings: [
      { agentId: 'a', match: { channel: 'whatsapp', peer: { kind: 'direct', id: '+15550001' } } },
      { agentId: 'b', match: { channel: 'whatsapp', accountId: '*', peer: { kind: 'direct', id: '+15550002' } } },
    ],
  });
  it('a binding without accountId matches the default account only', () => {
    expect(r.resolve({ channel: 'whatsapp', peer: { kind: 'direct', id: '+15550001' } }).agentId).toBe('a');
    expect(r.resolve({ channel: 'whatsapp', accountId: 'biz', peer: { kind: 'direct', id: '+15550001' } }).agentId).toBe('main');
  });
  it('accountId "*" matches every account', () => {
    expect(r.resolve({ channel: 'whatsapp', accountId: 'biz', peer: { kind: 'direct', id: '+15550002' } }).agentId).toBe('b');
  });
});

describe('AND semantics: every field a binding names must match', () => {
  const r = routerFor({
    agents,
    bindings: [
      { agentId: 'a', match: { channel: 'discord', accountId: 'bot2', peer: { kind: 'channel', id: 'C1' }, guildId: 'G1', roles: ['R1'] } },
    ],
  });
  const full = { channel: 'discord', accountId: 'bot2', peer: { kind: 'channel', id: 'C1' }, guildId: 'G1', memberRoleIds: ['R1'] };
  it('matches when all fields match', () => expect(r.resolve(full).agentId).toBe('a'));
  it('the wrong account fails', () => expect(r.resolve({ ...full, accountId: 'bot1' }).agentId).toBe('main'));
  it('the wrong guild fails', () => expect(r.resolve({ ...full, guildId: 'G2' }).agentId).toBe('main'));
  it('a member without the role fails', () => expect(r.resolve({ ...full, memberRoleIds: ['R2'] }).agentId).toBe('main'));
  it('a wildcard peer with a guild requires the guild', () => {
    const w = routerFor({
      agents,
      bindings: [{ agentId: 'a', match: { channel: 'discord', guildId: 'G1', peer: { kind: 'channel', id: '*' } } }],
    });
    expect(w.resolve({ channel: 'discord', peer: { kind: 'channel', id: 'x' }, guildId: 'G1' })).toMatchObject({
      agentId: 'a',
      matchedBy: 'binding.peer.wildcard',
    });
    expect(w.resolve({ channel: 'discord', peer: { kind: 'channel', id: 'x' }, guildId: 'G2' }).agentId).toBe('main');
  });
});

describe('peer kinds', () => {
  const r = routerFor({
    agents,
    bindings: [
      { agentId: 'a', match: { channel: 'telegram', peer: { kind: 'group', id: '-100' } } },
      { agentId: 'b', match: { channel: 'telegram', peer: { kind: 'dm', id: '42' } } },
      { agentId: 'c', match: { channel: 'telegram', peer: { kind: 'direct', id: '*' } } },
    ],
  });
  it('group and channel kinds match each other', () => {
    expect(r.resolve({ channel: 'telegram', peer: { kind: 'channel', id: '-100' } }).agentId).toBe('a');
  });
  it('a group binding never matches a direct peer with the same id', () => {
    expect(r.resolve({ channel: 'telegram', peer: { kind: 'direct', id: '-100' } }).agentId).toBe('c');
  });
  it('"dm" is the same as "direct", in bindings and in messages', () => {
    expect(r.resolve({ channel: 'telegram', peer: { kind: 'dm', id: '42' } })).toMatchObject({ agentId: 'b', matchedBy: 'binding.peer' });
  });
  it('a direct wildcard does not catch groups', () => {
    expect(r.resolve({ channel: 'telegram', peer: { kind: 'group', id: '-200' } }).agentId).toBe('main');
  });
  it('with no inbound peer, peer bindings (wildcards too) never match', () => {
    expect(r.resolve({ channel: 'telegram' })).toMatchObject({ agentId: 'main', matchedBy: 'default' });
  });
});

describe('normalisation of inbound messages', () => {
  const r = routerFor({
    agents,
    bindings: [
      { agentId: 'a', match: { channel: 'telegram', accountId: 'alerts', peer: { kind: 'direct', id: 123 } } },
      { agentId: 'b', match: { channel: 'discord', peer: { kind: 'channel', id: 'AbC' } } },
    ],
  });
  it('channel and account are trimmed and lower-cased; numeric ids become strings', () => {
    expect(r.resolve({ channel: ' Telegram ', accountId: ' ALERTS ', peer: { kind: 'direct', id: 123 } }).agentId).toBe('a');
    expect(r.resolve({ channel: 'telegram', accountId: 'alerts', peer: { kind: 'direct', id: ' 123 ' } }).agentId).toBe('a');
  });
  it('an empty account is the default account', () => {
    expect(normalizeInbound({ channel: 'telegram', accountId: '  ' }).accountId).toBe('default');
  });
  it('peer ids compare case-sensitively', () => {
    expect(r.resolve({ channel: 'discord', peer: { kind: 'channel', id: 'AbC' } }).agentId).toBe('b');
    expect(r.resolve({ channel: 'discord', peer: { kind: 'channel', id: 'abc' } }).agentId).toBe('main');
  });
  it('an unknown peer kind or channel is refused with the field named', () => {
    expect(() => r.resolve({ channel: 'telegram', peer: { kind: 'room', id: '1' } })).toThrow(RouteInputError);
    expect(() => r.resolve({ channel: 'matrix' })).toThrow(/unknown channel "matrix"/);
  });
});

describe('default agent', () => {
  it('is the first agent with default: true', () => {
    expect(routerFor({ agents: { list: [{ id: 'x' }, { id: 'y', default: true }] } }).resolve({ channel: 'webchat' }).agentId).toBe('y');
  });
  it('is the first listed when none is marked', () => {
    expect(routerFor({ agents: { list: [{ id: 'x' }, { id: 'y' }] } }).resolve({ channel: 'webchat' }).agentId).toBe('x');
  });
  it('is "main" when no agents are configured', () => {
    expect(routerFor({}).resolve({ channel: 'webchat' })).toMatchObject({ agentId: 'main', sessionKey: 'agent:main:main' });
  });
});

describe('session keys', () => {
  const dm = { channel: 'telegram', accountId: 'Alerts', peer: { kind: 'direct', id: 'UserX' } };
  const keyFor = (session: object, input: InboundInput = dm) =>
    routerFor({ agents: { list: [{ id: 'Home' }] }, session }).resolve(input).sessionKey;

  it("dmScope main (default): the router keys direct chats to the main session (the gateway moves a non-owner's DM out, owner-only.test.ts)", () => {
    expect(keyFor({})).toBe('agent:home:main');
  });
  it('session.mainKey renames the main session', () => {
    expect(keyFor({ mainKey: 'Desk' })).toBe('agent:home:desk');
    expect(routerFor({ session: { mainKey: 'Desk' } }).resolve(dm).mainSessionKey).toBe('agent:main:desk');
  });
  it('per-peer', () => expect(keyFor({ dmScope: 'per-peer' })).toBe('agent:home:direct:userx'));
  it('per-channel-peer', () => expect(keyFor({ dmScope: 'per-channel-peer' })).toBe('agent:home:telegram:direct:userx'));
  it('per-account-channel-peer', () =>
    expect(keyFor({ dmScope: 'per-account-channel-peer' })).toBe('agent:home:telegram:alerts:direct:userx'));
  it('a direct message with no peer id uses the main session whatever the scope', () => {
    expect(keyFor({ dmScope: 'per-peer' }, { channel: 'telegram' })).toBe('agent:home:main');
  });
  it('identity links merge one person across channels when dmScope is not main', () => {
    const session = { dmScope: 'per-peer', identityLinks: { alice: ['telegram:111', 'whatsapp:+15550001'] } };
    expect(keyFor(session, { channel: 'telegram', peer: { kind: 'direct', id: '111' } })).toBe('agent:home:direct:alice');
    expect(keyFor(session, { channel: 'whatsapp', peer: { kind: 'direct', id: '+15550001' } })).toBe('agent:home:direct:alice');
    expect(keyFor(session, { channel: 'discord', peer: { kind: 'direct', id: '111' } })).toBe('agent:home:direct:111');
  });
  it('identity links keep the channel in per-channel-peer keys', () => {
    const session = { dmScope: 'per-channel-peer', identityLinks: { alice: ['telegram:111'] } };
    expect(keyFor(session, { channel: 'telegram', peer: { kind: 'direct', id: '111' } })).toBe('agent:home:telegram:direct:alice');
  });
  it('identity links do not apply with dmScope main', () => {
    expect(keyFor({ identityLinks: { alice: ['telegram:111'] } }, { channel: 'telegram', peer: { kind: 'direct', id: '111' } })).toBe(
      'agent:home:main',
    );
  });
  it('groups and channels get their own session per peer, whatever dmScope', () => {
    expect(keyFor({}, { channel: 'whatsapp', peer: { kind: 'group', id: '1203@G.US' } })).toBe('agent:home:whatsapp:group:1203@g.us');
    expect(keyFor({ dmScope: 'per-peer' }, { channel: 'discord', peer: { kind: 'channel', id: '999' } })).toBe(
      'agent:home:discord:channel:999',
    );
  });
  it('an empty group id becomes "unknown"', () => {
    expect(keyFor({}, { channel: 'telegram', peer: { kind: 'group', id: '' } })).toBe('agent:home:telegram:group:unknown');
  });
  it('a Telegram forum topic has its own session and inherits the group binding', () => {
    const r = routerFor({ agents, bindings: [{ agentId: 'a', match: { channel: 'telegram', peer: { kind: 'group', id: '-100' } } }] });
    expect(
      r.resolve({ channel: 'telegram', peer: { kind: 'group', id: '-100:topic:7' }, parentPeer: { kind: 'group', id: '-100' } }),
    ).toMatchObject({ agentId: 'a', matchedBy: 'binding.peer.parent', sessionKey: 'agent:a:telegram:group:-100:topic:7' });
  });
  it('a Discord thread has its own session and inherits the parent channel binding', () => {
    const r = routerFor({ agents, bindings: [{ agentId: 'b', match: { channel: 'discord', peer: { kind: 'channel', id: '555' } } }] });
    expect(
      r.resolve({ channel: 'discord', peer: { kind: 'channel', id: '777' }, parentPeer: { kind: 'channel', id: '555' } }),
    ).toMatchObject({ agentId: 'b', sessionKey: 'agent:b:discord:channel:777' });
  });
  it('an exact binding on the thread itself beats the parent binding', () => {
    const r = routerFor({
      agents,
      bindings: [
        { agentId: 'b', match: { channel: 'discord', peer: { kind: 'channel', id: '555' } } },
        { agentId: 'c', match: { channel: 'discord', peer: { kind: 'channel', id: '777' } } },
      ],
    });
    expect(
      r.resolve({ channel: 'discord', peer: { kind: 'channel', id: '777' }, parentPeer: { kind: 'channel', id: '555' } }),
    ).toMatchObject({ agentId: 'c', matchedBy: 'binding.peer' });
  });
});

describe('ArgentOS channel shorthand', () => {
  it('routes every account of the channel after the explicit bindings', () => {
    const r = routerFor({
      agents: { main: { name: 'Argent' }, work: { name: 'Sentinel' } },
      bindings: [{ agentId: 'main', match: { channel: 'discord', peer: { kind: 'channel', id: 'C' } } }],
      channels: { discord: { agent: 'work' } },
    });
    expect(r.resolve({ channel: 'discord', accountId: 'any' })).toMatchObject({
      agentId: 'work',
      matchedBy: 'binding.channel',
      bindingIndex: 1,
    });
    expect(r.resolve({ channel: 'discord', peer: { kind: 'channel', id: 'C' } })).toMatchObject({ agentId: 'main', bindingIndex: 0 });
  });
});

describe('explain', () => {
  it('lists every binding of the channel with why it did or did not match', () => {
    const r = routerFor({
      agents,
      bindings: [
        { agentId: 'a', match: { channel: 'telegram', accountId: 'x' } },
        { agentId: 'b', match: { channel: 'telegram' } },
        { agentId: 'c', match: { channel: 'discord' } },
      ],
    });
    const e = r.explain({ channel: 'telegram' });
    expect(e.decision).toMatchObject({ agentId: 'b', bindingIndex: 1 });
    expect(e.tier).toBe(7);
    expect(e.candidates.map((c) => c.bindingIndex)).toEqual([0, 1]);
    expect(e.candidates[0]!.evaluation).toEqual({ matched: false, reason: 'account is default, not x' });
    expect(e.candidates[1]!.evaluation).toEqual({ matched: true, tier: 7 });
  });
});

describe('dashboard messages are not routed', () => {
  it('direct() names the agent and its main session with matchedBy "direct"', () => {
    expect(routerFor({ agents }).direct('b')).toMatchObject({
      agentId: 'b',
      sessionKey: 'agent:b:main',
      matchedBy: 'direct',
      bindingIndex: null,
    });
  });
});

describe('the compiled index agrees with the plain rules (seeded random configs)', () => {
  const channels = ['telegram', 'discord', 'whatsapp'];
  const accounts = [undefined, 'default', 'a1', 'a2', '*'];
  const kinds = ['direct', 'group', 'channel', 'dm'];
  // Numeric, so they are valid peer ids on every channel (Telegram peer bindings take ids only).
  const ids = ['11', '12', '13', '*'];
  const guilds = ['g1', 'g2'];
  const roleIds = ['r1', 'r2', 'r3'];

  function randomBinding(r: () => number) {
    const match: Record<string, unknown> = { channel: pick(r, channels) };
    const account = pick(r, accounts);
    if (account !== undefined) match.accountId = account;
    if (r() < 0.5) match.peer = { kind: pick(r, kinds), id: pick(r, ids) };
    if (r() < 0.4) {
      match.guildId = pick(r, guilds);
      if (r() < 0.5) match.roles = roleIds.filter(() => r() < 0.5);
    } else if (r() < 0.2) match.teamId = pick(r, ['t1', 't2']);
    return { agentId: pick(r, ['main', 'a', 'b', 'c']), match };
  }

  function randomInbound(r: () => number): InboundInput {
    const m: InboundInput = { channel: pick(r, channels), accountId: pick(r, [undefined, 'default', 'a1', 'a2', 'zz']) };
    if (r() < 0.8) m.peer = { kind: pick(r, kinds), id: pick(r, ['11', '12', '13', '14']) };
    if (r() < 0.3) m.parentPeer = { kind: pick(r, kinds), id: pick(r, ['11', '12', '13']) };
    if (r() < 0.5) m.guildId = pick(r, [...guilds, 'g3']);
    if (r() < 0.5) m.memberRoleIds = roleIds.filter(() => r() < 0.4);
    if (r() < 0.3) m.teamId = pick(r, ['t1', 't2']);
    return m;
  }

  it('1,000 random configs × 200 messages: same agent, tier and binding', () => {
    const r = rng(20261120);
    let compared = 0;
    for (let c = 0; c < 1000; c++) {
      const bindings = Array.from({ length: 1 + Math.floor(r() * 12) }, () => randomBinding(r));
      const config = validConfig({ agents, bindings });
      const router = compileRouter(config);
      for (let i = 0; i < 200; i++) {
        const input = randomInbound(r);
        const expected = resolveLinear(config.bindings, normalizeInbound(input));
        const got = router.resolve(input);
        expect({ input, bindingIndex: got.bindingIndex, agentId: got.agentId, matchedBy: got.matchedBy }).toEqual({
          input,
          bindingIndex: expected?.binding.index ?? null,
          agentId: expected?.binding.agentId ?? 'main',
          matchedBy: expected ? TIER_NAMES[expected.tier] : 'default',
        });
        compared++;
      }
    }
    expect(compared).toBe(200_000);
  });
});
