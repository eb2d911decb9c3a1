import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfigText, checkConfigValue } from '../../src-shared/config/index.ts';
import { errorsOf, validConfig, warningsOf } from '../helpers/config.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '../fixtures/examples');
const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

describe('syntax', () => {
  it('a JSON5 syntax error reports file, line and column', () => {
    const check = checkConfigText('{\n  agents: {\n    list: [ { id: "a" } }\n}', 'switchboard.json');
    expect(check.ok).toBe(false);
    expect(check.issues[0]).toMatchObject({ code: 'syntax', file: 'switchboard.json', line: 3, severity: 'error' });
    expect(check.issues[0]!.column).toBeGreaterThan(0);
  });
  it('comments, unquoted keys and trailing commas are fine', () => {
    expect(checkConfigText('// c\n{ agents: { list: [ { id: "a", }, ], }, /* x */ }').ok).toBe(true);
  });
  it('an unquoted Discord snowflake beyond 2^53 is an error asking to quote it', () => {
    const check = checkConfigText('{ bindings: [ { agentId: "main", match: { channel: "discord", guildId: 123456789012345678 } } ] }');
    expect(check.ok).toBe(false);
    expect(check.issues[0]!.message).toMatch(/"123456789012345678"/);
    expect(check.issues[0]!.line).toBe(1);
  });
});

describe('schema errors name the config path and position', () => {
  it('an unknown key is an error with a "did you mean"', () => {
    const check = checkConfigText('{\n  agents: { list: [ { id: "a", modle: "x" } ] }\n}');
    expect(check.issues).toEqual([
      expect.objectContaining({
        code: 'unknown_key',
        path: ['agents', 'list', 0, 'modle'],
        line: 2,
        message: expect.stringContaining('did you mean "model"'),
      }),
    ]);
  });
  it('a wrong type names the path', () => {
    expect(errorsOf({ session: { dmScope: 'per-user' } })).toEqual([expect.objectContaining({ path: ['session', 'dmScope'] })]);
  });
  it('every error is listed at once, schema and semantic alike', () => {
    const errors = errorsOf({ sesion: {}, bindings: [{ agentId: 'nobody', match: { channel: 'telegram' } }] });
    expect(codes(errors).sort()).toEqual(['unknown_agent', 'unknown_key']);
  });
  it('accepts every key the design names, even for features that come later', () => {
    validConfig({
      agents: {
        defaults: {
          model: 'claude-sonnet-5-5',
          tools: { deny: ['exec'] },
          sandbox: { mode: 'off' },
          memory: { scope: 'agent' },
          limits: { dailyTokens: 1000 },
        },
        list: [
          {
            id: 'home',
            default: true,
            name: 'Home',
            identity: { name: 'Argent', emoji: '🪙', persona: 'p' },
            workspace: '/tmp/w-home',
            agentDir: '/tmp/a-home',
            model: 'claude-opus-5-5',
            groupChat: { mentionPatterns: ['@home'] },
            tools: { allow: ['read', 'sessions_list'], deny: ['exec'], nonOwners: { allow: ['write'] } },
            memory: { scope: 'shared', pool: 'family' },
            tasks: { scope: 'agent' },
            skills: ['x'],
            sandbox: { mode: 'off', scope: 'agent' },
            authProfiles: { scope: 'shared' },
            owners: ['telegram:123'],
            limits: { dailyTokens: 5, perSenderPerMinute: 3 },
            reset: { dailyHour: 4, idleMinutes: 60 },
          },
        ],
      },
      channels: {
        telegram: { apiRoot: 'http://127.0.0.1:1', botToken: { secret: 'telegram/default' }, groups: { '*': { requireMention: true } } },
        discord: {
          apiRoot: 'http://127.0.0.1:2/api',
          token: { env: 'DISCORD_BOT_TOKEN' },
          guilds: { '1': { channels: { '2': { allow: true, requireMention: false } } } },
        },
        whatsapp: { dmPolicy: 'allowlist', allowFrom: ['+15551230001'], accounts: { personal: {}, biz: { authDir: '/tmp/wa' } } },
        webchat: {},
      },
      session: { dmScope: 'per-peer', mainKey: 'main', identityLinks: { alice: ['telegram:1'] } },
      tools: { agentToAgent: { enabled: false, allow: ['home'] } },
      broadcast: { strategy: 'sequential', '120363@g.us': ['home'] },
      models: { anthropic: { baseUrl: 'http://127.0.0.1:3' } },
      gateway: { maxConcurrentSessions: 4 },
      logging: { level: 'info' },
    });
  });
});

