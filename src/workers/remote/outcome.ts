import { WorkerDataCloneError } from '../../core/errors.js';
import { safeString } from '../../core/values.js';
import { jsonTravelProblem } from './json-travel.js';
import type { RemoteOutcome } from './protocol.js';

/** The outcome of a task that returned `value`: a failure naming the cause when the value cannot travel as JSON. */
export function success(name: string, value: unknown): RemoteOutcome {
  if (value === undefined) return { ok: true };
  const problem = jsonTravelProblem(value);
  if (problem === undefined) return { ok: true, value };
  return failure(
    new WorkerDataCloneError(
      `The result of worker task '${name}' cannot travel as JSON to the manager: ${problem}`,
      undefined,
    ),
  );
}

/** The outcome of a task that threw `error`: its name, message and stack as text. */
export function failure(error: unknown): RemoteOutcome {
  if (error instanceof Error) {
    const { name, message } = error;
    return { ok: false, name, message, traceback: typeof error.stack === 'string' ? error.stack : message };
  }
  const message = safeString(error);
  return { ok: false, name: 'Error', message, traceback: message };
}

/** The error a failed outcome stands for on the manager's side: its message, and its remote stack as `stack`. */
export function remoteError(outcome: Extract<RemoteOutcome, { ok: false }>): Error {
  const error = new Error(outcome.message);
  error.name = outcome.name;
  error.stack = outcome.traceback;
  return error;
}

/** Whether a job's value is an outcome of `startRemoteWorker` (another worker on the queue could return anything). */
export function isOutcome(value: unknown): value is RemoteOutcome {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}
