// ControlError: the one error type whose code and message may cross the control plane to a client.
// Handlers throw it for expected failures; anything else is reported as a generic `internal`.
import type { ErrorBody, ErrorCode } from './frames.ts';
import { ERROR_CODES } from './frames.ts';

export class ControlError extends Error {
  readonly code: ErrorCode;

  /** `message` is user-facing: it must not contain secrets, stack traces or private paths. */
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ControlError';
    this.code = code;
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }

  /** Rebuilds the error a server sent; an unknown code (newer server) degrades to `internal`. */
  static fromBody(body: { code: string; message: string }): ControlError {
    return new ControlError(isErrorCode(body.code) ? body.code : 'internal', body.message);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function isControlError(value: unknown): value is ControlError {
  return value instanceof ControlError;
}
