import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_TIMER_MS, systemClock, type Clock } from '../core/clock.js';
import type { TaskGroup, TaskKwargs, TaskWorkerOptions } from '../core/types.js';
import type { WorkerExecutor } from '../core/worker-runner.js';
import type { RetryPolicy } from '../scheduling/task-retries.js';
import type { RetryOptions, StopOptions } from './options.js';
import { MANAGER_EVENT_NAMES, type BackgroundTaskManagerEvents } from '../core/events.js';
import { closestName, describe } from '../core/values.js';

function expected(what: string, value: unknown): string {
  return `Expected ${what}, got ${describe(value)}`;
}

/** Whether `value` can be an options object: an object, not null, not an array (whose keys would pass unseen). */
function isOptions(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An integer `>= min`, or `fallback` when undefined.
 * @throws {RangeError}
 */
export function integerAtLeast(name: string, value: unknown, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(expected(`\`${name}\` to be an integer from ${min} and up`, value));
  }
  return value;
}

/**
 * A delay in milliseconds: an integer from 0 to 2³¹ − 1, or `Infinity`
 * (never); `fallback` when undefined.
 * @throws {RangeError}
 */
export function delayMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !(value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 0 && value <= MAX_TIMER_MS))
  ) {
    throw new RangeError(expected(`\`${name}\` to be an integer from 0 to ${MAX_TIMER_MS} (ms), or Infinity`, value));
  }
  return value;
}

/**
 * A boolean, or `fallback` when undefined.
 * @throws {TypeError}
 */
export function booleanOr(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(expected(`\`${name}\` to be a boolean`, value));
  return value;
}

/**
 * A finite number, or 0 when undefined (§2).
 * @throws {TypeError}
 */
export function priority(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(expected('`priority` to be a finite number', value));
  }
  return value;
}

/**
 * A priority that must be given (`setPriority`), checked as `addTask` checks it.
 * @throws {TypeError}
 */
export function requiredPriority(value: unknown): number {
  if (value === undefined) throw new TypeError(expected('`priority` to be a finite number', value));
  return priority(value);
}

/**
 * A task id: an integer (unknown ids are the callee's business).
 * @throws {TypeError}
 */
export function taskId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(expected('`taskId` to be an integer task id', value));
  }
  return value;
}

/**
 * A group that must be given (`whenGroupFinished`).
 * @throws {TypeError}
 */
export function requiredGroup(value: unknown): TaskGroup {
  if (value === undefined) throw new TypeError(expected('`group` to be a string or a number', value));
  return group(value) as TaskGroup;
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

/**
 * A copy of the array, so later changes by the caller do not reach the task.
 * @throws {TypeError}
 */
export function taskArgs(value: unknown): readonly unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError(expected('`taskArgs` to be an array', value));
  return value.length === 0 ? undefined : [...(value as unknown[])];
}

/**
 * An owned copy of a plain object.
 * @throws {TypeError}
 */
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

/**
 * A running-time limit in ms: above 0 and at most Node's longest timer, or
 * `Infinity` for none; `undefined` stays `undefined` (the default applies).
 * @throws {RangeError}
 */
export function timeoutMs(name: string, value: unknown): number | undefined {
  if (value === undefined || value === Infinity) return value;
  if (typeof value !== 'number' || !(value > 0 && value <= MAX_TIMER_MS)) {
    throw new RangeError(
      expected(`\`${name}\` to be a number of milliseconds above 0, at most ${MAX_TIMER_MS}, or Infinity`, value),
    );
  }
  return value;
}

/**
 * An object with `setTimeout` and `clearTimeout` methods, or the system clock when undefined.
 * @throws {TypeError}
 */
export function clock(value: unknown): Clock {
  if (value === undefined) return systemClock;
  const { setTimeout, clearTimeout } = (typeof value === 'object' && value !== null ? value : {}) as Partial<Clock>;
  if (typeof setTimeout !== 'function' || typeof clearTimeout !== 'function') {
    throw new TypeError(expected('`clock` to be an object with setTimeout and clearTimeout methods', value));
  }
  return value as Clock;
}

