import { describe, expect, it } from 'vitest';
import { BackgroundTaskError, ErrorCodes, TaskStoppedError } from '../../src/index.js';
import { RunningTaskContext } from '../../src/scheduling/task-context.js';

describe('the context of a running main-thread task', () => {
  it('gives a signal read after the cancel already aborted, with the first reason', () => {
    const context = new RunningTaskContext(4, 'g', () => undefined);
    const stopped = new TaskStoppedError(4);
    context.cancel(stopped);
    context.cancel(new BackgroundTaskError(ErrorCodes.taskFailed, 'a later reason'));
    expect([context.uid, context.group, context.signal.aborted, context.signal.reason]).toEqual([
      4,
      'g',
      true,
      stopped,
    ]);
  });

  it('aborts a signal already read, once', () => {
    const context = new RunningTaskContext(1, undefined, () => undefined);
    const { signal } = context;
    const reasons: unknown[] = [];
    signal.addEventListener('abort', () => reasons.push(signal.reason));
    const stopped = new TaskStoppedError(1);
    context.cancel(stopped);
    context.cancel(new TaskStoppedError(1));
    expect(reasons).toEqual([stopped]);
  });

  it('hands each progress report to its sink with itself, the run that reports', () => {
    const reports: unknown[][] = [];
    const context = new RunningTaskContext(7, undefined, (run, value) => reports.push([run, value]));
    context.reportProgress(0.25);
    context.reportProgress({ step: 2 });
    expect(reports).toEqual([
      [context, 0.25],
      [context, { step: 2 }],
    ]);
  });

  it('hands nothing on once cancelled', () => {
    const reports: unknown[] = [];
    const context = new RunningTaskContext(3, undefined, (_run, value) => reports.push(value));
    context.reportProgress('while it runs');
    context.cancel(new TaskStoppedError(3));
    context.reportProgress('after its stop');
    expect(reports).toEqual(['while it runs']);
  });
});
