// OpenClaw's config forms against real files: `${VAR}` substitution (with positions, escapes, and
// secrets that stay environment references) and `$include` (relative, confined to the config's
// folder, cycles and missing files reported with the include chain, edits kept out of includes).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConfigText, expandIncludes, findIncludeSites, formatIssue } from '../../src-shared/config/index.ts';
import type { Locations } from '../../src-main/config/paths.ts';
import { ConfigIncludeEditError, ConfigStore } from '../../src-main/config/store.ts';
import { findPlaintextSecrets } from '../../src-main/secrets/credentials.ts';

let dir: string;
let loc: Locations;

beforeEach(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-forms-')));
  loc = { stateDir: path.join(dir, 'state'), configPath: path.join(dir, 'state', 'switchboard.json') };
  await fs.mkdir(loc.stateDir);
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const write = (name: string, text: string) => fs.writeFile(path.join(loc.stateDir, name), text);
const store = (env: Record<string, string> = {}) => new ConfigStore(loc, dir, env);

describe('${VAR} substitution', () => {
  const text = [
    '{',
    '  agents: { list: [{ id: "main", workspace: "${WS_ROOT}/main" }] },',
    '  channels: { telegram: { botToken: "${TG_TOKEN}" } },',
    '}',
  ].join('\n');

  it('replaces references inside strings and keeps the file text for edits', () => {
    const check = checkConfigText(text, 'cfg.json5', { env: { WS_ROOT: '/srv/ws', TG_TOKEN: '123:abc' } });
    expect(check.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(check.config!.agents.list[0]!.workspace).toBe('/srv/ws/main');
    expect(check.config!.channels.telegram!.accounts.default!.secrets.botToken).toBe('123:abc');
    // raw is what the app edits and writes back: still the reference, never the value.
    expect((check.raw as { channels: { telegram: { botToken: string } } }).channels.telegram.botToken).toBe('${TG_TOKEN}');
  });

  it('a secret written as ${VAR} is neither a plaintext warning nor something secrets migrate moves', () => {
    const check = checkConfigText(text, 'cfg.json5', { env: { WS_ROOT: '/w', TG_TOKEN: 't' } });
    expect(check.issues.map((i) => i.code)).not.toContain('plaintext_secret');
    expect(findPlaintextSecrets(check.raw)).toEqual([]);
    const literal = checkConfigText(text.replace('${TG_TOKEN}', '123:abc'), 'cfg.json5', { env: { WS_ROOT: '/w' } });
    expect(literal.issues.map((i) => i.code)).toContain('plaintext_secret');
    expect(findPlaintextSecrets(literal.raw).map((p) => p.path.join('.'))).toEqual(['channels.telegram.botToken']);
  });

  it('an unset or empty variable is an error naming it, the config path and file:line:column', () => {
    const check = checkConfigText(text, 'cfg.json5', { env: { WS_ROOT: '' } });
    expect(check.ok).toBe(false);
    const lines = check.issues.filter((i) => i.code === 'env_missing').map(formatIssue);
    expect(lines).toEqual([
      expect.stringMatching(/^cfg\.json5:2:45: error: agents\.list\[0\]\.workspace: environment variable WS_ROOT is empty/),
      expect.stringMatching(/^cfg\.json5:3:37: error: channels\.telegram\.botToken: environment variable TG_TOKEN is not set/),
    ]);
  });

  it('$${VAR} is a literal ${VAR}; lower-case names are not references', () => {
    const check = checkConfigText('{ agents: { list: [{ id: "main", name: "$${HOME} and ${lower}" }] } }', 'c', { env: {} });
    expect(check.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(check.config!.agents.list[0]!.name).toBe('${HOME} and ${lower}');
  });

  it('the store writes edits back with the reference, not the value', async () => {
    await write('switchboard.json', text);
    const s = store({ WS_ROOT: path.join(dir, 'ws'), TG_TOKEN: 'secret-value' });
    await s.update((raw) => void ((raw.agents as { list: { name?: string }[] }).list[0]!.name = 'Main'));
    const after = await fs.readFile(loc.configPath, 'utf8');
    expect(after).toContain('"${TG_TOKEN}"');
    expect(after).toContain('"${WS_ROOT}/main"');
    expect(after).not.toContain('secret-value');
    expect(after).toContain('Main');
  });
});

describe('$include', () => {
  const main = ['{', '  // agents live in their own file', '  agents: { $include: "./agents.json5" },', '}'].join('\n');

  it('merges an included file relative to the including one, and reports errors in it at its own line:column', async () => {
    await write('switchboard.json', main);
    await write('agents.json5', '{\n  list: [\n    { id: "main", modle: "x" },\n  ],\n}\n');
    const loaded = await store().load();
    const unknown = loaded.check.issues.find((i) => i.code === 'unknown_key')!;
    expect(formatIssue(unknown)).toMatch(
      new RegExp(`^${path.join(loc.stateDir, 'agents.json5')}:3:19: error: agents\\.list\\[0\\]\\.modle`),
    );
    await write('agents.json5', '{ list: [{ id: "main" }, { id: "work" }] }');
    const ok = (await store().load()).check;
    expect(ok.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(ok.config!.agents.list.map((a) => a.id)).toEqual(['main', 'work']);
    expect(ok.includedFiles).toEqual([path.join(loc.stateDir, 'agents.json5')]);
  });

  it('a list of files merges in order (arrays concatenate), and sibling keys merge over them', async () => {
    await write('switchboard.json', '{ agents: { $include: ["a.json5", "sub/b.json5"], defaults: { model: "claude-sonnet-4-5" } } }');
    await write('a.json5', '{ list: [{ id: "main" }] }');
    await fs.mkdir(path.join(loc.stateDir, 'sub'));
    await write('sub/b.json5', '{ list: [{ id: "work" }] }');
    const check = (await store().load()).check;
    expect(check.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(check.config!.agents.list.map((a) => a.id)).toEqual(['main', 'work']);
  });

  it('a cycle is an error with the include chain, at the $include that closes it', async () => {
    await write('switchboard.json', main);
    await write('agents.json5', '{\n  $include: "./agents.json5",\n}\n');
    const check = (await store().load()).check;
    const cycle = check.issues.find((i) => i.code === 'include_cycle')!;
    expect(cycle.message).toBe('include cycle: switchboard.json → agents.json5 → agents.json5');
    expect(cycle).toMatchObject({ file: path.join(loc.stateDir, 'agents.json5'), line: 2, column: 13 });
  });

  it('a missing file and a file outside the config folder (also through a symlink) are errors', async () => {
    await write('switchboard.json', main);
    let check = (await store().load()).check;
    expect(check.ok).toBe(false);
    expect(formatIssue(check.issues[0]!)).toMatch(
      /switchboard\.json:3:23: error: cannot include "\.\/agents\.json5": no such file .*\(include chain: switchboard\.json → \.\/agents\.json5\)/,
    );
    await fs.writeFile(path.join(dir, 'outside.json5'), '{ list: [] }');
    await write('switchboard.json', '{ agents: { $include: "../outside.json5" } }');
    check = (await store().load()).check;
    expect(check.issues[0]!.message).toMatch(/outside the config's folder/);
    await fs.symlink(path.join(dir, 'outside.json5'), path.join(loc.stateDir, 'agents.json5'));
    await write('switchboard.json', main);
    check = (await store().load()).check;
    expect(check.issues[0]!.message).toMatch(/outside the config's folder .*real path .*outside\.json5/);
  });

  it('${VAR} works inside included files', async () => {
    await write('switchboard.json', main);
    await write('agents.json5', '{ list: [{ id: "main", workspace: "${WS}" }] }');
    const check = (await store({ WS: path.join(dir, 'ws') }).load()).check;
    expect(check.config!.agents.list[0]!.workspace).toBe(path.join(dir, 'ws'));
  });

  it('an edit to a part that lives in an included file is refused naming the file; other edits keep the $include', async () => {
    await write('switchboard.json', main);
    await write('agents.json5', '{ list: [{ id: "main" }] }');
    await expect(store().update((raw) => void ((raw.agents as Record<string, unknown>).list = [{ id: 'x' }]))).rejects.toThrow(
      ConfigIncludeEditError,
    );
    await expect(store().update((raw) => void ((raw.agents as Record<string, unknown>).list = [{ id: 'x' }]))).rejects.toThrow(
      /agents → \.\/agents\.json5/,
    );
    await store().update((raw) => void (raw.session = { dmScope: 'per-peer' }));
    const after = await fs.readFile(loc.configPath, 'utf8');
    expect(after).toContain('$include: "./agents.json5"');
    expect(after).toContain('// agents live in their own file');
    expect(after).toContain('per-peer');
  });
});

describe('tools.profile', () => {
  const check = (tools: Record<string, unknown>, defaults?: Record<string, unknown>) =>
    checkConfigText(
      JSON.stringify({ agents: { ...(defaults ? { defaults: { tools: defaults } } : {}), list: [{ id: 'main', tools }] } }),
      'c.json',
    );

  it('maps OpenClaw presets to allow lists, narrowed by allow and still subject to deny', () => {
    expect(check({ profile: 'minimal' }).config!.agents.list[0]!.tools.allow).toEqual(['session_status']);
    expect(check({ profile: 'messaging' }).config!.agents.list[0]!.tools.allow).toEqual([
      'sessions_list',
      'sessions_history',
      'sessions_send',
      'session_status',
    ]);
    expect(check({ profile: 'coding' }).config!.agents.list[0]!.tools.allow).toContain('exec');
    const narrowed = check({ profile: 'messaging', allow: ['sessions_list', 'read'], deny: ['sessions_list'] }).config!.agents.list[0]!
      .tools;
    expect(narrowed.allow).toEqual(['sessions_list']);
    expect(narrowed.deny).toEqual(['sessions_list']);
  });

  it('is inherited from agents.defaults and overridden per agent', () => {
    expect(check({}, { profile: 'minimal' }).config!.agents.list[0]!.tools.allow).toEqual(['session_status']);
    expect(check({ profile: 'full' }, { profile: 'minimal' }).config!.agents.list[0]!.tools.allow).toContain('write');
  });

  it('a misspelt tool in allow beside a profile is warned at its position, and so is a real tool the profile leaves out', () => {
    const result = check({ profile: 'messaging', allow: ['sesions_list', 'read'] });
    expect(result.ok).toBe(true);
    expect(result.issues.filter((i) => i.code === 'unknown_tool').map(formatIssue)).toEqual([
      expect.stringMatching(
        /^c\.json:1:\d+: warning: agents\.list\[0\]\.tools\.allow\[0\]: unknown tool "sesions_list" \(did you mean "sessions_list"\?\)/,
      ),
    ]);
    expect(result.issues.filter((i) => i.code === 'tool_outside_profile').map(formatIssue)).toEqual([
      expect.stringMatching(/agents\.list\[0\]\.tools\.allow\[1\]: "read" is not in the "messaging" profile.*\(coding, full\)/),
    ]);
  });

  it('an unknown profile is an error with a did-you-mean at its position', () => {
    const result = check({ profile: 'codign' });
    expect(result.ok).toBe(false);
    expect(result.issues.filter((i) => i.code === 'unknown_tool_profile').map(formatIssue)).toEqual([
      expect.stringMatching(
        /^c\.json:1:\d+: error: agents\.list\[0\]\.tools\.profile: unknown tool profile "codign" \(did you mean "coding"\?\)/,
      ),
    ]);
  });
});

describe("expandIncludes (the dashboard's view of a draft)", () => {
  it('replaces each known site by what it brings, merges sibling keys over it, and leaves unknown sites as written', () => {
    const raw = {
      agents: { $include: './agents.json5', defaults: { model: 'claude-sonnet-4-5' } },
      channels: { $include: './missing.json5' },
    };
    expect(findIncludeSites(raw)).toEqual([
      { path: ['agents'], spec: './agents.json5' },
      { path: ['channels'], spec: './missing.json5' },
    ]);
    const sites = [{ path: ['agents'], value: { list: [{ id: 'a' }], defaults: { model: 'claude-haiku-4-5' } } }];
    expect(expandIncludes(raw, sites)).toEqual({
      agents: { list: [{ id: 'a' }], defaults: { model: 'claude-sonnet-4-5' } },
      channels: { $include: './missing.json5' },
    });
    // The site's value is copied, never shared with the draft.
    const expanded = expandIncludes({ agents: { $include: 'x' } }, sites) as { agents: { list: unknown[] } };
    expanded.agents.list.push({ id: 'b' });
    expect(sites[0]!.value.list).toHaveLength(1);
  });
});