/**
 * A retry policy with every field filled in, or `undefined` when undefined.
 * @throws {TypeError} if it is not an object or has an unknown key.
 * @throws {RangeError} for a field out of its range.
 */
export function retry(value: unknown): RetryPolicy | undefined {
  if (value === undefined) return undefined;
  if (!isOptions(value)) throw new TypeError(expected('`retry` to be an object', value));
  knownKeys('retry', value);
  const options = value as RetryOptions;
  const delayMs = options.delayMs ?? 1000;
  if (typeof delayMs !== 'number' || !(delayMs >= 0 && delayMs <= MAX_TIMER_MS)) {
    throw new RangeError(
      expected(`\`retry.delayMs\` to be a number of milliseconds from 0 to ${MAX_TIMER_MS}`, delayMs),
    );
  }
  const factor = options.factor ?? 2;
  if (typeof factor !== 'number' || !(factor >= 1 && Number.isFinite(factor))) {
    throw new RangeError(expected('`retry.factor` to be a finite number from 1 up', factor));
  }
  const maxDelayMs = options.maxDelayMs ?? Infinity;
  if (typeof maxDelayMs !== 'number' || !(maxDelayMs >= 0)) {
    throw new RangeError(
      expected('`retry.maxDelayMs` to be a number of milliseconds from 0 up, or Infinity', maxDelayMs),
    );
  }
  return { attempts: integerAtLeast('retry.attempts', options.attempts, 1, 3), delayMs, factor, maxDelayMs };
}

/** @throws {TypeError} */
export function stopOptions(value: unknown): { up: boolean; down: boolean } {
  if (value === undefined) return { up: true, down: true };
  if (!isOptions(value)) throw new TypeError(expected('stop options to be an object', value));
  knownKeys('stop', value);
  const options = value as StopOptions;
  return {
    up: booleanOr('stopUpstream', options.stopUpstream, true),
    down: booleanOr('stopDownstream', options.stopDownstream, true),
  };
}

/**
 * An options object, or `{}` when undefined.
 * @throws {TypeError}
 */
export function optionsObject<T extends object>(name: string, value: T | undefined): Partial<T> {
  const input: unknown = value; // JavaScript callers pass anything
  if (input === undefined) return {};
  if (!isOptions(input)) throw new TypeError(expected(`\`${name}\` to be an object`, input));
  return input;
}

/**
 * A worker module that exists on disk: its absolute path.
 * @throws {TypeError}
 */
export function workerScript(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!(typeof value === 'string' || value instanceof URL)) {
    throw new TypeError(expected('`workerScript` to be a file path or a file: URL', value));
  }
  // A relative path is the working directory's, as for `fs`: Node's Worker would refuse one without `./`.
  const path = value instanceof URL ? fileURLToPath(value) : resolve(value);
  if (!isFile(path)) throw new TypeError(`Expected \`workerScript\` to name an existing file, got ${path}`);
  return path;
}

/** Whether `path` names a file (a folder, or nothing, is not one). */
function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

/**
 * The options passed to every worker thread, or `undefined` when undefined.
 * @throws {TypeError} if it is not an object, or names an option of Node's `Worker` it does not pass on.
 */
export function workerOptions(value: unknown): TaskWorkerOptions | undefined {
  if (value === undefined) return undefined;
  if (!isOptions(value)) throw new TypeError(expected('`workerOptions` to be an object', value));
  knownKeys('workerOptions', value);
  return value;
}

/**
 * A worker executor: an object with a `run` method, and `destroy` a method when present.
 * @throws {TypeError} for anything else, or one given with an option of the local pool.
 */
