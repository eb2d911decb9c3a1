// The gateway's service files (src-main/gateway/service.ts): a systemd user unit and a launchd
// agent generated from absolute paths. Checked by the real tools where they exist
// (`systemd-analyze verify`, `plutil -lint`) and by an independent plist parser.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  launchdPlist,
  serviceArgv,
  serviceFilePath,
  ServiceSpecError,
  systemdUnit,
  type ServiceSpec,
} from '../../src-main/gateway/service.ts';

// `plist` is electron-builder's own parser (installed with it), independent of our generator.
const plist = createRequire(import.meta.url)('plist') as { parse(xml: string): unknown };

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

const spec: ServiceSpec = {
  node: '/usr/bin/node',
  cliEntry: '/opt/switchboard/bin/switchboard.mjs',
  stateDir: '/home/ada/.config/switchboard',
  logsDir: '/home/ada/.config/switchboard/logs',
  pathEnv: '/usr/local/bin:/usr/bin:/bin',
};

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), name));
  made.push(dir);
  return dir;
}

describe('the command line', () => {
  it('is node, the CLI script, "gateway" and this install\'s folders', () => {
    expect(serviceArgv(spec)).toEqual([
      '/usr/bin/node',
      '/opt/switchboard/bin/switchboard.mjs',
      'gateway',
      '--state-dir',
      '/home/ada/.config/switchboard',
    ]);
    expect(serviceArgv({ ...spec, configPath: '/etc/sb.json5', port: 47801 }).slice(5)).toEqual([
      '--config',
      '/etc/sb.json5',
      '--port',
      '47801',
    ]);
  });

  it('refuses relative paths and line breaks, naming which', () => {
    expect(() => serviceArgv({ ...spec, node: 'node' })).toThrow(ServiceSpecError);
    expect(() => serviceArgv({ ...spec, node: 'node' })).toThrow('the node binary must be an absolute path, not "node"');
    expect(() => serviceArgv({ ...spec, stateDir: '/a\nExecStartPre=/bin/rm' })).toThrow('the state dir contains a line break');
    expect(() => systemdUnit({ ...spec, pathEnv: '/bin\n[Install]' })).toThrow('PATH contains a line break');
  });
});

describe('systemd user unit', () => {
  it('quotes every word and escapes specifiers, and variables in the arguments', () => {
    const unit = systemdUnit({ ...spec, stateDir: '/home/ada/my "sb" 100%/$HOME\\x' });
    expect(unit).toContain(
      'ExecStart="/usr/bin/node" "/opt/switchboard/bin/switchboard.mjs" "gateway" "--state-dir" "/home/ada/my \\"sb\\" 100%%/$$HOME\\\\x"',
    );
    expect(unit).toContain('Environment="PATH=/usr/local/bin:/usr/bin:/bin"');
    // The executable's path is not variable-expanded by systemd: its "$" stays single.
    expect(systemdUnit({ ...spec, node: '/opt/$n/node' })).toContain('ExecStart="/opt/$n/node" ');
    expect(unit).toMatch(/^\[Install\]\nWantedBy=default\.target$/m);
  });

  it.skipIf(!has('systemd-analyze'))('passes systemd-analyze verify, with awkward characters in the paths', async () => {
    // A real node behind a path with a space, % and $: verify fails ("not executable") unless
    // systemd reads back exactly that path from the quoted, escaped ExecStart.
    const dir = await tempDir('sb-unit-');
    const odd = path.join(dir, 'my node 100% $HOME');
    await mkdir(odd);
    await symlink(process.execPath, path.join(odd, 'node'));
    const file = path.join(dir, 'switchboard-gateway.service');
    await writeFile(file, systemdUnit({ ...spec, node: path.join(odd, 'node'), stateDir: path.join(dir, 'state "x"') }));
    const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it.skipIf(!has('systemd-analyze'))('verify does fail on a node that is not there (the check above can fail)', async () => {
    const dir = await tempDir('sb-unit-');
    const file = path.join(dir, 'switchboard-gateway.service');
    await writeFile(file, systemdUnit({ ...spec, node: path.join(dir, 'no node') }));
    const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${path.join(dir, 'no node')} is not executable`);
  });
});

describe('launchd agent', () => {
  const awkward = {
    ...spec,
    stateDir: '/Users/ada/Library/Application Support/Switchboard <&> "x"',
    logsDir: '/Users/ada/Library/Logs/Switchboard',
  };

  it('parses back to the same program arguments, label, log file and PATH', () => {
    expect(plist.parse(launchdPlist(awkward))).toEqual({
      Label: 'dev.switchboard.gateway',
      ProgramArguments: serviceArgv(awkward),
      EnvironmentVariables: { PATH: '/usr/local/bin:/usr/bin:/bin' },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ExitTimeOut: 30,
      StandardOutPath: '/Users/ada/Library/Logs/Switchboard/gateway.out.log',
      StandardErrorPath: '/Users/ada/Library/Logs/Switchboard/gateway.out.log',
    });
  });

  // plutil ships with macOS only.
  it.skipIf(!has('plutil'))('passes plutil -lint', async () => {
    const file = path.join(await tempDir('sb-plist-'), 'dev.switchboard.gateway.plist');
    await writeFile(file, launchdPlist(awkward));
    expect(execFileSync('plutil', ['-lint', file], { encoding: 'utf8' })).toContain('OK');
  });
});

describe('where the file goes', () => {
  it('systemd: $XDG_CONFIG_HOME/systemd/user, default ~/.config; launchd: ~/Library/LaunchAgents', () => {
    expect(serviceFilePath('linux', '/home/ada', {})).toBe('/home/ada/.config/systemd/user/switchboard-gateway.service');
    expect(serviceFilePath('linux', '/home/ada', { XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/systemd/user/switchboard-gateway.service');
    expect(serviceFilePath('darwin', '/Users/ada', {})).toBe('/Users/ada/Library/LaunchAgents/dev.switchboard.gateway.plist');
  });
});
