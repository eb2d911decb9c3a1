// The desktop app's start on a state folder that cannot take a write: one line naming the cause
// and the folder (stderr; a dialog where Electron can show one before `ready`), exit code 1, and
// nothing else happens — the check runs before Electron's single-instance lock, which would fail
// silently. The read-only case uses a real tmpfs remounted read-only where this process may mount.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stateDirAllowsStart } from '../../src-main/desktop/start-check.ts';

function ports(platform: NodeJS.Platform) {
  const seen = { stderr: [] as string[], boxes: [] as [string, string][], exits: [] as number[] };
  return {
    seen,
    ports: {
      platform,
      stderr: (text: string) => void seen.stderr.push(text),
      showErrorBox: (title: string, content: string) => void seen.boxes.push([title, content]),
      exit: (code: number) => void seen.exits.push(code),
    },
  };
}

let tmp: string | undefined;
afterEach(async () => {
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  tmp = undefined;
});

describe('starting the desktop app', () => {
  it('goes ahead on a writable state folder, which it creates, leaving no probe file behind', async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'sb-start-'));
    const state = path.join(tmp, 'state');
    const { seen, ports: p } = ports('linux');
    expect(stateDirAllowsStart(state, p)).toBe(true);
    expect(seen).toEqual({ stderr: [], boxes: [], exits: [] });
    expect(await fsp.readdir(state)).toEqual([]);
  });

  it('refuses a state folder that cannot be created, in one line naming it, and exits 1', async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'sb-start-'));
    await fsp.writeFile(path.join(tmp, 'file'), 'not a folder');
    const state = path.join(tmp, 'file', 'state');
    const { seen, ports: p } = ports('win32');
    expect(stateDirAllowsStart(state, p)).toBe(false);
    expect(seen.stderr).toHaveLength(1);
    const [text] = seen.stderr;
    expect(text!.startsWith(`Switchboard cannot start: cannot write to the state folder ${state}: `)).toBe(true);
    expect(text!.indexOf('\n')).toBe(text!.length - 1); // one line
    expect(seen.boxes).toEqual([['Switchboard cannot start', seen.stderr[0]!.trimEnd()]]);
    expect(seen.exits).toEqual([1]);
  });
});

/** A tmpfs, when this process may mount one (root on Linux); null otherwise. */
function mountTmpfs(): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-ro-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    fs.rmdirSync(dir);
    return null;
  }
}
const mounted = mountTmpfs();
afterAll(() => {
  if (!mounted) return;
  execFileSync('umount', ['-l', mounted], { stdio: 'ignore' });
  fs.rmdirSync(mounted);
});

describe.skipIf(!mounted)('starting the desktop app on a read-only state folder (a real read-only tmpfs)', () => {
  it('says so in the line `switchboard gateway` prints, shows it in a dialog off Linux, and exits 1', () => {
    const state = path.join(mounted!, 'state');
    fs.mkdirSync(state);
    execFileSync('mount', ['-o', 'remount,ro', mounted!]);
    try {
      const linux = ports('linux');
      expect(stateDirAllowsStart(state, linux.ports)).toBe(false);
      const line = `Switchboard cannot start: state folder is read-only: ${state} (remount it read-write; nothing can be stored until then)`;
      expect(linux.seen).toEqual({ stderr: [`${line}\n`], boxes: [], exits: [1] });
      const mac = ports('darwin');
      expect(stateDirAllowsStart(state, mac.ports)).toBe(false);
      expect(mac.seen.boxes).toEqual([['Switchboard cannot start', line]]);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mounted!]);
    }
  });
});
