// Confines file access to an agent's workspace (docs/agents.md#isolation): paths resolve against
// the workspace's real path, every component is lstat'ed and any symlink is refused, and the file
// actually opened (O_NOFOLLOW) is checked to be the one that was inspected. Used by the file
// tools and prompt.ts.
import { randomBytes } from 'node:crypto';
import { constants as FS, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export class WorkspaceAccessError extends Error {
  override name = 'WorkspaceAccessError';
}

export interface WorkspacePath {
  /** Real path of the workspace folder. */
  root: string;
  /** Absolute path inside `root`. */
  abs: string;
  /** Relative to `root` ('' for the root itself), always with `/`. */
  rel: string;
}

// O_NOFOLLOW is absent on Windows (0 there): the lstat walk still refuses symlinks.
const NOFOLLOW = FS.O_NOFOLLOW ?? 0;
const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

async function workspaceRoot(workspace: string): Promise<string> {
  try {
    return await fs.realpath(workspace);
  } catch (err) {
    if (errCode(err) === 'ENOENT') throw new WorkspaceAccessError('the workspace folder does not exist yet');
    throw err;
  }
}

/**
 * Lexical part: relative paths resolve inside the workspace; absolute paths must already point
 * into it (the configured path or its real path); `..` may not climb out.
 */
export async function resolveWorkspacePath(workspace: string, p: string): Promise<WorkspacePath> {
  if (typeof p !== 'string' || p.trim() === '') throw new WorkspaceAccessError('a path is required');
  if (p.includes('\0')) throw new WorkspaceAccessError('the path contains a NUL byte');
  const root = await workspaceRoot(workspace);
  let abs = path.resolve(root, p);
  if (path.isAbsolute(p)) {
    // An absolute path written against the configured (non-real) workspace path is rebased.
    const viaConfigured = path.relative(path.resolve(workspace), path.resolve(p));
    if (isInside(viaConfigured)) abs = path.resolve(root, viaConfigured);
  }
  const rel = path.relative(root, abs);
  if (!isInside(rel)) throw new WorkspaceAccessError(`${p} is outside the workspace; file tools only work inside it`);
  return { root, abs, rel: rel.split(path.sep).join('/') };
}

function isInside(rel: string): boolean {
  // `..foo` is a legal name inside; only a leading `..` component climbs out.
  return !path.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${path.sep}`);
}

/**
 * Walks `rel` from the root with lstat: any symlink is refused (pointing inside or not: the
 * workspace is a plain tree), parents must be directories. With `createDirs`, missing parents are
 * created one level at a time (never following anything). Returns the last component's lstat, or
 * null when it does not exist.
 */
async function walk(wp: WorkspacePath, opts: { createDirs?: boolean } = {}): Promise<Stats | null> {
  const parts = wp.rel === '' ? [] : wp.rel.split('/');
  let cur = wp.root;
  for (let i = 0; i < parts.length; i++) {
    cur = path.join(cur, parts[i]!);
    const last = i === parts.length - 1;
    let st = await fs.lstat(cur).catch((err: unknown) => {
      if (errCode(err) === 'ENOENT') return null;
      throw err;
    });
    if (!st && !last && opts.createDirs) {
      await fs.mkdir(cur).catch((err: unknown) => {
        if (errCode(err) !== 'EEXIST') throw err;
      });
      st = await fs.lstat(cur);
    }
    if (!st) {
      if (last) return null;
      throw new WorkspaceAccessError(`${wp.rel}: folder ${parts.slice(0, i + 1).join('/')} does not exist`);
    }
    if (st.isSymbolicLink())
      throw new WorkspaceAccessError(`${wp.rel}: ${parts.slice(0, i + 1).join('/')} is a symbolic link; file tools do not follow links`);
    if (!last && !st.isDirectory()) throw new WorkspaceAccessError(`${wp.rel}: ${parts.slice(0, i + 1).join('/')} is not a folder`);
    if (last) return st;
  }
  return fs.lstat(wp.root);
}

/** Resolves and inspects a path: its lstat (null when missing), after the symlink walk. */
export async function inspectWorkspacePath(workspace: string, p: string): Promise<WorkspacePath & { stats: Stats | null }> {
  const wp = await resolveWorkspacePath(workspace, p);
  return { ...wp, stats: await walk(wp) };
}

export interface ReadResult {
  rel: string;
  stats: Stats;
  /** At most `maxBytes` bytes from the start. */
  bytes: Buffer;
  truncated: boolean;
}

/** Reads a regular file (up to maxBytes) without following any link on the way. */
export async function readWorkspaceFile(workspace: string, p: string, maxBytes: number): Promise<ReadResult> {
  const wp = await resolveWorkspacePath(workspace, p);
  const before = await walk(wp);
  if (!before) throw new WorkspaceAccessError(`${p}: no such file`);
  if (!before.isFile()) throw new WorkspaceAccessError(`${p} is not a regular file`);
  const fh = await fs.open(wp.abs, FS.O_RDONLY | NOFOLLOW);
  try {
    const st = await fh.stat();
    // A component swapped for a link between the walk and the open shows up as a different inode.
    const again = await walk(wp);
    if (!again || again.ino !== st.ino || again.dev !== st.dev || !st.isFile())
      throw new WorkspaceAccessError(`${p} changed while it was being opened; try again`);
    const want = Math.min(st.size, maxBytes);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(buf, got, want - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { rel: wp.rel, stats: st, bytes: buf.subarray(0, got), truncated: st.size > got };
  } finally {
    await fh.close();
  }
}

/** Lists a directory inside the workspace (names, `/` after folders, `@` after links), sorted. */
export async function listWorkspaceDir(
  workspace: string,
  p: string,
  max: number,
): Promise<{ rel: string; entries: string[]; total: number }> {
  const wp = await resolveWorkspacePath(workspace, p);
  const st = await walk(wp);
  if (!st) throw new WorkspaceAccessError(`${p}: no such folder`);
  if (!st.isDirectory()) throw new WorkspaceAccessError(`${p} is not a folder`);
  const dirents = await fs.readdir(wp.abs, { withFileTypes: true });
  const names = dirents.map((d) => d.name + (d.isDirectory() ? '/' : d.isSymbolicLink() ? '@' : '')).sort();
  return { rel: wp.rel, entries: names.slice(0, max), total: names.length };
}

/**
 * Writes a file atomically (temp file beside it, then rename). Parent folders are created inside
 * the workspace only; a link anywhere on the path, or at the target, is refused.
 */
export async function writeWorkspaceFile(
  workspace: string,
  p: string,
  data: string | Buffer,
): Promise<{ rel: string; created: boolean; bytes: number }> {
  const wp = await resolveWorkspacePath(workspace, p);
  if (wp.rel === '') throw new WorkspaceAccessError('cannot write to the workspace folder itself');
  const existing = await walk(wp, { createDirs: true });
  if (existing && !existing.isFile()) throw new WorkspaceAccessError(`${p} exists and is not a regular file`);
  const tmp = path.join(path.dirname(wp.abs), `.${path.basename(wp.abs)}.${randomBytes(6).toString('hex')}.tmp`);
  // O_EXCL + O_NOFOLLOW: a name planted at the temp path can never redirect the write.
  const fh = await fs.open(tmp, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | NOFOLLOW, existing ? existing.mode & 0o777 : 0o644);
  let renamed = false;
  try {
    await fh.writeFile(data);
    await fh.close();
    // Re-check the parents right before the rename (a folder swapped for a link is refused).
    await walk({ ...wp, rel: path.posix.dirname(wp.rel) === '.' ? '' : path.posix.dirname(wp.rel) });
    await fs.rename(tmp, wp.abs);
    renamed = true;
  } finally {
    await fh.close().catch(() => undefined);
    if (!renamed) await fs.unlink(tmp).catch(() => undefined);
  }
  return { rel: wp.rel, created: !existing, bytes: Buffer.byteLength(data) };
}
