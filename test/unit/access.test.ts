// Sender access (dmPolicy, groupPolicy, allowlists, DM pairing) and the per-agent mention gate,
// with a real PairingStore in a temp state dir and an injected clock.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentConfig, ChannelAccount } from '../../src-shared/config/index.ts';
import { checkSenderAccess, passesMentionGate } from '../../src-main/gateway/access.ts';
import type { InboundEnvelope, SenderInfo } from '../../src-main/gateway/envelope.ts';
import { PAIRING_TTL_MS, PairingStore } from '../../src-main/gateway/pairing.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
let stateDir: string;
let now: number;
let pairing: PairingStore;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'sb-access-'));
  now = T0;
  pairing = new PairingStore({ stateDir, clock: () => now });
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

function account(over: Partial<ChannelAccount> = {}): ChannelAccount {
  return {
    channel: 'telegram',
    accountId: 'default',
    enabled: true,
    dmPolicy: 'pairing',
    allowFrom: [],
    groupPolicy: 'allowlist',
    groupAllowFrom: [],
    groups: {},
    settings: {},
    secrets: {},
    ...over,
  };
}

function dm(senderId: string, over: Partial<InboundEnvelope> = {}, sender: Partial<SenderInfo> = {}): InboundEnvelope {
  return {
    messageId: `m${Math.random()}`,
    channel: 'telegram',
    accountId: 'default',
    peer: { kind: 'direct', id: senderId },
    sender: { id: senderId, verified: true, ...sender },
    text: 'hello',
    mentioned: false,
    timestamp: now,
    ...over,
  };
}

function group(groupId: string, senderId: string, over: Partial<InboundEnvelope> = {}, sender: Partial<SenderInfo> = {}): InboundEnvelope {
  return dm(senderId, { peer: { kind: 'group', id: groupId }, ...over }, sender);
}

function agent(mentionPatterns: string[] = []): AgentConfig {
  return {
    id: 'main',
    default: true,
    identity: {},
    groupChat: { mentionPatterns },
    tools: { deny: [], nonOwners: { allow: [] }, exec: { unsandboxed: false } },
    memory: { scope: 'agent' },
    tasks: { scope: 'agent' },
    sandbox: { mode: 'off', network: { allow: [] } },
    authProfiles: { scope: 'agent' },
    owners: [],
    limits: {},
    reset: {},
    subagents: { maxSpawnDepth: 1, maxConcurrent: 8, maxChildrenPerAgent: 5 },
  };
}

const check = (env: InboundEnvelope, acc: ChannelAccount) => checkSenderAccess(env, acc, pairing, now);

