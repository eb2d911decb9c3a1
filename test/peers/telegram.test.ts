// The local Telegram Bot API peer, checked with grammy itself (and raw HTTP for form bodies).
import { Api, Bot, GrammyError, HttpError } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { startTelegramPeer, tg, type TelegramPeer } from './telegram.ts';

let peer: TelegramPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const alice = tg.user(111, 'Alice', 'alice');

async function setup() {
  peer = await startTelegramPeer();
  const bot = peer.addBot('helper_bot');
  const api = new Api(bot.token, { apiRoot: peer.url });
  return { peer, bot, api };
}

describe('Telegram peer', () => {
  it('answers getMe for a known token and 401 Unauthorized for any other', async () => {
    const { peer, bot, api } = await setup();
    expect(await api.getMe()).toMatchObject({ id: bot.id, is_bot: true, username: 'helper_bot' });
    const err = await new Api('123:wrong', { apiRoot: peer.url }).getMe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrammyError);
    expect((err as GrammyError).error_code).toBe(401);
  });

  it('holds a long poll until an update arrives', async () => {
    const { bot, api } = await setup();
    const poll = api.getUpdates({ timeout: 10 });
    await bot.waitForPoll();
    bot.message(tg.text(tg.privateChat(alice), alice, 'hello'));
    const updates = await poll;
    expect(updates.map((u) => u.message?.text)).toEqual(['hello']);
  });

  it('drops updates confirmed by a higher offset and keeps the others', async () => {
    const { bot, api } = await setup();
    bot.message(tg.text(tg.privateChat(alice), alice, 'one'));
    bot.message(tg.text(tg.privateChat(alice), alice, 'two'));
    const first = await api.getUpdates({ timeout: 0 });
    expect(first).toHaveLength(2);
    const again = await api.getUpdates({ offset: first[0]!.update_id + 1, timeout: 0 });
    expect(again.map((u) => u.message?.text)).toEqual(['two']);
    expect(await api.getUpdates({ offset: first[1]!.update_id + 1, timeout: 0 })).toEqual([]);
  });

  it('delivers only the update kinds named in allowed_updates', async () => {
    const { bot, api } = await setup();
    const sent = bot.message(tg.text(tg.privateChat(alice), alice, 'original'));
    bot.edit(sent, 'edited');
    const updates = await api.getUpdates({ timeout: 0, allowed_updates: ['edited_message'] });
    expect(updates.map((u) => u.edited_message?.text)).toEqual(['edited']);
  });

  it('a second getUpdates terminates the held one with 409 Conflict', async () => {
    const { bot, api } = await setup();
    const first = api.getUpdates({ timeout: 10 }).catch((e: unknown) => e);
    await bot.waitForPoll();
    const second = api.getUpdates({ timeout: 0 });
    expect(((await first) as GrammyError).error_code).toBe(409);
    expect(await second).toEqual([]);
  });

  it('records sendMessage with its reply and topic and returns the Message', async () => {
    const { bot, api } = await setup();
    const message = await api.sendMessage(-100200, 'hi topic', { message_thread_id: 7, reply_parameters: { message_id: 42 } });
    expect(message).toMatchObject({
      chat: { id: -100200, type: 'supergroup' },
      text: 'hi topic',
      message_thread_id: 7,
      from: { id: bot.id },
    });
    expect(bot.sent).toEqual([{ chatId: '-100200', text: 'hi topic', messageId: message.message_id, replyTo: 42, threadId: 7 }]);
    expect(await api.sendChatAction(-100200, 'typing')).toBe(true);
  });

  it('scripted 429 carries retry_after, and the next call succeeds', async () => {
    const { bot, api } = await setup();
    bot.failNext('sendMessage', { kind: 'error', code: 429, retryAfter: 3 });
    const err = (await api.sendMessage(1, 'x').catch((e: unknown) => e)) as GrammyError;
    expect([err.error_code, err.parameters.retry_after]).toEqual([429, 3]);
    await api.sendMessage(1, 'x');
    expect(bot.sent.map((m) => m.text)).toEqual(['x']);
  });

  it('a dropped connection reaches grammy as an HttpError', async () => {
    const { bot, api } = await setup();
    const poll = api.getUpdates({ timeout: 10 }).catch((e: unknown) => e);
    await bot.waitForPoll();
    expect(bot.dropPolls()).toBe(1);
    expect(await poll).toBeInstanceOf(HttpError);
  });

  it('accepts form-encoded bodies like any Bot API client may send', async () => {
    const { peer, bot } = await setup();
    const res = await fetch(`${peer.url}/bot${bot.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: '111', text: 'form', reply_parameters: '{"message_id":5}' }).toString(),
    });
    expect(await res.json()).toMatchObject({ ok: true, result: { text: 'form' } });
    expect(bot.sent[0]).toMatchObject({ chatId: '111', text: 'form', replyTo: 5 });
  });

  it("keeps each bot's updates apart", async () => {
    const { peer, bot, api } = await setup();
    const other = peer.addBot('other_bot');
    other.message(tg.text(tg.privateChat(alice), alice, 'for the other bot'));
    expect(await api.getUpdates({ timeout: 0 })).toEqual([]);
    expect(await new Api(other.token, { apiRoot: peer.url }).getUpdates({ timeout: 0 })).toHaveLength(1);
    expect(bot.pending).toHaveLength(0);
  });

  it("runs grammy's own Bot (polling, ctx.reply) unmodified", async () => {
    const { peer, bot: peerBot } = await setup();
    const bot = new Bot(peerBot.token, { client: { apiRoot: peer.url } });
    bot.on('message:text', (ctx) => ctx.reply(`you said ${ctx.message.text}`));
    const running = bot.start({ timeout: 1 });
    peerBot.message(tg.text(tg.privateChat(alice), alice, 'ping'));
    for (let i = 0; i < 500 && peerBot.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await bot.stop();
    await running;
    expect(peerBot.sent).toMatchObject([{ chatId: '111', text: 'you said ping' }]);
  });
});
