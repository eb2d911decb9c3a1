// The pure Discord mapping: MESSAGE_CREATE payloads (wire shape) → InboundEnvelope, exactly as the
// router and access policy need them (DM / guild channel / thread / group DM, roles, mentions).
import { describe, expect, it } from 'vitest';
import { CHANNEL_TYPE, toEnvelope, type DiscordRawMessage, type MappingContext } from '../../src-main/channels/discord/mapping.ts';

const BOT = '900';
const ctx = (extra: Partial<MappingContext> = {}): MappingContext => ({ accountId: 'default', botUserId: BOT, ...extra });
const msg = (extra: Partial<DiscordRawMessage> = {}): DiscordRawMessage => ({
  id: '7001',
  channel_id: '300',
  author: { id: '500', username: 'ann', global_name: 'Ann' },
  content: 'hello',
  timestamp: '2025-01-02T03:04:05.000Z',
  mentions: [],
  mention_roles: [],
  type: 0,
  ...extra,
});
const guildMsg = (extra: Partial<DiscordRawMessage> = {}) => msg({ guild_id: '100', member: { roles: ['41', '42'] }, ...extra });

describe('discord message → envelope', () => {
  it('a DM is a direct peer keyed by the sender id', () => {
    const env = toEnvelope(msg({ channel_type: CHANNEL_TYPE.DM }), ctx());
    expect(env).toMatchObject({
      channel: 'discord',
      accountId: 'default',
      messageId: '7001',
      peer: { kind: 'direct', id: '500' },
      text: 'hello',
      timestamp: Date.parse('2025-01-02T03:04:05.000Z'),
    });
    expect(env?.guildId).toBeUndefined();
  });

  it('a guild text channel message is a channel peer with the guild and the member role ids', () => {
    const env = toEnvelope(guildMsg(), ctx({ channel: { type: CHANNEL_TYPE.GuildText } }));
    expect(env).toMatchObject({ peer: { kind: 'channel', id: '300' }, guildId: '100', memberRoleIds: ['41', '42'] });
    expect(env?.parentPeer).toBeUndefined();
  });

  it('a thread message is the thread peer with its parent channel as parentPeer', () => {
    const env = toEnvelope(guildMsg({ channel_id: '310' }), ctx({ channel: { type: CHANNEL_TYPE.PublicThread, parentId: '300' } }));
    expect(env).toMatchObject({ peer: { kind: 'channel', id: '310' }, parentPeer: { kind: 'channel', id: '300' }, guildId: '100' });
  });

  it('a group DM is a group peer keyed by the channel id', () => {
    expect(toEnvelope(msg({ channel_id: '320', channel_type: CHANNEL_TYPE.GroupDM }), ctx())?.peer).toEqual({ kind: 'group', id: '320' });
  });

  it('the channel cache wins over the payload channel_type', () => {
    expect(toEnvelope(msg({ channel_id: '320' }), ctx({ channel: { type: CHANNEL_TYPE.GroupDM } }))?.peer).toEqual({
      kind: 'group',
      id: '320',
    });
  });

  it('senders are verified; display name prefers the guild nickname', () => {
    expect(toEnvelope(guildMsg({ member: { roles: [], nick: 'Annie' } }), ctx())?.sender).toEqual({
      id: '500',
      name: 'Annie',
      username: 'ann',
      verified: true,
    });
    expect(toEnvelope(msg(), ctx())?.sender.name).toBe('Ann');
  });

  it('a native mention of the bot user sets mentioned', () => {
    expect(toEnvelope(guildMsg({ mentions: [{ id: BOT }] }), ctx())?.mentioned).toBe(true);
    expect(toEnvelope(guildMsg({ mentions: [{ id: '501' }] }), ctx())?.mentioned).toBe(false);
  });

  it("a mention of one of the bot's roles sets mentioned", () => {
    expect(toEnvelope(guildMsg({ mention_roles: ['77'] }), ctx({ botRoleIds: ['77'] }))?.mentioned).toBe(true);
    expect(toEnvelope(guildMsg({ mention_roles: ['78'] }), ctx({ botRoleIds: ['77'] }))?.mentioned).toBe(false);
  });

  it("the bot's own message is marked isSelf (and isBot)", () => {
    expect(toEnvelope(guildMsg({ author: { id: BOT, username: 'me', bot: true } }), ctx())?.sender).toMatchObject({
      isSelf: true,
      isBot: true,
    });
  });

  it('another bot or a webhook is marked isBot, not isSelf', () => {
    expect(toEnvelope(guildMsg({ author: { id: '901', username: 'other', bot: true } }), ctx())?.sender).toMatchObject({ isBot: true });
    expect(toEnvelope(guildMsg({ webhook_id: '55' }), ctx())?.sender.isBot).toBe(true);
    expect(toEnvelope(guildMsg({ author: { id: '901', username: 'other', bot: true } }), ctx())?.sender.isSelf).toBeUndefined();
  });

  it('system messages and empty messages (no Message Content) are not handed on', () => {
    expect(toEnvelope(guildMsg({ type: 7 }), ctx())).toBeUndefined();
    expect(toEnvelope(guildMsg({ content: '' }), ctx())).toBeUndefined();
  });

  it('replies (type 19) are ordinary messages', () => {
    expect(toEnvelope(guildMsg({ type: 19 }), ctx())?.text).toBe('hello');
  });

  it('attachments become media items by content type', () => {
    const env = toEnvelope(
      msg({
        content: '',
        attachments: [
          { filename: 'a.png', content_type: 'image/png' },
          { filename: 'v.ogg', content_type: 'audio/ogg', duration_secs: 3 },
          { filename: 'x.zip' },
        ],
      }),
      ctx(),
    );
    expect(env?.media).toEqual([
      { kind: 'image', fileName: 'a.png', mimeType: 'image/png' },
      { kind: 'voice', fileName: 'v.ogg', mimeType: 'audio/ogg', duration: 3 },
      { kind: 'file', fileName: 'x.zip' },
    ]);
  });
});
