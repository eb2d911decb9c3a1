// The wizard's model, without rendering: the would-be config it checks is what the gateway would
// write, the checker's issues land on the field they are about, and edits change only what changed.
import { describe, expect, it } from 'vitest';
import { checkConfigValue } from '../../src-shared/config/index.ts';
import { describeTier, emptyBinding, type DraftBinding } from '../../src-renderer/views/agents/model/bindings.ts';
import {
  buildDraft,
  createParams,
  editPatch,
  emptyForm,
  formFromAgent,
  mergeBindings,
  rebaseBindings,
  type WizardBase,
  type WizardForm,
} from '../../src-renderer/views/agents/model/draft.ts';
import { collectIssues } from '../../src-renderer/views/agents/model/issues.ts';
import {
  effectiveTools,
  nonOwnerTools,
  policyOfPreset,
  presetOf,
  toggleAllowed,
  toggleNonOwner,
  toolsConfig,
  TOOL_PRESETS,
} from '../../src-renderer/views/agents/model/tools.ts';
import { HASH_A, sampleConfig } from './agents-fake-gateway.ts';

function base(raw: Record<string, unknown> = sampleConfig()): WizardBase {
  return { raw, hash: HASH_A, stateDir: '/home/ann/.switchboard', check: checkConfigValue(structuredClone(raw)) };
}

function form(over: Partial<WizardForm> = {}): WizardForm {
  return { ...emptyForm(), id: 'ops', ...over };
}

const telegram = (accountId = 'alerts', over: Partial<DraftBinding> = {}): DraftBinding => ({
  ...emptyBinding('telegram', accountId),
  ...over,
});
const CREATE = { kind: 'create' } as const;

