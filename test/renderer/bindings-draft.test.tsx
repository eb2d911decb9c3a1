// The binding editor's model (src-renderer/views/bindings/draft.ts) and the route tester's use of
// the real router: reordering, how the checker's problems land on rows and fields, how a form
// becomes a binding, and what the tester decides for a few messages.
import { describe, expect, it } from 'vitest';
import {
  EMPTY_TESTER,
  analyzeDraft,
  bindingOf,
  formOf,
  moveBy,
  moveToGap,
  rowTier,
  type DraftRow,
  type RawBinding,
  type TesterInput,
} from '../../src-renderer/views/bindings/draft.ts';
import { runRouteTest } from '../../src-renderer/views/bindings/RouteTester.tsx';

const RAW = {
  agents: {
    list: [
      { id: 'main', default: true },
      { id: 'ops', name: 'Ops', identity: { emoji: '🛠' } },
    ],
  },
  channels: { telegram: { accounts: { default: { enabled: false }, alerts: { enabled: false } } } },
};

const rows = (...bindings: RawBinding[]): DraftRow[] => bindings.map((binding, i) => ({ key: `k${i}`, binding }));
const tg = (agentId: string, match: Partial<RawBinding['match']> = {}): RawBinding => ({
  agentId,
  match: { channel: 'telegram', ...match },
});

