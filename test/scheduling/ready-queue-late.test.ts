import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../src/scheduling/ready-queue.js';
import { NONE, type TaskStore } from '../../src/scheduling/task-store.js';
import { storeWithTasks } from './store-fixture.js';

// Tasks unblocked out of uid order: a bucket keeps them apart from its FIFO, in a heap by uid
// (ready-queue.ts, `LateHeap`). Here that heap grows past its first capacity and loses entries
// from anywhere inside it.
describe('ReadyQueue, tasks that arrive out of uid order', () => {
  it('pops them by uid after any pushes, removals from inside the heap and pops', () => {
    const scenario = fc.record({
      late: fc.uniqueArray(fc.nat({ max: 999 }), { minLength: 17, maxLength: 400, size: 'max' }),
      removals: fc.array(fc.nat(), { maxLength: 200, size: 'max' }),
      pops: fc.nat({ max: 40 }),
    });
    fc.assert(
      fc.property(scenario, ({ late, removals, pops }) => {
        const { store, add } = storeWithTasks();
        const queue = new ReadyQueue(store);
        // The FIFO's last uid is 1000: every later push of a lower uid goes to the heap.
        queue.push(add(1000));
        const slots = new Map(late.map((uid) => [uid, add(uid)]));
        for (const uid of late) queue.push(slots.get(uid) as number);
        const model = [...late].sort((a, b) => a - b);
        for (const pick of removals.slice(0, late.length - 1)) {
          const [uid] = model.splice(pick % model.length, 1) as [number];
          expect(queue.remove(slots.get(uid) as number)).toBe(true);
          expect(queue.remove(slots.get(uid) as number)).toBe(false);
        }
        for (let i = 0; i < pops && model.length > 0; i++) expect(store.uid(queue.pop())).toBe(model.shift());
        expect(popAll(queue, store, model.length + 1)).toEqual([...model, 1000]);
      }),
      { numRuns: 200 },
    );
  });

  it('grows its heap past 16 entries and keeps every one', () => {
    const { store, add } = storeWithTasks();
    const queue = new ReadyQueue(store);
    queue.push(add(100));
    const late = [50, 3, 77, 12, 99, 1, 64, 33, 8, 41, 90, 27, 5, 70, 18, 86, 2, 59, 36, 95];
    for (const uid of late) queue.push(add(uid));
    expect(queue.size).toBe(21);
    expect(popAll(queue, store, 21)).toEqual([...[...late].sort((a, b) => a - b), 100]);
  });

  it('fills a hole inside the heap with an entry that must rise', () => {
    // Pushed behind uid 100 in this order, the heap by uid is [10, 11, 30, 20, 22, 31, 32, 21]
    // (11, pushed last, rose to index 1). Removing 31 (index 5, under 30) moves the last entry,
    // 21, into its place: 21 is smaller than 30 above it, so it must rise there.
    const { store, add } = storeWithTasks();
    const queue = new ReadyQueue(store);
    queue.push(add(100));
    const slots = new Map([10, 20, 30, 21, 22, 31, 32, 11].map((uid) => [uid, add(uid)]));
    for (const slot of slots.values()) queue.push(slot);
    expect(queue.remove(slots.get(31) as number)).toBe(true);
    expect(popAll(queue, store, 8)).toEqual([10, 11, 20, 21, 22, 30, 32, 100]);
  });
});

/** Pops `count` uids, then checks that the queue is empty (a bounded loop: a broken queue must fail, not spin). */
function popAll(queue: ReadyQueue, store: TaskStore, count: number): number[] {
  const popped = Array.from({ length: count }, () => store.uid(queue.pop()));
  expect([queue.size, queue.pop()]).toEqual([0, NONE]);
  return popped;
}
