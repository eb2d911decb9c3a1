// The config over the control plane, against a real gateway and real files: what config.get
// shows (never a secret), what config.apply and the agent/binding edits leave on disk (comments
// kept), how stale and invalid changes are refused, that the gateway uses a change at once, and
// the per-day usage the dashboard charts.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it, describe } from 'vitest';
import { REDACTED_SECRET } from '../../src-shared/protocol/config-methods.ts';
import { parseJson5 } from '../../src-shared/json5/index.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { localDate } from '../../src-main/gateway/usage-ledger.ts';
import { DEFAULT_MODEL } from '../../src-shared/config/index.ts';
import { agentAuthPrefix, openSecretStore } from '../../src-main/secrets/store.ts';
import { startTestGateway, TEST_API_KEY, type TestGateway } from '../helpers/gateway.ts';
import { describeWithKeyring, startKeyring, type Keyring } from '../helpers/keyring.ts';
import { memoryChannels } from '../helpers/memory-channel.ts';
import { checkDraft } from '../../src-renderer/store/config.ts';

// Not token-shaped on purpose: the control service's pattern redaction would not catch these,
// so only the config methods' own redaction keeps them out.
const TG_CANARY = 'plain-telegram-canary-0001';
const TG_ALERTS_CANARY = 'plain-telegram-canary-0002';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const configPath = (g: TestGateway) => path.join(g.dir, 'switchboard.json');
const readConfigText = (g: TestGateway) => readFile(configPath(g), 'utf8');

/** The parts of a raw config these tests look at. */
interface RawConfigView {
  agents: { list: Record<string, unknown>[] };
  bindings: { agentId: string; match: Record<string, unknown> }[];
  channels: {
    telegram: { botToken?: unknown; accounts: Record<string, { botToken?: unknown }> };
    discord: Record<string, unknown>;
  };
  session?: unknown;
}
const view = (raw: unknown): RawConfigView => structuredClone(raw) as RawConfigView;
const readConfig = async (g: TestGateway) => view(parseJson5(await readConfigText(g)).value);

/** The call's ControlError (fails the test when the call succeeds). */
async function refusal(call: Promise<unknown>): Promise<ControlError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ControlError) return err;
    throw err;
  }
  throw new Error('expected the call to be refused');
}

/** A hand-written JSON5 file with comments, a plaintext token and a secret reference. */
function commentedConfig(peerUrl: string): string {
  return `// Switchboard config, edited by hand
{
  models: { anthropic: { baseUrl: "${peerUrl}" } },
  agents: {
    list: [
      // the one who answers everything
      { id: "main", default: true },
      { id: "work", name: "Work" }, // office hours
    ],
  },
  bindings: [
    // the work group goes to work
    { agentId: "work", match: { channel: "telegram", peer: { kind: "group", id: "-100" } } },
  ],
  channels: {
    telegram: {
      dmPolicy: "open", allowFrom: ["*"],
      botToken: "${TG_CANARY}", // to be migrated
      accounts: { default: {}, alerts: { botToken: "${TG_ALERTS_CANARY}" } },
    },
    discord: { token: { secret: "discord/default" } },
  },
}
`;
}

async function withCommentedConfig(): Promise<TestGateway> {
  const channels = memoryChannels();
  const g = await startTestGateway({ adapters: channels.factory });
  await writeFile(configPath(g), commentedConfig(g.peer.url));
  await g.headless.gateway.reload();
  return g;
}

