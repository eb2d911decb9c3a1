// Reading transcripts without loading them whole: a forward streaming iterator (history rebuild,
// index rebuild), a backward line reader (torn-tail detection, tail paging) and a binary search
// over byte offsets that finds where `seq < beforeSeq` ends, so paging a 100,000-record
// transcript costs a few dozen small reads instead of a full scan.
import { fdClose, fdOpen, fdSize, readAt } from './fs-util.ts';
import { parseRecordLine, type TranscriptRecord } from './records.ts';

const NL = 0x0a;
const CHUNK = 64 * 1024;
const PROBE = 4 * 1024;
const EMPTY = Buffer.alloc(0);
// Lines we write start with `{"v":1,"seq":N,` so a probe reads the seq without parsing the line.
const SEQ_PREFIX = /^\{"v":\d+,"seq":(\d+)[,}]/;

export interface BackwardLine {
  /** Byte offset of the line's first byte. */
  start: number;
  /** The line without its newline (a view; copy it if kept across iterations). */
  line: Buffer;
  /** False only for a trailing fragment with no newline after it (a torn write). */
  terminated: boolean;
}

/** Yields the lines of [0, end) from last to first, reading `chunkSize` bytes at a time. */
export async function* linesBackward(fd: number, end: number, chunkSize = CHUNK): AsyncGenerator<BackwardLine> {
  if (end <= 0) return;
  let pos = end;
  let carry: Buffer = EMPTY; // bytes of the line being assembled, which began before `pos`
  let terminated: boolean | null = null; // unknown until the last byte has been seen
  for (;;) {
    if (pos === 0) {
      yield { start: 0, line: carry, terminated: terminated ?? false };
      return;
    }
    const len = Math.min(chunkSize, pos);
    pos -= len;
    const chunk = Buffer.allocUnsafe(len);
    const got = await readAt(fd, chunk, pos);
    if (got < len) throw new Error(`transcript shrank while reading (offset ${pos})`);
    let buf = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
    if (terminated === null) {
      terminated = buf[buf.length - 1] === NL;
      if (terminated) buf = buf.subarray(0, buf.length - 1);
    }
    let lineEnd = buf.length;
    let nl = lineEnd > 0 ? buf.lastIndexOf(NL, lineEnd - 1) : -1;
    while (nl !== -1) {
      yield { start: pos + nl + 1, line: buf.subarray(nl + 1, lineEnd), terminated };
      terminated = true;
      lineEnd = nl;
      nl = lineEnd > 0 ? buf.lastIndexOf(NL, lineEnd - 1) : -1;
    }
    carry = buf.subarray(0, lineEnd);
  }
}

/**
 * Streams every complete, parseable record of [0, end) in file order; with `fromSeq`, only from
 * the first line whose seq >= fromSeq (found by binary search, not by a scan).
 */
export async function* readRecords(file: string, end?: number, fromSeq?: number): AsyncGenerator<TranscriptRecord> {
  const fd = await fdOpen(file, 'r');
  try {
    const limit = end ?? (await fdSize(fd));
    let pos = fromSeq === undefined ? 0 : await findSeqOffset(fd, limit, fromSeq);
    let carry: Buffer = EMPTY;
    while (pos < limit) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, limit - pos));
      const got = await readAt(fd, chunk, pos);
      if (got === 0) break;
      pos += got;
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got);
      let start = 0;
      let nl = buf.indexOf(NL, start);
      while (nl !== -1) {
        const rec = parseRecordLine(buf.subarray(start, nl));
        if (rec) yield rec; // unparseable lines in the middle cannot be repaired; skip them
        start = nl + 1;
        nl = buf.indexOf(NL, start);
      }
      carry = buf.subarray(start);
    }
    // A trailing fragment without newline is a torn write: never reported as a record.
  } finally {
    await fdClose(fd);
  }
}

/** First offset q >= from with q a line start (0 or just after a newline); `limit` if none before it. */
async function nextLineStart(fd: number, from: number, limit: number): Promise<number> {
  if (from <= 0) return 0;
  const buf = Buffer.allocUnsafe(PROBE);
  let pos = from - 1;
  while (pos < limit) {
    const view = buf.subarray(0, Math.min(PROBE, limit - pos));
    const got = await readAt(fd, view, pos);
    if (got === 0) break;
    const i = view.subarray(0, got).indexOf(NL);
    if (i !== -1) return Math.min(pos + i + 1, limit);
    pos += got;
  }
  return limit;
}

/** The seq of the line starting at `start`; -Infinity when the line has none (sorts as "older"). */
async function seqAt(fd: number, start: number): Promise<number> {
  const head = Buffer.allocUnsafe(64);
  const got = await readAt(fd, head, start);
  const m = SEQ_PREFIX.exec(head.toString('latin1', 0, got));
  if (m?.[1] !== undefined) return Number(m[1]);
  // Not our prefix (hand-written line): read the whole line and parse it.
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const chunk = Buffer.allocUnsafe(PROBE);
    const n = await readAt(fd, chunk, pos);
    const i = chunk.subarray(0, n).indexOf(NL);
    parts.push(chunk.subarray(0, i === -1 ? n : i));
    if (i !== -1 || n < PROBE) break;
    pos += n;
  }
  return parseRecordLine(Buffer.concat(parts))?.seq ?? -Infinity;
}

/**
 * Offset of the first line whose seq >= beforeSeq (or `size`). Seqs grow with the offset, so this
 * is a binary search over byte positions; invariants: every line starting before `lo` has
 * seq < beforeSeq, every line starting at or after `hi` (a line start) has seq >= beforeSeq.
 */
export async function findSeqOffset(fd: number, size: number, beforeSeq: number): Promise<number> {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const at = await nextLineStart(fd, mid, hi);
    if (at >= hi) break; // no line starts in [mid, hi): the remaining lines all start in [lo, mid)
    if ((await seqAt(fd, at)) >= beforeSeq) hi = at;
    else lo = at + 1;
  }
  // Few lines are left between lo and hi: check them one by one.
  let p = await nextLineStart(fd, lo, hi);
  while (p < hi) {
    if ((await seqAt(fd, p)) >= beforeSeq) return p;
    p = await nextLineStart(fd, p + 1, hi);
  }
  return hi;
}

/**
 * The last `limit` records with seq < beforeSeq (all when omitted), oldest first. Only bytes
 * below `end` are considered (a writer passes its committed size; default: the file size).
 */
export async function readTailRecords(file: string, limit: number, beforeSeq?: number, end?: number): Promise<TranscriptRecord[]> {
  if (limit <= 0) return [];
  const fd = await fdOpen(file, 'r');
  try {
    const size = end ?? (await fdSize(fd));
    const stop = beforeSeq === undefined ? size : await findSeqOffset(fd, size, beforeSeq);
    const out: TranscriptRecord[] = [];
    for await (const { line, terminated } of linesBackward(fd, stop)) {
      if (!terminated) continue; // torn tail of a file nobody has repaired yet
      const rec = parseRecordLine(line);
      if (!rec || (beforeSeq !== undefined && rec.seq >= beforeSeq)) continue;
      out.push(rec);
      if (out.length >= limit) break;
    }
    return out.reverse();
  } finally {
    await fdClose(fd);
  }
}
