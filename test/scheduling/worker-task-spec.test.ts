import { describe, expect, it } from 'vitest';
import { TaskStoppedError } from '../../src/core/errors.js';
import type { RunningWork, WorkerJobSpec } from '../../src/core/worker-runner.js';
import { WorkerTaskSpec, type WorkerTaskOwner } from '../../src/scheduling/worker-task-spec.js';

describe('WorkerTaskSpec', () => {
  it("drops a worker run's progress once the run is cancelled, whichever runner carries it", () => {
    const reported: unknown[] = [];
    const cancelled: unknown[] = [];
    const owner: WorkerTaskOwner = {
      settled: () => {},
      progressed: (uid, value) => reported.push([uid, value]),
    };
    let job: WorkerJobSpec | undefined;
    const runner = {
      run(spec: WorkerJobSpec): RunningWork {
        job = spec;
        return { cancel: (reason) => cancelled.push(reason) };
      },
    };
    const spec = new WorkerTaskSpec(owner, 3, undefined, 7, 'g', 'task', [], {}, undefined).runOn(runner);
    expect(job).toBe(spec);
    spec.progress(1);
    const reason = new TaskStoppedError(7);
    spec.cancel(reason);
    spec.progress(2);
    expect(reported).toEqual([[7, 1]]);
    expect(cancelled).toEqual([reason]);
  });
});
