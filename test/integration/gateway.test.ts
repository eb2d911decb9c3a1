// The gateway end to end, in-process: real headless gateway, real files, the local Anthropic peer,
// control-plane clients over real WebSockets; channels other than webchat via MemoryChannel.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { conversationOrder } from '../../src-shared/protocol/conversation.ts';
import { connectControl } from '../../src-main/control/ws-client.ts';
import { createGate } from '../peers/anthropic.ts';
import { startTestGateway, TEST_API_KEY, type TestGateway } from '../helpers/gateway.ts';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { until } from '../helpers/wait.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('webchat through the gateway', () => {
  it('a message to main streams deltas, ends in message.outbound, and both messages are in the history', async () => {
    gw = await startTestGateway();
    const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'hello there' });
    expect(sent).toMatchObject({ agentId: 'main', sessionKey: 'agent:main:main' });
    const outbound = await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    expect(outbound).toMatchObject({ text: 'echo: hello there', incomplete: false });
    const deltas = gw.events
      .filter((e) => e.event === 'agent.delta' && e.data.messageId === sent.messageId)
      .map((e) => e.data.text as string);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('echo: hello there');
    const history = await gw.client.request('sessions.history', { agentId: 'main', sessionKey: 'agent:main:main' });
    const messages = history.records.filter((r) => r.type === 'message').map((r) => [r.role, r.text]);
    expect(messages).toEqual([
      ['user', 'hello there'],
      ['assistant', 'echo: hello there'],
    ]);
    expect(gw.peer.requests[0]!.apiKey).toBe(TEST_API_KEY);
  });

  it('messages of one session are handled strictly in order under 200 concurrent sends', async () => {
    gw = await startTestGateway();
    const texts = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await Promise.all(texts.map((text) => gw!.client.request('webchat.send', { agentId: 'main', text })));
    await until(() => gw!.events.filter((e) => e.event === 'message.outbound').length === 200, '200 replies');
    const history = await gw.client.request('sessions.history', { agentId: 'main', sessionKey: 'agent:main:main', limit: 1000 });
    const messages = history.records.filter((r) => r.type === 'message');
    // Inbound messages are stored as they arrive; replies were written strictly one after another,
    // in send order, each answering its own message.
    expect(messages.filter((r) => r.role === 'user').map((r) => r.text)).toEqual(texts);
    const bySeq = new Map(messages.map((r) => [r.seq, r]));
    const replies = messages.filter((r) => r.role === 'assistant');
    expect(replies.map((r) => r.text)).toEqual(texts.map((t) => `echo: ${t}`));
    expect(replies.map((r) => bySeq.get(r.inReplyTo as number)?.text)).toEqual(texts);
    expect(conversationOrder(messages).map((r) => `${r.role}:${r.text}`)).toEqual(
      texts.flatMap((t) => [`user:${t}`, `assistant:echo: ${t}`]),
    );
  });

  it('different sessions run concurrently', async () => {
    gw = await startTestGateway();
    const gate = createGate();
    gw.peer.enqueue({ kind: 'hold', release: gate.promise, text: 'first' }, { kind: 'hold', release: gate.promise, text: 'second' });
    await gw.client.request('webchat.send', { agentId: 'main', text: 'a', sessionKey: 'agent:main:webchat:one' });
    await gw.client.request('webchat.send', { agentId: 'main', text: 'b', sessionKey: 'agent:main:webchat:two' });
    // Both requests reach the model while neither has finished.
    await gw.peer.waitForRequest(2);
    expect(gw.events.filter((e) => e.event === 'message.outbound')).toHaveLength(0);
    gate.open();
    await until(() => gw!.events.filter((e) => e.event === 'message.outbound').length === 2, 'both replies');
  });

  it('webchat only talks in the main session or a webchat session of the same agent', async () => {
    gw = await startTestGateway({
      config: (url) => ({ models: { anthropic: { baseUrl: url } }, agents: { list: [{ id: 'main' }, { id: 'work' }] } }),
    });
    await expect(gw.client.request('webchat.send', { agentId: 'main', text: 'x', sessionKey: 'agent:work:main' })).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(
      gw.client.request('webchat.send', { agentId: 'main', text: 'x', sessionKey: 'agent:main:telegram:direct:1' }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    await expect(gw.client.request('webchat.send', { agentId: 'ghost', text: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('an overloaded model gives the chat a short honest failure, recorded in the transcript', async () => {
    gw = await startTestGateway();
    gw.peer.setDefault(() => ({ kind: 'overloaded' }));
    const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'hi' });
    const outbound = await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId, 30_000);
    expect(outbound.failure).toBe('overloaded');
    expect(String(outbound.text)).toMatch(/overloaded/i);
    const history = await gw.client.request('sessions.history', { agentId: 'main', sessionKey: 'agent:main:main' });
    expect(history.records.some((r) => r.type === 'error')).toBe(true);
  });

  it('without an API key the operator is told how to add one', async () => {
    gw = await startTestGateway({ env: {} });
    const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'hi' });
    const outbound = await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    expect(outbound.text).toBe('no API key — add one in Settings or with `switchboard auth add`');
    expect(gw.peer.requests).toHaveLength(0);
  });

  it('a turn can be cancelled from the control plane', async () => {
    gw = await startTestGateway();
    const gate = createGate();
    gw.peer.enqueue({ kind: 'hold', release: gate.promise, text: 'a long answer that never finishes' });
    const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'go' });
    await gw.peer.waitForRequest(1);
    await gw.waitFor('agent.delta', (d) => d.messageId === sent.messageId);
    expect(await gw.client.request('turn.cancel', { agentId: 'main', sessionKey: sent.sessionKey })).toEqual({ cancelled: true });
    const outbound = await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    expect(outbound).toMatchObject({ incomplete: true, failure: 'cancelled' });
    gate.open();
  });
});

