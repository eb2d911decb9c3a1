// Inbound images on disk, per agent (DESIGN §4 isolation): `<stateDir>/agents/<agentId>/media/
// <sha256>.<ext>`, content-addressed, written atomically (0600, fsync'ed) before the inbound record
// that references them, and read back by history. Nothing is shared between agents: a message
// routed to two agents is stored once in each agent's folder.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { MediaItem } from '../gateway/envelope.ts';
import { atomicWriteFile } from '../sessions/fs-util.ts';
import { agentSessionsDir } from '../sessions/paths.ts';

/** What an inbound transcript record keeps of an image (`media: MediaRef[]`). */
export interface MediaRef {
  kind: 'image';
  sha256: string;
  mimeType: string;
  bytes: number;
}

const EXT: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' };
const SHA_RE = /^[0-9a-f]{64}$/;

/** `<stateDir>/agents/<agentId>/media` (the agent id is validated as for sessions). */
export function agentMediaDir(stateDir: string, agentId: string): string {
  return path.join(path.dirname(agentSessionsDir(stateDir, agentId)), 'media');
}

/** The file of a reference, or undefined when the reference is malformed (never a path outside). */
export function mediaFile(dir: string, ref: MediaRef): string | undefined {
  const ext = EXT[ref.mimeType];
  return ext && SHA_RE.test(ref.sha256) ? path.join(dir, `${ref.sha256}.${ext}`) : undefined;
}

export function isMediaRef(x: unknown): x is MediaRef {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return r.kind === 'image' && typeof r.sha256 === 'string' && typeof r.mimeType === 'string' && typeof r.bytes === 'number';
}

/**
 * Stores the downloaded images of an inbound message for one agent and returns the references
 * for its transcript record. A file already there (same content) is not written again.
 */
export async function storeInboundMedia(stateDir: string, agentId: string, media: readonly MediaItem[] | undefined): Promise<MediaRef[]> {
  const images = (media ?? []).filter((m): m is MediaItem & { data: Buffer; mimeType: string } => m.kind === 'image' && m.data !== undefined && m.mimeType !== undefined && EXT[m.mimeType] !== undefined);
  if (images.length === 0) return [];
  const dir = agentMediaDir(stateDir, agentId);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const refs: MediaRef[] = [];
  for (const img of images) {
    const ref: MediaRef = { kind: 'image', sha256: createHash('sha256').update(img.data).digest('hex'), mimeType: img.mimeType, bytes: img.data.length };
    const file = mediaFile(dir, ref)!;
    const exists = await fs.stat(file).then((s) => s.size === ref.bytes, () => false);
    // Temp file, fsync, rename, folder fsync: durable before the record that names it (0600).
    if (!exists) await atomicWriteFile(file, img.data);
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