describe('draft of a new agent', () => {
  it('is the snapshot plus the agent with its folders and its bindings appended, as agents.create writes it', () => {
    const raw = sampleConfig({ bindings: [{ agentId: 'main', match: { channel: 'discord' } }] });
    const draft = buildDraft(base(raw), form({ name: 'Ops', bindings: [telegram()] }), CREATE);
    const list = (draft.raw.agents as { list: Record<string, unknown>[] }).list;
    expect(list[1]).toEqual({
      id: 'ops',
      name: 'Ops',
      workspace: '/home/ann/.switchboard/workspace-ops',
      agentDir: '/home/ann/.switchboard/agents/ops/agent',
    });
    expect(draft.raw.bindings).toEqual([
      { agentId: 'main', match: { channel: 'discord' } },
      { agentId: 'ops', match: { channel: 'telegram', accountId: 'alerts' } },
    ]);
    expect(draft.agentPaths).toEqual(['agents.list[1]']);
    expect(raw.bindings).toHaveLength(1);
  });

  it('writes the built-in main agent out first when the config lists none, as the gateway does', () => {
    const draft = buildDraft(base({}), form(), CREATE);
    expect((draft.raw.agents as { list: { id: string; default?: boolean }[] }).list.map((a) => [a.id, a.default])).toEqual([
      ['main', true],
      ['ops', undefined],
    ]);
  });

  it('puts an invalid id under the id field with the checker message and its config path', () => {
    const { byField } = collectIssues(base(), form({ id: 'ops!' }), CREATE);
    expect(byField.id).toEqual([
      expect.objectContaining({
        severity: 'error',
        path: 'agents.list[1].id',
        message: expect.stringContaining('agent id "ops!" is not allowed'),
      }),
    ]);
  });

  it('asks for an id when there is none, without a second message from the checker', () => {
    const { byField } = collectIssues(base(), form({ id: '' }), CREATE);
    expect(byField.id).toHaveLength(1);
    expect(byField.id![0]!.message).toMatch(/^Enter an id/);
  });

  it('refuses an id that is taken', () => {
    const raw = sampleConfig({ agents: { list: [{ id: 'main', default: true }, { id: 'ops' }] } });
    const { byField } = collectIssues(base(raw), form({ id: 'OPS' }), CREATE);
    expect(byField.id![0]!.message).toBe('an agent with the id "ops" already exists; choose another id');
  });

  it('refuses the id main, also while the config lists no agents (it would rewrite the built-in default agent)', () => {
    for (const raw of [sampleConfig(), sampleConfig({ agents: {} })]) {
      const { byField, draft } = collectIssues(base(raw), form({ id: 'Main' }), CREATE);
      expect(byField.id).toEqual([
        expect.objectContaining({ code: 'reserved_agent_id', message: expect.stringContaining('"main" is reserved') }),
      ]);
      expect(draft.raw).toEqual(raw);
    }
  });

  it('warns about a deprecated model on the model field, with its end-of-life date', () => {
    const { byField } = collectIssues(base(), form({ model: 'claude-sonnet-4-5', customModel: false }), CREATE);
    expect(byField.model).toEqual([
      expect.objectContaining({
        severity: 'warning',
        path: 'agents.list[1].model',
        message: expect.stringContaining('November 30th, 2026'),
      }),
    ]);
  });

  it('warns on a binding that an earlier binding shadows, and the error for roles without a guild goes to the roles field', () => {
    const raw = sampleConfig({ bindings: [{ agentId: 'main', match: { channel: 'telegram', accountId: 'alerts' } }] });
    const shadowed = telegram();
    const roles = { ...emptyBinding('discord', 'default'), roles: '123' };
    const { byField } = collectIssues(base(raw), form({ bindings: [shadowed, roles] }), CREATE);
    expect(byField[`binding:${shadowed.key}:row`]![0]).toMatchObject({
      severity: 'warning',
      path: 'bindings[1]',
      message: expect.stringContaining('this binding can never match: bindings[0] (binding.account)'),
    });
    expect(byField[`binding:${roles.key}:roles`]![0]).toMatchObject({
      severity: 'error',
      message: 'roles only apply inside a guild: add match.guildId',
    });
  });

  it('keeps errors the file already had out of the form', () => {
    const raw = sampleConfig({ bindings: [{ agentId: 'ghost', match: { channel: 'telegram', accountId: 'alerts' } }] });
    const { byField } = collectIssues(base(raw), form(), CREATE);
    expect(byField.general).toBeUndefined();
  });

  it('shows the routing tier of a row exactly as the router computes it', () => {
    expect(describeTier(telegram()).name).toBe('binding.account');
    expect(describeTier(telegram('*')).name).toBe('binding.channel');
    expect(describeTier(telegram('alerts', { peerKind: 'group', peerId: '-100' })).tier).toBe(1);
    expect(describeTier(telegram('alerts', { peerKind: 'group', peerId: '*' })).name).toBe('binding.peer.wildcard');
    expect(describeTier({ ...emptyBinding('discord', 'default'), guildId: 'g', roles: 'r1, r2' }).name).toBe('binding.guild+roles');
  });
});