describe('agents', () => {
  it('ids are lower-cased', () => {
    expect(validConfig({ agents: { list: [{ id: 'Work' }] } }).agents.list[0]!.id).toBe('work');
  });
  it.each(['../x', 'a/b', '-lead', 'with space', 'x'.repeat(65)])('id %j is refused', (id) => {
    expect(codes(errorsOf({ agents: { list: [{ id }] } }))).toContain('invalid_agent_id');
  });
  it('ids are unique case-insensitively', () => {
    expect(errorsOf({ agents: { list: [{ id: 'work' }, { id: 'WORK' }] } })).toEqual([
      expect.objectContaining({ code: 'duplicate_agent', path: ['agents', 'list', 1, 'id'] }),
    ]);
  });
  it('several default agents is a warning and the first wins', () => {
    const raw = { agents: { list: [{ id: 'a' }, { id: 'b', default: true }, { id: 'c', default: true }] } };
    expect(warningsOf(raw)).toEqual([expect.objectContaining({ code: 'multiple_defaults', path: ['agents', 'list', 2, 'default'] })]);
    expect(
      validConfig(raw)
        .agents.list.filter((x) => x.default)
        .map((x) => x.id),
    ).toEqual(['b']);
  });
  it('with no agents there is one implicit agent "main"', () => {
    expect(validConfig({}).agents.list).toEqual([expect.objectContaining({ id: 'main', implicit: true, default: true })]);
  });
  it('the ArgentOS map form and string identity become the list form with identity.persona', () => {
    const config = validConfig({
      agents: {
        defaults: { model: 'claude-sonnet-5-5' },
        main: { name: 'Argent', identity: 'You are Argent.' },
        work: { name: 'Sentinel' },
      },
    });
    expect(config.agents.list.map((a) => a.id)).toEqual(['main', 'work']);
    expect(config.agents.list[0]!.identity).toEqual({ persona: 'You are Argent.' });
    expect(config.agents.defaults.model).toBe('claude-sonnet-5-5');
  });
  it('errors inside the ArgentOS map form point at what the user wrote', () => {
    const check = checkConfigText('{\n  agents: {\n    work: { nmae: "x" },\n  },\n}');
    expect(check.issues[0]).toMatchObject({ path: ['agents', 'work', 'nmae'], line: 3 });
  });
  it('a deprecated model is a warning naming its end-of-life date', () => {
    expect(warningsOf({ agents: { list: [{ id: 'a', model: 'claude-sonnet-4-5' }] } })).toEqual([
      expect.objectContaining({ code: 'deprecated_model', message: expect.stringContaining('November 30th, 2026') }),
    ]);
  });
  it('anthropic/ model prefixes name the same model', () => {
    expect(warningsOf({ agents: { list: [{ id: 'a', model: 'anthropic/claude-opus-5-5' }] } })).toEqual([]);
  });
  it('an unknown tool name in allow or deny is a warning', () => {
    expect(warningsOf({ agents: { list: [{ id: 'a', tools: { allow: ['read', 'browser'] } }] } })).toEqual([
      expect.objectContaining({ code: 'unknown_tool', path: ['agents', 'list', 0, 'tools', 'allow', 1] }),
    ]);
  });
  it('an agent in tools.agentToAgent.allow whose own tools.allow or tools.deny shuts out sessions_send gets a warning naming the fix', () => {
    const a2a = { agentToAgent: { enabled: true, allow: ['a', 'b', 'c'] } };
    const list = [{ id: 'a', tools: { allow: ['read'] } }, { id: 'b', tools: { deny: ['sessions_send'] } }, { id: 'c' }];
    expect(warningsOf({ agents: { list }, tools: a2a })).toEqual([
      expect.objectContaining({
        code: 'a2a_tool_missing',
        path: ['agents', 'list', 0, 'tools', 'allow'],
        message: expect.stringContaining('add "sessions_send" to its tools.allow'),
      }),
      expect.objectContaining({ code: 'a2a_tool_denied', path: ['agents', 'list', 1, 'tools', 'deny'] }),
    ]);
    expect(warningsOf({ agents: { list }, tools: { agentToAgent: { enabled: false, allow: ['a', 'b'] } } })).toEqual([]);
  });
  it('owners must be <channel>:<id>', () => {
    expect(codes(errorsOf({ agents: { list: [{ id: 'a', owners: ['alice'] }] } }))).toEqual(['invalid_owner']);
  });
});