describe('config.get', () => {
  it('returns the file as written with its sha256, plaintext secrets as the placeholder and references as written', async () => {
    gw = await withCommentedConfig();
    const got = await gw.client.request('config.get', {});
    expect(got.hash).toBe(sha256(await readConfigText(gw)));
    expect(got).toMatchObject({ configPath: configPath(gw), exists: true });
    const raw = view(got.raw);
    const telegram = raw.channels.telegram;
    expect(telegram.botToken).toBe(REDACTED_SECRET);
    expect(telegram.accounts.alerts!.botToken).toBe(REDACTED_SECRET);
    expect(raw.channels.discord.token).toEqual({ secret: 'discord/default' });
    expect(raw.agents.list[1]).toEqual({ id: 'work', name: 'Work' });
    expect(JSON.stringify(got)).not.toMatch(/plain-telegram-canary/);
  });

  it("lists the file's issues with config paths and line numbers", async () => {
    gw = await withCommentedConfig();
    const got = await gw.client.request('config.get', {});
    expect(got.issues).toContainEqual({
      severity: 'warning',
      code: 'plaintext_secret',
      message: expect.any(String),
      path: 'channels.telegram.botToken',
      line: 18,
      column: 17,
    });
  });
  it("brings each $include site's content (secrets redacted) so the dashboard checks a draft as the gateway sees it", async () => {
    gw = await startTestGateway({ adapters: memoryChannels().factory });
    await writeFile(
      path.join(gw.dir, 'channels.json5'),
      `{ telegram: { dmPolicy: "open", allowFrom: ["*"], accounts: { default: { botToken: "${TG_CANARY}" } } } }`,
    );
    await writeFile(
      configPath(gw),
      `{
  models: { anthropic: { baseUrl: "${gw.peer.url}" } },
  agents: { list: [{ id: "main", default: true }, { id: "work" }] },
  bindings: [{ agentId: "work", match: { channel: "telegram", accountId: "default" } }],
  channels: { $include: "./channels.json5" },
}`,
    );
    await gw.headless.gateway.reload();
    const got = await gw.client.request('config.get', {});
    expect(got.includes).toEqual([{ path: ['channels'], value: { telegram: expect.objectContaining({ dmPolicy: 'open' }) } }]);
    expect(JSON.stringify(got)).not.toMatch(/plain-telegram-canary/);

    // The main file alone has an unknown channel named $include; with the sites expanded, it is clean.
    const alone = checkDraft(got.raw, { ...got, includes: undefined });
    expect(alone.issues.filter((i) => i.severity === 'error').map((i) => i.message)).toContainEqual(expect.stringContaining('$include'));
    const expanded = checkDraft(got.raw, got);
    expect(expanded.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(expanded.config!.channels.telegram!.accounts!.default).toBeDefined();
  });
});

describe('config.apply', () => {
  it('a get → edit → apply round-trip keeps the secrets on disk, the comments of unchanged parts, and applies at once', async () => {
    gw = await withCommentedConfig();
    const got = await gw.client.request('config.get', {});
    const raw = view(got.raw);
    raw.session = { dmScope: 'per-peer' };
    raw.agents.list[1]!.name = 'Office';
    const applied = await gw.client.request('config.apply', { config: raw as unknown as Record<string, unknown>, baseHash: got.hash });

    const text = await readConfigText(gw);
    expect(applied.hash).toBe(sha256(text));
    for (const comment of [
      '// Switchboard config, edited by hand',
      '// the one who answers everything',
      '// office hours',
      '// the work group goes to work',
      '// to be migrated',
    ]) {
      expect(text).toContain(comment);
    }
    const onDisk = view(parseJson5(text).value);
    expect(onDisk.channels.telegram.botToken).toBe(TG_CANARY);
    expect(onDisk.channels.telegram.accounts.alerts!.botToken).toBe(TG_ALERTS_CANARY);
    expect(onDisk.session).toEqual({ dmScope: 'per-peer' });
    expect(JSON.stringify(applied)).not.toMatch(/plain-telegram-canary/);

    expect(await gw.waitFor('config.changed', (d) => d.hash === applied.hash)).toMatchObject({ ok: true });
    expect((await gw.client.request('status', {})).configHash).toBe(applied.hash);
    expect((await gw.client.request('agents.list', {})).agents.find((a) => a.id === 'work')!.name).toBe('Office');
    const route = await gw.client.request('route.explain', { channel: 'telegram', peer: { kind: 'direct', id: '42' } });
    expect(route.decision.sessionKey).toBe('agent:main:direct:42');
  });

  it('a stale baseHash is a conflict that says someone else edited the file, and changes nothing', async () => {
    gw = await withCommentedConfig();
    const got = await gw.client.request('config.get', {});
    const edited = `${await readConfigText(gw)}// edited elsewhere\n`;
    await writeFile(configPath(gw), edited);
    const err = await refusal(gw.client.request('config.apply', { config: got.raw as Record<string, unknown>, baseHash: got.hash }));
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/someone else edited it.*reload/);
    expect(await readConfigText(gw)).toBe(edited);
  });

  it('an invalid config is refused with the config path of the problem, and the old config stays in force', async () => {
    gw = await withCommentedConfig();
    const got = await gw.client.request('config.get', {});
    const before = await readConfigText(gw);
    const raw = view(got.raw);
    raw.bindings[0]!.agentId = 'wrok';
    const err = await refusal(gw.client.request('config.apply', { config: raw as unknown as Record<string, unknown>, baseHash: got.hash }));
    expect(err.code).toBe('bad_request');
    expect(err.message).toContain('bindings[0].agentId');
    expect(err.message).toContain('wrok');
    expect(await readConfigText(gw)).toBe(before);
    const route = await gw.client.request('route.explain', { channel: 'telegram', peer: { kind: 'group', id: '-100' } });
    expect(route.decision.agentId).toBe('work');
  });

  it('the placeholder where the file has no secret to keep is refused, naming the path', async () => {
    gw = await withCommentedConfig();
    const got = await gw.client.request('config.get', {});
    const raw = view(got.raw);
    raw.channels.telegram.accounts.ops = { botToken: REDACTED_SECRET };
    const err = await refusal(gw.client.request('config.apply', { config: raw as unknown as Record<string, unknown>, baseHash: got.hash }));
    expect(err.code).toBe('bad_request');
    expect(err.message).toContain('channels.telegram.accounts.ops.botToken');
  });

  it('a change without baseHash is refused before anything is read', async () => {
    gw = await startTestGateway();
    const err = await refusal(gw.client.request('config.apply', { config: {} } as never));
    expect(err.code).toBe('bad_request');
    expect(err.message).toContain('baseHash');
  });
});

