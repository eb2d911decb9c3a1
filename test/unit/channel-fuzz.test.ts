// The map-or-quarantine boundary of each channel under seeded malformed payloads: thousands of
// mutated Telegram updates, Discord MESSAGE_CREATE payloads, Slack events and WhatsApp messages. None may throw;
// each is a sound envelope, deliberately ignored, or unreadable (what the adapter quarantines).
import { describe, expect, it } from 'vitest';
import { readMessage as readDiscord } from '../../src-main/channels/discord/mapping.ts';
import type { MapOutcome } from '../../src-main/channels/map-boundary.ts';
import { readEvent as readSlack } from '../../src-main/channels/slack/mapping.ts';
import { readUpdate, type BotIdentity } from '../../src-main/channels/telegram/mapping.ts';
import { readMessage as readWhatsApp } from '../../src-main/channels/whatsapp/mapping.ts';
import type { InboundEnvelope } from '../../src-main/gateway/envelope.ts';
import { dmFromLid, dmFromPn, groupMessage, mentionText, text } from '../fixtures/whatsapp/messages.ts';
import { Fuzzer } from '../helpers/fuzz.ts';
import { tg } from '../peers/telegram.ts';

const CASES = 4000;
const MEDIA_KINDS = ['image', 'voice', 'audio', 'video', 'file', 'sticker'];

const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;

/**
 * What the gateway relies on, checked here independently of the boundary's own schema: the
 * name of the first broken rule, or undefined. (Plain checks: thousands of expect() calls are slow.)
 */
function unsound(e: InboundEnvelope, channel: string): string | undefined {
  if (!nonEmpty(e.messageId)) return 'messageId';
  if (e.channel !== channel) return 'channel';
  if (!['direct', 'group', 'channel'].includes(e.peer.kind) || !nonEmpty(e.peer.id)) return 'peer';
  if (!nonEmpty(e.sender.id) || typeof e.sender.verified !== 'boolean') return 'sender';
  if (typeof e.text !== 'string') return 'text';
  if (typeof e.mentioned !== 'boolean') return 'mentioned';
  if (!Number.isFinite(e.timestamp)) return 'timestamp';
  if ((e.media ?? []).some((m) => !MEDIA_KINDS.includes(m.kind))) return 'media';
  return undefined;
}

interface Tally {
  envelope: number;
  ignored: number;
  unreadable: number;
}

/**
 * Runs `CASES` mutations of the templates through `read`; returns how the outcomes fell. `check`
 * names what is wrong with an outcome (undefined: nothing); the first such case fails the test.
 */
function fuzz(
  seed: number,
  templates: unknown[],
  read: (raw: unknown) => MapOutcome,
  check: (raw: unknown, o: MapOutcome) => string | undefined,
): Tally {
  const f = new Fuzzer(seed);
  const tally: Tally = { envelope: 0, ignored: 0, unreadable: 0 };
  for (let i = 0; i < CASES; i++) {
    const raw = f.mutate(f.pick(templates));
    let outcome: MapOutcome;
    try {
      outcome = read(raw);
    } catch (err) {
      throw new Error(
        `case ${i} (seed ${seed}) threw past the boundary: ${(err as Error).message}\n${JSON.stringify(raw)?.slice(0, 2000)}`,
        { cause: err },
      );
    }
    if ('envelope' in outcome) tally.envelope++;
    else if ('ignored' in outcome) tally.ignored++;
    else tally.unreadable++;
    const problem = 'unreadable' in outcome && !nonEmpty(outcome.unreadable) ? 'unreadable without a reason' : check(raw, outcome);
    if (problem) expect.fail(`case ${i} (seed ${seed}): ${problem}\n${JSON.stringify(raw)?.slice(0, 2000)}`);
  }
  return tally;
}

/** Every kind of outcome must be reached, or the fuzzer is not exercising the mapper. */
function expectSpread(t: Tally): void {
  expect(t.envelope + t.ignored + t.unreadable).toBe(CASES);
  expect(t.envelope).toBeGreaterThan(CASES / 40);
  expect(t.unreadable).toBeGreaterThan(CASES / 40);
}