describe('access policy through the gateway', () => {
  const withTelegram =
    (telegram: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    (url: string) => ({
      models: { anthropic: { baseUrl: url } },
      channels: { telegram },
      ...extra,
    });

  it('dmPolicy disabled drops DMs and counts them in status', async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({ config: withTelegram({ dmPolicy: 'disabled' }), adapters: channels.factory });
    channels.get('telegram').dm('111', 'hello');
    await gw.waitFor('message.dropped');
    expect((await gw.client.request('status', {})).dropped).toEqual({ dm_disabled: 1 });
    expect(channels.get('telegram').sent).toEqual([]);
  });

  it('dmPolicy allowlist answers listed senders only', async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({ config: withTelegram({ dmPolicy: 'allowlist', allowFrom: ['111'] }), adapters: channels.factory });
    const tg = channels.get('telegram');
    tg.dm('222', 'stranger');
    tg.dm('111', 'friend');
    await gw.waitFor('message.outbound');
    await until(() => tg.sent.length === 1, 'reply sent');
    expect(tg.sent[0]).toMatchObject({ peer: { kind: 'direct', id: '111' }, text: 'echo: friend' });
    expect((await gw.client.request('status', {})).dropped).toEqual({ not_allowlisted: 1 });
  });

  it('dmPolicy open answers anyone', async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({ config: withTelegram({ dmPolicy: 'open', allowFrom: ['*'] }), adapters: channels.factory });
    channels.get('telegram').dm('999', 'hi');
    await until(() => channels.get('telegram').sent.length === 1, 'reply');
  });

  it('pairing: a stranger gets one code, the owner approves it over the control plane, then the stranger is answered', async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({ config: withTelegram({}), adapters: channels.factory });
    const tg = channels.get('telegram');
    tg.dm('333', 'let me in');
    await until(() => tg.sent.length === 1, 'pairing reply');
    const { pending } = await gw.client.request('pairing.list', { channel: 'telegram' });
    expect(pending).toHaveLength(1);
    expect(tg.sent[0]!.text).toContain(pending[0]!.code);
    tg.dm('333', 'again');
    tg.dm('333', pending[0]!.code);
    await until(() => gw!.events.filter((e) => e.event === 'message.dropped').length === 3, 'drops');
    expect(tg.sent).toHaveLength(1);
    await gw.client.request('pairing.approve', { channel: 'telegram', code: pending[0]!.code });
    tg.dm('333', 'now?');
    await until(() => tg.sent.length === 2, 'answer after approval');
    expect(tg.sent[1]!.text).toBe('echo: now?');
  });

  it('in groups an agent answers only when mentioned (native mention or its mention patterns)', async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({
      config: withTelegram(
        { groupPolicy: 'allowlist', groups: { '-100': {} } },
        { agents: { list: [{ id: 'main', groupChat: { mentionPatterns: ['@home'] } }] } },
      ),
      adapters: channels.factory,
    });
    const tg = channels.get('telegram');
    tg.group('-100', '1', 'no mention here');
    tg.group('-100', '1', 'hey @Home what time is it');
    tg.group('-100', '1', 'native', { mentioned: true });
    tg.group('-200', '1', 'not an allowlisted group', { mentioned: true });
    await until(() => tg.sent.length === 2, 'two replies');
    expect(tg.sent.map((m) => m.text).sort()).toEqual(['echo: hey @Home what time is it', 'echo: native']);
    expect((await gw.client.request('status', {})).dropped).toEqual({ no_mention: 1, group_not_allowlisted: 1 });
  });

  it('routes by binding and keeps sessions per agent', async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: { list: [{ id: 'home', default: true }, { id: 'work' }] },
        bindings: [{ agentId: 'work', match: { channel: 'telegram', accountId: 'biz' } }],
        channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'], accounts: { default: {}, biz: {} } } },
      }),
      adapters: channels.factory,
    });
    channels.get('telegram', 'default').dm('1', 'to home');
    channels.get('telegram', 'biz').dm('1', 'to work');
    await until(() => gw!.events.filter((e) => e.event === 'message.outbound').length === 2, 'two replies');
    const byAgent = Object.fromEntries(gw.events.filter((e) => e.event === 'message.inbound').map((e) => [e.data.agentId, e.data.text]));
    expect(byAgent).toEqual({ home: 'to home', work: 'to work' });
    expect(channels.get('telegram', 'biz').sent[0]!.text).toBe('echo: to work');
    const homeSessions = await gw.client.request('sessions.list', { agentId: 'home' });
    // Sender 1 is not an owner: its DM gets a session of its own, not home's main session.
    expect(homeSessions.sessions.map((s) => s.sessionKey)).toEqual(['agent:home:telegram:direct:1']);
    const files = await readdir(path.join(gw.dir, 'agents', 'work', 'sessions'));
    expect(files.some((f) => f.endsWith('.jsonl'))).toBe(true);
  });

  it('a broadcast group reaches several agents, each in its own session', async () => {
    const channels = memoryChannels();
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: { list: [{ id: 'a' }, { id: 'b' }] },
        channels: { whatsapp: { groupPolicy: 'open', groups: { '*': { requireMention: false } } } },
        broadcast: { strategy: 'parallel', '123@g.us': ['a', 'b'] },
      }),
      adapters: channels.factory,
    });
    channels.get('whatsapp').group('123@g.us', '+15550001', 'hello all');
    await until(() => channels.get('whatsapp').sent.length === 2, 'two replies');
    const keys = gw.events
      .filter((e) => e.event === 'message.inbound')
      .map((e) => e.data.sessionKey)
      .sort();
    expect(keys).toEqual(['agent:a:whatsapp:group:123@g.us', 'agent:b:whatsapp:group:123@g.us']);
  });
});