describe('bindings', () => {
  const agents = { list: [{ id: 'main' }, { id: 'work' }] };
  it('a binding naming an unknown agent is an error, never a silent fall-back', () => {
    expect(errorsOf({ agents, bindings: [{ agentId: 'wrok', match: { channel: 'telegram' } }] })).toEqual([
      expect.objectContaining({
        code: 'unknown_agent',
        path: ['bindings', 0, 'agentId'],
        message: expect.stringContaining('did you mean "work"'),
      }),
    ]);
  });
  it('a binding naming an unknown channel is an error', () => {
    expect(errorsOf({ agents, bindings: [{ agentId: 'work', match: { channel: 'matrix' } }] })).toEqual([
      expect.objectContaining({ code: 'unknown_channel', path: ['bindings', 0, 'match', 'channel'] }),
    ]);
  });
  it('a channel block for an unknown channel is an error', () => {
    expect(errorsOf({ channels: { matrix: {} } })).toEqual([
      expect.objectContaining({ code: 'unknown_channel', path: ['channels', 'matrix'] }),
    ]);
  });
  it('an unknown peer kind is an error; "dm" is accepted as direct', () => {
    expect(errorsOf({ agents, bindings: [{ agentId: 'work', match: { channel: 'telegram', peer: { kind: 'room', id: '1' } } }] })).toEqual([
      expect.objectContaining({ code: 'unknown_peer_kind', path: ['bindings', 0, 'match', 'peer', 'kind'] }),
    ]);
    expect(
      validConfig({ agents, bindings: [{ agentId: 'work', match: { channel: 'telegram', peer: { kind: 'DM', id: '1' } } }] }).bindings[0]!
        .match.peer,
    ).toEqual({ kind: 'direct', id: '1' });
  });
  it('roles without a guild are an error', () => {
    expect(codes(errorsOf({ agents, bindings: [{ agentId: 'work', match: { channel: 'discord', roles: ['r'] } }] }))).toEqual([
      'roles_without_guild',
    ]);
  });
  it('guild and team together are an error', () => {
    expect(codes(errorsOf({ agents, bindings: [{ agentId: 'work', match: { channel: 'discord', guildId: 'g', teamId: 't' } }] }))).toEqual([
      'guild_and_team',
    ]);
  });
  it('an invalid account id in a binding is an error', () => {
    expect(codes(errorsOf({ agents, bindings: [{ agentId: 'work', match: { channel: 'telegram', accountId: 'my bot' } }] }))).toEqual([
      'invalid_account_id',
    ]);
  });
  it('a binding naming an account the channel does not define is a warning', () => {
    expect(
      warningsOf({
        agents,
        bindings: [{ agentId: 'work', match: { channel: 'whatsapp', accountId: 'biz' } }],
        channels: { whatsapp: { accounts: { personal: {} } } },
      }),
    ).toEqual([expect.objectContaining({ code: 'unknown_account', path: ['bindings', 0, 'match', 'accountId'] })]);
  });
  it('a binding shadowed by an earlier one of the same tier is a warning', () => {
    const w = warningsOf({
      agents,
      channels: { telegram: {} },
      bindings: [
        { agentId: 'main', match: { channel: 'telegram', accountId: '*' } },
        { agentId: 'work', match: { channel: 'telegram', accountId: '*' } },
      ],
    });
    expect(w).toEqual([
      expect.objectContaining({ code: 'shadowed_binding', path: ['bindings', 1], message: expect.stringContaining('bindings[0]') }),
    ]);
  });
  it('a role binding is shadowed by an earlier one that accepts all of its roles', () => {
    const w = warningsOf({
      agents,
      channels: { discord: {} },
      bindings: [
        { agentId: 'work', match: { channel: 'discord', guildId: 'g', roles: ['r1', 'r2'] } },
        { agentId: 'main', match: { channel: 'discord', guildId: 'g', roles: ['r1'] } },
        { agentId: 'main', match: { channel: 'discord', guildId: 'g', roles: ['r3'] } },
      ],
    });
    expect(w).toEqual([expect.objectContaining({ code: 'shadowed_binding', path: ['bindings', 1] })]);
  });
  it('an account-wide binding shadows a later one for the same account only', () => {
    const w = warningsOf({
      agents,
      channels: { whatsapp: { accounts: { a: {}, b: {} } } },
      bindings: [
        { agentId: 'work', match: { channel: 'whatsapp', accountId: '*', guildId: 'g' } },
        { agentId: 'main', match: { channel: 'whatsapp', accountId: 'a', guildId: 'g' } },
        { agentId: 'main', match: { channel: 'whatsapp', accountId: 'b' } },
      ],
    });
    expect(w.map((i) => i.path)).toEqual([['bindings', 1]]);
  });
  it('a more specific later binding is not shadowed', () => {
    expect(
      warningsOf({
        agents,
        channels: { whatsapp: { accounts: { personal: {} } } },
        bindings: [
          { agentId: 'main', match: { channel: 'whatsapp', accountId: 'personal' } },
          { agentId: 'work', match: { channel: 'whatsapp', accountId: 'personal', peer: { kind: 'group', id: 'x@g.us' } } },
        ],
      }),
    ).toEqual([]);
  });
  it('an exact peer binding after a wildcard is not shadowed: exact peers win by tier', () => {
    expect(
      codes(
        warningsOf({
          agents,
          channels: { telegram: {} },
          bindings: [
            { agentId: 'main', match: { channel: 'telegram', peer: { kind: 'group', id: '*' } } },
            { agentId: 'work', match: { channel: 'telegram', peer: { kind: 'group', id: '-1' } } },
          ],
        }),
      ),
    ).toEqual([]);
  });
});

