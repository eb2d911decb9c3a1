// The workspace's private files (docs/security.md): MEMORY.md, the `memory/` folder and the persona
// files. Tools in a turn from a sender who is not an owner may neither read nor write them, whatever
// the path's spelling: names are compared folded, and real paths and inodes catch links and aliases.
import type { BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { MEMORY_FILE } from './memory/access.ts';
import { resolveWorkspacePath } from './workspace-fs.ts';

export const PRIVATE_FILES: readonly string[] = [MEMORY_FILE, 'AGENTS.md', 'SOUL.md', 'USER.md', 'IDENTITY.md', 'HEARTBEAT.md'];
export const PRIVATE_FOLDERS: readonly string[] = ['memory'];
/**
 * Readable by anyone the agent talks to, changed only by its owners: the agent's own skills are
 * listed in every prompt, so writing one would be a lasting prompt injection like editing SOUL.md.
 */
export const OWNER_WRITE_FOLDERS: readonly string[] = ['skills'];

/**
 * A name as case-insensitive file systems may treat it: compatibility forms folded (`ſ` → `s`,
 * full-width letters), case dropped, and what Windows ignores cut off — trailing dots and spaces,
 * and a `:stream` suffix (NTFS alternate data streams name the same file).
 */
export function foldName(name: string): string {
  const base = name.split(':', 1)[0]!;
  return base
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .replace(/[. ]+$/, '');
}

const FOLDED = new Set([...PRIVATE_FILES, ...PRIVATE_FOLDERS].map(foldName));
const FOLDED_FOR_WRITES = new Set([...FOLDED, ...OWNER_WRITE_FOLDERS.map(foldName)]);

/** Whether a top-level workspace entry is private (`forWrite`: also the owner-write folders). */
function isPrivateName(topLevel: string, forWrite = false): boolean {
  return (forWrite ? FOLDED_FOR_WRITES : FOLDED).has(foldName(topLevel));
}

const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

async function statOrNull(p: string): Promise<BigIntStats | null> {
  try {
    return await fs.stat(p, { bigint: true });
  } catch (err) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'EPERM', 'EINVAL'].includes(errCode(err) ?? '')) return null;
    throw err;
  }
}

/** Null where the file system has no inode numbers (0 on some Windows volumes): never a match then. */
const inodeOf = (st: BigIntStats): string | null => (st.ino === 0n ? null : `${st.dev}:${st.ino}`);

/** The inodes of the private entries that exist at the workspace's top level. */
async function privateInodes(root: string, forWrite: boolean): Promise<Set<string>> {
  const out = new Set<string>();
  for (const name of await fs.readdir(root)) {
    if (!isPrivateName(name, forWrite)) continue;
    const st = await statOrNull(path.join(root, name));
    const inode = st && inodeOf(st);
    if (inode) out.add(inode);
  }
  return out;
}

/** The real path of `abs`, or of its deepest existing ancestor with the rest appended. */
async function realPathOf(abs: string): Promise<string> {
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(await fs.realpath(cur), ...rest.reverse());
    } catch (err) {
      if (errCode(err) !== 'ENOENT' && errCode(err) !== 'ENOTDIR') throw err;
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

function topLevelOf(root: string, abs: string): string | null {
  const rel = path.relative(root, abs);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return rel.split(path.sep)[0]!;
}

/**
 * The private file or folder `p` (relative to the workspace) reaches, as the workspace names it,
 * or null. Checks the lexical path, the real path (symlinks anywhere on the way) and the inode of
 * the target and of its top-level entry (hard links, case and Unicode aliases on disk). With
 * `forWrite`, the owner-write folders (`skills/`) count as private too.
 * Paths that are invalid or outside the workspace return null: the file tools refuse those anyway.
 */
export async function privateTarget(workspace: string, p: string, opts: { forWrite?: boolean } = {}): Promise<string | null> {
  const forWrite = opts.forWrite === true;
  let root: string;
  let abs: string;
  let rel: string;
  try {
    ({ root, abs, rel } = await resolveWorkspacePath(workspace, p));
  } catch {
    return null;
  }
  const lexical = topLevelOf(root, abs);
  if (lexical !== null && isPrivateName(lexical, forWrite)) return lexical;
  const real = topLevelOf(root, await realPathOf(abs));
  if (real !== null && isPrivateName(real, forWrite)) return real;
  const inodes = await privateInodes(root, forWrite);
  if (inodes.size === 0) return null;
  const isPrivateInode = (st: BigIntStats | null): boolean => {
    const inode = st && inodeOf(st);
    return inode !== null && inodes.has(inode);
  };
  if (isPrivateInode(await statOrNull(abs))) return rel;
  if (lexical !== null && isPrivateInode(await statOrNull(path.join(root, lexical)))) return lexical;
  return null;
}

/** The tool error a non-owner gets for a private file. */
export function privateFileRefusal(tool: string, target: string): string {
  const who = 'and the sender of this message is not one of its owners.';
  if (OWNER_WRITE_FOLDERS.some((f) => foldName(f) === foldName(target)))
    return `${tool} refused: only this agent's owners may change its ${target}/ folder, ${who}`;
  return `${tool} refused: ${target} is private to this agent's owners, ${who}`;
}
