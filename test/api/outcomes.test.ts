import { describe, expect, it } from 'vitest';
import type { TaskContext } from '../../src/index.js';
import { managersWith } from '../helpers.js';

const create = managersWith({ startProcessing: true });

/** What a task's outcome passes on: semantics §6 (results merged downstream) and §9 (failures). */
describe('Task outcomes on the real manager', () => {
  it('merges a plain object result downstream, one without a prototype too', async () => {
    const manager = create();
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { bare: 1 });
    const seen: unknown[] = [];
    const a = manager.addTask(() => ({ plain: 1 }));
    const b = manager.addTask(() => bare);
    manager.addTask((kwargs: unknown) => seen.push(kwargs), { upstreamTaskIds: [a, b] });
    await manager.onIdle();
    expect(seen).toEqual([{ plain: 1, bare: 1 }]);
  });

  it('passes on nothing of a result that is not a plain object: a string, an array, an instance', async () => {
    const manager = create();
    const seen: unknown[] = [];
    const upstream = [
      manager.addTask(() => 'ab'),
      manager.addTask(() => ['x']),
      manager.addTask(() => new Map([['k', 1]])),
      manager.addTask(() => null),
      manager.addTask(() => 7),
    ];
    manager.addTask((kwargs: unknown) => seen.push(kwargs), { upstreamTaskIds: upstream, taskKwargs: { own: true } });
    await manager.onIdle();
    expect(seen).toEqual([{ own: true }]);
  });

  it('reports an error without a stack with its message as the traceback', async () => {
    const manager = create();
    const failures: unknown[] = [];
    manager.on('taskFailed', (_uid, _group, message, traceback) => failures.push([message, traceback]));
    manager.addTask(() => {
      const error = new Error('no stack');
      Object.defineProperty(error, 'stack', { value: undefined });
      throw error;
    });
    manager.addTask(() => {
      const error = new Error('odd stack');
      Object.defineProperty(error, 'stack', { value: 42 });
      throw error;
    });
    await manager.onIdle();
    expect(failures).toEqual([
      ['no stack', 'no stack'],
      ['odd stack', 'odd stack'],
    ]);
  });

  it('gives a running main-thread task its id and group as `this`', async () => {
    const manager = create();
    const seen: unknown[] = [];
    function task(this: TaskContext): void {
      seen.push([this.uid, this.group]);
    }
    const grouped = manager.addTask(task, { group: 'g' });
    const alone = manager.addTask(task);
    await manager.onIdle();
    expect(seen).toEqual([
      [grouped, 'g'],
      [alone, undefined],
    ]);
  });
});