describe('channels and accounts', () => {
  it('account keys are lower-cased and duplicates after lower-casing are errors', () => {
    expect(codes(errorsOf({ channels: { whatsapp: { accounts: { Biz: {}, biz: {} } } } }))).toEqual(['duplicate_account']);
    expect(Object.keys(validConfig({ channels: { whatsapp: { accounts: { Biz: {} } } } }).channels.whatsapp!.accounts)).toEqual(['biz']);
  });
  it('"*" is reserved and not an account id', () => {
    expect(codes(errorsOf({ channels: { telegram: { accounts: { '*': {} } } } }))).toEqual(['invalid_account_id']);
  });
  it('dmPolicy "open" requires "*" in allowFrom', () => {
    expect(codes(errorsOf({ channels: { telegram: { dmPolicy: 'open' } } }))).toEqual(['open_without_wildcard']);
    validConfig({ channels: { telegram: { dmPolicy: 'open', allowFrom: ['*'] } } });
  });
  it('accounts inherit base settings but never the base token', () => {
    const config = validConfig({
      channels: {
        telegram: {
          botToken: { secret: 'base' },
          dmPolicy: 'allowlist',
          allowFrom: [1],
          accounts: { alerts: { botToken: { secret: 'alerts' } }, other: {} },
        },
      },
    });
    const accounts = config.channels.telegram!.accounts;
    expect(accounts.default!.secrets.botToken).toEqual({ secret: 'base' });
    expect(accounts.alerts).toMatchObject({ dmPolicy: 'allowlist', allowFrom: ['1'], secrets: { botToken: { secret: 'alerts' } } });
    expect(accounts.other!.secrets).toEqual({});
  });
  it('a plaintext secret is a warning pointing at the keychain migration', () => {
    expect(warningsOf({ channels: { telegram: { botToken: '123:abc' } } })).toEqual([
      expect.objectContaining({ code: 'plaintext_secret', path: ['channels', 'telegram', 'botToken'] }),
    ]);
  });
  it('Telegram allowFrom takes numeric ids with an optional tg: prefix and rejects @usernames', () => {
    expect(
      validConfig({ channels: { telegram: { dmPolicy: 'allowlist', allowFrom: ['tg:123', 456, 'telegram:789'] } } }).channels.telegram!
        .accounts.default!.allowFrom,
    ).toEqual(['123', '456', '789']);
    expect(errorsOf({ channels: { telegram: { allowFrom: ['@alice'] } } })).toEqual([
      expect.objectContaining({ code: 'invalid_sender_id', message: expect.stringContaining('recycled') }),
    ]);
  });
  it('Discord allowFrom takes user ids only', () => {
    expect(codes(errorsOf({ channels: { discord: { allowFrom: ['alice#1234'] } } }))).toEqual(['invalid_sender_id']);
  });
  it('WhatsApp allowFrom takes E.164 numbers', () => {
    expect(codes(errorsOf({ channels: { whatsapp: { allowFrom: ['5551234'] } } }))).toEqual(['invalid_sender_id']);
  });
});

