import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../src/scheduling/ready-queue.js';
import { NONE } from '../../src/scheduling/task-store.js';
import { storeWithTasks } from './store-fixture.js';

interface Item {
  readonly slot: number;
  readonly uid: number;
  priority: number;
}
const order = (a: Item, b: Item): number => b.priority - a.priority || a.uid - b.uid;
const priorities = [-2, -1, 0, -0, 1, 2, 63, 64, -65, 0.5, 1e9] as const;

type Op =
  | { op: 'push'; priority: number }
  | { op: 'pop' }
  | { op: 'remove'; pick: number }
  | { op: 'setQueued'; pick: number; priority: number }
  | { op: 'setHeld'; pick: number; priority: number }
  | { op: 'pushHeld'; pick: number };

describe('ReadyQueue.setPriority', () => {
  it('pops exactly what a sorted list would, after any priority changes of queued and waiting tasks', () => {
    const priority = fc.constantFrom(...priorities);
    const pick = fc.nat();
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: priority.map((p) => ({ op: 'push' as const, priority: p })) },
      { weight: 2, arbitrary: fc.constant({ op: 'pop' as const }) },
      { weight: 1, arbitrary: pick.map((p) => ({ op: 'remove' as const, pick: p })) },
      { weight: 4, arbitrary: fc.record({ op: fc.constant('setQueued' as const), pick, priority }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('setHeld' as const), pick, priority }) },
      { weight: 1, arbitrary: pick.map((p) => ({ op: 'pushHeld' as const, pick: p })) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => {
        const { store, add } = storeWithTasks();
        const queue = new ReadyQueue(store);
        const model: Item[] = [];
        // Tasks not in the queue (blocked ones, in the scheduler): a new priority is only stored.
        const held: Item[] = [];
        let nextUid = 0;
        for (const step of ops) {
          if (step.op === 'push') {
            const item = { slot: add(nextUid, step.priority), uid: nextUid++, priority: step.priority };
            if (item.uid % 4 === 3) held.push(item);
            else {
              queue.push(item.slot);
              model.push(item);
            }
          } else if (step.op === 'pop') {
            model.sort(order);
            expect(queue.pop()).toBe(model.shift()?.slot ?? NONE);
          } else if (step.op === 'remove' && model.length > 0) {
            const [item] = model.splice(step.pick % model.length, 1) as [Item];
            expect(queue.remove(item.slot)).toBe(true);
          } else if (step.op === 'setQueued' && model.length > 0) {
            const item = model[step.pick % model.length] as Item;
            queue.setPriority(item.slot, step.priority);
            item.priority = step.priority;
          } else if (step.op === 'setHeld' && held.length > 0) {
            const item = held[step.pick % held.length] as Item;
            queue.setPriority(item.slot, step.priority);
            item.priority = step.priority;
            expect(store.readyIndex(item.slot)).toBe(NONE);
          } else if (step.op === 'pushHeld' && held.length > 0) {
            const [item] = held.splice(step.pick % held.length, 1) as [Item];
            queue.push(item.slot);
            model.push(item);
          }
          expect(queue.size).toBe(model.length);
          // One expect per step (an expect per task made this test the slowest of the suite).
          expect([...model, ...held].filter((item) => store.priority(item.slot) !== item.priority)).toEqual([]);
        }
        model.sort(order);
        const rest: number[] = [];
        for (let slot = queue.pop(); slot !== NONE; slot = queue.pop()) rest.push(slot);
        expect(rest).toEqual(model.map((item) => item.slot));
      }),
    );
  });

  it('does not take the entry a task left in its old FIFO for the task, even after thousands of moves', () => {
    const { store, add } = storeWithTasks();
    const queue = new ReadyQueue(store);
    const slots = Array.from({ length: 3000 }, (_, uid) => add(uid, 0));
    for (const slot of slots) queue.push(slot);
    // Every task moves to priority 1 and back: each leaves a dead entry in bucket 0's FIFO, then waits in its heap.
    for (const slot of slots) queue.setPriority(slot, 1);
    for (const slot of slots) queue.setPriority(slot, 0);
    queue.setPriority(slots[10] as number, 5);
    const popped: number[] = [];
    for (let slot = queue.pop(); slot !== NONE; slot = queue.pop()) popped.push(store.uid(slot));
    expect(popped).toEqual([10, ...Array.from({ length: 3000 }, (_, uid) => uid).filter((uid) => uid !== 10)]);
  });
});