describe('direct messages', () => {
  it('dmPolicy "disabled" drops every DM', async () => {
    expect(await check(dm('42'), account({ dmPolicy: 'disabled', allowFrom: ['42'] }))).toEqual({ allowed: false, reason: 'dm_disabled' });
  });

  it('dmPolicy "open" lets anyone in', async () => {
    expect(await check(dm('42'), account({ dmPolicy: 'open', allowFrom: ['*'] }))).toEqual({ allowed: true });
  });

  it('dmPolicy "allowlist" admits a listed sender (ids compared after trimming)', async () => {
    expect(await check(dm('42'), account({ dmPolicy: 'allowlist', allowFrom: [' 42 '] }))).toEqual({ allowed: true });
  });

  it('dmPolicy "allowlist" drops an unlisted sender without a reply', async () => {
    expect(await check(dm('43'), account({ dmPolicy: 'allowlist', allowFrom: ['42'] }))).toEqual({
      allowed: false,
      reason: 'not_allowlisted',
    });
  });

  it('dmPolicy "pairing" admits a sender listed in allowFrom without a code', async () => {
    expect(await check(dm('42'), account({ allowFrom: ['42'] }))).toEqual({ allowed: true });
    expect(await pairing.list()).toEqual([]);
  });

  it('pairing: the first message of an unknown sender gets a reply with a code and how to approve it', async () => {
    const decision = await check(dm('42'), account({ accountId: 'work' }));
    const [pending] = await pairing.list('telegram', 'work');
    expect(decision).toMatchObject({ allowed: false, reason: 'pairing_pending' });
    expect(pending?.code).toBeDefined();
    const reply = 'reply' in decision ? (decision.reply ?? '') : '';
    expect(reply).toContain(pending?.code);
    expect(reply).toContain(`switchboard pairing approve telegram ${pending?.code} --account work`);
    expect(reply).toContain('dashboard');
  });

  it('pairing: a second message from the same pending sender is dropped with no reply', async () => {
    await check(dm('42'), account());
    expect(await check(dm('42'), account())).toEqual({ allowed: false, reason: 'pairing_pending' });
  });

  it('pairing: once the owner approves the code, the next message goes through', async () => {
    await check(dm('42'), account());
    const [pending] = await pairing.list();
    await pairing.approve('telegram', pending?.code ?? '', 'default');
    expect(await check(dm('42'), account())).toEqual({ allowed: true });
  });

  it('pairing: after the code expires (1 h) the sender gets a new code and a new reply', async () => {
    await check(dm('42'), account());
    const [first] = await pairing.list();
    now = T0 + PAIRING_TTL_MS;
    const decision = await check(dm('42'), account());
    const [second] = await pairing.list();
    expect(second?.code).not.toBe(first?.code);
    expect(decision).toMatchObject({ reason: 'pairing_pending', reply: expect.stringContaining(second?.code ?? '-') });
  });

  it('pairing: with 3 codes pending, a fourth sender gets no code (pairing_limit, told once)', async () => {
    for (const id of ['1', '2', '3']) await check(dm(id), account());
    const first = await check(dm('4'), account());
    const second = await check(dm('4'), account());
    expect(first).toMatchObject({ allowed: false, reason: 'pairing_limit', reply: expect.stringContaining('too many pending') });
    expect(second).toEqual({ allowed: false, reason: 'pairing_limit' });
    expect((await pairing.list()).map((p) => p.senderId)).toEqual(['1', '2', '3']);
  });

  it('pairing: approval is per account (approved on A is still unknown on B)', async () => {
    await check(dm('42'), account({ accountId: 'a' }));
    const [pending] = await pairing.list();
    await pairing.approve('telegram', pending?.code ?? '', 'a');
    expect(await check(dm('42'), account({ accountId: 'a' }))).toEqual({ allowed: true });
    expect(await check(dm('42'), account({ accountId: 'b' }))).toMatchObject({ allowed: false, reason: 'pairing_pending' });
  });

  it('pairing: a message whose text is the pending code approves nothing', async () => {
    await check(dm('42'), account());
    const [pending] = await pairing.list();
    const decision = await check(dm('42', { text: pending?.code ?? '' }), account());
    expect(decision).toEqual({ allowed: false, reason: 'pairing_pending' });
    expect(await pairing.isApproved('telegram', 'default', '42')).toBe(false);
    expect(await pairing.list()).toHaveLength(1);
  });

  it('an unverified sender whose id is allowlisted is refused', async () => {
    const env = dm('42', {}, { verified: false });
    expect(await check(env, account({ dmPolicy: 'allowlist', allowFrom: ['42'] }))).toEqual({
      allowed: false,
      reason: 'unverified_sender',
    });
  });

  it('an unverified sender whose id was approved by pairing is refused and gets no code', async () => {
    await check(dm('42'), account());
    const [pending] = await pairing.list();
    await pairing.approve('telegram', pending?.code ?? '', 'default');
    expect(await check(dm('42', {}, { verified: false }), account())).toEqual({ allowed: false, reason: 'unverified_sender' });
  });

  it('drops messages from this account itself', async () => {
    expect(await check(dm('42', {}, { isSelf: true }), account({ dmPolicy: 'open', allowFrom: ['*'] }))).toEqual({
      allowed: false,
      reason: 'self',
    });
  });

  it('drops messages from bots, even allowlisted ones', async () => {
    expect(await check(dm('42', {}, { isBot: true }), account({ allowFrom: ['42'] }))).toEqual({ allowed: false, reason: 'bot' });
    expect(await check(group('-100', '42', {}, { isBot: true }), account({ groupPolicy: 'open' }))).toEqual({
      allowed: false,
      reason: 'bot',
    });
  });
});

