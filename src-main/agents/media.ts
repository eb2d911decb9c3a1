// Inbound images on disk, per agent (docs/agents.md#isolation): `<stateDir>/agents/<agentId>/media/
// <sha256>.<ext>`, content-addressed, written atomically (0600, fsync'ed) before the inbound record
// that references them, and read back by history. Nothing is shared between agents: a message
// routed to two agents is stored once in each agent's folder. Deleting a session removes the files
// no other transcript of the agent still references (removeUnreferencedMedia).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { MediaItem } from '../gateway/envelope.ts';
import { errCode } from '../sessions/fs-util.ts';
import { atomicWrite } from '../state/atomic-write.ts';
import { readRecords } from '../sessions/jsonl-read.ts';
import { agentSessionsDir, CORRUPT_SUFFIX, TRANSCRIPT_EXT } from '../sessions/paths.ts';

/** What an inbound transcript record keeps of an image (`media: MediaRef[]`). */
export interface MediaRef {
  kind: 'image';
  sha256: string;
  mimeType: string;
  bytes: number;
}

const EXT: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' };
const SHA_RE = /^[0-9a-f]{64}$/;

/** Own keys only: a mime type such as `constructor` read from a transcript names no extension. */
const extOf = (mimeType: string): string | undefined => (Object.hasOwn(EXT, mimeType) ? EXT[mimeType] : undefined);

/** `<stateDir>/agents/<agentId>/media` (the agent id is validated as for sessions). */
export function agentMediaDir(stateDir: string, agentId: string): string {
  return path.join(path.dirname(agentSessionsDir(stateDir, agentId)), 'media');
}

/** The file of a reference, or undefined when the reference is malformed (never a path outside). */
export function mediaFile(dir: string, ref: MediaRef): string | undefined {
  const ext = extOf(ref.mimeType);
  return ext && SHA_RE.test(ref.sha256) ? path.join(dir, `${ref.sha256}.${ext}`) : undefined;
}

export function isMediaRef(x: unknown): x is MediaRef {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return r.kind === 'image' && typeof r.sha256 === 'string' && typeof r.mimeType === 'string' && typeof r.bytes === 'number';
}

/**
 * Files stored for a message whose transcript record is not written yet (a scan cannot see them):
 * a removal keeps them. Counted, since two messages can carry the same image.
 */
const pinned = new Map<string, number>();

function pin(file: string): void {
  pinned.set(file, (pinned.get(file) ?? 0) + 1);
}

/**
 * Ends the protection storeInboundMedia gave `refs`: call it once the record naming them is
 * written (or will never be). From then on a transcript scan sees the references.
 */
export function releaseInboundMedia(stateDir: string, agentId: string, refs: readonly MediaRef[]): void {
  const dir = agentMediaDir(stateDir, agentId);
  for (const ref of refs) {
    const file = mediaFile(dir, ref);
    if (!file) continue;
    const n = (pinned.get(file) ?? 0) - 1;
    if (n > 0) pinned.set(file, n);
    else pinned.delete(file);
    // A removal already scanning may have read that transcript before the record was written.
    for (const sweep of sweeps.get(dir) ?? []) sweep.reused.add(file);
  }
}

/**
 * Stores the downloaded images of an inbound message for one agent and returns the references
 * for its transcript record. A file already there (same content) is not written again. The files
 * stay protected from a session delete's media removal until releaseInboundMedia is called with
 * the returned references (also when storing fails half-way, the ones stored are released).
 */
export async function storeInboundMedia(stateDir: string, agentId: string, media: readonly MediaItem[] | undefined): Promise<MediaRef[]> {
  const images = (media ?? []).filter(
    (m): m is MediaItem & { data: Buffer; mimeType: string } =>
      m.kind === 'image' && m.data !== undefined && m.mimeType !== undefined && extOf(m.mimeType) !== undefined,
  );
  if (images.length === 0) return [];
  const dir = agentMediaDir(stateDir, agentId);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const refs: MediaRef[] = [];
  for (const img of images) {
    const ref: MediaRef = {
      kind: 'image',
      sha256: createHash('sha256').update(img.data).digest('hex'),
      mimeType: img.mimeType,
      bytes: img.data.length,
    };
    const file = mediaFile(dir, ref)!;
    // A removal keeps a pinned file (until the record is written); one whose unlink of it has
    // already started is waited for, and the file is written again.
    pin(file);
    try {
      const unlinking = unlinkUnderWay(dir, file);
      if (unlinking) await unlinking;
      const exists = await fs.stat(file).then(
        (s) => s.size === ref.bytes,
        () => false,
      );
      // Temp file, fsync, rename, folder fsync: durable before the record that names it (0600).
      if (!exists) await atomicWrite(file, img.data);
    } catch (err) {
      releaseInboundMedia(stateDir, agentId, [...refs, ref]);
      throw err;
    }
    refs.push(ref);
  }
  return refs;
}

/** The stored bytes of a reference, or undefined when the file is gone or does not match its hash. */
export async function readMedia(dir: string, ref: MediaRef): Promise<Buffer | undefined> {
  const file = mediaFile(dir, ref);
  if (!file) return undefined;
  const data = await fs.readFile(file).catch(() => undefined);
  if (!data || createHash('sha256').update(data).digest('hex') !== ref.sha256) return undefined;
  return data;
}

