// The CLI on a machine without the OS sandbox (PATH without bubblewrap, socat or ripgrep): an agent
// that asks for a sandbox is listed as not starting, with the reason, and `config validate` warns.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'switchboard.mjs');
let root: string;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'sb-cli-sandbox-'));
  await fs.mkdir(path.join(root, 'state'));
  await fs.mkdir(path.join(root, 'empty-bin'));
  await fs.writeFile(
    path.join(root, 'state', 'switchboard.json'),
    `{ agents: { list: [ { id: 'main', default: true }, { id: 'boxed', sandbox: { mode: 'all' } } ] } }`,
  );
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** The CLI with a PATH where no sandbox tool can be found. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, '--state-dir', path.join(root, 'state'), ...args],
      { cwd: ROOT, env: { PATH: path.join(root, 'empty-bin'), HOME: root, CI: 'true' } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe.runIf(process.platform === 'linux')('an agent whose sandbox cannot run on this machine (CLI)', () => {
  it('agents list says it does not start, and why', async () => {
    const run = await cli(['agents', 'list']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^boxed\n {2}unavailable: its sandbox cannot run here: .*bubblewrap \(bwrap\) not installed.* — it does not start$/m,
    );
    expect(run.stdout).not.toMatch(/^main\n {2}unavailable/m);
    const json = JSON.parse((await cli(['agents', 'list', '--json'])).stdout) as { agents: { id: string; unavailable: string | null }[] };
    expect(json.agents.map((a) => [a.id, a.unavailable?.startsWith('its sandbox cannot run here:') ?? null])).toEqual([
      ['main', null],
      ['boxed', true],
    ]);
  });

  it('config validate warns (and the config stays valid)', async () => {
    const run = await cli(['config', 'validate']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /warning: agents\.list\[1\]\.sandbox\.mode: agent "boxed" will not start on this machine: its sandbox cannot run here: /,
    );
    expect(run.stdout).toMatch(/valid, 1 warning$/m);
  });
});
