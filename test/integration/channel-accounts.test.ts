// Adding and managing channel accounts over the control plane (channels.validate/add/update/remove/bind)
// against the real headless gateway, the local Telegram and Discord peers and a real gnome-keyring:
// tokens are checked through the account's apiRoot, land in the keychain and never in the file or
// a result, the config keeps its comments, and a bound account's messages reach the chosen agent.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ControlEvents, ControlMethods } from '../../src-shared/protocol/methods.ts';
import { isControlError } from '../../src-shared/protocol/errors.ts';
import { connectControl, type ControlClient } from '../../src-main/control/ws-client.ts';
import { startHeadlessGateway, type HeadlessGateway } from '../../src-main/gateway/headless.ts';
import { streamLogger } from '../../src-main/log.ts';
import { secretAccount, type SecretStore } from '../../src-main/secrets/store.ts';
import { startAnthropicPeer, type AnthropicPeer } from '../peers/anthropic.ts';
import { startDiscordPeer, type DiscordPeer } from '../peers/discord.ts';
import { startTelegramPeer, tg, type PeerBot, type TelegramPeer } from '../peers/telegram.ts';
import { describeWithKeyring, keyringWithStore, type Keyring } from '../helpers/keyring.ts';

const DISCORD_GOOD = { token: 'MTAwNA.discord-good-token-value-0001', id: '1004', username: 'helperbot' };
const DISCORD_NO_CONTENT = { token: 'MTAwNQ.discord-no-intent-token-0002', id: '1005', username: 'mutebot', privilegedIntents: 0 };

