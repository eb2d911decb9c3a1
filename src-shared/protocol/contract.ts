// Typed-contract helpers: a control API is a table of `defineMethod(...)` entries plus a table of
// `defineEvent(...)` entries; server handlers and clients derive their TypeScript types from it,
// and the zod schemas in the same table are what the transports validate against at run time.
import type { z } from 'zod';

export interface MethodDef<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly params: P;
  readonly result: R;
  /** Mutating methods change config or state; the transport/UI may treat them differently (e.g. baseHash). */
  readonly mutating: boolean;
}

export interface EventDef<S extends z.ZodType = z.ZodType> {
  readonly data: S;
}

export type MethodTable = Record<string, MethodDef>;
export type EventTable = Record<string, EventDef>;

export function defineMethod<P extends z.ZodType, R extends z.ZodType>(def: { params: P; result: R; mutating?: boolean }): MethodDef<P, R> {
  return { params: def.params, result: def.result, mutating: def.mutating ?? false };
}

export function defineEvent<S extends z.ZodType>(schema: S): EventDef<S> {
  return { data: schema };
}

/** Params as the handler receives them (after validation, defaults applied). */
export type ParamsOf<T extends MethodDef> = z.output<T['params']>;
/** Params as a client may send them (before defaults). */
export type ParamsInputOf<T extends MethodDef> = z.input<T['params']>;
/** Result as a client receives it. Result schemas should not use transforms: results are re-parsed. */
export type ResultOf<T extends MethodDef> = z.output<T['result']>;
/** Event payload as listeners receive it. */
export type EventDataOf<T extends EventDef> = z.output<T['data']>;

export type MethodName<M extends MethodTable> = keyof M & string;
export type EventName<E extends EventTable> = keyof E & string;
