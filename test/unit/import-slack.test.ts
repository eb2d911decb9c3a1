// `switchboard import` of OpenClaw's Slack block: Socket Mode keys kept, HTTP Events API keys
// dropped with the reason, the legacy `dm` block and the `channels` map moved to Switchboard's keys,
// each of Slack's two tokens to its own keychain name, and the result accepted by the checker.
import { describe, expect, it } from 'vitest';
import { convertForeignConfig, type ImportReport } from '../../src-main/cli/commands/import.ts';
import { convertSlackBlock } from '../../src-main/cli/commands/import-slack.ts';
import { findPlaintextSecrets } from '../../src-main/secrets/credentials.ts';
import { checkConfigValue } from '../../src-shared/config/index.ts';

const convert = (source: unknown) => convertForeignConfig(source, { stateDir: '/home/u/.switchboard', homeDir: '/home/u' });

const OPENCLAW_SLACK = {
  agents: { list: [{ id: 'main' }, { id: 'support' }] },
  bindings: [{ agentId: 'support', match: { channel: 'slack', accountId: 'work' } }],
  channels: {
    slack: {
      enabled: true,
      mode: 'socket',
      appToken: 'xapp-1-A111',
      botToken: 'xoxb-111',
      userToken: 'xoxp-222',
      userTokenReadOnly: true,
      requireMention: false,
      dm: { policy: 'allowlist', allowFrom: ['U012AB3CD'], groupEnabled: true },
      channels: { C0123456789: { allow: true, requireMention: false, users: ['U012AB3CD'], systemPrompt: 'be brief' } },
      accounts: { work: { mode: 'http', botToken: 'xoxb-333', signingSecret: 'sig-444', webhookPath: '/slack/work' } },
    },
  },
};

describe('import: OpenClaw Slack block', () => {
  it('keeps the Socket Mode account and its access settings in Switchboard form', () => {
    const { raw } = convert(OPENCLAW_SLACK);
    expect((raw.channels as { slack: unknown }).slack).toEqual({
      enabled: true,
      appToken: { secret: 'slack/default/app' },
      botToken: { secret: 'slack/default/bot' },
      dmPolicy: 'allowlist',
      allowFrom: ['U012AB3CD'],
      groups: { C0123456789: { allow: true, requireMention: false, allowFrom: ['U012AB3CD'] }, '*': { requireMention: false } },
      accounts: { work: { botToken: { secret: 'slack/work/bot' } } },
    });
  });

  it('drops the HTTP-mode keys and the user token with the reason, never their values', () => {
    const { report } = convert(OPENCLAW_SLACK);
    const dropped = report.dropped.join('\n');
    expect(report.dropped).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^channels\.slack\.accounts\.work\.mode "http": Switchboard connects to Slack over Socket Mode only.*slack\/work\/app/,
        ),
        'channels.slack.accounts.work.signingSecret: used by the HTTP Events API mode only; Switchboard uses Socket Mode',
        'channels.slack.accounts.work.webhookPath: used by the HTTP Events API mode only; Switchboard uses Socket Mode',
        expect.stringMatching(/^channels\.slack\.userToken: not used/),
        'channels.slack.dm.groupEnabled: not a Switchboard setting',
        'channels.slack.channels.C0123456789.systemPrompt: not a Switchboard setting',
      ]),
    );
    expect(dropped).not.toContain('sig-444');
    expect(dropped).not.toContain('xoxp-222');
    expect(report.mapped).toContain('channels.slack.mode "socket": Socket Mode is the only mode here (key removed)');
  });

  it('gives the app token and the bot token their own keychain names, so neither overwrites the other', () => {
    const { plaintext } = convert(OPENCLAW_SLACK);
    expect(plaintext.map((p) => [p.path, p.name, p.value])).toEqual([
      ['channels.slack.appToken', 'slack/default/app', 'xapp-1-A111'],
      ['channels.slack.botToken', 'slack/default/bot', 'xoxb-111'],
      ['channels.slack.accounts.work.botToken', 'slack/work/bot', 'xoxb-333'],
    ]);
    // `secrets migrate` on Switchboard's own config uses the same names.
    const own = findPlaintextSecrets({ channels: { slack: { appToken: 'xapp-1-A', botToken: 'xoxb-B' } } });
    expect(own.map((p) => p.name)).toEqual(['slack/default/app', 'slack/default/bot']);
  });

  it('leaves a ${VAR} token as written: it is an environment reference, not a secret to move', () => {
    const { raw, plaintext } = convert({ channels: { slack: { appToken: '${SLACK_APP_TOKEN}', botToken: '${SLACK_BOT_TOKEN}' } } });
    expect(plaintext).toEqual([]);
    expect((raw.channels as { slack: unknown }).slack).toEqual({ appToken: '${SLACK_APP_TOKEN}', botToken: '${SLACK_BOT_TOKEN}' });
  });

  it('turns dm.enabled false into dmPolicy "disabled", and keeps a dmPolicy written the new way', () => {
    const off = convert({ channels: { slack: { dm: { enabled: false, policy: 'open' } } } }).raw;
    expect((off.channels as { slack: unknown }).slack).toEqual({ dmPolicy: 'disabled' });
    const both = convert({ channels: { slack: { dmPolicy: 'pairing', dm: { policy: 'open', allowFrom: ['*'] } } } }).raw;
    expect((both.channels as { slack: unknown }).slack).toEqual({ dmPolicy: 'pairing', allowFrom: ['*'] });
  });

  it('the converted block passes the checker with no error', () => {
    const { raw } = convert(OPENCLAW_SLACK);
    const errors = checkConfigValue(raw).issues.filter((i) => i.severity === 'error');
    expect(errors).toEqual([]);
  });
});

describe('import: Slack group policy default', () => {
  it('says when the block sets no groupPolicy, since the defaults differ, and leaves the safer one', () => {
    const report: ImportReport = { format: 'openclaw', mapped: [], dropped: [], secrets: [] };
    const block: Record<string, unknown> = { botToken: { secret: 'slack/default/bot' } };
    convertSlackBlock(block, report);
    expect(block).not.toHaveProperty('groupPolicy');
    expect(report.mapped).toContainEqual(expect.stringMatching(/^channels\.slack\.groupPolicy: not set; OpenClaw's default is "open"/));
    const explicit: ImportReport = { format: 'openclaw', mapped: [], dropped: [], secrets: [] };
    convertSlackBlock({ groupPolicy: 'open' }, explicit);
    expect(explicit.mapped.filter((m) => m.includes('groupPolicy'))).toEqual([]);
  });
});