describeWithKeyring('channel accounts from the dashboard (real gateway, peers, keychain)', () => {
  let keyring: Keyring;
  let store: SecretStore;
  let anthropic: AnthropicPeer;
  let telegram: TelegramPeer;
  let discord: DiscordPeer;
  let helper: PeerBot;
  let rotated: PeerBot;
  let dir: string;
  let configPath: string;
  let gw: HeadlessGateway;
  let client: ControlClient<ControlMethods, ControlEvents>;
  const logs: string[] = [];
  const outbound: Record<string, unknown>[] = [];
  const alice = tg.user(222_333, 'Alice', 'alice');

  const hash = async () => (await client.request('config.get', {})).hash;
  const status = async (channel: string, accountId: string) =>
    (await client.request('channels.status', {})).channels.find((c) => c.channel === channel && c.accountId === accountId);
  const refused = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      if (isControlError(err)) return err;
      throw err;
    }
    throw new Error('expected the call to be refused');
  };

  beforeAll(async () => {
    ({ keyring, store } = await keyringWithStore());
    anthropic = await startAnthropicPeer();
    telegram = await startTelegramPeer();
    helper = telegram.addBot('helper_bot');
    rotated = telegram.addBot('helper_bot_two');
    discord = await startDiscordPeer({ bots: [DISCORD_GOOD, DISCORD_NO_CONTENT], heartbeatIntervalMs: 5000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'sb-chacc-'));
    configPath = path.join(dir, 'switchboard.json');
    // JSON5 with comments: every edit below must keep them.
    await writeFile(
      configPath,
      `{
  // model endpoint: the local peer
  models: { anthropic: { baseUrl: "${anthropic.url}" } },
  agents: { list: [{ id: "main", default: true }, { id: "work", name: "Work" }] },
  channels: {
    // every Telegram account talks to the local Bot API and lets Alice in
    telegram: { apiRoot: "${telegram.url}", dmPolicy: "allowlist", allowFrom: ["222333"] },
  },
}
`,
    );
    gw = await startHeadlessGateway({
      loc: { stateDir: dir, configPath },
      version: 'test',
      homeDir: dir,
      port: 0,
      env: { ANTHROPIC_API_KEY: 'sk-test-key-123' },
      log: streamLogger((line) => logs.push(line), 'debug'),
      secrets: store,
      stopGraceMs: 2000,
    });
    client = await connectControl<ControlMethods, ControlEvents>(gw.url, gw.token, { timeoutMs: 15_000 });
    client.on('message.outbound', (d) => void outbound.push(d as Record<string, unknown>));
  });

  afterAll(async () => {
    client?.close();
    await gw?.close();
    await telegram?.close();
    await discord?.close();
    await anthropic?.close();
    await keyring?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('validates a Telegram token through the channel apiRoot and names the bot; a bad one says what to do', async () => {
    const good = await client.request('channels.validate', { channel: 'telegram', token: helper.token, accountId: 'helper' });
    expect(good).toEqual({ ok: true, bot: { id: String(helper.id), name: 'helper_bot', username: 'helper_bot' } });
    expect(telegram.callsOf(helper.token, 'getMe')).toHaveLength(1);

    const bad = await client.request('channels.validate', { channel: 'telegram', token: '999999:not-a-real-token-value-xyz' });
    expect(bad.ok).toBe(false);
    expect(bad.problem).toBe('token_rejected');
    expect(bad.error).toMatch(/@BotFather/);
    expect(JSON.stringify(bad)).not.toContain('not-a-real-token-value-xyz');
  });

  it('adds a Telegram account: token in the keychain, a reference in the commented file, connected at once', async () => {
    const before = await hash();
    const added = await client.request('channels.add', {
      baseHash: before,
      channel: 'telegram',
      accountId: 'helper',
      name: 'Helper bot',
      token: helper.token,
    });
    expect(added).toMatchObject({ channel: 'telegram', accountId: 'helper', secret: 'telegram/helper', bot: { username: 'helper_bot' } });
    expect(JSON.stringify(added)).not.toContain(helper.token);
    expect(await store.get(secretAccount('telegram/helper'))).toBe(helper.token);

    const text = await readFile(configPath, 'utf8');
    expect(text).not.toContain(helper.token);
    expect(text).toContain('// every Telegram account talks to the local Bot API and lets Alice in');
    expect(text).toContain('// model endpoint: the local peer');
    const raw = (await client.request('config.get', {})).raw as { channels: { telegram: { accounts: Record<string, unknown> } } };
    expect(raw.channels.telegram.accounts.helper).toEqual({ name: 'Helper bot', botToken: { secret: 'telegram/helper' } });

    await expect.poll(async () => (await status('telegram', 'helper'))?.state, { timeout: 10_000 }).toBe('connected');
  });

  it('refuses a change based on an old hash, and a second account with the same id', async () => {
    const stale = await refused(
      client.request('channels.add', {
        baseHash: 'a'.repeat(64),
        channel: 'telegram',
        accountId: 'other',
        token: rotated.token,
      }),
    );
    expect(stale.code).toBe('conflict');
    const twice = await refused(
      client.request('channels.add', { baseHash: await hash(), channel: 'telegram', accountId: 'helper', token: rotated.token }),
    );
    expect(twice.code).toBe('conflict');
    expect(twice.message).toMatch(/already exists/);
    expect(await store.get(secretAccount('telegram/helper'))).toBe(helper.token);
  });

  it('"Answer with…" binds the account to the second agent, whose answer Alice gets', async () => {
    const bound = await client.request('channels.bind', {
      baseHash: await hash(),
      channel: 'telegram',
      accountId: 'helper',
      agentId: 'work',
    });
    expect(bound).toMatchObject({ agentId: 'work', bindingIndex: 0 });
    const agents = (await client.request('agents.list', {})).agents;
    expect(agents.find((a) => a.id === 'work')!.bindings).toEqual([
      { index: 0, channel: 'telegram', accountId: 'helper', matchedBy: 'binding.account' },
    ]);
    await helper.waitForPoll();
    helper.message(tg.text(tg.privateChat(alice), alice, 'who answers here?'));
    await expect.poll(() => helper.sent.map((m) => m.text), { timeout: 15_000 }).toContain('echo: who answers here?');
    await expect.poll(() => outbound.find((o) => o.accountId === 'helper')?.agentId).toBe('work');

    // Binding again re-points the same binding instead of stacking a second one.
    await client.request('channels.bind', { baseHash: await hash(), channel: 'telegram', accountId: 'helper', agentId: 'main' });
    const raw = (await client.request('config.get', {})).raw as { bindings: unknown[] };
    expect(raw.bindings).toEqual([{ agentId: 'main', match: { channel: 'telegram', accountId: 'helper' } }]);
    await client.request('channels.bind', { baseHash: await hash(), channel: 'telegram', accountId: 'helper', agentId: 'work' });
  });

  it('refuses a Discord bot without the Message Content intent, saying where to switch it on; adds one with it', async () => {
    const check = await client.request('channels.validate', {
      channel: 'discord',
      token: DISCORD_NO_CONTENT.token,
      apiRoot: discord.apiRoot,
    });
    expect(check).toMatchObject({ ok: false, problem: 'missing_intent', bot: { username: 'mutebot' } });
    expect(check.error).toMatch(/Message Content Intent.*Developer Portal/);

    const before = await hash();
    const err = await refused(
      client.request('channels.add', {
        baseHash: before,
        channel: 'discord',
        accountId: 'mute',
        token: DISCORD_NO_CONTENT.token,
        apiRoot: discord.apiRoot,
      }),
    );
    expect(err.code).toBe('bad_request');
    expect(err.message).toMatch(/Message Content intent/);
    expect(await store.get(secretAccount('discord/mute'))).toBeNull();
    expect(await hash()).toBe(before);

    const added = await client.request('channels.add', {
      baseHash: before,
      channel: 'discord',
      accountId: 'helper',
      token: DISCORD_GOOD.token,
      apiRoot: discord.apiRoot,
    });
    expect(added.bot).toEqual({ id: '1004', name: 'helperbot', username: 'helperbot' });
    expect(await store.get(secretAccount('discord/helper'))).toBe(DISCORD_GOOD.token);
    await expect.poll(async () => (await status('discord', 'helper'))?.state, { timeout: 10_000 }).toBe('connected');
  });

  it('disables and re-enables an account; a new token is checked through its apiRoot before it replaces the old one', async () => {
    await client.request('channels.update', { baseHash: await hash(), channel: 'telegram', accountId: 'helper', enabled: false });
    await expect.poll(async () => (await status('telegram', 'helper'))?.reason).toBe('disabled in the config');
    await client.request('channels.update', { baseHash: await hash(), channel: 'telegram', accountId: 'helper', enabled: true });
    await expect.poll(async () => (await status('telegram', 'helper'))?.state, { timeout: 10_000 }).toBe('connected');

    const bad = await refused(
      client.request('channels.update', {
        baseHash: await hash(),
        channel: 'telegram',
        accountId: 'helper',
        token: '1:wrong-token-zzzzzz',
      }),
    );
    expect(bad.message).toMatch(/token was not saved.*rejected/);
    expect(await store.get(secretAccount('telegram/helper'))).toBe(helper.token);

    const updated = await client.request('channels.update', {
      baseHash: await hash(),
      channel: 'telegram',
      accountId: 'helper',
      token: rotated.token,
    });
    expect(updated.bot?.username).toBe('helper_bot_two');
    expect(await store.get(secretAccount('telegram/helper'))).toBe(rotated.token);
    // Same keychain entry, new value: the account reconnects with the new bot.
    await expect.poll(() => telegram.callsOf(rotated.token, 'getUpdates').length, { timeout: 10_000 }).toBeGreaterThan(0);
  });

  it('removal names the bindings that depend on the account; with them dropped, the token leaves the keychain', async () => {
    const err = await refused(client.request('channels.remove', { baseHash: await hash(), channel: 'telegram', accountId: 'helper' }));
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/bindings\[0\]/);

    const removed = await client.request('channels.remove', {
      baseHash: await hash(),
      channel: 'telegram',
      accountId: 'helper',
      dropBindings: true,
    });
    expect(removed).toMatchObject({ removedBindings: [0], deletedSecret: 'telegram/helper', warnings: [] });
    expect(await store.get(secretAccount('telegram/helper'))).toBeNull();
    expect(await status('telegram', 'helper')).toBeUndefined();
    const raw = (await client.request('config.get', {})).raw as { bindings?: unknown[]; channels: Record<string, unknown> };
    expect(raw.bindings).toEqual([]);
    // No Telegram account is left, so its block (and the phantom default account it would become) is gone.
    expect(raw.channels.telegram).toBeUndefined();
    expect(await readFile(configPath, 'utf8')).toContain('// model endpoint: the local peer');
  });

  it('never writes a token into the logs', () => {
    const all = logs.join('\n');
    for (const token of [helper.token, rotated.token, DISCORD_GOOD.token, DISCORD_NO_CONTENT.token]) expect(all).not.toContain(token);
  });
});