/** Every distinct media reference in a transcript file (none when the file is gone). */
export async function transcriptMediaRefs(file: string): Promise<MediaRef[]> {
  const refs = new Map<string, MediaRef>();
  try {
    for await (const r of readRecords(file)) {
      if (!Array.isArray(r.media)) continue;
      for (const m of r.media) if (isMediaRef(m)) refs.set(`${m.sha256}\n${m.mimeType}`, m);
    }
  } catch (err) {
    if (errCode(err) !== 'ENOENT') throw err;
  }
  return [...refs.values()];
}

export interface MediaRemoval {
  /** Files deleted. */
  removed: string[];
  /** Files kept because a remaining transcript (or a message arriving meanwhile) still uses them. */
  kept: string[];
  /** Files that should have gone but could not be deleted. */
  failed: { file: string; error: string }[];
}

/**
 * A removal under way in one media folder. A file stored meanwhile is pinned, so the removal
 * keeps it; `reused` holds the files released during the scan (their record may be in a
 * transcript the scan had already read). storeInboundMedia waits for an unlink of its file
 * already started, then writes the file again.
 */
interface Sweep {
  reused: Set<string>;
  unlinking: Map<string, Promise<unknown>>;
}
const sweeps = new Map<string, Set<Sweep>>();

/** An unlink of `file` a running removal has already started, if any. */
function unlinkUnderWay(dir: string, file: string): Promise<unknown> | undefined {
  for (const sweep of sweeps.get(dir) ?? []) {
    const pending = sweep.unlinking.get(file);
    if (pending) return pending;
  }
  return undefined;
}

/**
 * The hashes among `wanted` that occur in any transcript (live, archived or quarantined) in
 * `sessionsDir`. A textual search: the store writes records with JSON.stringify, which never
 * escapes a lowercase hex digit, so a reference always holds its hash verbatim. A false match
 * (the hash quoted in a message) only keeps a file. Any read error other than a transcript
 * deleted meanwhile is thrown: nothing may be removed on an incomplete scan.
 */
export async function referencedHashes(sessionsDir: string, wanted: ReadonlySet<string>): Promise<Set<string>> {
  const found = new Set<string>();
  const names = (await fs.readdir(sessionsDir)).filter((n) => n.endsWith(TRANSCRIPT_EXT) || n.endsWith(TRANSCRIPT_EXT + CORRUPT_SUFFIX));
  for (const name of names) {
    if (found.size === wanted.size) break;
    // latin1 keeps one character per byte, so a chunk boundary never splits or alters a hash;
    // the last 63 characters are carried over to catch a hash across two chunks.
    let carry = '';
    try {
      for await (const chunk of createReadStream(path.join(sessionsDir, name), { highWaterMark: 1 << 20 })) {
        const text = carry + (chunk as Buffer).toString('latin1');
        for (const h of wanted) if (!found.has(h) && text.includes(h)) found.add(h);
        if (found.size === wanted.size) break;
        carry = text.slice(-63);
      }
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw err;
    }
  }
  return found;
}

export interface RemoveMediaOptions {
  /** How remaining references are found (default referencedHashes over the agent's sessions folder). */
  scan?: (sessionsDir: string, wanted: ReadonlySet<string>) => Promise<Set<string>>;
}

/**
 * Deletes the media files of `refs` that no transcript left in the agent's sessions folder still
 * references: call it after the transcript that held them is gone. Content-addressed, so the same
 * image sent in two sessions is one file, kept while either session exists. Only files named by a
 * well-formed reference, directly inside a media folder that is a real directory, are touched.
 * A scan that cannot finish throws (nothing is removed); a file that cannot be deleted is
 * reported in `failed` and the others are still removed.
 */
export async function removeUnreferencedMedia(
  stateDir: string,
  agentId: string,
  refs: readonly MediaRef[],
  opts: RemoveMediaOptions = {},
): Promise<MediaRemoval> {
  const result: MediaRemoval = { removed: [], kept: [], failed: [] };
  const dir = agentMediaDir(stateDir, agentId);
  const candidates = new Map<string, string>(); // file → sha256
  for (const ref of refs) {
    const file = mediaFile(dir, ref);
    if (file) candidates.set(file, ref.sha256);
  }
  if (candidates.size === 0) return result;
  // A media folder replaced by a symlink would lead outside the agent's folder: leave it alone.
  const st = await fs.lstat(dir).catch(() => undefined);
  if (!st?.isDirectory()) return result;

  const sweep: Sweep = { reused: new Set(), unlinking: new Map() };
  const active = sweeps.get(dir) ?? new Set<Sweep>();
  sweeps.set(dir, active.add(sweep));
  try {
    const inUse = await (opts.scan ?? referencedHashes)(agentSessionsDir(stateDir, agentId), new Set(candidates.values()));
    for (const [file, sha] of candidates) {
      if (inUse.has(sha) || sweep.reused.has(file) || pinned.has(file)) {
        result.kept.push(file);
        continue;
      }
      // Registered in the same tick as the check above: an image stored from now on waits for it.
      const unlinking = fs.unlink(file);
      sweep.unlinking.set(
        file,
        unlinking.catch(() => undefined),
      );
      try {
        await unlinking;
        result.removed.push(file);
      } catch (err) {
        if (errCode(err) === 'ENOENT') continue; // already gone: nothing to do
        result.failed.push({ file, error: err instanceof Error ? err.message : String(err) });
      }
    }
  } finally {
    active.delete(sweep);
    if (active.size === 0) sweeps.delete(dir);
  }
  return result;
}
