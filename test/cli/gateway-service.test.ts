// `switchboard gateway install|uninstall` as a user runs it (a real process, a temp HOME): the
// systemd user unit it writes points at this node and this CLI with the install's state dir, a
// different install is not overwritten silently, and uninstall removes what install and
// `systemctl enable` left. systemctl itself is never run here (no user manager on the test machine).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.ts';

const cli = runCli;

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => fs.rm(d, { recursive: true, force: true }))));

async function tempHome(): Promise<string> {
  const home = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-svc-')));
  made.push(home);
  return home;
}

const unitPath = (home: string) => path.join(home, '.config', 'systemd', 'user', 'switchboard-gateway.service');

describe.skipIf(process.platform !== 'linux')('gateway install / uninstall (Linux, systemd)', () => {
  it('writes a unit that runs this node and CLI for the state dir, and says how to start it', async () => {
    const home = await tempHome();
    const state = path.join(home, 'my state');
    const run = await cli(['gateway', 'install', '--state-dir', state], home);
    expect(run.code, run.stderr).toBe(0);
    const unit = await fs.readFile(unitPath(home), 'utf8');
    expect(unit).toContain(`ExecStart="${process.execPath}" "${BIN}" "gateway" "--state-dir" "${state}"\n`);
    expect(unit).toContain(`Environment="PATH=${process.env.PATH}"`);
    expect(run.stdout).toContain(`installed: ${unitPath(home)}`);
    expect(run.stdout).toContain('systemctl --user enable --now switchboard-gateway.service');
    expect(run.stdout).toContain('loginctl enable-linger');
    // launchd/systemd need the logs folder; nothing else is created in the state dir.
    expect(await fs.readdir(state)).toEqual(['logs']);
    if (spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0) {
      const verify = spawnSync('systemd-analyze', ['verify', unitPath(home)], { encoding: 'utf8' });
      expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: '' });
    }
  });

  it('the new-install state dir by default; --config and --port only when given', async () => {
    const home = await tempHome();
    expect((await cli(['gateway', 'install', '--json'], home)).code).toBe(0);
    const unit = await fs.readFile(unitPath(home), 'utf8');
    expect(unit).toContain(`"--state-dir" "${path.join(home, '.config', 'switchboard')}"\n`);
    const home2 = await tempHome();
    const run = await cli(
      ['gateway', 'install', '--state-dir', path.join(home2, 's'), '--config', path.join(home2, 'c.json5'), '--port', '47900', '--json'],
      home2,
    );
    expect(JSON.parse(run.stdout)).toEqual({
      installed: true,
      file: unitPath(home2),
      platform: 'linux',
      started: false,
      commands: ['systemctl --user daemon-reload', 'systemctl --user enable --now switchboard-gateway.service'],
    });
    expect(await fs.readFile(unitPath(home2), 'utf8')).toContain(`"--config" "${path.join(home2, 'c.json5')}" "--port" "47900"\n`);
  });

  it('installing again is a no-op; another state dir needs --force', async () => {
    const home = await tempHome();
    const a = path.join(home, 'a');
    expect((await cli(['gateway', 'install', '--state-dir', a], home)).code).toBe(0);
    const again = await cli(['gateway', 'install', '--state-dir', a], home);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already installed');
    const other = await cli(['gateway', 'install', '--state-dir', path.join(home, 'b')], home);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`${unitPath(home)} already exists with other settings`);
    expect(await fs.readFile(unitPath(home), 'utf8')).toContain(`"--state-dir" "${a}"`);
    expect((await cli(['gateway', 'install', '--state-dir', path.join(home, 'b'), '--force'], home)).code).toBe(0);
    expect(await fs.readFile(unitPath(home), 'utf8')).toContain(`"--state-dir" "${path.join(home, 'b')}"`);
  });

  it('--now without systemctl on PATH says so and what to run; the unit is written', async () => {
    const home = await tempHome();
    const empty = path.join(home, 'empty-bin');
    await fs.mkdir(empty);
    const run = await cli(['gateway', 'install', '--now', '--state-dir', path.join(home, 's')], home, { PATH: empty });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--now needs systemctl, which is not on PATH; run these yourself:');
    expect(run.stderr).toContain('systemctl --user enable --now switchboard-gateway.service');
    expect(existsSync(unitPath(home))).toBe(true);
  });

  it('uninstall removes the unit and the enable link; a second uninstall says nothing is installed', async () => {
    const home = await tempHome();
    expect((await cli(['gateway', 'install', '--state-dir', path.join(home, 's')], home)).code).toBe(0);
    // What `systemctl --user enable` makes.
    const wants = path.join(path.dirname(unitPath(home)), 'default.target.wants');
    await fs.mkdir(wants);
    await fs.symlink(unitPath(home), path.join(wants, 'switchboard-gateway.service'));
    const run = await cli(['gateway', 'uninstall'], home);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`removed ${unitPath(home)}`);
    expect(run.stdout).toContain('systemctl --user stop switchboard-gateway.service');
    expect(await fs.readdir(path.dirname(unitPath(home)), { recursive: true })).toEqual(['default.target.wants']);
    const again = await cli(['gateway', 'uninstall', '--json'], home);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ removed: false, file: unitPath(home) });
  });
});
