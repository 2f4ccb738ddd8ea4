import { describe } from '../../core/values.js';

/**
 * Checks shared by the options of the remote executor and the remote
 * worker: each returns the value or its default, or throws a clear error.
 */

/** @throws {TypeError} unless `value` is an object (connection options, or a Redis client). */
export function connection(value: unknown): object {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('Expected `connection` to be Redis connection options or a Redis client');
  }
  return value;
}

/** @throws {TypeError} unless `value` is undefined or a non-empty string without `:`. */
export function queueName(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '' || value.includes(':')) {
    throw new TypeError(`Expected \`queueName\` to be a non-empty string without ':', got ${describe(value)}`);
  }
  return value;
}

/** @throws {RangeError} unless `value` is undefined, an integer from `min` to 2³¹ − 1, or (when allowed) `Infinity`. */
export function milliseconds(name: string, value: unknown, fallback: number, min = 0, infinite = false): number {
  if (value === undefined) return fallback;
  if (infinite && value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
    const range = `an integer from ${min} to 2147483647${infinite ? ' or Infinity' : ''}`;
    throw new RangeError(`Expected \`${name}\` to be ${range}, got ${describe(value)}`);
  }
  return value;
}

/** @throws {RangeError} unless `value` is undefined or an integer >= `min`. */
export function count(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`Expected \`${name}\` to be an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}
