// The dashboard's chats through a real headless gateway (docs/architecture.md#sessions-from-the-inspector):
// a second web chat with the same agent is a session of its own, a session is renamed (a title in
// the index, the key unchanged, kept by an index rebuild), sessions are searched by title and by
// message text, and a message sent before the agent had an API key is left out of the next turn.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { describeWithKeyring, startKeyring, type Keyring } from '../helpers/keyring.ts';

const MAIN = 'agent:main:main';
const CHAT_A = 'agent:main:webchat:chat-a1b2c3';
const CHAT_B = 'agent:main:webchat:chat-d4e5f6';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function chat(g: TestGateway, text: string, sessionKey?: string) {
  const sent = await g.client.request('webchat.send', { agentId: 'main', text, ...(sessionKey ? { sessionKey } : {}) });
  await g.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
  return sent;
}

const texts = async (g: TestGateway, sessionKey: string) =>
  (await g.client.request('sessions.history', { agentId: 'main', sessionKey, limit: 100 })).records
    .filter((r) => r.type === 'message')
    .map((r) => r.text);

describe('several web chats with one agent', () => {
  it('keeps each chat a session of its own: its own transcript, and its own history for the model', async () => {
    gw = await startTestGateway();
    await chat(gw, 'first chat, first message', CHAT_A);
    await chat(gw, 'second chat, first message', CHAT_B);
    await chat(gw, 'first chat again', CHAT_A);
    expect(await texts(gw, CHAT_A)).toEqual([
      'first chat, first message',
      'echo: first chat, first message',
      'first chat again',
      'echo: first chat again',
    ]);
    expect(await texts(gw, CHAT_B)).toEqual(['second chat, first message', 'echo: second chat, first message']);
    // The model saw only chat A's history on the third turn, nothing of chat B.
    const third = JSON.stringify(gw.peer.requests[2]!.body!.messages);
    expect(third).toContain('first chat, first message');
    expect(third).not.toContain('second chat');
    const keys = (await gw.client.request('sessions.list', { agentId: 'main' })).sessions.map((s) => s.key);
    expect(keys.sort()).toEqual([CHAT_A, CHAT_B]);
  });
});

describe('sessions.rename', () => {
  it('sets a title the list shows, keeps the key, and the title survives an index rebuild', async () => {
    gw = await startTestGateway();
    await chat(gw, 'plan the trip', CHAT_A);
    expect(await gw.client.request('sessions.rename', { agentId: 'main', sessionKey: CHAT_A, title: '  Trip   to Lisbon ' })).toEqual({
      agentId: 'main',
      sessionKey: CHAT_A,
      title: 'Trip to Lisbon',
    });
    const listed = (await gw.client.request('sessions.list', { agentId: 'main' })).sessions;
    expect(listed).toEqual([expect.objectContaining({ key: CHAT_A, title: 'Trip to Lisbon', messages: 2 })]);
    const store = await gw.headless.gateway.storeFor('main');
    await store.rebuildIndex();
    expect(store.get(CHAT_A)).toMatchObject({ title: 'Trip to Lisbon', messages: 2 });
    // Writing on goes to the same session.
    await chat(gw, 'and the hotel?', CHAT_A);
    expect((await texts(gw, CHAT_A)).at(-2)).toBe('and the hotel?');
  });

  it('clears the title with an empty one', async () => {
    gw = await startTestGateway();
    await chat(gw, 'hello', CHAT_A);
    await gw.client.request('sessions.rename', { agentId: 'main', sessionKey: CHAT_A, title: 'Named' });
    expect(await gw.client.request('sessions.rename', { agentId: 'main', sessionKey: CHAT_A, title: '   ' })).toMatchObject({
      title: null,
    });
    expect((await gw.client.request('sessions.list', { agentId: 'main' })).sessions[0]!.title).toBeUndefined();
  });

  it('refuses a missing session, an archived one and a title too long, saying which', async () => {
    gw = await startTestGateway();
    await expect(gw.client.request('sessions.rename', { agentId: 'main', sessionKey: CHAT_A, title: 'x' })).rejects.toMatchObject({
      code: 'not_found',
      message: `agent "main" has no session ${CHAT_A}`,
    });
    await chat(gw, 'before the reset');
    await gw.client.request('webchat.send', { agentId: 'main', text: '/new' });
    const archived = (await gw.client.request('sessions.list', { agentId: 'main' })).sessions.find((s) => s.archived)!;
    await expect(gw.client.request('sessions.rename', { agentId: 'main', sessionKey: archived.key, title: 'x' })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('is archived; only a live session can be renamed'),
    });
    await chat(gw, 'live one', CHAT_A);
    await expect(
      gw.client.request('sessions.rename', { agentId: 'main', sessionKey: CHAT_A, title: 'y'.repeat(121) }),
    ).rejects.toMatchObject({
      code: 'bad_request',
      message: 'title: 121 characters; a session title has at most 120',
    });
  });
});