describe('config.validate', () => {
  it('reports every issue with its path and line without writing', async () => {
    gw = await withCommentedConfig();
    const before = await readConfigText(gw);
    const got = await gw.client.request('config.get', {});
    const raw = view(got.raw);
    raw.agents.list[1]!.nmae = 'typo';
    const result = await gw.client.request('config.validate', { config: raw as unknown as Record<string, unknown> });
    expect(result.ok).toBe(false);
    expect(result.issues).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        code: 'unknown_key',
        path: 'agents.list[1].nmae',
        line: expect.any(Number),
        message: expect.stringContaining('did you mean "name"'),
      }),
    );
    expect(await readConfigText(gw)).toBe(before);
  });

  it('treats placeholders at secret fields as the current values', async () => {
    gw = await withCommentedConfig();
    const got = await gw.client.request('config.get', {});
    const result = await gw.client.request('config.validate', { config: got.raw as Record<string, unknown> });
    expect(result.ok).toBe(true);
    expect(result.issues.filter((i) => i.code === 'plaintext_secret').map((i) => i.path)).toEqual([
      'channels.telegram.botToken',
      'channels.telegram.accounts.alerts.botToken',
    ]);
  });

  it('applies the on-disk rule that two agents may not share a workspace', async () => {
    gw = await startTestGateway();
    const result = await gw.client.request('config.validate', {
      config: {
        agents: {
          list: [
            { id: 'a', workspace: '~/shared' },
            { id: 'b', workspace: path.join(gw.dir, 'shared') },
          ],
        },
      },
    });
    expect(result.ok).toBe(false);
    expect(result.issues).toContainEqual(expect.objectContaining({ code: 'shared_path', path: 'agents.list[1].workspace' }));
  });
});

