import type { TaskKwargs } from '../api/types.js';

/** A failure as `taskFailed` reports it (contract F2). */
export interface FailureReport {
  readonly message: string;
  readonly traceback: string;
}

/** `message` is an Error's message or `String(value)`; `traceback` its stack, else the message. */
export function describeFailure(error: unknown): FailureReport {
  if (error instanceof Error) {
    const message = error.message;
    return { message, traceback: typeof error.stack === 'string' ? error.stack : message };
  }
  const message = safeString(error);
  return { message, traceback: message };
}

/** `String(value)`, or the object's tag where `String()` throws. */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    // e.g. an object with a null prototype: String() throws on it.
    return Object.prototype.toString.call(value);
  }
}

/**
 * True for results whose keys are passed downstream (semantics §6): plain
 * objects, like the original's dicts. Arrays, null, class instances and
 * primitives are passed on to nobody.
 */
export function isPlainObject(value: unknown): value is TaskKwargs {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Whether a callable's result is to be awaited: anything with a `then` method, as `await` treats it. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