describe('session, broadcast, agent-to-agent', () => {
  it('identity links must be <channel>:<id>', () => {
    expect(codes(errorsOf({ session: { identityLinks: { alice: ['111'] } } }))).toEqual(['invalid_identity_link']);
  });
  it('one identity linked to two people is an error', () => {
    expect(codes(errorsOf({ session: { identityLinks: { alice: ['telegram:1'], bob: ['telegram:1'] } } }))).toEqual([
      'duplicate_identity_link',
    ]);
  });
  it('a broadcast group naming an unknown agent is an error', () => {
    expect(errorsOf({ broadcast: { strategy: 'parallel', 'g@g.us': ['main', 'ghost'] } })).toEqual([
      expect.objectContaining({ code: 'unknown_agent', path: ['broadcast', 'g@g.us', 1] }),
    ]);
  });
  it('agent-to-agent is off by default', () => {
    expect(validConfig({}).tools.agentToAgent).toEqual({ enabled: false, allow: [], maxTurns: 5 });
  });
});

describe('the example configs from the other products', () => {
  const files = readdirSync(EXAMPLES).filter((f) => /\.json5?$/.test(f));
  it.each(files)('%s loads (warnings allowed)', (file) => {
    const check = checkConfigText(readFileSync(path.join(EXAMPLES, file), 'utf8'), file);
    expect(check.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });
  it('the ArgentOS example routes Slack to its support agent (every slack account, the channel shorthand)', () => {
    const check = checkConfigText(readFileSync(path.join(EXAMPLES, 'argentos-multi-agent.json'), 'utf8'));
    expect(check.ok).toBe(true);
    expect(check.config!.bindings.find((b) => b.match.channel === 'slack')).toMatchObject({
      agentId: 'support',
      source: 'shorthand',
      match: { accountId: '*' },
    });
    expect(Object.keys(check.config!.channels.slack!.accounts)).toEqual(['default']);
  });
  it('plaintext tokens in the Telegram example are reported', () => {
    const check = checkConfigValue(JSON.parse('{"channels":{"telegram":{"accounts":{"default":{"botToken":"123:ABC"}}}}}'));
    expect(codes(check.issues)).toContain('plaintext_secret');
  });
});

describe('agent sandbox', () => {
  it('network.allow hosts are kept (trimmed, lower-cased); no list means no network', () => {
    const config = validConfig({
      agents: {
        list: [
          { id: 'a', sandbox: { mode: 'all', network: { allow: [' API.github.com', '*.npmjs.org', 'example.com:443'] } } },
          { id: 'b', sandbox: { mode: 'all' } },
        ],
      },
    });
    expect(config.agents.list[0]!.sandbox).toEqual({
      mode: 'all',
      network: { allow: ['api.github.com', '*.npmjs.org', 'example.com:443'] },
    });
    expect(config.agents.list[1]!.sandbox.network.allow).toEqual([]);
  });
  it('a URL in network.allow is an error naming the entry', () => {
    const errors = errorsOf({ agents: { list: [{ id: 'a', sandbox: { mode: 'all', network: { allow: ['https://example.com/x'] } } }] } });
    expect(errors).toEqual([
      expect.objectContaining({
        path: ['agents', 'list', 0, 'sandbox', 'network', 'allow', 0],
        message: expect.stringMatching(/no scheme/),
      }),
    ]);
  });
  it('agents.defaults.sandbox applies to every agent, key by key', () => {
    const config = validConfig({
      agents: {
        defaults: { sandbox: { mode: 'all', network: { allow: ['pypi.org'] } } },
        list: [{ id: 'a' }, { id: 'b', sandbox: { mode: 'non-main' } }],
      },
    });
    expect(config.agents.list.map((a) => [a.sandbox.mode, a.sandbox.network.allow])).toEqual([
      ['all', ['pypi.org']],
      ['non-main', ['pypi.org']],
    ]);
  });
  it('sandbox.docker is accepted and reported once as not supported', () => {
    const warnings = warningsOf({
      agents: { list: [{ id: 'a', sandbox: { mode: 'all', docker: { image: 'node:22', network: 'none', binds: [] } } }] },
    });
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'sandbox_docker_unsupported',
        path: ['agents', 'list', 0, 'sandbox', 'docker'],
        message: expect.stringMatching(/not supported: the OS sandbox is used instead/),
      }),
    ]);
  });
  it('a docker block in agents.defaults is reported there only', () => {
    const warnings = warningsOf({ agents: { defaults: { sandbox: { docker: { image: 'x' } } }, list: [{ id: 'a' }, { id: 'b' }] } });
    expect(warnings.map((w) => w.path)).toEqual([['agents', 'defaults', 'sandbox', 'docker']]);
  });
});
