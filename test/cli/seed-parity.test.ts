// What a user coming from OpenClaw/CoderClaw or ArgentOS runs first, as real processes: `import`
// of configs the seed documents describe, then `config validate` on what import wrote.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import JSON5 from 'json5';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((d) => fs.rm(d, { recursive: true, force: true })));
});

// No Secret Service here, so the import prints the `secrets set` commands instead of storing.
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/seed-parity-bus' };

async function box() {
  const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-seed-')));
  made.push(root);
  const home = path.join(root, 'home');
  await fs.mkdir(home);
  const state = path.join(root, 'state');
  const sb = (args: string[]) => runCli([...args, '--state-dir', state], home, NO_KEYCHAIN);
  const write = async (name: string, value: unknown) => {
    const file = path.join(root, name);
    await fs.writeFile(file, JSON.stringify(value, null, 2));
    return file;
  };
  return { root, state, sb, write, config: async () => JSON5.parse(await fs.readFile(path.join(state, 'switchboard.json'), 'utf8')) };
}

interface Report {
  mapped: string[];
  dropped: string[];
  secretCommands: string[];
}

describe('import of an OpenClaw Slack block', () => {
  it('writes a valid config: Socket Mode account kept, HTTP-mode keys dropped with a reason line', async () => {
    const b = await box();
    const file = await b.write('openclaw.json', {
      agents: { list: [{ id: 'main' }, { id: 'support' }] },
      bindings: [{ agentId: 'support', match: { channel: 'slack', teamId: 'T0123456789' } }],
      channels: {
        slack: {
          mode: 'socket',
          appToken: 'xapp-1-A111',
          botToken: 'xoxb-111',
          userToken: 'xoxp-222',
          replyToMode: 'first',
          accounts: { hooks: { mode: 'http', botToken: 'xoxb-333', signingSecret: 'sig-444', webhookPath: '/slack/hooks' } },
        },
      },
    });
    const run = await b.sb(['import', file, '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.dropped).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^channels\.slack\.accounts\.hooks\.mode "http": Switchboard connects to Slack over Socket Mode only/),
        'channels.slack.accounts.hooks.signingSecret: used by the HTTP Events API mode only; Switchboard uses Socket Mode',
        'channels.slack.accounts.hooks.webhookPath: used by the HTTP Events API mode only; Switchboard uses Socket Mode',
        'channels.slack.replyToMode: not a Switchboard setting',
      ]),
    );
    expect(report.secretCommands).toEqual([
      'switchboard secrets set slack/default/app',
      'switchboard secrets set slack/default/bot',
      'switchboard secrets set slack/hooks/bot',
    ]);
    const written = await b.config();
    expect(written.channels.slack).toEqual({
      appToken: { secret: 'slack/default/app' },
      botToken: { secret: 'slack/default/bot' },
      accounts: { hooks: { botToken: { secret: 'slack/hooks/bot' } } },
    });
    const text = await fs.readFile(path.join(b.state, 'switchboard.json'), 'utf8');
    for (const secret of ['xapp-1-A111', 'xoxb-111', 'xoxp-222', 'xoxb-333', 'sig-444']) expect(text).not.toContain(secret);
    const validate = await b.sb(['config', 'validate', '--json']);
    expect(validate.code, validate.stdout).toBe(0);
  });

  it('an object with several unknown keys loses those keys only, not the settings beside them', async () => {
    const b = await box();
    const file = await b.write('openclaw.json', {
      channels: { telegram: { botToken: '123:abc', dmPolicy: 'allowlist', allowFrom: ['42'], streamMode: 'partial', linkPreview: false } },
    });
    const run = await b.sb(['import', file, '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as Report).dropped).toEqual([
      'channels.telegram.streamMode: not a Switchboard setting',
      'channels.telegram.linkPreview: not a Switchboard setting',
    ]);
    expect((await b.config()).channels.telegram).toEqual({
      botToken: { secret: 'telegram/default' },
      dmPolicy: 'allowlist',
      allowFrom: ['42'],
    });
  });
});

describe('channels login before the account is configured (the CoderClaw order)', () => {
  it('says exactly what to add to the config, and changes nothing', async () => {
    const b = await box();
    const run = await b.sb(['channels', 'login', '--channel', 'whatsapp', '--account', 'work']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: whatsapp account "work" is not configured; add it first — channels: { whatsapp: { accounts: { "work": {} } } } — then run this again\n',
    );
    await expect(fs.access(path.join(b.state, 'switchboard.json'))).rejects.toThrow();
  });
});
