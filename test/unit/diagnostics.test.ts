// The diagnostics bundle (issue 20): a config and log seeded with real-looking tokens and API keys,
// and the bundle must hold none of them, while keeping what helps a bug report (references,
// versions, status, the log lines themselves).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDACTED_SECRET } from '../../src-shared/config/index.ts';
import { ConfigStore } from '../../src-main/config/store.ts';
import { diagnosticsBundle, maskSecretLooking } from '../../src-main/gateway/diagnostics.ts';
import { createLogger, redactingLogger } from '../../src-main/log.ts';
import { LogTail } from '../../src-main/log-tail.ts';
import { clearKnownSecrets, registerSecret } from '../../src-main/secrets/redact.ts';

// Shaped like the real thing, so only masking (not luck) keeps them out.
const TELEGRAM_TOKEN = '7281934650:AAHk3m9Qx2Lp8Zr4Vt6Wy1Bn5Cd7Ef0Gh2Ij';
const DISCORD_TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0Mw.GaBcDe.f1G2h3I4j5K6l7M8n9O0p1Q2r3S4t5U6v7W8x9';
const ANTHROPIC_KEY = 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-dcbaAA';
const KEYCHAIN_VALUE = 'kc-9f8e7d6c5b4a3f2e1d0c-plain';
const OPAQUE_VALUE = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const SECRETS = [TELEGRAM_TOKEN, DISCORD_TOKEN, ANTHROPIC_KEY, KEYCHAIN_VALUE, OPAQUE_VALUE];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-diag-'));
});
afterEach(async () => {
  clearKnownSecrets();
  await rm(dir, { recursive: true, force: true });
});

const status = {
  version: '1.2.3',
  state: 'running' as const,
  startedAt: null,
  configPath: '/x/switchboard.json',
  stateDir: '/x',
  configHash: 'h',
  configErrors: [],
  agents: 1,
  channels: [{ channel: 'telegram', accountId: 'default', state: 'error' as const, lastError: `getMe failed for bot${TELEGRAM_TOKEN}` }],
  inFlight: 0,
  queued: 0,
  processed: 3,
  dropped: {},
  keychain: { available: true, reason: null },
  storage: { ok: true },
};

async function seeded() {
  const configPath = path.join(dir, 'switchboard.json');
  await writeFile(
    configPath,
    JSON.stringify({
      channels: {
        telegram: { botToken: TELEGRAM_TOKEN },
        discord: { accounts: { work: { token: { secret: 'discord/work' } } }, proxy: 'http://user:hunter2hunter2@proxy:3128' },
      },
      models: { anthropic: { baseUrl: 'http://127.0.0.1:9', apiKey: ANTHROPIC_KEY } },
      hooks: { webhookPath: OPAQUE_VALUE, password: 'short-pw', fromEnv: '${SOME_TOKEN}' },
      agents: { list: [{ id: 'main', model: 'claude-sonnet-4-5-20250929', workspace: '/home/u/work' }] },
    }),
  );
  const loaded = await new ConfigStore({ stateDir: dir, configPath }, dir, {}).load();
  registerSecret(KEYCHAIN_VALUE); // as a keychain read does
  const tail = new LogTail({ level: () => 'debug' });
  const log = createLogger('agent', redactingLogger(tail));
  log.warn(`model call failed: key ${ANTHROPIC_KEY} refused`, { agentId: 'main' });
  log.error('discord login failed', { channel: 'discord', token: DISCORD_TOKEN, header: `Bearer ${KEYCHAIN_VALUE}` });
  log.info('turn done', { agentId: 'main', model: 'claude-sonnet-4-5-20250929' });
  return diagnosticsBundle({ appVersion: '1.2.3', loaded, status, tail, logFile: '/x/logs/switchboard.log', versions: { node: '24.0.0' } });
}

describe('diagnosticsBundle', () => {
  it('holds none of the seeded tokens, keys or keychain values anywhere', async () => {
    const text = JSON.stringify(await seeded());
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toContain('hunter2hunter2');
    expect(text).not.toContain('short-pw');
    // Not even a long piece of one (a half-masked token is still a leak).
    for (const secret of SECRETS) expect(text).not.toContain(secret.slice(-16));
  });

  it('keeps secret references and ${VAR} substitutions, which name where a secret lives', async () => {
    const bundle = await seeded();
    const raw = bundle.config.raw as Record<string, Record<string, Record<string, unknown>>>;
    expect(raw.channels!.telegram!.botToken).toBe(REDACTED_SECRET);
    expect((raw.channels!.discord!.accounts as Record<string, unknown>).work).toEqual({ token: { secret: 'discord/work' } });
    expect(raw.hooks!.fromEnv).toBe('${SOME_TOKEN}');
    expect(raw.models!.anthropic).toEqual({ baseUrl: 'http://127.0.0.1:9', apiKey: REDACTED_SECRET });
  });

  it('keeps ordinary values a bug report needs: model ids, paths, versions, status, the log lines', async () => {
    const bundle = await seeded();
    expect(bundle.format).toBe('switchboard.diagnostics');
    expect(bundle.versions).toMatchObject({ app: '1.2.3', node: '24.0.0', electron: null });
    expect(bundle.versions.os).not.toBe('');
    const raw = bundle.config.raw as { agents: { list: Record<string, unknown>[] } };
    expect(raw.agents.list[0]).toEqual({ id: 'main', model: 'claude-sonnet-4-5-20250929', workspace: '/home/u/work' });
    expect(bundle.status.channels[0]).toMatchObject({ channel: 'telegram', state: 'error' });
    expect(bundle.status.channels[0]!.lastError).toContain('getMe failed for bot7281934650:[redacted]');
    expect(bundle.logs.entries.map((e) => e.msg)).toEqual([
      'model call failed: key sk-ant-[redacted] refused',
      'discord login failed',
      'turn done',
    ]);
    expect(bundle.logs.file).toBe('/x/logs/switchboard.log');
  });

  it('keeps the last 200 log entries', async () => {
    const configPath = path.join(dir, 'switchboard.json');
    const loaded = await new ConfigStore({ stateDir: dir, configPath }, dir, {}).load();
    const tail = new LogTail();
    for (let i = 0; i < 300; i++) tail.log('info', `line ${i}`);
    const bundle = diagnosticsBundle({ appVersion: 'x', loaded, status, tail, logFile: null });
    expect(bundle.logs.entries).toHaveLength(200);
    expect(bundle.logs.entries[0]!.msg).toBe('line 100');
    expect(bundle.config.exists).toBe(false); // no config file yet
  });
});

describe('maskSecretLooking', () => {
  it('masks secret-named keys and opaque tokens but not ids, model names, urls or empty values', () => {
    expect(
      maskSecretLooking({
        clientSecret: 'abc',
        api_key: 'abc',
        accessToken: 'abc',
        emptyToken: '',
        id: '123456789012345678',
        model: 'claude-opus-4-1-20250805',
        url: 'https://example.test/a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
        blob: OPAQUE_VALUE,
        list: [OPAQUE_VALUE, 'plain'],
      }),
    ).toEqual({
      clientSecret: REDACTED_SECRET,
      api_key: REDACTED_SECRET,
      accessToken: REDACTED_SECRET,
      emptyToken: '',
      id: '123456789012345678',
      model: 'claude-opus-4-1-20250805',
      url: 'https://example.test/a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
      blob: REDACTED_SECRET,
      list: [REDACTED_SECRET, 'plain'],
    });
  });
});