describe('agents.create', () => {
  it('writes the agent with explicit folders (and the built-in main first), creates its persona files, and routes to it at once', async () => {
    gw = await startTestGateway({ adapters: memoryChannels().factory });
    const { hash } = await gw.client.request('config.get', {});
    const created = await gw.client.request('agents.create', {
      baseHash: hash,
      agent: { id: 'Work', name: 'Work', emoji: '🛠', persona: 'You are terse and precise.' },
      bindings: [{ channel: 'telegram', accountId: 'default' }],
    });
    expect(created).toEqual({
      agentId: 'work',
      workspace: path.join(gw.dir, 'workspace-work'),
      agentDir: path.join(gw.dir, 'agents', 'work', 'agent'),
      hash: sha256(await readConfigText(gw)),
    });

    const config = await readConfig(gw);
    expect(config.agents.list).toEqual([
      { id: 'main', default: true, workspace: '~/workspace', agentDir: '~/agents/main/agent' },
      {
        id: 'work',
        name: 'Work',
        identity: { emoji: '🛠', persona: 'You are terse and precise.' },
        workspace: '~/workspace-work',
        agentDir: '~/agents/work/agent',
      },
    ]);
    expect(config.bindings).toEqual([{ agentId: 'work', match: { channel: 'telegram', accountId: 'default' } }]);
    expect(await readFile(path.join(gw.dir, 'workspace-work', 'SOUL.md'), 'utf8')).toContain('You are terse and precise.');
    for (const file of ['AGENTS.md', 'USER.md']) expect(existsSync(path.join(gw.dir, 'workspace-work', file)), file).toBe(true);
    expect(existsSync(path.join(gw.dir, 'agents', 'work', 'agent'))).toBe(true);
    expect(existsSync(path.join(gw.dir, 'agents', 'work', 'sessions'))).toBe(true);
    expect(existsSync(path.join(gw.dir, 'workspace', 'SOUL.md'))).toBe(true);

    const route = await gw.client.request('route.explain', { channel: 'telegram', peer: { kind: 'direct', id: '7' } });
    expect(route.decision).toMatchObject({ agentId: 'work', matchedBy: 'binding.account', bindingIndex: 0 });
    expect((await gw.client.request('agents.list', {})).agents.map((a) => [a.id, a.emoji, a.default])).toEqual([
      ['main', null, true],
      ['work', '🛠', false],
    ]);
  });

  it('refuses an unsafe id, the reserved id main and an id that exists, changing nothing', async () => {
    gw = await startTestGateway();
    const { hash } = await gw.client.request('config.get', {});
    const unsafe = await refusal(gw.client.request('agents.create', { baseHash: hash, agent: { id: '../x' } }));
    expect(unsafe.code).toBe('bad_request');
    expect(unsafe.message).toContain('agent id "../x" is not allowed');
    // While the config lists no agents, "main" is the built-in agent: creating it would rewrite the default agent.
    const before = await readConfigText(gw);
    const main = await refusal(gw.client.request('agents.create', { baseHash: hash, agent: { id: 'Main', model: 'claude-haiku-5-5' } }));
    expect(main).toMatchObject({ code: 'conflict', message: expect.stringContaining('the id "main" is reserved for the built-in agent') });
    expect(await readConfigText(gw)).toBe(before);
    const first = await gw.client.request('agents.create', { baseHash: hash, agent: { id: 'work' } });
    const afterFirst = await readConfigText(gw);
    const again = await refusal(gw.client.request('agents.create', { baseHash: first.hash, agent: { id: 'WORK', name: 'Other' } }));
    expect(again).toMatchObject({ code: 'conflict', message: 'an agent with the id "work" already exists; choose another id' });
    const mainAgain = await refusal(gw.client.request('agents.create', { baseHash: first.hash, agent: { id: 'main' } }));
    expect(mainAgain.message).toContain('reserved');
    expect(await readConfigText(gw)).toBe(afterFirst);
    expect(existsSync(path.join(gw.dir, 'x'))).toBe(false);
  });

  it('a stale baseHash is a conflict', async () => {
    gw = await startTestGateway();
    const { hash } = await gw.client.request('config.get', {});
    await gw.client.request('agents.create', { baseHash: hash, agent: { id: 'one' } });
    const err = await refusal(gw.client.request('agents.create', { baseHash: hash, agent: { id: 'two' } }));
    expect(err.code).toBe('conflict');
    expect(existsSync(path.join(gw.dir, 'workspace-two'))).toBe(false);
  });
});

