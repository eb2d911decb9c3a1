// Wire frames of the control plane (docs/architecture.md#frames): the JSON objects exchanged over
// the WebSocket, the local socket and Electron IPC. Pure TypeScript (zod only) so main, renderer
// and CLI share it. Transports decide *when* a frame is allowed; this module only says what
// a well-formed one is.
import { z } from 'zod';

/** Error codes a client can see. Anything else a handler throws is reported as `internal`. */
export const ERROR_CODES = ['bad_request', 'unauthorized', 'not_found', 'conflict', 'unavailable', 'internal'] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorBodySchema = z.object({ code: ErrorCodeSchema, message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** WebSocket close codes (4xxx = application range, chosen to echo the HTTP status they mean). */
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_AUTH_TIMEOUT = 4408;
export const CLOSE_RATE_LIMITED = 4429;
/** Standard codes used by the transport (RFC 6455): invalid payload, unsupported data, too big. */
export const CLOSE_INVALID_DATA = 1007;
export const CLOSE_UNSUPPORTED_DATA = 1003;
export const CLOSE_TOO_BIG = 1009;
export const CLOSE_TRY_AGAIN_LATER = 1013;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_INTERNAL_ERROR = 1011;

/** Frame size limits: an unauthenticated peer gets a small budget, an authenticated one a large one. */
export const MAX_FRAME_BYTES_BEFORE_AUTH = 64 * 1024;
export const MAX_FRAME_BYTES_AFTER_AUTH = 8 * 1024 * 1024;
export const AUTH_TIMEOUT_MS = 5_000;
export const CONTROL_PATH = '/control';

// Ids are chosen by the client and echoed back verbatim; bounded so a peer cannot make us echo megabytes.
export const RequestIdSchema = z.union([z.string().min(1).max(128), z.number().int().safe()]);
export type RequestId = z.infer<typeof RequestIdSchema>;

export const AuthFrameSchema = z.object({ type: z.literal('auth'), token: z.string().min(1).max(1024) });
export type AuthFrame = z.infer<typeof AuthFrameSchema>;

export const AuthOkFrameSchema = z.object({ type: z.literal('auth'), ok: z.literal(true), version: z.string() });
export const AuthFailFrameSchema = z.object({ type: z.literal('auth'), ok: z.literal(false), error: ErrorBodySchema });
export const AuthReplyFrameSchema = z.union([AuthOkFrameSchema, AuthFailFrameSchema]);
export type AuthReplyFrame = z.infer<typeof AuthReplyFrameSchema>;

export const ReqFrameSchema = z.object({
  type: z.literal('req'),
  id: RequestIdSchema,
  method: z.string().min(1).max(128),
  // Optional: a method without params may leave the key out (JSON drops `undefined`).
  params: z.unknown().optional(),
});
export type ReqFrame = z.infer<typeof ReqFrameSchema>;

export const ResOkFrameSchema = z.object({ type: z.literal('res'), id: RequestIdSchema, ok: z.literal(true), result: z.unknown() });
export const ResErrFrameSchema = z.object({ type: z.literal('res'), id: RequestIdSchema, ok: z.literal(false), error: ErrorBodySchema });
export const ResFrameSchema = z.union([ResOkFrameSchema, ResErrFrameSchema]);
export type ResFrame = z.infer<typeof ResFrameSchema>;

export const EventFrameSchema = z.object({ type: z.literal('event'), event: z.string().min(1), data: z.unknown() });
export type EventFrame = z.infer<typeof EventFrameSchema>;

/** Frames a client sends (auth first, then requests). */
export const ClientFrameSchema = z.union([AuthFrameSchema, ReqFrameSchema]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

/** Frames a server sends. */
export const ServerFrameSchema = z.union([AuthReplyFrameSchema, ResFrameSchema, EventFrameSchema]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/** Outcome of a call, i.e. a `res` frame without its envelope; what ControlService.call returns. */
export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ErrorBody };

export type DecodeResult<T> =
  | { ok: true; frame: T }
  /** `id` is set when the frame was JSON with a readable request id, so the error can be answered. */
  | { ok: false; reason: 'json' | 'shape'; id?: RequestId; message: string };

/** Parses a text frame from a client; never throws. */
export function decodeClientFrame(text: string): DecodeResult<ClientFrame> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'json', message: 'frame is not valid JSON' };
  }
  const parsed = ClientFrameSchema.safeParse(raw);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const id = readableId(raw);
  const message = 'malformed frame';
  return id === undefined ? { ok: false, reason: 'shape', message } : { ok: false, reason: 'shape', id, message };
}

/** Parses a text frame from a server; never throws. */
export function decodeServerFrame(text: string): DecodeResult<ServerFrame> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'json', message: 'frame is not valid JSON' };
  }
  const parsed = ServerFrameSchema.safeParse(raw);
  return parsed.success ? { ok: true, frame: parsed.data } : { ok: false, reason: 'shape', message: 'malformed frame' };
}

function readableId(raw: unknown): RequestId | undefined {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return undefined;
  const id = RequestIdSchema.safeParse((raw as { id: unknown }).id);
  return id.success ? id.data : undefined;
}