describe('editing an agent', () => {
  const raw = sampleConfig({
    agents: {
      list: [
        { id: 'main', default: true },
        { id: 'ops', name: 'Ops', identity: { emoji: '🛠️', persona: 'Calm.' }, model: 'claude-opus-5-5', tools: { allow: ['read'] } },
      ],
    },
    bindings: [
      { agentId: 'ops', match: { channel: 'telegram', accountId: '*' } },
      { agentId: 'main', match: { channel: 'telegram', accountId: 'alerts' } },
      { agentId: 'ops', match: { channel: 'discord' }, comment: 'kept as written' },
    ],
  });

  it('starts from what the config says', () => {
    const f = formFromAgent(base(raw), 'ops')!;
    expect(f).toMatchObject({
      id: 'ops',
      name: 'Ops',
      emoji: '🛠️',
      persona: 'Calm.',
      model: 'claude-opus-5-5',
      customModel: false,
      makeDefault: false,
      tools: { allow: ['read'], deny: [] },
    });
    expect(f.bindings.map((b) => [b.origin, b.channel, b.accountId])).toEqual([
      [0, 'telegram', '*'],
      [2, 'discord', 'default'],
    ]);
  });

  it('an agent written with { primary, fallbacks } edits its primary; the draft keeps the fallbacks', () => {
    const chained = sampleConfig({
      agents: { list: [{ id: 'main', default: true, model: { primary: 'claude-opus-5-5', fallbacks: ['claude-haiku-5-5'] } }] },
    });
    const initial = formFromAgent(base(chained), 'main')!;
    expect(initial.model).toBe('claude-opus-5-5');
    const draft = buildDraft(base(chained), { ...initial, model: 'claude-sonnet-5-5' }, { kind: 'edit', agentId: 'main' });
    expect(draft.raw.agents).toMatchObject({ list: [{ model: { primary: 'claude-sonnet-5-5', fallbacks: ['claude-haiku-5-5'] } }] });
    expect(checkConfigValue(draft.raw).config!.agents.list[0]).toMatchObject({
      model: 'claude-sonnet-5-5',
      modelFallbacks: ['claude-haiku-5-5'],
    });
  });

  it('patches only what changed; a cleared field and the default tool set become null', () => {
    const initial = formFromAgent(base(raw), 'ops')!;
    expect(editPatch(initial, { ...initial, name: 'Ops Desk' })).toEqual({ name: 'Ops Desk' });
    expect(editPatch(initial, { ...initial, emoji: '', model: '', tools: { deny: [] } })).toEqual({
      emoji: null,
      model: null,
      tools: null,
    });
    expect(editPatch(initial, { ...initial, makeDefault: true })).toEqual({ default: true });
    expect(editPatch(initial, initial)).toEqual({});
  });

  it('merges its bindings in place: untouched ones byte for byte, removed ones gone, new ones last', () => {
    const initial = formFromAgent(base(raw), 'ops')!;
    const copy = structuredClone(raw);
    const added = telegram();
    mergeBindings(copy, 'ops', [initial.bindings[1]!, added]);
    expect(copy.bindings).toEqual([
      { agentId: 'main', match: { channel: 'telegram', accountId: 'alerts' } },
      { agentId: 'ops', match: { channel: 'discord' }, comment: 'kept as written' },
      { agentId: 'ops', match: { channel: 'telegram', accountId: 'alerts' } },
    ]);
  });

  it("says when an edited binding takes over another agent's binding", () => {
    const initial = formFromAgent(base(raw), 'ops')!;
    const edited = { ...initial, bindings: [{ ...initial.bindings[0]!, accountId: 'alerts' }, initial.bindings[1]!] };
    const { byField } = collectIssues(base(raw), edited, { kind: 'edit', agentId: 'ops' });
    expect(byField[`binding:${edited.bindings[0]!.key}:row`]).toEqual([
      expect.objectContaining({
        code: 'shadows_binding',
        message: expect.stringContaining('takes every message of bindings[1] (agent "main", binding.account)'),
      }),
    ]);
  });

  it('re-attaches edited rows after a reload where someone else inserted a binding before them', () => {
    const initial = formFromAgent(base(raw), 'ops')!;
    const rows = [{ ...initial.bindings[0]!, accountId: 'alerts' }, initial.bindings[1]!];
    const next = structuredClone(raw);
    (next.bindings as unknown[]).unshift(
      { agentId: 'main', match: { channel: 'whatsapp' } },
      { agentId: 'ops', match: { channel: 'whatsapp', accountId: 'biz' } },
    );
    const rebased = rebaseBindings(rows, raw, next, 'ops');
    expect(rebased.map((b) => [b.origin, b.channel, b.accountId])).toEqual([
      [2, 'telegram', 'alerts'],
      [4, 'discord', 'default'],
      [1, 'whatsapp', 'biz'],
    ]);
  });
});