describe('agents.update', () => {
  it('sets name, emoji, tools and default; null model goes back to the default model', async () => {
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: {
          defaults: { model: 'claude-sonnet-5-5' },
          list: [
            { id: 'main', default: true },
            { id: 'work', model: 'claude-opus-5-5' },
          ],
        },
      }),
    });
    const { hash } = await gw.client.request('config.get', {});
    const updated = await gw.client.request('agents.update', {
      agentId: 'work',
      baseHash: hash,
      patch: { name: 'Office', emoji: '💼', model: null, tools: { allow: ['read'] }, default: true },
    });
    expect(updated).toEqual({ agentId: 'work', hash: sha256(await readConfigText(gw)) });
    expect((await readConfig(gw)).agents.list).toEqual([
      { id: 'main' },
      { id: 'work', name: 'Office', identity: { emoji: '💼' }, tools: { allow: ['read'] }, default: true },
    ]);
    const work = (await gw.client.request('agents.list', {})).agents.find((a) => a.id === 'work')!;
    expect(work).toMatchObject({ name: 'Office', emoji: '💼', model: 'claude-sonnet-5-5', default: true });
  });

  it('creates and updates the sandbox block, keeping hand-written sandbox keys, and refuses a bad mode or host', async () => {
    gw = await startTestGateway({
      config: (url) => ({ models: { anthropic: { baseUrl: url } }, agents: { list: [{ id: 'main', default: true }] } }),
    });
    const first = await gw.client.request('config.get', {});
    await gw.client.request('agents.create', {
      baseHash: first.hash,
      agent: { id: 'coder', tools: { allow: ['read', 'exec'] }, sandbox: { mode: 'all', network: { allow: ['api.github.com'] } } },
    });
    type Box = { mode?: string; workspaceAccess?: string; network?: unknown } | undefined;
    const coder = async (): Promise<Box> => (await readConfig(gw!)).agents.list.find((a) => a.id === 'coder')?.sandbox as Box;
    expect(await coder()).toEqual({ mode: 'all', network: { allow: ['api.github.com'] } });

    const got = await gw.client.request('config.get', {});
    const raw = view(got.raw);
    (raw.agents.list.find((a) => a.id === 'coder')!.sandbox as Record<string, unknown>).workspaceAccess = 'ro';
    let { hash } = await gw.client.request('config.apply', { config: raw as unknown as Record<string, unknown>, baseHash: got.hash });
    ({ hash } = await gw.client.request('agents.update', { agentId: 'coder', baseHash: hash, patch: { sandbox: { mode: 'non-main' } } }));
    expect(await coder()).toEqual({ mode: 'non-main', workspaceAccess: 'ro', network: { allow: ['api.github.com'] } });

    const badMode = await refusal(
      gw.client.request('agents.update', { agentId: 'coder', baseHash: hash, patch: { sandbox: { mode: 'some' as 'all' } } }),
    );
    expect(badMode.code).toBe('bad_request');
    const badHost = await refusal(
      gw.client.request('agents.update', {
        agentId: 'coder',
        baseHash: hash,
        patch: { sandbox: { mode: 'all', network: { allow: ['https://x.test/'] } } },
      }),
    );
    expect(badHost.message).toContain('sandbox');
    expect((await coder())?.mode).toBe('non-main');

    await gw.client.request('agents.update', { agentId: 'coder', baseHash: hash, patch: { sandbox: null } });
    expect(await coder()).toBeUndefined();
  });

  it("writes the agent page's keys (fallbacks, owners, limits, memory) and refuses a bad owner with its path, writing nothing", async () => {
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: { list: [{ id: 'main', default: true, model: 'claude-opus-5-5' }] },
      }),
    });
    const { hash } = await gw.client.request('config.get', {});
    const bad = await refusal(
      gw.client.request('agents.update', { agentId: 'main', baseHash: hash, patch: { owners: ['telegram:1', 'fax:2'] } }),
    );
    expect(bad).toMatchObject({ code: 'bad_request', message: expect.stringContaining('agents.list[0].owners[1]: owner "fax:2"') });
    expect(sha256(await readConfigText(gw))).toBe(hash);
    await gw.client.request('agents.update', {
      agentId: 'main',
      baseHash: hash,
      patch: {
        model: 'claude-sonnet-5-5',
        fallbacks: ['claude-haiku-5-5'],
        owners: ['telegram:1'],
        limits: { dailyTokens: 50_000 },
        memory: { scope: 'shared', pool: 'team' },
      },
    });
    expect((await readConfig(gw)).agents.list[0]).toEqual({
      id: 'main',
      default: true,
      model: { primary: 'claude-sonnet-5-5', fallbacks: ['claude-haiku-5-5'] },
      owners: ['telegram:1'],
      limits: { dailyTokens: 50_000 },
      memory: { scope: 'shared', pool: 'team' },
    });
    const main = (await gw.client.request('agents.list', {})).agents[0]!;
    expect(main).toMatchObject({ model: 'claude-sonnet-5-5', modelFallbacks: ['claude-haiku-5-5'] });
  });

  it('an unknown agent is not_found', async () => {
    gw = await startTestGateway();
    const { hash } = await gw.client.request('config.get', {});
    const err = await refusal(gw.client.request('agents.update', { agentId: 'ghost', baseHash: hash, patch: { name: 'Boo' } }));
    expect(err).toMatchObject({ code: 'not_found', message: expect.stringContaining('agent "ghost" does not exist') });
  });
});

