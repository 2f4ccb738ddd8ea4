import { types } from 'node:util';
import type { TaskKwargs } from '../core/types.js';
import { safeString } from '../core/values.js';

/** A failure as `taskFailed` reports it (contract F2). */
export interface FailureReport {
  readonly message: string;
  readonly traceback: string;
}

/**
 * `message` is an Error's message or `String(value)`; `traceback` its
 * stack, else the message. An Error of another realm (`node:vm`) counts as
 * one; a field whose getter throws is read as `String(value)`: reporting a
 * failure never throws.
 */
export function describeFailure(error: unknown): FailureReport {
  if (error instanceof Error || types.isNativeError(error)) {
    try {
      const { message, stack } = error;
      if (typeof message === 'string') return { message, traceback: typeof stack === 'string' ? stack : message };
    } catch {
      // read as a value below
    }
  }
  const message = safeString(error);
  return { message, traceback: message };
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
