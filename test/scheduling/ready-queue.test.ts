import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../src/scheduling/ready-queue.js';

interface Item {
  heapIndex: number;
  readonly uid: number;
  readonly priority: number;
}
const order = (a: Item, b: Item): number => b.priority - a.priority || a.uid - b.uid;

type Op = { op: 'push'; priority: number } | { op: 'pushOld'; pick: number } | { op: 'pop' } | { op: 'remove'; pick: number };

describe('ReadyQueue', () => {
  it('pops exactly what a sorted list would, after any pushes (in and out of uid order), pops and removals', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: -2, max: 2 }).map((priority) => ({ op: 'push' as const, priority })) },
      { weight: 1, arbitrary: fc.nat().map((pick) => ({ op: 'pushOld' as const, pick })) },
      { weight: 2, arbitrary: fc.constant({ op: 'pop' as const }) },
      { weight: 2, arbitrary: fc.nat().map((pick) => ({ op: 'remove' as const, pick })) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new ReadyQueue<Item>();
        const model: Item[] = [];
        // Items created up front but pushed later stand for tasks unblocked out of uid order.
        const held: Item[] = [];
        let nextUid = 0;
        for (const step of ops) {
          if (step.op === 'push') {
            const item = { heapIndex: -1, uid: nextUid++, priority: step.priority };
            if (nextUid % 3 === 0) held.push(item);
            else {
              queue.push(item);
              model.push(item);
            }
          } else if (step.op === 'pushOld' && held.length > 0) {
            const [item] = held.splice(step.pick % held.length, 1) as [Item];
            queue.push(item);
            model.push(item);
          } else if (step.op === 'pop') {
            model.sort(order);
            expect(queue.pop()).toBe(model.shift());
          } else if (step.op === 'remove' && model.length > 0) {
            const [item] = model.splice(step.pick % model.length, 1) as [Item];
            expect(queue.remove(item)).toBe(true);
            expect(queue.remove(item)).toBe(false);
          }
          expect(queue.size).toBe(model.length);
        }
        model.sort(order);
        const rest: Item[] = [];
        for (let item = queue.pop(); item !== undefined; item = queue.pop()) rest.push(item);
        expect(rest).toEqual(model);
        expect(rest.every((item) => item.heapIndex === -1)).toBe(true);
      }),
    );
  });

  it('compacts lazily removed entries and keeps order across thousands of removals', () => {
    const queue = new ReadyQueue<Item>();
    const items = Array.from({ length: 5000 }, (_, uid) => ({ heapIndex: -1, uid, priority: 0 }));
    for (const item of items) queue.push(item);
    for (const item of items) if (item.uid % 5 !== 0) queue.remove(item);
    const popped: number[] = [];
    for (let item = queue.pop(); item !== undefined; item = queue.pop()) popped.push(item.uid);
    expect(popped).toEqual(items.filter((item) => item.uid % 5 === 0).map((item) => item.uid));
  });

  it('clear empties every bucket and detaches the items', () => {
    const queue = new ReadyQueue<Item>();
    const a = { heapIndex: -1, uid: 1, priority: 1 };
    const b = { heapIndex: -1, uid: 0, priority: 1 };
    queue.push(a);
    queue.push(b);
    queue.clear();
    expect([queue.size, queue.pop(), a.heapIndex, b.heapIndex]).toEqual([0, undefined, -1, -1]);
  });
});
