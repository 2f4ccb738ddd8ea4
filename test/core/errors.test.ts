import { describe, expect, it } from 'vitest';
import { ErrorCodes, WorkerExitedError, WorkerStartupError } from '../../src/index.js';

// The worker errors as the fault tests meet them on real pools, here with every kind of
// cause: the message names an Error cause's message, and `cause` keeps whatever it was.
describe('worker errors', () => {
  it("WorkerExitedError names the task, the exit code and an Error cause's message", () => {
    const cause = new Error('heap out of memory');
    const error = new WorkerExitedError('resize', 134, cause);
    expect([error.code, error.message, error.cause]).toEqual([
      ErrorCodes.workerExited,
      "Worker thread exited with code 134 while running worker task 'resize': heap out of memory",
      cause,
    ]);
    const bare = new WorkerExitedError('resize', 1, 'not an error');
    expect([bare.message, bare.cause]).toEqual([
      "Worker thread exited with code 1 while running worker task 'resize'",
      'not an error',
    ]);
  });

  it("WorkerStartupError names the module, the exit code and an Error cause's message", () => {
    const cause = new SyntaxError('Unexpected token');
    const error = new WorkerStartupError('/app/tasks.js', 1, cause);
    expect([error.code, error.message, error.cause]).toEqual([
      ErrorCodes.workerStartup,
      'Worker thread for /app/tasks.js exited with code 1 before it was ready: Unexpected token',
      cause,
    ]);
    expect(new WorkerStartupError('/app/tasks.js', 1, undefined).message).toBe(
      'Worker thread for /app/tasks.js exited with code 1 before it was ready',
    );
  });
});
