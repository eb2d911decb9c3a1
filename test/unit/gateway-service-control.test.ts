// Whether `gateway stop|restart` must go through systemd / launchd: the service file that
// `gateway install` writes (the real generator) for this state dir, and the manager's answer
// through an injected command runner. Real systemctl needs a user session bus, absent here.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serviceFilePath, serviceFileText, type ServicePlatform } from '../../src-main/gateway/service.ts';
import { managedService, type CommandRunner } from '../../src-main/gateway/service-control.ts';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'sb-svc-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const stateDir = () => path.join(home, 'state $dir "x" & <y>');
const env = () => ({ XDG_CONFIG_HOME: path.join(home, 'cfg') });

async function install(platform: ServicePlatform, dir = stateDir()) {
  const file = serviceFilePath(platform, home, env());
  await mkdir(path.dirname(file), { recursive: true });
  const spec = { node: '/usr/bin/node', cliEntry: '/opt/sb/bin/switchboard.mjs', stateDir: dir, logsDir: path.join(dir, 'logs') };
  await writeFile(file, serviceFileText(platform, spec));
  return file;
}

function runner(answers: Record<string, { code: number; stdout?: string; stderr?: string }>) {
  const calls: string[] = [];
  const run: CommandRunner = async (program, args) => {
    const line = [program, ...args].join(' ');
    calls.push(line);
    const a = answers[line] ?? { code: 127, stderr: `${program}: not found` };
    return { code: a.code, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
  };
  return { run, calls };
}

const ask = (platform: NodeJS.Platform, run: CommandRunner, dir = stateDir()) =>
  managedService({ platform, homeDir: home, env: env(), stateDir: dir, uid: 501, run });

describe('systemd user unit', () => {
  it('an installed, active unit for this state dir is stopped and restarted with systemctl --user', async () => {
    const file = await install('linux');
    const r = runner({ 'systemctl --user is-active switchboard-gateway.service': { code: 0, stdout: 'active\n' } });
    expect(await ask('linux', r.run)).toEqual({
      platform: 'linux',
      file,
      stop: ['systemctl', '--user', 'stop', 'switchboard-gateway.service'],
      restart: ['systemctl', '--user', 'restart', 'switchboard-gateway.service'],
    });
    expect(r.calls).toEqual(['systemctl --user is-active switchboard-gateway.service']);
  });

  it('an inactive or failed unit, or a manager that cannot answer (no session bus), is not in charge', async () => {
    await install('linux');
    for (const answer of [
      { code: 3, stdout: 'inactive\n' },
      { code: 3, stdout: 'failed\n' },
      { code: 1, stderr: 'Failed to connect to bus: No medium found' },
    ]) {
      const r = runner({ 'systemctl --user is-active switchboard-gateway.service': answer });
      expect(await ask('linux', r.run)).toBeNull();
    }
    expect(await ask('linux', runner({}).run)).toBeNull();
  });

  it('no unit, or a unit for another state dir, asks nothing of systemctl', async () => {
    const none = runner({});
    expect(await ask('linux', none.run)).toBeNull();
    await install('linux', path.join(home, 'other'));
    const other = runner({ 'systemctl --user is-active switchboard-gateway.service': { code: 0, stdout: 'active\n' } });
    expect(await ask('linux', other.run)).toBeNull();
    // A state dir whose name starts like the installed one's is another one.
    expect(await ask('linux', other.run, path.join(home, 'oth'))).toBeNull();
    expect([...none.calls, ...other.calls]).toEqual([]);
  });
});

describe('launchd agent', () => {
  it('a loaded agent for this state dir is stopped with bootout and restarted with kickstart -k', async () => {
    const file = await install('darwin');
    const r = runner({
      'launchctl print gui/501/dev.switchboard.gateway': { code: 0, stdout: 'gui/501/dev.switchboard.gateway = {\n\tstate = running\n' },
    });
    expect(await ask('darwin', r.run)).toEqual({
      platform: 'darwin',
      file,
      stop: ['launchctl', 'bootout', 'gui/501/dev.switchboard.gateway'],
      restart: ['launchctl', 'kickstart', '-k', 'gui/501/dev.switchboard.gateway'],
    });
  });

  it('an agent that is written but not loaded is not in charge', async () => {
    await install('darwin');
    const r = runner({ 'launchctl print gui/501/dev.switchboard.gateway': { code: 113, stderr: 'Could not find service' } });
    expect(await ask('darwin', r.run)).toBeNull();
  });
});

it('Windows has no service to go through', async () => {
  expect(await ask('win32', runner({}).run)).toBeNull();
});