describe('agents.delete', () => {
  const twoAgents = (url: string) => ({
    models: { anthropic: { baseUrl: url } },
    agents: { list: [{ id: 'main', default: true }, { id: 'work' }] },
    bindings: [{ agentId: 'work', match: { channel: 'telegram', accountId: 'default' } }],
    channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'] } },
  });

  it('refuses while bindings name the agent, saying where, and changes nothing', async () => {
    gw = await startTestGateway({ config: twoAgents, adapters: memoryChannels().factory });
    const { hash } = await gw.client.request('config.get', {});
    const before = await readConfigText(gw);
    const err = await refusal(gw.client.request('agents.delete', { agentId: 'work', baseHash: hash }));
    expect(err.code).toBe('conflict');
    expect(err.message).toContain('bindings[0]');
    expect(err.message).toContain('dropBindings');
    expect(await readConfigText(gw)).toBe(before);
  });

  it('with dropBindings removes the agent and its bindings, keeps its files, and routes to the default at once', async () => {
    gw = await startTestGateway({ config: twoAgents, adapters: memoryChannels().factory });
    const sent = await gw.client.request('webchat.send', { agentId: 'work', text: 'remember me' });
    await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    const { hash } = await gw.client.request('config.get', {});
    const deleted = await gw.client.request('agents.delete', { agentId: 'work', baseHash: hash, dropBindings: true });
    expect(deleted).toEqual({ agentId: 'work', removedBindings: [0], purged: false, hash: sha256(await readConfigText(gw)), warnings: [] });
    const config = await readConfig(gw);
    expect(config.agents.list).toEqual([{ id: 'main', default: true }]);
    expect(config.bindings).toEqual([]);
    expect(existsSync(path.join(gw.dir, 'agents', 'work', 'sessions', 'sessions.json'))).toBe(true);
    const route = await gw.client.request('route.explain', { channel: 'telegram', peer: { kind: 'direct', id: '7' } });
    expect(route.decision).toMatchObject({ agentId: 'main', matchedBy: 'default' });
  });
});