export function executor(value: unknown, options: object): WorkerExecutor | undefined {
  if (value === undefined) return undefined;
  if (!isExecutor(value)) {
    throw new TypeError(expected('`executor` to be an object with a `run(job)` method (e.g. a BullMQExecutor)', value));
  }
  for (const key of ['workerScript', 'workerOptions', 'killAfterMs'] as const) {
    if ((options as Record<string, unknown>)[key] !== undefined) {
      throw new TypeError(`\`${key}\` is an option of the local worker pool: it cannot be given with \`executor\``);
    }
  }
  return value;
}

function isExecutor(value: unknown): value is WorkerExecutor {
  if (typeof value !== 'object' || value === null) return false;
  const { run, destroy } = value as { run?: unknown; destroy?: unknown };
  return typeof run === 'function' && (destroy === undefined || typeof destroy === 'function');
}

/** The keys each options object accepts: anything else is a misspelling or an option that does not exist. */
const OPTION_KEYS = Object.freeze({
  constructor: [
    'startProcessing',
    'maxThreads',
    'workerScript',
    'workerOptions',
    'executor',
    'killAfterMs',
    'finishedTaskHistory',
    'inspect',
    'taskTimeoutMs',
    'retry',
    'clock',
  ],
  addTask: ['priority', 'group', 'upstreamTaskIds', 'taskArgs', 'taskKwargs', 'timeoutMs', 'retry'],
  addPassThroughTask: ['priority', 'group', 'upstreamTaskIds', 'taskKwargs'],
  stop: ['stopUpstream', 'stopDownstream'],
  retry: ['attempts', 'delayMs', 'factor', 'maxDelayMs'],
  workerOptions: ['resourceLimits', 'execArgv', 'env', 'argv', 'stdout', 'stderr'],
} as const);

const OPTION_KEY_SETS = {
  constructor: new Set<string>(OPTION_KEYS.constructor),
  addTask: new Set<string>(OPTION_KEYS.addTask),
  addPassThroughTask: new Set<string>(OPTION_KEYS.addPassThroughTask),
  stop: new Set<string>(OPTION_KEYS.stop),
  retry: new Set<string>(OPTION_KEYS.retry),
  workerOptions: new Set<string>(OPTION_KEYS.workerOptions),
};

/**
 * Refuses a key that `kind`'s options do not have, naming the closest valid
 * one: JavaScript callers would otherwise see `{ priorty: 5 }` ignored.
 * O(keys): a `for…in` over the object, no array made.
 * @throws {TypeError}
 */
export function knownKeys(kind: keyof typeof OPTION_KEYS, options: object): void {
  const allowed = OPTION_KEY_SETS[kind];
  for (const key in options) {
    if (allowed.has(key)) continue;
    if (kind === 'addPassThroughTask' && key === 'taskArgs') {
      throw new TypeError('A pass-through task calls nothing, so it takes no `taskArgs`: pass `taskKwargs` instead.');
    }
    throw new TypeError(unknownName(`option of ${OPTION_LABELS[kind]}`, key, OPTION_KEYS[kind]));
  }
}

const OPTION_LABELS = {
  constructor: 'new BackgroundTaskManager()',
  addTask: 'addTask()',
  addPassThroughTask: 'addPassThroughTask()',
  stop: 'the stop methods',
  retry: '`retry`',
  workerOptions: '`workerOptions`',
} as const;

/**
 * An event name of the manager.
 * @throws {TypeError} naming the unknown event and listing the valid ones.
 */
export function eventName(value: unknown): keyof BackgroundTaskManagerEvents {
  if (typeof value === 'string' && (MANAGER_EVENT_NAMES as readonly string[]).includes(value)) {
    return value as keyof BackgroundTaskManagerEvents;
  }
  if (typeof value !== 'string') throw new TypeError(expected('an event name', value));
  throw new TypeError(unknownName('event', value, MANAGER_EVENT_NAMES));
}

function unknownName(what: string, name: string, valid: readonly string[]): string {
  const closest = closestName(name, valid);
  const hint = closest === undefined ? '' : ` Did you mean '${closest}'?`;
  return `Unknown ${what}: '${name}'.${hint} Valid: ${valid.map((n) => `'${n}'`).join(', ')}.`;
}