describe('reordering', () => {
  it('moves a row into a gap, counting gaps before the move', () => {
    expect(moveToGap(['a', 'b', 'c'], 0, 3)).toEqual(['b', 'c', 'a']);
    expect(moveToGap(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveToGap(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'a', 'c']);
  });

  it('leaves the order alone for the gaps right around the row and for out-of-range moves', () => {
    expect(moveToGap(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'b', 'c']);
    expect(moveToGap(['a', 'b', 'c'], 1, 2)).toEqual(['a', 'b', 'c']);
    expect(moveToGap(['a', 'b', 'c'], 5, 0)).toEqual(['a', 'b', 'c']);
  });

  it('moves one place up or down and stops at the ends', () => {
    expect(moveBy(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveBy(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveBy(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveBy(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });
});

describe('checking the draft', () => {
  it('puts an unknown agent on its row and field, with the config path and a suggestion', () => {
    const a = analyzeDraft(RAW, rows(tg('ops'), tg('opz', { accountId: 'alerts' })));
    expect(a.config).toBeUndefined();
    expect(a.rows[0]).toEqual([]);
    expect(a.rows[1]).toEqual([
      expect.objectContaining({ severity: 'error', code: 'unknown_agent', field: 'agentId', path: 'bindings[1].agentId' }),
    ]);
    expect(a.rows[1]![0]!.message).toContain('did you mean "ops"');
  });

  it('puts roles without a guild on the roles field', () => {
    const a = analyzeDraft(RAW, rows(tg('ops', { roles: ['admin'] })));
    expect(a.rows[0]).toContainEqual(
      expect.objectContaining({ code: 'roles_without_guild', field: 'roles', path: 'bindings[0].match.roles' }),
    );
  });

  it('marks a shadowed binding with the binding that shadows it, even while another row has an error', () => {
    const a = analyzeDraft(RAW, rows(tg('ops', { accountId: 'alerts' }), tg('main', { accountId: 'alerts' }), tg('nobody')));
    expect(a.shadowedBy.get(1)).toBe(0);
    expect(a.rows[1]).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'shadowed_binding', field: 'binding' }));
    expect(a.errorCount).toBe(1);
  });

  it('warns about an account the channel does not define, without blocking', () => {
    const a = analyzeDraft(RAW, rows(tg('ops', { accountId: 'biz' })));
    expect(a.config).toBeDefined();
    expect(a.rows[0]).toEqual([expect.objectContaining({ severity: 'warning', code: 'unknown_account', field: 'accountId' })]);
  });

  it('lists channel shorthands after the explicit bindings, with their own problems', () => {
    const raw = { ...RAW, channels: { ...RAW.channels, discord: { agent: 'ghost' } } };
    const a = analyzeDraft(raw, rows(tg('ops')));
    expect(a.shorthands).toEqual([expect.objectContaining({ index: 1, channel: 'discord', agentId: 'ghost' })]);
    expect(a.shorthands[0]!.issues).toContainEqual(expect.objectContaining({ code: 'unknown_agent', path: 'channels.discord.agent' }));
    expect(a.otherErrors).toEqual([]);
  });

  it('reports errors elsewhere in the config separately', () => {
    const raw = { ...RAW, session: { dmScope: 'everyone' } };
    const a = analyzeDraft(raw, rows(tg('ops')));
    expect(a.otherErrors.map((i) => i.path)).toEqual([['session', 'dmScope']]);
  });
});

describe('the add/edit form', () => {
  it('writes what the form says, leaving out empty fields', () => {
    const form = { ...formOf(tg('ops')), accountId: 'alerts', peerKind: 'group', peerId: ' -100123 ', roles: '' };
    expect(bindingOf(form)).toEqual({
      agentId: 'ops',
      match: { channel: 'telegram', accountId: 'alerts', peer: { kind: 'group', id: '-100123' } },
    });
  });

  it('keeps how unchanged parts were written: no accountId stays unwritten, numbers stay numbers', () => {
    const original: RawBinding = { agentId: 'ops', match: { channel: 'discord', guildId: 123456, roles: [7, 'mods'] }, comment: 'staff' };
    expect(bindingOf(formOf(original), original)).toEqual(original);
  });

  it('reads `dm` as a direct peer and splits roles on commas and spaces', () => {
    const form = formOf({ agentId: 'ops', match: { channel: 'discord', peer: { kind: 'dm', id: '42' } } });
    expect(form.peerKind).toBe('direct');
    expect(bindingOf({ ...form, peerKind: '', peerId: '', guildId: '9', roles: 'a, b  c' }).match.roles).toEqual(['a', 'b', 'c']);
  });

  it('knows the tier of a row, even one with errors', () => {
    expect(rowTier(tg('x', { peer: { kind: 'group', id: '*' } }))).toBe(3);
    expect(rowTier(tg('x', { roles: ['a'] }))).toBe(7);
    expect(rowTier({ agentId: 'x', match: { channel: 'discord', guildId: '1', roles: ['a'] } })).toBe(4);
    expect(rowTier(tg('x', { accountId: '*' }))).toBe(8);
  });
});

describe('the route tester', () => {
  const config = analyzeDraft(RAW, rows(tg('ops', { peer: { kind: 'group', id: '-100' } }), tg('ops', { accountId: 'alerts' }))).config!;
  const test = (input: Partial<TesterInput>) => runRouteTest(config, { ...EMPTY_TESTER, ...input });

  it('names the binding, tier and group session for a group message', () => {
    const t = test({ peerKind: 'group', peerId: '-100' });
    expect(t.kind).toBe('ok');
    if (t.kind !== 'ok') return;
    expect(t.explanation.decision).toMatchObject({
      agentId: 'ops',
      bindingIndex: 0,
      matchedBy: 'binding.peer',
      sessionKey: 'agent:ops:telegram:group:-100',
      mainSessionKey: 'agent:ops:main',
    });
  });

  it('normalises the account like the gateway does', () => {
    const t = test({ accountId: '  ALERTS ', peerKind: 'direct', peerId: '5' });
    expect(t.kind === 'ok' && t.explanation.decision).toMatchObject({
      agentId: 'ops',
      bindingIndex: 1,
      matchedBy: 'binding.account',
      sessionKey: 'agent:ops:main',
    });
  });

  it('falls back to the default agent when nothing matches, and says why each binding did not', () => {
    const t = test({ peerKind: 'direct', peerId: '5' });
    if (t.kind !== 'ok') throw new Error(t.kind);
    expect(t.explanation.decision).toMatchObject({ agentId: 'main', bindingIndex: null, matchedBy: 'default' });
    expect(t.explanation.candidates.map((c) => c.evaluation)).toEqual([
      { matched: false, reason: 'peer direct:5 is not group:-100' },
      { matched: false, reason: 'account is default, not alerts' },
    ]);
  });

  it('uses the parent peer for a thread or topic', () => {
    const t = test({ peerKind: 'group', peerId: '-100:topic:7', parentKind: 'group', parentId: '-100' });
    expect(t.kind === 'ok' && t.explanation.decision).toMatchObject({
      bindingIndex: 0,
      matchedBy: 'binding.peer.parent',
      sessionKey: 'agent:ops:telegram:group:-100:topic:7',
    });
  });

  it('says there is nothing to test without a valid config', () => {
    expect(runRouteTest(undefined, EMPTY_TESTER)).toEqual({ kind: 'no-config' });
  });
});
