// Gateway start removes the temp files interrupted atomic writes left in the state dir
// (`<name>.tmp-<pid>-<hex>`, atomic-write.ts). A temp file whose writer may still be at work —
// its pid running and the file fresh — is left alone: a CLI command can be writing right now.
import fs from 'node:fs/promises';
import path from 'node:path';
import { TMP_NAME } from './atomic-write.ts';
import { pidAlive } from './lock.ts';

/** No atomic write of ours takes this long: an older temp file is a leftover even if its pid now runs (reused). */
export const TMP_MAX_AGE_MS = 10 * 60_000;
/** Agents' workspaces hold the user's own files: never swept, whatever their names. */
const SKIP_TOP = /^workspace(-.*)?$/;
const MAX_DEPTH = 8;

/**
 * Removes leftover temp files under `stateDir`, and those of the files in `beside` (the config
 * file, which may live elsewhere); returns their paths.
 */
export async function sweepTmpLeftovers(stateDir: string, opts: { beside?: string[]; now?: number } = {}): Promise<string[]> {
  const now = opts.now ?? Date.now();
  const removed: string[] = [];
  const leftover = async (file: string, name: string): Promise<boolean> => {
    const m = TMP_NAME.exec(name);
    if (!m) return false;
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) return false;
    return !pidAlive(Number(m[1])) || now - stat.mtimeMs >= TMP_MAX_AGE_MS;
  };
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = path.join(dir, e.name);
      // Links are not followed: the sweep never leaves the state dir.
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH && !(depth === 0 && SKIP_TOP.test(e.name))) await walk(full, depth + 1);
        continue;
      }
      if (!e.isFile() || !(await leftover(full, e.name))) continue;
      await fs.rm(full, { force: true });
      removed.push(full);
    }
  };
  await walk(stateDir, 0);
  for (const file of opts.beside ?? []) {
    const dir = path.dirname(file);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const full = path.join(dir, name);
      if (!name.startsWith(`${path.basename(file)}.tmp-`) || removed.includes(full) || !(await leftover(full, name))) continue;
      await fs.rm(full, { force: true });
      removed.push(full);
    }
  }
  return removed;
}
