// Torn-tail repair for append-only JSONL files (transcripts, journal segments): a crash mid-write
// can only damage the end of such a file, so everything after the last good line is moved to
// `<file>.corrupt` (kept for inspection, with a header) and cut off before anything is appended.
import path from 'node:path';
import { fdClose, fdDatasync, fdOpen, fdSize, fdTruncate, fdWriteAll, fsyncDirCoalesced, readAt } from './fs-util.ts';
import { linesBackward } from './jsonl-read.ts';
import { corruptPathFor } from './paths.ts';

export interface RecoveryInfo {
  path: string;
  corruptPath: string;
  /** Where the good prefix ends (the new file size). */
  offset: number;
  removedBytes: number;
  at: string;
}

/**
 * Finds the end of the last good line (newline-terminated and accepted by `parse`). Anything after
 * it is a torn write: appended to `<file>.corrupt` with a header, fsync'ed, then cut from the file.
 * `fd` must be open for reading and writing.
 */
export async function repairTornTail<T>(
  fd: number,
  file: string,
  parse: (line: Buffer) => T | null,
): Promise<{
  size: number;
  last: T | null;
  recovery: RecoveryInfo | null;
}> {
  const size = await fdSize(fd);
  let goodEnd = size;
  let last: T | null = null;
  for await (const { start, line, terminated } of linesBackward(fd, size)) {
    const parsed = terminated ? parse(line) : null;
    if (parsed !== null) {
      last = parsed;
      goodEnd = start + line.length + 1;
      break;
    }
    goodEnd = start;
  }
  if (goodEnd === size) return { size, last, recovery: null };

  const removed = Buffer.allocUnsafe(size - goodEnd);
  await readAt(fd, removed, goodEnd);
  const at = new Date().toISOString();
  const corruptPath = corruptPathFor(file);
  const header = `# ${at} removed ${removed.length} bytes at offset ${goodEnd} (torn tail) from ${path.basename(file)}\n`;
  const cfd = await fdOpen(corruptPath, 'a');
  try {
    await fdWriteAll(cfd, Buffer.concat([Buffer.from(header), removed, Buffer.from('\n')]));
    await fdDatasync(cfd); // the bytes must be safe before they are cut from the file
  } finally {
    await fdClose(cfd);
  }
  await fsyncDirCoalesced(path.dirname(corruptPath)); // a new .corrupt file needs its entry durable
  await fdTruncate(fd, goodEnd);
  await fdDatasync(fd);
  return { size: goodEnd, last, recovery: { path: file, corruptPath, offset: goodEnd, removedBytes: removed.length, at } };
}