describe("the agent page's keys in the draft", () => {
  const raw = sampleConfig({
    agents: {
      defaults: { model: 'claude-sonnet-5-5', owners: ['telegram:99'] },
      list: [
        { id: 'main', default: true },
        {
          id: 'ops',
          model: { primary: 'claude-opus-5-5', fallbacks: ['claude-haiku-5-5'] },
          limits: { dailyTokens: 1000 },
          memory: { pool: 'team' },
        },
      ],
    },
  });
  const EDIT = { kind: 'edit', agentId: 'ops' } as const;

  it('reads what the agent writes itself, not what it inherits', () => {
    const f = formFromAgent(base(raw), 'ops')!;
    expect(f).toMatchObject({
      fallbacks: ['claude-haiku-5-5'],
      owners: '',
      limits: { dailyTokens: '1000', perSenderPerMinute: '' },
      memory: { scope: 'shared', pool: 'team' },
    });
  });

  it('sends only what changed, and a cleared model keeps the fallbacks', () => {
    const initial = formFromAgent(base(raw), 'ops')!;
    expect(editPatch(initial, { ...initial })).toEqual({});
    expect(editPatch(initial, { ...initial, model: '' })).toEqual({ model: null, fallbacks: ['claude-haiku-5-5'] });
    expect(editPatch(initial, { ...initial, fallbacks: [] })).toEqual({ fallbacks: null });
    expect(editPatch(initial, { ...initial, limits: { dailyTokens: '', perSenderPerMinute: '5' } })).toEqual({
      limits: { dailyTokens: null, perSenderPerMinute: 5 },
    });
    expect(editPatch(initial, { ...initial, memory: { scope: 'agent', pool: 'team' } })).toEqual({ memory: null });
    expect(editPatch(initial, { ...initial, owners: ' telegram:1 \n\n discord:2' })).toEqual({ owners: ['telegram:1', 'discord:2'] });
  });

  it("puts the checker's owner error and a limit that is not a number on their fields", () => {
    const initial = formFromAgent(base(raw), 'ops')!;
    const { byField } = collectIssues(
      base(raw),
      { ...initial, owners: 'nope', limits: { dailyTokens: '1e3', perSenderPerMinute: '' } },
      EDIT,
    );
    expect(byField.owners).toEqual([
      expect.objectContaining({ path: 'agents.list[1].owners[0]', message: expect.stringContaining('owner "nope"') }),
    ]);
    expect(byField.limits).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Tokens a day: enter a whole number above 0') }),
    ]);
  });
});

describe('tool presets', () => {
  it('standard is every built-in tool except exec and sessions_send, written as no tools block', () => {
    const standard = policyOfPreset('standard');
    expect(effectiveTools(standard)).not.toContain('exec');
    expect(effectiveTools(standard)).not.toContain('sessions_send');
    expect(effectiveTools(standard)).toContain('write');
    expect(toolsConfig(standard)).toBeUndefined();
  });

  it('read-only and chat-only are the documented allow lists, and a deny list makes it custom', () => {
    expect(toolsConfig(policyOfPreset('read-only'))).toEqual({
      allow: ['read', 'sessions_list', 'sessions_history', 'session_status', 'memory_search', 'task_list'],
    });
    expect(toolsConfig(policyOfPreset('chat-only'))).toEqual({ allow: [] });
    expect(effectiveTools(policyOfPreset('chat-only'))).toEqual([]);
    expect(
      presetOf({ allow: ['task_list', 'read', 'sessions_list', 'sessions_history', 'session_status', 'memory_search'], deny: [] }),
    ).toBe('read-only');
    expect(presetOf({ deny: ['write'] })).toBe('custom');
    expect(effectiveTools({ allow: ['read', 'write'], deny: ['write'] })).toEqual(['read']);
  });

  it('no preset opens an owner-only tool to senders who are not owners', () => {
    for (const p of TOOL_PRESETS) {
      expect(nonOwnerTools(policyOfPreset(p.id)), p.id).toEqual([]);
      expect(toolsConfig(policyOfPreset(p.id))?.nonOwners, p.id).toBeUndefined();
    }
  });

  it('opening write to non-owners is written as tools.nonOwners.allow, keeps the preset, and counts only enabled tools', () => {
    const opened = toggleNonOwner(policyOfPreset('standard'), 'write');
    expect(presetOf(opened)).toBe('standard');
    expect(toolsConfig(opened)).toEqual({ nonOwners: { allow: ['write'] } });
    expect(nonOwnerTools(opened)).toEqual(['write']);
    // exec is not enabled by the standard set: opening it to others changes nothing in effect.
    expect(nonOwnerTools(toggleNonOwner(opened, 'exec'))).toEqual(['write']);
    expect(toolsConfig(toggleNonOwner(opened, 'write'))).toBeUndefined();
  });

  it('toggling a tool off the default set turns it into an explicit list', () => {
    const policy = toggleAllowed(policyOfPreset('standard'), 'write');
    expect(policy.allow).not.toContain('write');
    expect(policy.allow).toContain('read');
    expect(presetOf(policy)).toBe('custom');
  });
});

