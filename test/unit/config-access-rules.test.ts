// Config rules about who reaches an agent: Telegram peer bindings take numeric ids only, and an
// account's own DM/group access settings are never mixed with (or opened by) the channel's.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSenderAccess } from '../../src-main/gateway/access.ts';
import type { InboundEnvelope } from '../../src-main/gateway/envelope.ts';
import { PairingStore } from '../../src-main/gateway/pairing.ts';
import { errorsOf, validConfig, warningsOf } from '../helpers/config.ts';

const bind = (id: string, kind = 'direct', channel = 'telegram') => ({
  agents: { list: [{ id: 'main' }] },
  bindings: [{ agentId: 'main', match: { channel, peer: { kind, id } } }],
});

describe('Telegram peer bindings take numeric ids', () => {
  it('an @username is an error at the peer id, saying why and how to find the numeric id', () => {
    expect(errorsOf(bind('@alice'))).toEqual([
      expect.objectContaining({
        code: 'invalid_peer_id',
        path: ['bindings', 0, 'match', 'peer', 'id'],
        message: expect.stringMatching(/usernames like "@alice" can be changed.*numeric user id.*switchboard pairing list/),
      }),
    ]);
  });

  it('a group named by its @handle gets the hint for chat ids', () => {
    expect(errorsOf(bind('@familychat', 'group'))[0]!.message).toMatch(/numeric chat id .*-1001234567890.*Chats view/);
  });

  it('any other non-numeric id is refused too', () => {
    expect(errorsOf(bind('alice'))).toEqual([
      expect.objectContaining({ code: 'invalid_peer_id', message: expect.stringContaining('"alice" is not a Telegram id') }),
    ]);
  });

  it.each([['123456789'], ['-1001234567890'], ['-1001234567890:topic:7'], ['*']])('%s is accepted', (id) => {
    expect(errorsOf(bind(id, id.startsWith('-') ? 'group' : 'direct'))).toEqual([]);
  });

  it('a numeric id written as a number is accepted', () => {
    expect(errorsOf({ bindings: [{ agentId: 'main', match: { channel: 'telegram', peer: { kind: 'dm', id: 42 } } }] })).toEqual([]);
  });

  it('other channels keep their own id forms', () => {
    expect(errorsOf(bind('1203630000000001@g.us', 'group', 'whatsapp'))).toEqual([]);
  });
});

describe('an account’s access settings win as a whole over the channel’s', () => {
  let stateDir: string;
  let pairing: PairingStore;
  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'sb-access-rules-'));
    pairing = new PairingStore({ stateDir });
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  const dm = (accountId: string, senderId: string): InboundEnvelope => ({
    messageId: `m-${senderId}`,
    channel: 'telegram',
    accountId,
    peer: { kind: 'direct', id: senderId },
    sender: { id: senderId, verified: true },
    text: 'hello',
    mentioned: false,
    timestamp: Date.now(),
  });

  const raw = {
    channels: {
      telegram: {
        dmPolicy: 'open',
        allowFrom: ['*'],
        accounts: {
          private: { botToken: { secret: 'telegram/private' }, dmPolicy: 'pairing' },
          public: { botToken: { secret: 'telegram/public' } },
        },
      },
    },
  };

  it('dmPolicy "pairing" on the account is not opened by the channel’s allowFrom ["*"]', async () => {
    const accounts = validConfig(raw).channels.telegram!.accounts;
    expect(accounts.private).toMatchObject({ dmPolicy: 'pairing', allowFrom: [] });
    const decision = await checkSenderAccess(dm('private', '777'), accounts.private!, pairing);
    expect(decision).toMatchObject({ allowed: false, reason: 'pairing_pending' });
  });

  it('an account that sets no DM access inherits the channel’s whole (and is open here)', async () => {
    const accounts = validConfig(raw).channels.telegram!.accounts;
    expect(accounts.public).toMatchObject({ dmPolicy: 'open', allowFrom: ['*'] });
    expect(await checkSenderAccess(dm('public', '777'), accounts.public!, pairing)).toEqual({ allowed: true });
  });

  it('config validate warns where an inherited wildcard opens an account, and only there', () => {
    expect(warningsOf(raw)).toEqual([
      expect.objectContaining({
        code: 'inherited_wildcard',
        path: ['channels', 'telegram', 'accounts', 'public'],
        message: expect.stringContaining('account "public" inherits allowFrom: ["*"] from channels.telegram'),
      }),
    ]);
  });

  it('an account’s own allowFrom replaces the channel’s list instead of adding to it', () => {
    const config = validConfig({
      channels: { telegram: { dmPolicy: 'allowlist', allowFrom: ['1'], accounts: { a: { botToken: { secret: 's' }, allowFrom: ['2'] } } } },
    });
    // dmPolicy comes with the group: the account did not set one, so it is the default, pairing.
    expect(config.channels.telegram!.accounts.a).toMatchObject({ dmPolicy: 'pairing', allowFrom: ['2'] });
  });

  it('group access is one unit too: an account’s groupPolicy drops the channel’s groupAllowFrom ["*"]', () => {
    const check = {
      channels: {
        telegram: {
          groupAllowFrom: ['*'],
          groups: { '*': { requireMention: false } },
          accounts: { a: { botToken: { secret: 's' }, groupPolicy: 'allowlist' }, b: { botToken: { secret: 't' } } },
        },
      },
    };
    const accounts = validConfig(check).channels.telegram!.accounts;
    expect(accounts.a).toMatchObject({ groupPolicy: 'allowlist', groupAllowFrom: [], groups: {} });
    expect(accounts.b).toMatchObject({ groupAllowFrom: ['*'], groups: { '*': { requireMention: false } } });
    expect(warningsOf(check)).toEqual([
      expect.objectContaining({
        code: 'inherited_wildcard',
        path: ['channels', 'telegram', 'accounts', 'b'],
        message: expect.stringContaining('groupAllowFrom'),
      }),
    ]);
  });

  it('dmPolicy "open" on an account needs its own "*" (a channel wildcard does not confirm it)', () => {
    const errors = errorsOf({
      channels: { telegram: { allowFrom: ['*'], accounts: { a: { botToken: { secret: 's' }, dmPolicy: 'open' } } } },
    });
    expect(errors).toEqual([
      expect.objectContaining({ code: 'open_without_wildcard', path: ['channels', 'telegram', 'accounts', 'a', 'dmPolicy'] }),
    ]);
  });
});