describe('Telegram updates', () => {
  const BOT: BotIdentity = { accountId: 'default', id: 999, username: 'home_bot' };
  const alice = tg.user(111, 'Alice', 'alice');
  const group = tg.group(-4242);
  const forum = tg.supergroup(-1001234, 'Forum', true);
  const at = (m: object) => ({ message_id: 7, date: 1_700_000_000, ...m });
  const templates: unknown[] = [
    { update_id: 1, message: at(tg.text(tg.privateChat(alice), alice, 'hi')) },
    { update_id: 2, message: at(tg.mention(group, alice, 'home_bot', 'ping')) },
    {
      update_id: 3,
      message: at(
        tg.text(group, alice, 'Bot hi', {
          entities: [{ type: 'text_mention', offset: 0, length: 3, user: { id: 999, is_bot: true, first_name: 'B' } }],
        }),
      ),
    },
    {
      update_id: 4,
      message: at({
        chat: group,
        from: alice,
        caption: 'look',
        photo: [{ file_id: 'a', file_unique_id: 'a', width: 90, height: 90, file_size: 10 }],
      }),
    },
    {
      update_id: 5,
      message: at({ chat: group, from: alice, voice: { file_id: 'v', file_unique_id: 'v', duration: 3, mime_type: 'audio/ogg' } }),
    },
    {
      update_id: 6,
      message: at({
        chat: forum,
        from: alice,
        text: 'topic',
        is_topic_message: true,
        message_thread_id: 77,
        reply_to_message: at({ chat: forum, from: alice }),
      }),
    },
    {
      update_id: 7,
      edited_channel_post: at({ chat: tg.channel(-100999), sender_chat: tg.channel(-100999), text: 'edited', edit_date: 1_700_000_100 }),
    },
    {
      update_id: 8,
      message: at({
        chat: group,
        from: alice,
        document: { file_id: 'd', file_unique_id: 'd', file_name: 'a.pdf' },
        animation: { file_id: 'g', file_unique_id: 'g', width: 1, height: 1, duration: 1 },
      }),
    },
  ];

  it('the templates themselves map to envelopes', () => {
    for (const t of templates) expect(readUpdate(t, BOT)).toHaveProperty('envelope');
  });

  it('the poison updates that used to wedge the bot are unreadable, naming the field', () => {
    const poison = (m: object) => readUpdate({ update_id: 9, message: at(m) }, BOT);
    expect(poison({ chat: group, from: alice, text: 'x', entities: [{ type: 'text_mention', offset: 0, length: 1 }] })).toEqual({
      unreadable: expect.stringContaining('message.entities.0.user: a text_mention entity without user'),
    });
    expect(poison({ chat: group, from: alice, photo: { file_id: 'a' } })).toEqual({ unreadable: expect.stringContaining('message.photo') });
    expect(poison({ from: alice, text: 'no chat' })).toEqual({ unreadable: expect.stringContaining('message.chat') });
    expect(readUpdate({ update_id: 10, poll: {} }, BOT)).toEqual({ ignored: expect.any(String) });
  });

  it(`${CASES} seeded malformed updates: never a throw; an envelope only when the adapter can use it`, () => {
    const tally = fuzz(
      0x7e1e,
      templates,
      (raw) => readUpdate(raw, BOT),
      (raw, outcome) => {
        if (!('envelope' in outcome)) return undefined;
        // The adapter downloads a photo from the raw update after mapping: it must be a list then;
        // and the update id moves the offset.
        const u = raw as { update_id: unknown; message?: { photo?: unknown }; channel_post?: { photo?: unknown } };
        const photo = (u.message ?? u.channel_post)?.photo;
        if (photo !== undefined && !Array.isArray(photo)) return 'an envelope for a photo that is not a list';
        if (!Number.isSafeInteger(u.update_id)) return 'an envelope for an update without an id';
        return unsound(outcome.envelope, 'telegram');
      },
    );
    expectSpread(tally);
  });
});

