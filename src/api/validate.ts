import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TaskGroup, TaskKwargs } from '../core/types.js';
import type { StopOptions } from './options.js';
import { describe } from '../core/values.js';

function expected(what: string, value: unknown): string {
  return `Expected ${what}, got ${describe(value)}`;
}

/** An integer `>= min`, or `fallback` when undefined. @throws {RangeError} */
export function integerAtLeast(name: string, value: unknown, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(expected(`\`${name}\` to be an integer from ${min} and up`, value));
  }
  return value;
}

/** A boolean, or `fallback` when undefined. @throws {TypeError} */
export function booleanOr(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(expected(`\`${name}\` to be a boolean`, value));
  return value;
}

/** A finite number, or 0 when undefined (§2). @throws {TypeError} */
export function priority(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(expected('`priority` to be a finite number', value));
  }
  return value;
}

/** @throws {TypeError} */
export function group(value: unknown): TaskGroup | undefined {
  if (value === undefined || typeof value === 'string' || (typeof value === 'number' && !Number.isNaN(value))) {
    return value;
  }
  throw new TypeError(expected('`group` to be a string or a number', value));
}

/** @throws {TypeError} */
export function upstreamTaskIds(value: unknown): readonly number[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError(expected('`upstreamTaskIds` to be an array of task ids', value));
  for (const id of value as unknown[]) {
    if (typeof id !== 'number' || !Number.isInteger(id)) {
      throw new TypeError(expected('every id in `upstreamTaskIds` to be an integer', id));
    }
  }
  return value as readonly number[];
}

/** A copy of the array, so later changes by the caller do not reach the task. @throws {TypeError} */
export function taskArgs(value: unknown): readonly unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError(expected('`taskArgs` to be an array', value));
  return value.length === 0 ? undefined : [...(value as unknown[])];
}

/** An owned copy of a plain object. @throws {TypeError} */
export function taskKwargs(value: unknown): TaskKwargs | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(expected('`taskKwargs` to be a plain object', value));
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError(expected('`taskKwargs` to be a plain object', value));
  }
  return { ...(value as TaskKwargs) };
}

/** @throws {TypeError} */
export function stopOptions(value: StopOptions | undefined): { up: boolean; down: boolean } {
  if (value === undefined) return { up: true, down: true };
  if (typeof value !== 'object' || value === null) throw new TypeError(expected('stop options to be an object', value));
  return {
    up: booleanOr('stopUpstream', value.stopUpstream, true),
    down: booleanOr('stopDownstream', value.stopDownstream, true),
  };
}

/** An options object, or `{}` when undefined. @throws {TypeError} */
export function optionsObject<T extends object>(name: string, value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw new TypeError(expected(`\`${name}\` to be an object`, value));
  return value;
}

/** A worker module that exists on disk. @throws {TypeError} */
export function workerScript(value: unknown): string | URL | undefined {
  if (value === undefined) return undefined;
  if (!(typeof value === 'string' || value instanceof URL)) {
    throw new TypeError(expected('`workerScript` to be a file path or a file: URL', value));
  }
  const path = value instanceof URL ? fileURLToPath(value) : value;
  if (!existsSync(path)) throw new TypeError(`Expected \`workerScript\` to name an existing file, got ${path}`);
  return value;
}
