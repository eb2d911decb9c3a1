// Telegram update → InboundEnvelope: peers, sender trust, mentions, edits and media placeholders;
// and the outbox's pacing, driven by a hand-moved clock.
import type { Message, Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { chatTarget, telegramMessageId, updateToEnvelope, type BotIdentity } from '../../src-main/channels/telegram/mapping.ts';
import { maskToken } from '../../src-main/channels/telegram/errors.ts';
import { Outbox, type OutboxLimits } from '../../src-main/channels/telegram/outbox.ts';
import { tg } from '../peers/telegram.ts';

const BOT: BotIdentity = { accountId: 'biz', id: 999, username: 'Helper_Bot' };
const alice = tg.user(111, 'Alice', 'alice');
const dm = tg.privateChat(alice);
const group = tg.group(-4242, 'Friends');
const forum = tg.supergroup(-1001234, 'Forum', true);
const botUser = { id: BOT.id, is_bot: true, first_name: 'Helper', username: BOT.username };

let nextId = 1;
const withIds = (m: Message): Message => ({ ...m, message_id: nextId++, date: 1_700_000_000 });
const asMessage = (m: Message): Update => ({ update_id: 1, message: withIds(m) }) as Update;
const map = (m: Message) => updateToEnvelope(asMessage(m), BOT)!;

describe('Telegram envelope mapping', () => {
  it('a DM has the sender as its direct peer and a verified sender', () => {
    const env = map(tg.text(dm, alice, 'hi'));
    expect(env).toMatchObject({
      channel: 'telegram',
      accountId: 'biz',
      peer: { kind: 'direct', id: '111' },
      text: 'hi',
      kind: 'message',
      timestamp: 1_700_000_000_000,
    });
    expect(env.sender).toEqual({ id: '111', name: 'Alice', username: 'alice', verified: true });
    expect(env.parentPeer).toBeUndefined();
  });

  it('a group or supergroup message has the chat as its group peer', () => {
    expect(map(tg.text(group, alice, 'x')).peer).toEqual({ kind: 'group', id: '-4242' });
    expect(map(tg.text(tg.supergroup(-1009), alice, 'x')).peer).toEqual({ kind: 'group', id: '-1009' });
  });

  it('a forum topic message is its own peer with the group as parent', () => {
    const env = map(tg.topic(forum, 77, alice, 'in a topic'));
    expect(env.peer).toEqual({ kind: 'group', id: '-1001234:topic:77' });
    expect(env.parentPeer).toEqual({ kind: 'group', id: '-1001234' });
  });

  it('a reply thread in a non-forum supergroup is not a topic', () => {
    const env = map(tg.text(tg.supergroup(-1009), alice, 'x', { message_thread_id: 5 }));
    expect(env.peer).toEqual({ kind: 'group', id: '-1009' });
  });

  it('an anonymous admin is unverified and carries the group id, not a user id', () => {
    const env = map(tg.anonymousAdmin(group, 'from an admin'));
    expect(env.sender).toMatchObject({ id: '-4242', verified: false });
    expect(env.sender.isBot).toBeUndefined();
  });

  it('a channel post has the channel as peer and an unverified sender', () => {
    const env = updateToEnvelope({ update_id: 1, channel_post: withIds(tg.channelPost(tg.channel(-100777), 'news')) } as Update, BOT)!;
    expect(env.peer).toEqual({ kind: 'channel', id: '-100777' });
    expect(env.sender.verified).toBe(false);
  });

  it('via_bot and forwarded messages are unverified', () => {
    expect(map(tg.viaBot(dm, alice, 'gif', tg.user(5, 'gif'))).sender).toMatchObject({ id: '111', verified: false });
    expect(map(tg.forwarded(dm, alice, 'fwd', tg.user(6, 'Bob'))).sender).toMatchObject({ id: '111', verified: false });
  });

  it('another bot is marked as a bot, and the bot itself as self', () => {
    expect(map(tg.text(group, { ...tg.user(5, 'Other'), is_bot: true }, 'x')).sender.isBot).toBe(true);
    expect(map(tg.text(group, botUser, 'x')).sender.isSelf).toBe(true);
  });

  it('an @botname mention entity counts as a mention, case-insensitively', () => {
    expect(map(tg.mention(group, alice, 'helper_bot', 'hello')).mentioned).toBe(true);
  });

  it('a mention of someone else, or the name without an entity, does not', () => {
    expect(map(tg.mention(group, alice, 'someone_else', 'hello')).mentioned).toBe(false);
    expect(map(tg.text(group, alice, '@Helper_Bot hi')).mentioned).toBe(false);
  });

  it('a reply to one of the bot messages counts as a mention', () => {
    const botMessage = withIds(tg.text(group, botUser, 'earlier answer'));
    expect(map(tg.reply(group, alice, 'thanks', botMessage)).mentioned).toBe(true);
    expect(map(tg.reply(group, alice, 'thanks', withIds(tg.text(group, alice, 'mine')))).mentioned).toBe(false);
  });

  it('a /command@botname counts as a mention', () => {
    const m = tg.text(group, alice, '/status@Helper_Bot', { entities: [{ type: 'bot_command', offset: 0, length: 18 }] });
    expect(map(m).mentioned).toBe(true);
  });

  it('an edit is kind edit with its own message id', () => {
    const original = withIds(tg.text(dm, alice, 'new text'));
    const env = updateToEnvelope({ update_id: 2, edited_message: { ...original, edit_date: 1_700_000_100 } } as Update, BOT)!;
    expect(env).toMatchObject({ kind: 'edit', text: 'new text', timestamp: 1_700_000_100_000 });
    expect(env.messageId).not.toBe(`111:${original.message_id}`);
  });

  it('media become placeholder lines before the caption, with media items', () => {
    expect(map(tg.photo(dm, alice, 'look')).text).toBe('[photo]\nlook');
    expect(map(tg.voice(dm, alice, 12))).toMatchObject({ text: '[voice note, 12 s]', media: [{ kind: 'voice', duration: 12 }] });
    expect(map(tg.document(dm, alice, 'name.pdf'))).toMatchObject({
      text: '[file: name.pdf]',
      media: [{ kind: 'file', fileName: 'name.pdf' }],
    });
    expect(map(tg.sticker(dm, alice, '😀')).text).toBe('[sticker 😀]');
  });

  it('updates without a message are ignored', () => {
    expect(updateToEnvelope({ update_id: 3 } as Update, BOT)).toBeUndefined();
  });

  it('message ids carry the chat and parse back to the Telegram id', () => {
    const env = map(tg.text(group, alice, 'x'));
    expect(env.messageId).toMatch(/^-4242:\d+$/);
    expect(telegramMessageId(env.messageId)).toBe(Number(env.messageId.split(':')[1]));
  });

  it('a peer id parses back to chat and topic', () => {
    expect(chatTarget({ kind: 'group', id: '-1001234:topic:77' })).toEqual({ chatId: '-1001234', threadId: 77 });
    expect(chatTarget({ kind: 'direct', id: '111' })).toEqual({ chatId: '111' });
  });

  it('error texts never show the token', () => {
    const token = '123456:AAH-secret_value';
    expect(maskToken(`request to http://x/bot${token}/getUpdates failed`, token)).toBe('request to http://x/bot<token>/getUpdates failed');
    expect(maskToken('GET /bot987:XYZ-abc/getMe', '')).toBe('GET /bot<token>/getMe');
  });
});

describe('Telegram outbox pacing', () => {
  const limits: OutboxLimits = { perChatIntervalMs: 1000, groupMax: 2, groupWindowMs: 60_000, retryAfterUnitMs: 1, maxAttempts: 3 };
  const settle = () => new Promise((r) => setTimeout(r, 30));

  function outbox(overrides: Partial<OutboxLimits> = {}) {
    let now = 0;
    const sleepers: { until: number; wake: () => void }[] = [];
    const clock = {
      now: () => now,
      sleep: (ms: number) =>
        new Promise<boolean>((resolve) => {
          sleepers.push({ until: now + ms, wake: () => resolve(true) });
        }),
    };
    const advance = (ms: number) => {
      now += ms;
      for (const due of sleepers.filter((x) => x.until <= now)) {
        sleepers.splice(sleepers.indexOf(due), 1);
        due.wake();
      }
    };
    const sent: string[] = [];
    const box = new Outbox(
      { ...limits, ...overrides },
      (err) => (err as { retryAfter?: number }).retryAfter,
      new AbortController().signal,
      clock,
    );
    const part = (text: string) => async () => {
      sent.push(text);
    };
    return { box, sent, part, advance };
  }

  it('a second message to the same chat waits for the per-chat interval', async () => {
    const { box, sent, part, advance } = outbox();
    const done = box.enqueue('111', false, [part('a'), part('b')]);
    await settle();
    expect(sent).toEqual(['a']);
    advance(1000);
    await done;
    expect(sent).toEqual(['a', 'b']);
  });

  it('a group gets no more than groupMax messages per window', async () => {
    const { box, sent, part, advance } = outbox({ perChatIntervalMs: 0 });
    const done = box.enqueue('-4242', true, [part('1'), part('2'), part('3')]);
    await settle();
    expect(sent).toEqual(['1', '2']);
    advance(60_000);
    await done;
    expect(sent).toEqual(['1', '2', '3']);
  });

  it('different chats do not wait for each other', async () => {
    const { box, sent, part } = outbox();
    void box.enqueue('111', false, [part('a1'), part('a2')]);
    await box.enqueue('222', false, [part('b1')]);
    expect(sent).toEqual(['a1', 'b1']);
  });

  it('a 429 resends the same part before the next one', async () => {
    const { box, sent, part, advance } = outbox({ perChatIntervalMs: 0 });
    let failed = false;
    const flaky = async () => {
      if (!failed) {
        failed = true;
        throw Object.assign(new Error('429'), { retryAfter: 1 });
      }
      sent.push('first');
    };
    const done = box.enqueue('111', false, [flaky, part('second')]);
    await settle();
    expect(sent).toEqual([]);
    advance(limits.retryAfterUnitMs);
    await done;
    expect(sent).toEqual(['first', 'second']);
  });
});