describe('Discord MESSAGE_CREATE payloads', () => {
  const ctx = { accountId: 'default', botUserId: '900', botRoleIds: ['41'] };
  const base = {
    id: '7001',
    channel_id: '300',
    author: { id: '500', username: 'ann', global_name: 'Ann' },
    content: 'hello',
    timestamp: '2025-01-02T03:04:05.000Z',
    type: 0,
  };
  const templates: unknown[] = [
    { ...base, channel_type: 1 },
    { ...base, guild_id: '100', member: { roles: ['41'], nick: null }, mentions: [{ id: '900' }], mention_roles: ['41'] },
    {
      ...base,
      channel_type: 3,
      content: '',
      attachments: [{ filename: 'a.png', content_type: 'image/png', size: 5, url: 'http://x/a.png' }],
    },
    { ...base, guild_id: '100', webhook_id: '9', author: { id: '501', username: 'hook', bot: true }, type: 19 },
  ];

  it('the templates themselves map to envelopes', () => {
    for (const t of templates) expect(readDiscord(t, ctx)).toHaveProperty('envelope');
  });

  it(`${CASES} seeded malformed payloads: never a throw; envelopes are sound`, () => {
    const tally = fuzz(
      0xd15c,
      templates,
      (raw) => readDiscord(raw, ctx),
      (_raw, outcome) => ('envelope' in outcome ? unsound(outcome.envelope, 'discord') : undefined),
    );
    expectSpread(tally);
  });
});

describe('Slack events_api payloads', () => {
  const ctx = { accountId: 'default', botUserId: 'UBOT', botId: 'BBOT' };
  const event = {
    type: 'message',
    channel: 'C100',
    channel_type: 'channel',
    user: 'U500',
    text: 'hello',
    ts: '1700000000.000100',
    team: 'T1',
  };
  const payload = (e: Record<string, unknown>) => ({ team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: 'Ev1', event: e });
  const templates: unknown[] = [
    payload(event),
    payload({ ...event, channel: 'D100', channel_type: 'im', thread_ts: '1699999999.000001' }),
    payload({ ...event, type: 'app_mention', channel_type: undefined, text: '<@UBOT> hi', thread_ts: '1699999999.000001' }),
    payload({ ...event, channel_type: 'mpim', subtype: 'file_share', text: '', files: [{ name: 'a.png', mimetype: 'image/png' }] }),
    payload({ ...event, user: 'UBOT', bot_id: 'BBOT' }),
  ];

  it('the templates themselves map to envelopes', () => {
    for (const t of templates) expect(readSlack(t, ctx)).toHaveProperty('envelope');
  });

  it(`${CASES} seeded malformed payloads: never a throw; envelopes are sound, threads carry their channel as parent`, () => {
    const tally = fuzz(
      0x51ac,
      templates,
      (raw) => readSlack(raw, ctx),
      (_raw, outcome) => {
        if (!('envelope' in outcome)) return undefined;
        const e = outcome.envelope;
        if (e.peer.id.includes(':thread:') && !e.parentPeer) return 'thread without parentPeer';
        return unsound(e, 'slack');
      },
    );
    expectSpread(tally);
  });
});

describe('WhatsApp messages', () => {
  const ctx = {
    accountId: 'personal',
    self: { pn: '15550000001:7@s.whatsapp.net', lid: '900000000001:7@lid' },
    pnForLid: new Map<string, string>(),
    now: 1,
  };
  const plain = (m: object) => JSON.parse(JSON.stringify(m)) as unknown;
  const templates: unknown[] = [
    // As Baileys delivers it: `message` is a proto.Message instance.
    dmFromPn('15551234567', text('as decoded')),
    plain(dmFromPn('15551234567', text('hi'), { pushName: 'Ada' })),
    plain(dmFromLid('123456789012345', mentionText('hey', ['15550000001@s.whatsapp.net']), { pn: '15551234567' })),
    plain(
      groupMessage('120363000000000001@g.us', '15551234567@s.whatsapp.net', { imageMessage: { caption: 'pic', mimetype: 'image/jpeg' } }),
    ),
    plain(
      dmFromPn('15551234567', {
        ephemeralMessage: { message: { extendedTextMessage: { text: 'vanishing', contextInfo: { mentionedJid: [] } } } },
      }),
    ),
    plain(dmFromPn('15551234567', { documentMessage: { fileName: 'a.pdf', caption: 'doc' } })),
  ];

  it('the templates themselves map to envelopes', () => {
    for (const t of templates) expect(readWhatsApp(t, ctx)).toHaveProperty('envelope');
  });

  it(`${CASES} seeded malformed messages: never a throw; envelopes are sound`, () => {
    const tally = fuzz(
      0x3a7,
      templates,
      (raw) => readWhatsApp(raw, ctx),
      (_raw, outcome) => ('envelope' in outcome ? unsound(outcome.envelope, 'whatsapp') : undefined),
    );
    expectSpread(tally);
  });
});
