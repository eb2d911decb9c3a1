// ControlService: the transport-independent core of the control plane. It owns the method table
// (zod schemas), the handlers and the event stream, and is the single place where params are
// validated, results are stripped to their schema and redacted, and errors are made safe to show.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { EventDataOf, EventName, EventTable, MethodDef, MethodTable, ParamsOf, ResultOf } from '../../src-shared/protocol/contract.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import type { CallOutcome } from '../../src-shared/protocol/frames.ts';

export type ControlLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Log sink. Fields may hold raw errors: the sink (the app's redacting logger) decides what is written. */
export type ControlLog = (level: ControlLogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface CallContext {
  readonly transport: 'ws' | 'socket' | 'ipc' | 'internal';
  /** Opaque per-connection id, for logs and per-client state. */
  readonly clientId: string;
  readonly remoteAddress?: string;
}

export type MethodHandler<T extends MethodDef> = (params: ParamsOf<T>, ctx: CallContext) => Promise<ResultOf<T>>;
export type Handlers<M extends MethodTable> = { [K in keyof M]: MethodHandler<M[K]> };
export type EventListener = (event: string, data: unknown) => void;

export interface ControlServiceOptions<M extends MethodTable, E extends EventTable> {
  methods: M;
  events?: E;
  handlers: Handlers<M>;
  log?: ControlLog;
  /** Applied to every result, event payload and error message on its way out; default identity. */
  redact?: (value: unknown) => unknown;
  /**
   * Parse results with their schema before sending (strips unknown keys, rejects wrong shapes).
   * Default true: it is what guarantees a handler cannot leak extra fields, so only turn it off
   * for a measured hot path.
   */
  validateResults?: boolean;
}

const MAX_ERROR_MESSAGE = 500;

export class ControlService<M extends MethodTable, E extends EventTable = EventTable> {
  readonly methods: M;
  readonly events: E;
  private readonly handlers: Handlers<M>;
  private readonly log: ControlLog;
  private readonly redact: (value: unknown) => unknown;
  private readonly validateResults: boolean;
  private readonly listeners = new Set<EventListener>();

  constructor(opts: ControlServiceOptions<M, E>) {
    this.methods = opts.methods;
    this.events = opts.events ?? ({} as E);
    this.handlers = opts.handlers;
    this.log = opts.log ?? (() => {});
    this.redact = opts.redact ?? ((value) => value);
    this.validateResults = opts.validateResults ?? true;
  }

  /** Own keys only: `constructor`, `__proto__`, `toString` are not methods. */
  has(method: string): boolean {
    return Object.hasOwn(this.methods, method);
  }

  isMutating(method: string): boolean {
    return this.has(method) && this.methods[method]!.mutating;
  }

  /** Runs one call. Never throws: every failure becomes an error outcome that is safe to send. */
  async call(method: string, rawParams: unknown, ctx: CallContext): Promise<CallOutcome> {
    const def = this.has(method) ? this.methods[method] : undefined;
    const handler = this.has(method) && Object.hasOwn(this.handlers, method) ? this.handlers[method] : undefined;
    if (!def || typeof handler !== 'function') {
      return this.failure(new ControlError('not_found', `unknown method: ${truncate(method, 128)}`));
    }
    const params = def.params.safeParse(rawParams);
    if (!params.success) {
      return this.failure(new ControlError('bad_request', `invalid params: ${describeIssues(params.error)}`));
    }
    let result: unknown;
    try {
      result = await (handler as MethodHandler<MethodDef>)(params.data, ctx);
    } catch (err) {
      return this.failure(err, { method, clientId: ctx.clientId });
    }
    try {
      if (this.validateResults) {
        const checked = def.result.safeParse(result);
        if (!checked.success) {
          // A handler bug, not the caller's fault: log the shape problem (paths only), answer `internal`.
          throw new Error(`result of ${method} does not match its schema: ${describeIssues(checked.error)}`);
        }
        result = checked.data;
      }
      return { ok: true, result: this.redact(result) };
    } catch (err) {
      return this.failure(err, { method, clientId: ctx.clientId });
    }
  }

  /** Validates, redacts and publishes an event. Returns false (and logs) if the event is not in the table or invalid. */
  emit<K extends EventName<E>>(event: K, data: EventDataOf<E[K]>): boolean {
    const def = Object.hasOwn(this.events, event) ? this.events[event] : undefined;
    if (!def) {
      this.log('warn', 'control event not in the contract; dropped', { event });
      return false;
    }
    const checked = def.data.safeParse(data);
    if (!checked.success) {
      this.log('warn', 'control event does not match its schema; dropped', { event, issues: describeIssues(checked.error) });
      return false;
    }
    let payload: unknown;
    try {
      payload = this.redact(checked.data);
    } catch (err) {
      this.log('error', 'redaction failed; control event dropped', { event, err });
      return false;
    }
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch (err) {
        this.log('error', 'control event listener threw', { event, err });
      }
    }
    return true;
  }

  /** Subscribes a transport to the event stream; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private failure(err: unknown, fields?: Record<string, unknown>): CallOutcome {
    if (err instanceof ControlError) {
      return { ok: false, error: { code: err.code, message: this.safeMessage(err.message) } };
    }
    // The real error (message, stack, maybe a path or a secret) goes to the log only; the client
    // gets a reference it can quote when reporting the problem.
    const ref = randomUUID().slice(0, 8);
    this.log('error', 'control method failed', { ...fields, ref, err });
    return { ok: false, error: { code: 'internal', message: `internal error (ref ${ref})` } };
  }

  private safeMessage(message: string): string {
    try {
      const redacted = this.redact(message);
      return truncate(typeof redacted === 'string' ? redacted : 'error', MAX_ERROR_MESSAGE);
    } catch {
      return 'error';
    }
  }
}

/** "agents.list[2].id: Invalid input: expected string, received number" (first issues only). */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return truncate(parts.join('; ') + more, MAX_ERROR_MESSAGE);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(params)';
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