describe('groups', () => {
  it('groupPolicy "disabled" drops every group message', async () => {
    expect(await check(group('-100', '42'), account({ groupPolicy: 'disabled', groups: { '-100': {} } }))).toEqual({
      allowed: false,
      reason: 'group_disabled',
    });
  });

  it('groupPolicy "open" admits any group', async () => {
    expect(await check(group('-100', '42'), account({ groupPolicy: 'open' }))).toEqual({ allowed: true });
  });

  it('groupPolicy "allowlist" (default) drops a group that is not listed', async () => {
    expect(await check(group('-100', '42'), account({ groups: { '-200': {} } }))).toEqual({
      allowed: false,
      reason: 'group_not_allowlisted',
    });
  });

  it('groupPolicy "allowlist" admits a group listed under groups', async () => {
    expect(await check(group('-100', '42'), account({ groups: { '-100': {} } }))).toEqual({ allowed: true });
  });

  it('groups["*"] admits every group', async () => {
    expect(await check(group('-100', '42'), account({ groups: { '*': { requireMention: true } } }))).toEqual({ allowed: true });
  });

  it('a topic is admitted through the entry of its parent group', async () => {
    const env = group('-100:topic:7', '42', { parentPeer: { kind: 'group', id: '-100' } });
    expect(await check(env, account({ groups: { '-100': {} } }))).toEqual({ allowed: true });
  });

  it('allow: false on a group refuses it even when "*" is listed', async () => {
    expect(await check(group('-100', '42'), account({ groups: { '*': {}, '-100': { allow: false } } }))).toEqual({
      allowed: false,
      reason: 'group_not_allowlisted',
    });
  });

  it('groupAllowFrom restricts who may talk in an allowlisted group', async () => {
    const acc = account({ groups: { '-100': {} }, groupAllowFrom: ['42'] });
    expect(await check(group('-100', '42'), acc)).toEqual({ allowed: true });
    expect(await check(group('-100', '43'), acc)).toEqual({ allowed: false, reason: 'sender_not_allowlisted' });
  });

  it("a group entry's allowFrom restricts who may talk in that group", async () => {
    const acc = account({ groups: { '-100': { allowFrom: ['7'] } } });
    expect(await check(group('-100', '7'), acc)).toEqual({ allowed: true });
    expect(await check(group('-100', '42'), acc)).toEqual({ allowed: false, reason: 'sender_not_allowlisted' });
  });

  it('an unverified sender never passes a group sender restriction', async () => {
    const acc = account({ groups: { '-100': {} }, groupAllowFrom: ['42'] });
    expect(await check(group('-100', '42', {}, { verified: false }), acc)).toEqual({ allowed: false, reason: 'unverified_sender' });
  });

  it('DM pairing approval does not grant group access', async () => {
    await check(dm('42'), account());
    const [pending] = await pairing.list();
    await pairing.approve('telegram', pending?.code ?? '', 'default');
    expect(await check(group('-100', '42'), account())).toEqual({ allowed: false, reason: 'group_not_allowlisted' });
    const restricted = account({ groups: { '-100': {} }, groupAllowFrom: ['7'] });
    expect(await check(group('-100', '42'), restricted)).toEqual({ allowed: false, reason: 'sender_not_allowlisted' });
  });

  it('a Discord channel listed under settings.guilds is allowlisted; its guild users restrict senders', async () => {
    const acc = account({
      channel: 'discord',
      settings: { guilds: { g1: { users: ['42'], channels: { c1: { allow: true }, c2: { allow: false } } } } },
    });
    const env = (channelId: string, sender: string): InboundEnvelope => group(channelId, sender, { channel: 'discord', guildId: 'g1' });
    expect(await check(env('c1', '42'), acc)).toEqual({ allowed: true });
    expect(await check(env('c1', '43'), acc)).toEqual({ allowed: false, reason: 'sender_not_allowlisted' });
    expect(await check(env('c2', '42'), acc)).toEqual({ allowed: false, reason: 'group_not_allowlisted' });
    expect(await check(env('c3', '42'), acc)).toEqual({ allowed: false, reason: 'group_not_allowlisted' });
  });

  it('a Discord guild role list admits members holding one of the roles', async () => {
    const acc = account({ channel: 'discord', settings: { guilds: { g1: { roles: ['r1'] } } } });
    const env = group('c1', '43', { channel: 'discord', guildId: 'g1', memberRoleIds: ['r0', 'r1'] });
    expect(await check(env, acc)).toEqual({ allowed: true });
    expect(await check({ ...env, memberRoleIds: ['r0'] }, acc)).toEqual({ allowed: false, reason: 'sender_not_allowlisted' });
  });
});

