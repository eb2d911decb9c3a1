// Inbound images for the model (docs/channels.md#images): the caps, a size-capped download with a
// time limit, content sniffing (JPEG/PNG/GIF/WebP only — the Messages API checks that the bytes
// match the declared type), and the placeholder line that says why an image was not passed on.
import type * as http from 'node:http';
import type { InboundEnvelope, MediaItem } from '../gateway/envelope.ts';
import { nodeHttp, nodeHttps } from '../net/builtin-http.ts';

export interface ImageLimits {
  /** Per image, before base64 (Anthropic's API refuses images over 5 MB). */
  maxBytes: number;
  /** Images per message passed to the model; the rest keep their placeholder. */
  maxPerMessage: number;
  /** Per download (getFile + file, or one attachment URL). */
  timeoutMs: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 5 * 1024 * 1024, maxPerMessage: 4, timeoutMs: 20_000 };

export const SUPPORTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
export type SupportedImageType = (typeof SUPPORTED_IMAGE_TYPES)[number];

/** The image type from its first bytes, or undefined for anything the model cannot take. */
export function sniffImageType(data: Uint8Array): SupportedImageType | undefined {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => data[i + k] === b);
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return undefined;
}

/** `12 MB`, `740 KB` — for placeholder lines. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export class ImageTooLargeError extends Error {
  /** `partial`: the download was cut off at the cap, so `bytes` is only how far it got. */
  constructor(
    readonly bytes: number,
    readonly partial = false,
  ) {
    super(`image too large: ${partial ? 'over ' : ''}${formatSize(bytes)}`);
  }
}

/**
 * GET with a byte cap: refuses a declared Content-Length over `maxBytes` and aborts a body that
 * grows past it. Errors never carry the URL (a Telegram file URL contains the bot token).
 */
export function downloadCapped(
  url: string,
  opts: { maxBytes: number; signal: AbortSignal; agent?: http.Agent },
): Promise<{ data: Buffer; contentType?: string }> {
  const target = new URL(url);
  const get = target.protocol === 'https:' ? nodeHttps.get : target.protocol === 'http:' ? nodeHttp.get : undefined;
  if (!get) return Promise.reject(new Error(`unsupported URL scheme ${target.protocol}`));
  return new Promise((resolve, reject) => {
    const req = get(target, { signal: opts.signal, ...(opts.agent ? { agent: opts.agent } : {}) }, (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        res.resume();
        return reject(new Error(`download failed: HTTP ${status}`));
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        res.destroy();
        return reject(new ImageTooLargeError(declared));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) {
          res.destroy();
          reject(new ImageTooLargeError(opts.maxBytes, true));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        resolve({ data: Buffer.concat(chunks), ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}) }),
      );
      res.on('error', (err) => reject(new Error(`download failed: ${err.message}`)));
    });
    req.on('error', (err) => reject(opts.signal.aborted ? new Error('download timed out') : new Error(`download failed: ${err.message}`)));
  });
}

/** One image of an envelope the adapter can fetch. */
export interface ImageSource {
  /** Index of the image in `envelope.media`. */
  index: number;
  /** Size the platform announced, checked before downloading. */
  size?: number;
  /** How the placeholder names it: `photo`, `image a.png`. */
  label: string;
  /** The placeholder line the mapping wrote for it (`[photo]`); absent: a line is added on failure. */
  placeholder?: string;
  download(signal: AbortSignal, maxBytes: number): Promise<Buffer>;
}

/** Replaces the first line equal to `line` (mappings write their placeholder first), else appends. */
function annotate(text: string, line: string | undefined, replacement: string): string {
  const lines = text === '' ? [] : text.split('\n');
  const at = line === undefined ? -1 : lines.indexOf(line);
  if (at === -1) lines.push(replacement);
  else lines[at] = replacement;
  return lines.join('\n');
}

/**
 * Downloads the envelope's images (in order, each within the time limit; `stop` aborts them all)
 * and returns the envelope with `data` + sniffed `mimeType` on the images that made it, and the
 * reason in the placeholder line for those that did not ("[photo too large: 12 MB]"). Never throws:
 * a failed download leaves a placeholder, the message itself always goes on.
 */
export async function attachImages(
  envelope: InboundEnvelope,
  sources: readonly ImageSource[],
  limits: ImageLimits,
  stop?: AbortSignal,
): Promise<InboundEnvelope> {
  if (sources.length === 0 || !envelope.media) return envelope;
  const media: MediaItem[] = envelope.media.map((m) => ({ ...m }));
  let text = envelope.text;
  let taken = 0;
  for (const src of sources) {
    const item = media[src.index];
    if (!item) continue;
    let why: string | undefined;
    if (taken >= limits.maxPerMessage) why = `not shown: only ${limits.maxPerMessage} images per message`;
    else if (src.size !== undefined && src.size > limits.maxBytes) why = `too large: ${formatSize(src.size)}`;
    else {
      const signal = stop ? AbortSignal.any([stop, AbortSignal.timeout(limits.timeoutMs)]) : AbortSignal.timeout(limits.timeoutMs);
      try {
        const data = await src.download(signal, limits.maxBytes);
        const type = sniffImageType(data);
        if (data.length > limits.maxBytes) why = `too large: ${formatSize(data.length)}`;
        else if (!type) why = 'not shown: not a JPEG, PNG, GIF or WebP image';
        else {
          item.data = data;
          item.mimeType = type;
          taken++;
        }
      } catch (err) {
        why =
          err instanceof ImageTooLargeError
            ? `too large: ${err.partial ? 'over ' : ''}${formatSize(err.bytes)}`
            : signal.aborted
              ? 'not shown: download timed out'
              : 'not shown: download failed';
      }
    }
    if (why) {
      item.note = why;
      // "too large: 12 MB" reads as "[photo too large: 12 MB]"; the others as "[photo not shown: …]".
      text = annotate(text, src.placeholder, `[${src.label} ${why}]`);
    }
  }
  return { ...envelope, text, media };
}

/**
 * The envelope with its image downloads deferred to `prepare()`, which the gateway calls only
 * once the sender has passed the access policy (and only once, whatever the number of agents).
 */
export function deferImages(
  envelope: InboundEnvelope,
  sources: readonly ImageSource[],
  limits: ImageLimits,
  stop?: AbortSignal,
  onNotes?: (notes: string[]) => void,
): InboundEnvelope {
  if (sources.length === 0 || !envelope.media) return envelope;
  let prepared: Promise<InboundEnvelope> | undefined;
  const prepare = async (): Promise<InboundEnvelope> => {
    const result = await attachImages(envelope, sources, limits, stop);
    const notes = (result.media ?? []).flatMap((m) => (m.note ? [m.note] : []));
    if (notes.length > 0) onNotes?.(notes);
    return result;
  };
  return { ...envelope, prepare: () => (prepared ??= prepare()) };
}
