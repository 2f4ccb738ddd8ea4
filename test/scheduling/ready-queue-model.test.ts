// The ready queue against a plain model (sorted by priority desc, uid asc), with many tasks
// arriving late (into the LateHeap), removals, setPriority moves, pops, clear() and regrowth.
// It fails when the late heap's uids fall out of step with its slots (planted and checked).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../src/scheduling/ready-queue.js';
import { NONE } from '../../src/scheduling/task-store.js';
import { storeWithTasks } from './store-fixture.js';

type Op =
  | { kind: 'new'; priority: number }
  | { kind: 'late'; pick: number }
  | { kind: 'hold'; priority: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'move'; pick: number; priority: number }
  | { kind: 'pop' }
  | { kind: 'clear' }
  | { kind: 'burst'; n: number };

const priority = fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constantFrom(1000, -0.5));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('new' as const), priority }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('hold' as const), priority }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('late' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), priority }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pop' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('burst' as const), n: fc.integer({ min: 1, max: 1500 }) }) },
);

describe('ReadyQueue against a sorted model', () => {
  it('pops, removes and moves like the model after any sequence, clear() and regrowth included', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const { store, add } = storeWithTasks();
        const queue = new ReadyQueue(store);
        let nextUid = 1;
        const held: number[] = []; // slots made but not queued (to arrive late)
        const queued = new Map<number, { uid: number; priority: number }>(); // slot -> entry
        const best = (): number | undefined => {
          let bestSlot: number | undefined;
          for (const [slot, e] of queued) {
            const b = bestSlot === undefined ? undefined : queued.get(bestSlot);
            if (b === undefined || e.priority > b.priority || (e.priority === b.priority && e.uid < b.uid))
              bestSlot = slot;
          }
          return bestSlot;
        };
        const pickQueued = (pick: number): number | undefined => {
          const slots = [...queued.keys()];
          return slots.length === 0 ? undefined : slots[pick % slots.length];
        };
        for (const o of ops) {
          switch (o.kind) {
            case 'new': {
              const slot = add(nextUid, o.priority);
              queued.set(slot, { uid: nextUid++, priority: o.priority });
              queue.push(slot);
              break;
            }
            case 'hold':
              held.push(add(nextUid++, o.priority));
              break;
            case 'late': {
              if (held.length === 0) break;
              const [slot] = held.splice(o.pick % held.length, 1) as [number];
              queued.set(slot, { uid: store.uid(slot), priority: store.priority(slot) });
              queue.push(slot);
              break;
            }
            case 'burst': {
              // Many late arrivals of one priority: the heap grows past REUSE_UP_TO (1024).
              const anchor = add(nextUid + o.n, 7);
              const slots = Array.from({ length: o.n }, (_, i) => add(nextUid + o.n - 1 - i, 7));
              nextUid += o.n + 1;
              queue.push(anchor);
              queued.set(anchor, { uid: store.uid(anchor), priority: 7 });
              for (const slot of slots) {
                queue.push(slot);
                queued.set(slot, { uid: store.uid(slot), priority: 7 });
              }
              break;
            }
            case 'remove': {
              const slot = pickQueued(o.pick);
              if (slot === undefined) break;
              expect(queue.remove(slot)).toBe(true);
              expect(queue.remove(slot)).toBe(false);
              queued.delete(slot);
              held.push(slot);
              break;
            }
            case 'move': {
              const slot = pickQueued(o.pick);
              if (slot === undefined) break;
              queue.setPriority(slot, o.priority);
              (queued.get(slot) as { priority: number }).priority = o.priority;
              break;
            }
            case 'pop': {
              const expected = best();
              const got = queue.pop();
              if (expected === undefined) {
                expect(got).toBe(NONE);
              } else {
                expect(store.uid(got)).toBe(queued.get(expected)?.uid);
                queued.delete(got);
                held.push(got);
              }
              break;
            }
            case 'clear':
              queue.clear();
              for (const slot of queued.keys()) {
                expect(store.readyIndex(slot)).toBe(NONE);
                held.push(slot);
              }
              queued.clear();
              break;
          }
          expect(queue.size).toBe(queued.size);
        }
        // Drain: the whole order.
        const order: number[] = [];
        for (;;) {
          const slot = queue.pop();
          if (slot === NONE) break;
          order.push(store.uid(slot));
          expect(store.readyIndex(slot)).toBe(NONE);
        }
        const want = [...queued.values()].sort((a, b) => b.priority - a.priority || a.uid - b.uid).map((e) => e.uid);
        expect(order).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});
