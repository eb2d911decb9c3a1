// electron-builder.yml checked the way scripts/check-builder-config.mjs does it (electron-builder's
// own loader and JSON-schema validation, then the project's packaging rules), run as a process.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-builder-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Section = Record<string, unknown>;
interface BuilderConfig {
  mac: Section;
  nsis: Section;
  linux: Section;
  electronFuses: Section;
  asarUnpack: string[];
  files: unknown[];
  [key: string]: unknown;
}

function check(config?: string, ...flags: string[]) {
  return spawnSync(process.execPath, ['scripts/check-builder-config.mjs', ...(config ? ['--config', config] : []), ...flags], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

let printed: string | undefined;
/** electron-builder.yml as electron-builder itself loads it (the script's --print), read once. */
function realConfig(): BuilderConfig {
  if (printed === undefined) {
    const run = check(undefined, '--print');
    printed = run.stdout.slice(run.stdout.indexOf('{'));
  }
  return JSON.parse(printed) as BuilderConfig;
}

async function variant(name: string, edit: (config: BuilderConfig) => void): Promise<string> {
  const config = realConfig();
  edit(config);
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(config));
  return file;
}

describe('electron-builder configuration', () => {
  it('the real electron-builder.yml passes the schema and the project rules', () => {
    const run = check();
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('electron-builder.yml: valid (electron-builder 26.');
    expect(run.status).toBe(0);
  });

  it('the real config packs what the app needs and sets the security fuses', () => {
    const config = realConfig();
    expect(config).toMatchObject({
      appId: 'dev.switchboard.app',
      productName: 'Switchboard',
      asar: true,
      electronFuses: {
        runAsNode: false,
        enableNodeOptionsEnvironmentVariable: false,
        enableNodeCliInspectArguments: false,
        onlyLoadAppFromAsar: true,
        enableEmbeddedAsarIntegrityValidation: true,
        enableCookieEncryption: true,
      },
      mac: {
        hardenedRuntime: true,
        icon: 'resources/icon.png',
        entitlements: 'resources/entitlements.mac.plist',
        target: [
          { target: 'dmg', arch: ['universal'] },
          { target: 'zip', arch: ['universal'] },
        ],
      },
      // Auto-update: electron-updater reads GitHub releases (docs/desktop.md#updates).
      publish: { provider: 'github', owner: expect.any(String), repo: expect.any(String) },
      win: { target: [{ target: 'nsis' }] },
      nsis: { perMachine: false, oneClick: true },
      linux: { target: [{ target: 'AppImage' }, { target: 'deb' }] },
    });
    expect(config.asarUnpack).toContain('**/node_modules/keytar/**');
    // electron-builder normalises `files` into one file set with a filter list.
    expect(config.files).toEqual([
      { filter: expect.arrayContaining(['package.json', 'dist/electron/**', 'dist/renderer/**', 'resources/tray/**']) },
    ]);
  });

  it('a config without the GitHub publish provider, or without the macOS zip updates need, is refused', async () => {
    const run = check(
      await variant('no-updates', (c) => {
        c.publish = null;
        c.mac.target = (c.mac.target as { target: string }[]).filter((t) => t.target !== 'zip');
      }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('publish must be { provider: github, owner, repo }');
    expect(run.stderr).toContain('mac.target must include zip');
  });

  it('a misspelt option is rejected with its path and the likely intended name', async () => {
    const run = check(
      await variant('typo', (c) => {
        c.mac.hardenedRuntim = c.mac.hardenedRuntime;
        delete c.mac.hardenedRuntime;
      }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('mac.hardenedRuntim is not an electron-builder option (did you mean mac.hardenedRuntime?)');
    expect(run.stderr).toContain('does not match the API schema');
  });

  it('a value of the wrong type is rejected by the schema', async () => {
    const run = check(
      await variant('type', (c) => {
        c.nsis.perMachine = 'sometimes';
      }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('configuration.nsis.perMachine should be a boolean');
  });

  it('a schema-valid config that weakens a fuse or drops an installer breaks the project rules', async () => {
    const run = check(
      await variant('weak', (c) => {
        c.electronFuses.runAsNode = true;
        c.linux.target = ['AppImage'];
        c.asarUnpack = [];
      }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('- electronFuses.runAsNode must be false');
    expect(run.stderr).toContain('- linux.target must include deb');
    expect(run.stderr).toContain("- asarUnpack must include keytar's native module");
  });

  it('an icon or entitlements file that does not exist is reported', async () => {
    const run = check(
      await variant('missing', (c) => {
        c.mac.entitlements = 'resources/nope.plist';
      }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('mac.entitlements: resources/nope.plist does not exist');
  });

  it('a file that is not YAML is reported with its position', async () => {
    const file = path.join(dir, 'broken.yml');
    await writeFile(file, 'appId: [unclosed\n');
    const run = check(file);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cannot read .*broken\.yml: .*\(2:1\)/);
  });
});

/** The `run: |` script of a step of .github/workflows/release.yml, found by its name. */
function workflowStep(name: string): { run: string; block: string } {
  const lines = readFileSync(path.join(ROOT, '.github/workflows/release.yml'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.trim() === `- name: ${name}`);
  if (start < 0) throw new Error(`release.yml has no step "${name}"`);
  const indent = lines[start]!.indexOf('-');
  const end = lines.findIndex((l, i) => i > start && l.trim() !== '' && l.search(/\S/) <= indent);
  const block = lines.slice(start, end < 0 ? undefined : end);
  const runAt = block.findIndex((l) => l.trim() === 'run: |');
  const bodyIndent = block[runAt + 1]!.search(/\S/);
  const run = block
    .slice(runAt + 1)
    .map((l) => l.slice(bodyIndent))
    .join('\n');
  return { run, block: block.join('\n') };
}

function bash(script: string, env: Record<string, string>, cwd: string) {
  return spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH!, ...env } });
}

describe.skipIf(process.platform === 'win32')('release workflow: the update feed is this repository', () => {
  it('Package passes owner and repo split from GITHUB_REPOSITORY to electron-builder', async () => {
    const step = workflowStep('Package');
    // Only the build target comes from an expression; owner/repo come from the environment every trigger sets.
    expect(step.block).toContain('BUILDER_TARGET: ${{ matrix.builder }}');
    expect(step.run).not.toContain('${{');
    const work = await mkdtemp(path.join(dir, 'wf-'));
    const bin = path.join(work, 'bin');
    await mkdir(bin);
    // A stand-in npx that records the command line electron-builder would get.
    await writeFile(path.join(bin, 'npx'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${work}/args"\n`);
    await chmod(path.join(bin, 'npx'), 0o755);
    const run = bash(
      step.run,
      { PATH: `${bin}:${process.env.PATH}`, GITHUB_REPOSITORY: 'acme-labs/switchboard-fork', BUILDER_TARGET: '--linux' },
      work,
    );
    expect(run.status).toBe(0);
    expect((await readFile(path.join(work, 'args'), 'utf8')).trim().split('\n')).toEqual([
      'electron-builder',
      '--linux',
      '--publish',
      'never',
      '-c.publish.owner=acme-labs',
      '-c.publish.repo=switchboard-fork',
    ]);
    const bad = bash(step.run, { PATH: `${bin}:${process.env.PATH}`, GITHUB_REPOSITORY: 'no-slash', BUILDER_TARGET: '--linux' }, work);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain("GITHUB_REPOSITORY is not owner/name: 'no-slash'");
  });

  it("the check after packaging fails while an app-update.yml still names electron-builder.yml's placeholder", async () => {
    const step = workflowStep('Check the update feed baked into the app');
    const work = await mkdtemp(path.join(dir, 'feed-'));
    const env = { GITHUB_REPOSITORY: 'acme-labs/switchboard-fork' };
    expect(bash(step.run, env, work).stdout).toContain('no app-update.yml under release/');
    const placeholder = realConfig().publish as { owner: string; repo: string };
    const feed = (owner: string, repo: string) =>
      `owner: ${owner}\nrepo: ${repo}\nprovider: github\nreleaseType: draft\nupdaterCacheDirName: switchboard-updater\n`;
    await mkdir(path.join(work, 'release/linux-unpacked/resources'), { recursive: true });
    await mkdir(path.join(work, 'release/mac-universal/Switchboard.app/Contents/Resources'), { recursive: true });
    await writeFile(path.join(work, 'release/linux-unpacked/resources/app-update.yml'), feed('acme-labs', 'switchboard-fork'));
    await writeFile(
      path.join(work, 'release/mac-universal/Switchboard.app/Contents/Resources/app-update.yml'),
      feed(placeholder.owner, placeholder.repo),
    );
    const stale = bash(step.run, env, work);
    expect(stale.status).toBe(1);
    expect(stale.stdout).toContain('Switchboard.app/Contents/Resources/app-update.yml does not point at acme-labs/switchboard-fork');
    await writeFile(
      path.join(work, 'release/mac-universal/Switchboard.app/Contents/Resources/app-update.yml'),
      feed('acme-labs', 'switchboard-fork'),
    );
    const good = bash(step.run, env, work);
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('app-update.yml points at acme-labs/switchboard-fork');
  });
});
