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

  it('merges an own __proto__ key of a result as a key, never as the prototype of the kwargs', async () => {
    const manager = create();
    const seen: Array<Record<string, unknown>> = [];
    const parsed = (text: string) => () => JSON.parse(text) as unknown;
    const a = manager.addTask(parsed('{"__proto__": {"polluted": 1}, "a": 1}'));
    // With taskKwargs of its own, and with none: the result is merged into them, or copied.
    const options = [{ upstreamTaskIds: [a], taskKwargs: { own: true } }, { upstreamTaskIds: [a] }];
    for (const option of options) manager.addTask((kwargs: Record<string, unknown>) => seen.push(kwargs), option);
    await manager.onIdle();
    for (const kwargs of seen) {
      expect([Object.getPrototypeOf(kwargs), kwargs.polluted, kwargs.a]).toEqual([Object.prototype, undefined, 1]);
      expect(Object.getOwnPropertyDescriptor(kwargs, '__proto__')?.value).toEqual({ polluted: 1 });
    }
    expect(seen.map((kwargs) => kwargs.own)).toEqual([true, undefined]);
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