describe('sessions.search', () => {
  it('finds sessions by message text (with a snippet), by title and by key, newest first, ignoring case', async () => {
    gw = await startTestGateway();
    await chat(gw, 'We need to repaint the Lighthouse before winter.', CHAT_A);
    await chat(gw, 'Groceries: bread, milk.', CHAT_B);
    await gw.client.request('sessions.rename', { agentId: 'main', sessionKey: CHAT_B, title: 'Shopping' });
    await chat(gw, 'unrelated', MAIN);

    const byText = await gw.client.request('sessions.search', { agentId: 'main', query: 'lighthouse' });
    expect(byText).toEqual({
      agentId: 'main',
      query: 'lighthouse',
      matches: [{ key: CHAT_A, field: 'text', seq: 2, snippet: 'We need to repaint the Lighthouse before winter.' }],
      truncated: false,
    });
    expect((await gw.client.request('sessions.search', { agentId: 'main', query: 'SHOP' })).matches).toEqual([
      { key: CHAT_B, field: 'title' },
    ]);
    expect((await gw.client.request('sessions.search', { agentId: 'main', query: 'webchat:chat-d4' })).matches).toEqual([
      { key: CHAT_B, field: 'key' },
    ]);
    // Both chats' replies say "echo:", the main session's too: newest first.
    expect((await gw.client.request('sessions.search', { agentId: 'main', query: 'echo:' })).matches.map((m) => m.key)).toEqual([
      MAIN,
      CHAT_B,
      CHAT_A,
    ]);
    expect((await gw.client.request('sessions.search', { agentId: 'main', query: 'nowhere to be found' })).matches).toEqual([]);
  });

  it('matches message text only, not the JSON around it, and handles quotes in the query', async () => {
    gw = await startTestGateway();
    await chat(gw, 'She said "hello" twice', CHAT_A);
    expect((await gw.client.request('sessions.search', { agentId: 'main', query: 'said "hello"' })).matches).toEqual([
      expect.objectContaining({ key: CHAT_A, field: 'text' }),
    ]);
    // "operator" is the web chat sender id in every record, never message text.
    expect((await gw.client.request('sessions.search', { agentId: 'main', query: 'operator' })).matches).toEqual([]);
  });

  it('masks secrets in snippets as in every result', async () => {
    gw = await startTestGateway();
    await chat(gw, 'my key is sk-ant-api03-abcdefghijklmnopqrstuvwxyz ok', CHAT_A);
    const { matches } = await gw.client.request('sessions.search', { agentId: 'main', query: 'my key is' });
    expect(matches[0]!.snippet).toContain('sk-ant-[redacted]');
    expect(matches[0]!.snippet).not.toContain('abcdefghij');
  });
});

describeWithKeyring('a message sent before the agent had an API key', () => {
  let keyring: Keyring;
  let previousBus: string | undefined;
  beforeAll(async () => {
    keyring = await startKeyring();
    previousBus = process.env.DBUS_SESSION_BUS_ADDRESS;
    process.env.DBUS_SESSION_BUS_ADDRESS = keyring.env.DBUS_SESSION_BUS_ADDRESS;
  });
  afterAll(async () => {
    if (previousBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = previousBus;
    await keyring?.stop();
  });

  it('is recorded as failed with no_api_key and is not merged into the next turn once a key is added', async () => {
    gw = await startTestGateway({ env: {} });
    const failed = await chat(gw, 'hello before the key');
    expect(gw.events.find((e) => e.event === 'message.outbound' && e.data.messageId === failed.messageId)!.data).toMatchObject({
      failure: 'no_api_key',
    });
    const { records } = await gw.client.request('sessions.history', { agentId: 'main', sessionKey: MAIN });
    const inbound = records.find((r) => r.type === 'message' && r.text === 'hello before the key')!;
    expect(records.find((r) => r.type === 'error')).toMatchObject({ kind: 'no_api_key', inReplyTo: inbound.seq });
    expect(gw.peer.requestCount).toBe(0);

    await gw.client.request('auth.add', { agentId: 'main', profileId: 'p1', apiKey: 'sk-added-later-0123456789' });
    await chat(gw, 'hello with a key');
    expect(gw.peer.requestCount).toBe(1);
    expect(gw.peer.requests[0]!.body!.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hello with a key' }] }]);
  });
});