describeWithKeyring('agents.delete with purge, on a real keychain', () => {
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

  it("deletes the agent's workspace, agentDir, sessions and keychain entries, and nothing of the other agent", async () => {
    gw = await startTestGateway({
      config: (url) => ({ models: { anthropic: { baseUrl: url } }, agents: { list: [{ id: 'main', default: true }] } }),
    });
    const { hash } = await gw.client.request('config.get', {});
    const created = await gw.client.request('agents.create', { baseHash: hash, agent: { id: 'temp' } });
    await gw.client.request('auth.add', { agentId: 'temp', profileId: 'p1', apiKey: 'sk-purge-me-0123456789' });
    const keychain = openSecretStore();
    expect(await keychain.list(agentAuthPrefix('temp'))).toEqual(['agent:temp:auth:p1']);
    const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'hello' });
    await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    const sentTemp = await gw.client.request('webchat.send', { agentId: 'temp', text: 'hello' });
    await gw.waitFor('message.outbound', (d) => d.messageId === sentTemp.messageId);

    const deleted = await gw.client.request('agents.delete', { agentId: 'temp', baseHash: created.hash, purge: true });
    expect(deleted).toMatchObject({ agentId: 'temp', purged: true, warnings: [] });
    expect(existsSync(path.join(gw.dir, 'workspace-temp'))).toBe(false);
    expect(existsSync(path.join(gw.dir, 'agents', 'temp'))).toBe(false);
    expect(await keychain.list(agentAuthPrefix('temp'))).toEqual([]);
    expect(existsSync(path.join(gw.dir, 'agents', 'main', 'sessions', 'sessions.json'))).toBe(true);
    expect((await gw.client.request('agents.list', {})).agents.map((a) => a.id)).toEqual(['main']);
    // A restart replays the inbound journal: the purged sessions must not come back from it.
    await gw.client.request('gateway.stop', {});
    await gw.headless.gateway.init();
    expect(existsSync(path.join(gw.dir, 'agents', 'temp'))).toBe(false);
  });
});

describe('bindings.set', () => {
  it('replaces the explicit list in order, keeps channel shorthands, reports shadowed bindings, and routes by it at once', async () => {
    gw = await startTestGateway({
      config: (url) => ({
        models: { anthropic: { baseUrl: url } },
        agents: { list: [{ id: 'main', default: true }, { id: 'work' }] },
        bindings: [{ agentId: 'main', match: { channel: 'telegram', accountId: 'default' } }],
        channels: { telegram: {}, discord: { agent: 'work' } },
      }),
      adapters: memoryChannels().factory,
    });
    const { hash } = await gw.client.request('config.get', {});
    const result = await gw.client.request('bindings.set', {
      baseHash: hash,
      bindings: [
        { agentId: 'work', match: { channel: 'telegram', accountId: '*' } },
        { agentId: 'main', match: { channel: 'telegram', accountId: '*' } },
      ],
    });
    expect(result).toEqual({ hash: sha256(await readConfigText(gw)), shadowed: [{ index: 1, by: 0 }] });
    const config = await readConfig(gw);
    expect(config.bindings).toEqual([
      { agentId: 'work', match: { channel: 'telegram', accountId: '*' } },
      { agentId: 'main', match: { channel: 'telegram', accountId: '*' } },
    ]);
    expect(config.channels.discord).toEqual({ agent: 'work' });
    const route = await gw.client.request('route.explain', { channel: 'telegram', peer: { kind: 'direct', id: '7' } });
    expect(route.decision).toMatchObject({ agentId: 'work', bindingIndex: 0 });
  });

  it('refuses a binding with a misspelt match key instead of widening it', async () => {
    gw = await startTestGateway();
    const { hash } = await gw.client.request('config.get', {});
    const err = await refusal(
      gw.client.request('bindings.set', {
        baseHash: hash,
        bindings: [{ agentId: 'main', match: { channel: 'telegram', guild: '1' } }],
      } as never),
    );
    expect(err.code).toBe('bad_request');
    expect(err.message).toContain('guild');
  });
});