describe('exec needs the sandbox on Linux and macOS', () => {
  const LINUX = 'Linux x86_64 Mozilla/5.0 (X11; Linux x86_64)';
  const withExec = form({ tools: policyOfPreset('full') });
  it('a new agent with exec cannot be saved on Linux or macOS, and says what to do', () => {
    for (const platform of [LINUX, 'MacIntel Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)']) {
      const { byField } = collectIssues(base(), withExec, CREATE, [], platform);
      expect(byField.tools).toEqual([
        expect.objectContaining({
          severity: 'error',
          code: 'exec_needs_sandbox',
          message: expect.stringMatching(/Every conversation.*under Sandbox/),
        }),
      ]);
    }
  });
  it('without exec, or on Windows (no OS sandbox there: docs/security.md), there is no such error', () => {
    expect(collectIssues(base(), form({ tools: policyOfPreset('standard') }), CREATE, [], LINUX).byField.tools).toBeUndefined();
    expect(collectIssues(base(), withExec, CREATE, [], 'Win32 Mozilla/5.0 (Windows NT 10.0)').byField.tools).toBeUndefined();
  });
  it('an agent whose config sandboxes it may have exec', () => {
    const raw = sampleConfig();
    const list = (raw.agents as { list: Record<string, unknown>[] }).list;
    list.push({ id: 'ops', sandbox: { mode: 'non-main' } });
    // The form opened on that agent carries its mode (formFromAgent); taking it off brings the error back.
    const edit = { kind: 'edit', agentId: 'ops' } as const;
    expect(collectIssues(base(raw), { ...withExec, sandboxMode: 'non-main' }, edit, [], LINUX).byField.tools).toBeUndefined();
    expect(collectIssues(base(raw), { ...withExec, sandboxMode: 'off' }, edit, [], LINUX).byField.tools?.[0]?.code).toBe(
      'exec_needs_sandbox',
    );
  });
  it('a new agent whose form turns the sandbox on may have exec, and the draft and agents.create carry the mode', () => {
    const boxed = { ...withExec, id: 'ops', sandboxMode: 'all' as const };
    const { byField, draft } = collectIssues(base(), boxed, CREATE, [], LINUX);
    expect(byField.tools).toBeUndefined();
    const list = (draft.raw.agents as { list: { id: string; sandbox?: unknown }[] }).list;
    expect(list.find((a) => a.id === 'ops')?.sandbox).toEqual({ mode: 'all' });
    expect(createParams(boxed, 'h').agent.sandbox).toEqual({ mode: 'all' });
    expect(createParams({ ...boxed, sandboxMode: 'off' }, 'h').agent).not.toHaveProperty('sandbox');
  });
});