describe('configuration while running', () => {
  it('a new agent written to the file is picked up without a restart', async () => {
    gw = await startTestGateway();
    const file = path.join(gw.dir, 'switchboard.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...config, agents: { list: [{ id: 'main' }, { id: 'fresh' }] } }));
    await gw.waitFor('config.changed', (d) => d.ok === true);
    expect((await gw.client.request('agents.list', {})).agents.map((a) => a.id)).toEqual(['main', 'fresh']);
  });

  it('an invalid edit is rejected with its errors and the old config stays in force', async () => {
    gw = await startTestGateway({
      config: (url) => ({ models: { anthropic: { baseUrl: url } }, agents: { list: [{ id: 'main' }, { id: 'work' }] } }),
    });
    await writeFile(
      path.join(gw.dir, 'switchboard.json'),
      '{ agents: { list: [ { id: "main" } ] }, bindings: [ { agentId: "nobody", match: { channel: "telegram" } } ] }',
    );
    const changed = await gw.waitFor('config.changed');
    expect(changed.ok).toBe(false);
    expect(String((changed.errors as string[])[0])).toMatch(/nobody/);
    expect((await gw.client.request('agents.list', {})).agents.map((a) => a.id)).toEqual(['main', 'work']);
    expect((await gw.client.request('status', {})).configErrors).toHaveLength(1);
  });

  it('a reload restarts only the channel accounts whose settings changed', async () => {
    const channels = memoryChannels();
    const config = (url: string, extra: Record<string, unknown> = {}) => ({
      models: { anthropic: { baseUrl: url } },
      channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'], accounts: { default: {}, alerts: {} } } },
      ...extra,
    });
    gw = await startTestGateway({ config: (url) => config(url), adapters: channels.factory });
    const file = path.join(gw.dir, 'switchboard.json');
    const before = [channels.get('telegram', 'default'), channels.get('telegram', 'alerts')];
    // A new agent and binding: routes change, no connection is touched.
    await writeFile(
      file,
      JSON.stringify(
        config(gw.peer.url, {
          agents: { list: [{ id: 'main' }, { id: 'ops' }] },
          bindings: [{ agentId: 'ops', match: { channel: 'telegram', accountId: 'alerts' } }],
        }),
      ),
    );
    await gw.waitFor('config.changed', (d) => d.ok === true);
    expect(before.map((c) => [c.starts, c.stops])).toEqual([
      [1, 0],
      [1, 0],
    ]);
    channels.get('telegram', 'alerts').dm('5', 'to ops now');
    await gw.waitFor('message.inbound', (d) => d.agentId === 'ops');
    // One account's settings change: only that account reconnects.
    const changed = config(gw.peer.url, { agents: { list: [{ id: 'main' }, { id: 'ops' }] } });
    (changed.channels.telegram.accounts as Record<string, unknown>).alerts = { dmPolicy: 'disabled' };
    await writeFile(file, JSON.stringify(changed));
    await gw.waitFor('config.changed', (d) => d.ok === true && d.hash !== gw!.events.find((e) => e.event === 'config.changed')!.data.hash);
    expect(before[0]!.stops).toBe(0);
    expect(before[1]!.stops).toBe(1);
    expect(channels.get('telegram', 'alerts')).not.toBe(before[1]);
  });

  it('stop and start keep the control plane up', async () => {
    gw = await startTestGateway();
    expect(await gw.client.request('gateway.stop', {})).toEqual({ state: 'stopped' });
    await expect(gw.client.request('webchat.send', { agentId: 'main', text: 'x' })).rejects.toMatchObject({ code: 'unavailable' });
    expect(await gw.client.request('gateway.start', {})).toEqual({ state: 'running' });
    await gw.client.request('webchat.send', { agentId: 'main', text: 'back' });
    await gw.waitFor('message.outbound');
  });
});

describe('control plane of the real gateway', () => {
  it('refuses a wrong token, a foreign Origin, unknown methods and bad params, and leaks no key', async () => {
    gw = await startTestGateway();
    await expect(connectControl(gw.headless.url, 'x'.repeat(43), { timeoutMs: 3000 })).rejects.toMatchObject({ code: 'unauthorized' });
    const foreign = await new Promise<number>((resolve) => {
      const ws = new WebSocket(gw!.headless.url, { origin: 'https://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(foreign).toBe(403);
    await expect(gw.client.request('no.such.method' as 'status', {})).rejects.toMatchObject({ code: 'not_found' });
    await expect(gw.client.request('sessions.list', { agentId: 42 } as unknown as { agentId: string })).rejects.toMatchObject({
      code: 'bad_request',
    });
    await gw.client.request('webchat.send', { agentId: 'main', text: 'hi' });
    await gw.waitFor('message.outbound');
    const everything = JSON.stringify([gw.events, await gw.client.request('status', {}), await gw.client.request('agents.list', {})]);
    expect(everything).not.toContain(TEST_API_KEY);
    expect(everything).not.toContain(gw.headless.token);
  });
});
