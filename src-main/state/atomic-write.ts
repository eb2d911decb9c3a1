// The one way a file under the state dir is replaced: a temp file beside it (`<file>.tmp-<pid>-<hex>`),
// fdatasync, rename over the target, fsync of the folder. A crash leaves either the old or the new
// file, plus at worst a temp file that the gateway removes at its next start (tmp-sweep.ts).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDirCoalesced, storageFaultFor } from '../sessions/fs-util.ts';

/** `<name>.tmp-<pid>-<hex>`: the writer's pid tells the sweep whether the write may still be running. */
export const TMP_NAME = /\.tmp-(\d+)-[0-9a-f]{8}$/;

/** A temp name beside `file`, unique per call (two writes in one process and millisecond never share one). */
export function tmpNameFor(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Replaces `file` with `data` atomically and durably; creates the folder if needed. */
export async function atomicWrite(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = tmpNameFor(file);
  const refused = storageFaultFor('open', tmp); // the tests' full or read-only disk (fs-util.ts)
  if (refused) throw refused;
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    try {
      const full = storageFaultFor('write', tmp);
      if (full) throw full;
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    // A failed write (disk full, …) or rename leaves neither a temp file nor a changed target.
    await fs.rm(tmp, { force: true });
    throw err;
  }
  // Coalesced: many files replaced in one folder at once (session indexes) share a folder fsync.
  await fsyncDirCoalesced(dir);
}
