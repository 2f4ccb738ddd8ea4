import { describe, expect, it } from 'vitest';
import {
  inspectedTaskLogic,
  type InspectedTaskEvent,
  type InspectedTaskSnapshot,
  type TaskInfo,
} from '../../src/machines/inspected-task-logic.js';

const info: TaskInfo = {
  uid: 7,
  name: 'resize',
  kind: 'worker',
  priority: 1,
  group: 'g',
  upstream: [3],
  args: [256],
  kwargs: { path: 'a.png' },
  addedAt: 100,
};

/** The inspected task after `events`, from its initial snapshot. */
function after(...events: InspectedTaskEvent[]): InspectedTaskSnapshot {
  let snapshot = inspectedTaskLogic.getInitialSnapshot({} as never, info);
  for (const event of events) snapshot = inspectedTaskLogic.transition(snapshot, event, {} as never);
  return snapshot;
}

const toRunning: InspectedTaskEvent[] = [
  { type: 'UNBLOCK', at: 101 },
  { type: 'START', at: 102, kwargs: { path: 'a.png', size: 2 } },
  { type: 'WORKER_THREAD', thread: 4 },
  { type: 'PRIORITY', priority: 9 },
];
const running = { ...info, queuedAt: 101, startedAt: 102, kwargs: { path: 'a.png', size: 2 }, thread: 4, priority: 9 };

/** What an inspector reads from a task actor's context at each step of its lifecycle. */
describe('inspectedTaskLogic records each step in its context', () => {
  it('while it waits and runs: when it was queued and started, its kwargs, thread and priority', () => {
    const snapshot = after(...toRunning);
    expect([snapshot.value, snapshot.status]).toEqual(['running', 'active']);
    expect(snapshot.context).toEqual(running);
  });

  it('when it completes: the time and the result', () => {
    const snapshot = after(...toRunning, { type: 'COMPLETE', at: 103, result: { ok: 1 } });
    expect([snapshot.value, snapshot.status]).toEqual(['done', 'done']);
    expect(snapshot.context).toEqual({ ...running, finishedAt: 103, result: { ok: 1 } });
  });

  it('when it fails: the time, the message and the traceback', () => {
    const snapshot = after(...toRunning, { type: 'FAIL', at: 104, message: 'm', traceback: 't' });
    expect(snapshot.value).toBe('failed');
    expect(snapshot.context).toEqual({ ...running, finishedAt: 104, error: { message: 'm', traceback: 't' } });
  });

  it('when it is stopped, running or blocked: the time', () => {
    expect(after(...toRunning, { type: 'STOP', at: 105 }).context).toEqual({ ...running, finishedAt: 105 });
    const blocked = after({ type: 'STOP', at: 106 });
    expect([blocked.value, blocked.context]).toEqual(['stopped', { ...info, finishedAt: 106 }]);
  });

  it('when a run fails and is retried: the attempt and its failure, then when it queued again', () => {
    const retrying = after(...toRunning, { type: 'RETRY', at: 107, attempt: 1, message: 'm', traceback: 't' });
    expect(retrying.value).toBe('retrying');
    expect(retrying.context).toEqual({ ...running, retries: 1, error: { message: 'm', traceback: 't' } });
    const requeued = inspectedTaskLogic.transition(retrying, { type: 'REQUEUE', at: 110 }, {} as never);
    expect([requeued.value, requeued.context]).toEqual(['queued', { ...retrying.context, queuedAt: 110 }]);
  });
});
