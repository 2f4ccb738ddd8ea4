import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../src/scheduling/ready-queue.js';
import { NONE } from '../../src/scheduling/task-store.js';
import { storeWithTasks } from './store-fixture.js';

interface Item {
  readonly slot: number;
  readonly uid: number;
  readonly priority: number;
}
const order = (a: Item, b: Item): number => b.priority - a.priority || a.uid - b.uid;

type Op =
  | { op: 'push'; priority: number }
  | { op: 'pushOld'; pick: number }
  | { op: 'pop' }
  | { op: 'remove'; pick: number }
  | { op: 'recycle'; pick: number };

describe('ReadyQueue', () => {
  it('pops exactly what a sorted list would, after any pushes (in and out of uid order), pops, removals and reused slots', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .constantFrom(-2, -1, 0, -0, 1, 2, 63, 64, -64, -65, 0.5, 1e9)
          .map((priority) => ({ op: 'push' as const, priority })),
      },
      { weight: 1, arbitrary: fc.nat().map((pick) => ({ op: 'pushOld' as const, pick })) },
      { weight: 2, arbitrary: fc.constant({ op: 'pop' as const }) },
      { weight: 2, arbitrary: fc.nat().map((pick) => ({ op: 'remove' as const, pick })) },
      { weight: 1, arbitrary: fc.nat().map((pick) => ({ op: 'recycle' as const, pick })) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => {
        const { store, add } = storeWithTasks();
        const queue = new ReadyQueue(store);
        const model: Item[] = [];
        // Tasks created up front but pushed later stand for tasks unblocked out of uid order.
        const held: Item[] = [];
        // Removed tasks whose slots are freed for reuse: a lazily removed FIFO entry must stay dead.
        const removed: Item[] = [];
        let nextUid = 0;
        const create = (priority: number): Item => {
          const uid = nextUid++;
          return { slot: add(uid, priority), uid, priority };
        };
        for (const step of ops) {
          if (step.op === 'push') {
            const item = create(step.priority);
            if (nextUid % 3 === 0) held.push(item);
            else {
              queue.push(item.slot);
              model.push(item);
            }
          } else if (step.op === 'pushOld' && held.length > 0) {
            const [item] = held.splice(step.pick % held.length, 1) as [Item];
            queue.push(item.slot);
            model.push(item);
          } else if (step.op === 'pop') {
            model.sort(order);
            expect(queue.pop()).toBe(model.shift()?.slot ?? NONE);
          } else if (step.op === 'remove' && model.length > 0) {
            const [item] = model.splice(step.pick % model.length, 1) as [Item];
            expect(queue.remove(item.slot)).toBe(true);
            expect(queue.remove(item.slot)).toBe(false);
            removed.push(item);
          } else if (step.op === 'recycle' && removed.length > 0) {
            const [item] = removed.splice(step.pick % removed.length, 1) as [Item];
            store.free(item.slot);
          }
          expect(queue.size).toBe(model.length);
        }
        model.sort(order);
        const rest: number[] = [];
        for (let slot = queue.pop(); slot !== NONE; slot = queue.pop()) rest.push(slot);
        expect(rest).toEqual(model.map((item) => item.slot));
        expect(rest.every((slot) => store.readyIndex(slot) === NONE)).toBe(true);
      }),
    );
  });

  it('compacts lazily removed entries and keeps order across thousands of removals', () => {
    const { store, add } = storeWithTasks();
    const queue = new ReadyQueue(store);
    const slots = Array.from({ length: 5000 }, (_, uid) => add(uid));
    for (const slot of slots) queue.push(slot);
    for (const [uid, slot] of slots.entries()) if (uid % 5 !== 0) queue.remove(slot);
    const popped: number[] = [];
    for (let slot = queue.pop(); slot !== NONE; slot = queue.pop()) popped.push(store.uid(slot));
    expect(popped).toEqual(Array.from({ length: 1000 }, (_, i) => i * 5));
  });

  it('keeps FIFO order across chunks of every size, and after draining and refilling', () => {
    const { store, add } = storeWithTasks();
    const queue = new ReadyQueue(store);
    let uid = 0;
    const expected: number[] = [];
    const popped: number[] = [];
    const push = (count: number): void => {
      for (let i = 0; i < count; i++) {
        queue.push(add(uid));
        expected.push(uid++);
      }
    };
    const pop = (count: number): void => {
      for (let i = 0; i < count; i++) {
        const slot = queue.pop();
        popped.push(store.uid(slot));
        store.free(slot);
      }
    };
    push(3000); // first chunks of 16, 64, 256, then 1024 each
    pop(1500);
    push(2000);
    pop(3500); // drained
    for (let round = 0; round < 3; round++) {
      push(17); // a drained FIFO takes new entries in its kept head chunk, then in a new one
      pop(10);
      push(1100);
      pop(1107);
    }
    expect([queue.size, queue.pop()]).toEqual([0, NONE]);
    expect(popped).toEqual(expected);
  });

  it('takes new tasks in a bucket whose entries were all removed', () => {
    const { store, add } = storeWithTasks();
    const queue = new ReadyQueue(store);
    const removed = Array.from({ length: 20 }, (_, uid) => add(uid)); // two chunks: 16 and 64 entries
    for (const slot of removed) queue.push(slot);
    for (const slot of removed) queue.remove(slot); // the bucket empties and is cleared
    const kept = Array.from({ length: 5 }, (_, i) => add(20 + i));
    for (const slot of kept) queue.push(slot);
    const popped: number[] = [];
    for (let slot = queue.pop(); slot !== NONE && popped.length <= kept.length; slot = queue.pop()) popped.push(slot);
    expect(popped).toEqual(kept);
  });

  it('does not take a reused slot for the task that left it', () => {
    const { store, add } = storeWithTasks();
    const queue = new ReadyQueue(store);
    const old = add(0);
    const keep = add(1);
    queue.push(old);
    queue.push(keep);
    queue.remove(old); // lazily: the FIFO still holds the slot, before `keep`
    store.free(old);
    const reused = add(2);
    expect(reused).toBe(old);
    queue.push(reused);
    expect(queue.size).toBe(2);
    expect([queue.pop(), queue.pop(), queue.pop()]).toEqual([keep, reused, NONE]);
  });

  it('keeps its order while buckets of many distinct priorities are emptied, swept and made again', () => {
    const { store, add } = storeWithTasks();
    const queue = new ReadyQueue(store);
    let uid = 0;
    for (let round = 0; round < 3; round++) {
      const priorities = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? i - 150 : (i - 150) * 1000.5));
      const slots = priorities.map((priority) => add(uid++, priority));
      for (const slot of slots) queue.push(slot);
      const popped: number[] = [];
      for (let slot = queue.pop(); slot !== NONE; slot = queue.pop()) popped.push(store.priority(slot));
      expect(popped).toEqual([...priorities].sort((a, b) => b - a));
      for (const slot of slots) store.free(slot);
    }
  });

  it('keeps finding the bucket of a priority still queued when spare buckets are swept', () => {
    const { store, add } = storeWithTasks();
    const queue = new ReadyQueue(store);
    let uid = 0;
    const lowest = -1e9; // not a small integer: its bucket is found through the map alone
    const [first, second] = [add(uid++, lowest), add(uid++, lowest)];
    queue.push(first);
    queue.push(second);
    // 300 other priorities, each emptied in turn: their buckets become spares, swept as they pile up.
    const others = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? i - 150 : (i - 150) * 1000.5));
    for (const priority of others) queue.push(add(uid++, priority));
    for (let popped = 0; popped < others.length; popped++) expect(store.priority(queue.pop())).not.toBe(lowest);
    const third = add(uid, lowest);
    queue.push(third); // into the bucket that holds `first` and `second`
    expect(queue.remove(first)).toBe(true);
    expect([queue.pop(), queue.pop(), queue.pop(), queue.size]).toEqual([second, third, NONE, 0]);
  });

  it('clear empties every bucket and detaches the slots', () => {
    const { store, add } = storeWithTasks();
    const queue = new ReadyQueue(store);
    const a = add(1, 1);
    const b = add(0, 1);
    queue.push(a);
    queue.push(b);
    queue.clear();
    expect([queue.size, queue.pop(), store.readyIndex(a), store.readyIndex(b)]).toEqual([0, NONE, NONE, NONE]);
  });
});
