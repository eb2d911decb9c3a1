// The platform opener behind `config.open`: a real child process (a stand-in xdg-open on PATH).
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemOpener } from '../../src-main/gateway/open-path.ts';
import { until } from '../helpers/wait.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-open-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('system opener', () => {
  it('runs xdg-open with the file on Linux', async () => {
    const record = path.join(dir, 'opened.txt');
    await writeFile(path.join(dir, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${record}'\n`);
    await chmod(path.join(dir, 'xdg-open'), 0o755);
    await systemOpener('linux', { PATH: `${dir}:/usr/bin:/bin` })('/home/ann/.switchboard/switchboard.json');
    await until(async () => (await readFile(record, 'utf8').catch(() => '')) !== '', 'the opener ran');
    expect(await readFile(record, 'utf8')).toBe('/home/ann/.switchboard/switchboard.json');
  });

  it('says so when the machine has no opener', async () => {
    await expect(systemOpener('linux', { PATH: dir })('/x.json')).rejects.toThrow('xdg-open is not available on this machine');
  });
});