describe('mention gate', () => {
  const acc = account({ groups: { '*': {} } });

  it('direct messages always pass', () => {
    expect(passesMentionGate(dm('42'), acc, agent())).toBe(true);
  });

  it('a group message without a mention is held back by default', () => {
    expect(passesMentionGate(group('-100', '42', { text: 'hello everyone' }), acc, agent(['@bot']))).toBe(false);
  });

  it('a native mention (or reply to the bot) passes', () => {
    expect(passesMentionGate(group('-100', '42', { mentioned: true }), acc, agent())).toBe(true);
  });

  it("the agent's mentionPatterns match case-insensitively, as whole words", () => {
    const a = agent(['Jarvis']);
    expect(passesMentionGate(group('-100', '42', { text: 'hey JARVIS, what time is it?' }), acc, a)).toBe(true);
    expect(passesMentionGate(group('-100', '42', { text: 'jarvisification' }), acc, a)).toBe(false);
  });

  it('a pattern with regex metacharacters is matched literally', () => {
    const a = agent(['@bot.+']);
    expect(passesMentionGate(group('-100', '42', { text: 'ping @bot.+ now' }), acc, a)).toBe(true);
    expect(passesMentionGate(group('-100', '42', { text: 'ping @botty now' }), acc, a)).toBe(false);
    expect(passesMentionGate(group('-100', '42', { text: 'ping @bot.xyz now' }), acc, a)).toBe(false);
  });

  it('an empty or whitespace pattern matches nothing', () => {
    expect(passesMentionGate(group('-100', '42', { text: 'anything' }), acc, agent(['', '   ']))).toBe(false);
  });

  it('requireMention: false on the group lets messages through without a mention', () => {
    const relaxed = account({ groups: { '*': { requireMention: true }, '-100': { requireMention: false } } });
    expect(passesMentionGate(group('-100', '42'), relaxed, agent())).toBe(true);
    expect(passesMentionGate(group('-200', '42'), relaxed, agent())).toBe(false);
  });

  it("a topic takes requireMention from its parent group's entry", () => {
    const relaxed = account({ groups: { '-100': { requireMention: false } } });
    const env = group('-100:topic:7', '42', { parentPeer: { kind: 'group', id: '-100' } });
    expect(passesMentionGate(env, relaxed, agent())).toBe(true);
  });

  it('Discord: a channel requireMention beats its guild requireMention', () => {
    const discord = account({
      channel: 'discord',
      settings: { guilds: { g1: { requireMention: false, channels: { c1: { requireMention: true } } } } },
    });
    const env = (c: string): InboundEnvelope => group(c, '42', { channel: 'discord', guildId: 'g1' });
    expect(passesMentionGate(env('c1'), discord, agent())).toBe(false);
    expect(passesMentionGate(env('c2'), discord, agent())).toBe(true);
  });
});
