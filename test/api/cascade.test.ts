import { describe, expect, it } from 'vitest';
import { managersWith, record, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true });

/** Contract F1 on the real manager: listeners that change the graph while a failure cascades. */
describe('A failure cascade changed by its own listeners', () => {
  it('finishes a group at most once, even when a listener refills it with a task the cascade reaches', async () => {
    const manager = create({ maxThreads: 1 });
    const events = record(manager);
    const root = manager.addTask(() => Promise.reject(new Error('broken')), { group: 'g' });
    const child = manager.addTask(() => 'never runs', { upstreamTaskIds: [root] });
    let refill: number | undefined;
    manager.on('taskGroupFinished', (group) => {
      // The group has just emptied; this task joins it and is downstream of `child`, still pending.
      if (group === 'g' && refill === undefined)
        refill = manager.addTask(() => 'never runs', { group: 'g', upstreamTaskIds: [child] });
    });
    await settle();
    expect(events).toEqual([
      ['taskFailed', root, 'g', 'broken'],
      ['taskGroupFinished', 'g'],
      ['taskFailed', child, undefined, 'broken'],
      ['taskFailed', refill, 'g', 'broken'],
    ]);
    expect(manager.getTaskState(refill as number)).toBe('failed');
    expect(manager.pendingCount).toBe(0);
  });

  it('skips a task that a listener stopped before its turn, and goes on with the rest', async () => {
    const manager = create({ maxThreads: 1 });
    const events = record(manager);
    const root = manager.addTask(() => Promise.reject(new Error('broken')));
    const first = manager.addTask(() => 'never runs', { upstreamTaskIds: [root] });
    const stopped = manager.addTask(() => 'never runs', { upstreamTaskIds: [root] });
    const last = manager.addTask(() => 'never runs', { upstreamTaskIds: [root] });
    const below = manager.addTask(() => 'never runs', { upstreamTaskIds: [last] });
    manager.on('taskFailed', (uid) => {
      if (uid === root) manager.stopTask(stopped, { stopUpstream: false, stopDownstream: false });
    });
    await settle();
    expect(events).toEqual([
      ['taskFailed', root, undefined, 'broken'],
      ['taskFailed', first, undefined, 'broken'],
      ['taskFailed', last, undefined, 'broken'],
      ['taskFailed', below, undefined, 'broken'],
    ]);
    expect([root, first, stopped, last, below].map((uid) => manager.getTaskState(uid))).toEqual([
      'failed',
      'failed',
      'stopped',
      'failed',
      'failed',
    ]);
    expect(manager.pendingCount).toBe(0);
  });
});