describe('usage.summary', () => {
  it("counts a webchat turn's message and tokens on today's date, and keeps them on disk", async () => {
    gw = await startTestGateway();
    const sent = await gw.client.request('webchat.send', { agentId: 'main', text: 'count me' });
    const reply = await gw.waitFor('message.outbound', (d) => d.messageId === sent.messageId);
    const usage = reply.usage as { inputTokens: number; outputTokens: number };
    expect(usage.inputTokens).toBeGreaterThan(0);

    const summary = await gw.client.request('usage.summary', { agentId: 'main', days: 3 });
    const today = localDate(new Date());
    expect(summary.agents).toHaveLength(1);
    const main = summary.agents[0]!;
    expect(main.days.map((d) => d.date)).toHaveLength(3);
    // The tokens are also kept by the model that spent them (docs/config.md#model-fallbacks).
    const byModel = { [DEFAULT_MODEL]: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } };
    expect(main.days[2]).toEqual({
      date: today,
      messages: 1,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      models: byModel,
    });
    expect(main.days.slice(0, 2).every((d) => d.messages === 0 && d.inputTokens === 0)).toBe(true);
    expect(main.total).toEqual({ messages: 1, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, models: byModel });

    await gw.client.request('gateway.stop', {});
    const ledger = JSON.parse(await readFile(path.join(gw.dir, 'agents', 'main', 'usage.json'), 'utf8'));
    expect(ledger).toEqual({
      version: 1,
      days: { [today]: { messages: 1, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, models: byModel } },
    });
  });

  it('covers every agent by default, seven days each', async () => {
    gw = await startTestGateway({
      config: (url) => ({ models: { anthropic: { baseUrl: url } }, agents: { list: [{ id: 'main', default: true }, { id: 'work' }] } }),
    });
    const summary = await gw.client.request('usage.summary', {});
    expect(summary.agents.map((a) => [a.agentId, a.days.length, a.total.messages])).toEqual([
      ['main', 7, 0],
      ['work', 7, 0],
    ]);
  });
});

describe('auth.list', () => {
  it('says whether the gateway has ANTHROPIC_API_KEY (the dashboard asks for a key when not), never its value', async () => {
    const g = await startTestGateway();
    try {
      const listed = await g.client.request('auth.list', {});
      expect(listed.envKey).toBe(true);
      expect(JSON.stringify(listed)).not.toContain(TEST_API_KEY);
    } finally {
      await g.close();
    }
  });
});

describe('config.open', () => {
  it('opens the config file itself (never a path from the caller) with the injected opener', async () => {
    const opened: string[] = [];
    const g = await startTestGateway({
      openPath: async (file) => {
        opened.push(file);
      },
    });
    try {
      expect(await g.client.request('config.open', {})).toEqual({ path: configPath(g) });
      expect(opened).toEqual([configPath(g)]);
    } finally {
      await g.close();
    }
  });

  it('says why when the opener fails, naming the file to open by hand', async () => {
    const g = await startTestGateway({
      openPath: async () => {
        throw new Error('xdg-open is not available on this machine');
      },
    });
    try {
      await expect(g.client.request('config.open', {})).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringContaining(`could not open ${configPath(g)}: xdg-open is not available`),
      });
    } finally {
      await g.close();
    }
  });

  it('says there is no file yet when the gateway runs on the embedded default', async () => {
    const opened: string[] = [];
    const g = await startTestGateway({
      openPath: async (file) => {
        opened.push(file);
      },
    });
    try {
      await rm(configPath(g));
      await expect(g.client.request('config.open', {})).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringContaining('there is no config file yet'),
      });
      expect(opened).toEqual([]);
    } finally {
      await g.close();
    }
  });
});
