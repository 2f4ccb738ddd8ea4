import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCKED, FIRST_FINAL } from '../../src/machines/task-logic.js';
import { NONE, TaskStore } from '../../src/scheduling/task-store.js';
import { withoutMemory } from './store-fixture.js';

const work = (): void => undefined;

interface Task {
  uid: number;
  slot: number;
  priority: number;
  up: number[];
  down: Array<[number, number]>;
  pending: number;
  released: boolean;
}

type Step =
  | { op: 'bulk'; count: number; links: number; oom: boolean }
  | { op: 'free'; count: number; pick: number; release: boolean }
  | { op: 'finishReleased' }
  | { op: 'upstreamFinished'; pick: number };

// The store keeps its slots in chunks of 1,024 and its edges in chunks of 4,096, the first chunk of each
// doubling from 256 slots and 64 edges: runs of up to 3,000 adds cross those boundaries, and frees of
// up to 4,000 empty the store and reset it.
describe('TaskStore against a model, across chunk boundaries', () => {
  it('keeps fields, links and pending counts through growth, frees, releases, resets and failed growths', () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          op: fc.constant('bulk' as const),
          count: fc.integer({ min: 1, max: 3000 }),
          links: fc.integer({ min: 0, max: 6 }),
          oom: fc.boolean(),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          op: fc.constant('free' as const),
          count: fc.integer({ min: 1, max: 4000 }),
          pick: fc.nat(),
          release: fc.boolean(),
        }),
      },
      { weight: 1, arbitrary: fc.constant({ op: 'finishReleased' as const }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('upstreamFinished' as const), pick: fc.nat() }) },
    );
    let seed = 1;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    fc.assert(
      fc.property(fc.array(step, { minLength: 5, maxLength: 25 }), fc.nat(), (steps, s0) => {
        seed = s0 + 1;
        const store = new TaskStore();
        const live: Task[] = []; // pending tasks
        const released: Task[] = []; // stopped while running: slot kept
        let nextUid = 0;
        const bySlot = new Map<number, Task>();
        const check = (): void => {
          expect(store.live).toBe(live.length + released.length);
          expect(store.edgesInUse).toBe(live.reduce((sum, t) => sum + t.down.length, 0));
        };
        for (const s of steps) {
          if (s.op === 'bulk') {
            for (let i = 0; i < s.count; i++) {
              const uid = nextUid;
              const ups: Task[] = [];
              for (let k = 0; k < s.links && live.length > 0; k++) ups.push(live[rand(live.length)] as Task);
              if (s.oom) {
                // Without memory: an allocate or a link that must grow fails and changes nothing.
                const before = { live: store.live, edges: store.edgesInUse };
                let failed = false;
                try {
                  withoutMemory(() => {
                    store.reserve(ups.length);
                  });
                } catch (error) {
                  expect(error).toBeInstanceOf(RangeError);
                  failed = true;
                }
                expect({ live: store.live, edges: store.edgesInUse }).toEqual(before);
                if (failed) break;
              } else {
                store.reserve(ups.length);
              }
              nextUid++;
              const priority = uid * 0.5;
              const slot = withoutMemory(() => store.allocate(uid, work, priority, [uid], { uid }));
              expect(bySlot.has(slot)).toBe(false);
              const task: Task = { uid, slot, priority, up: [], down: [], pending: 0, released: false };
              for (const upstream of ups) {
                if (store.lastDownstreamIs(upstream.slot, slot, uid)) continue;
                withoutMemory(() => {
                  store.appendDownstream(upstream.slot, slot, uid);
                });
                upstream.down.push([slot, uid]);
                store.addUpstream(slot, upstream.uid);
                store.upstreamAdded(slot);
                task.up.push(upstream.uid);
                task.pending++;
              }
              expect(store.pendingUpstream(slot)).toBe(task.pending);
              live.push(task);
              bySlot.set(slot, task);
            }
          } else if (s.op === 'free') {
            for (let i = 0; i < s.count && live.length > 0; i++) {
              const index = (s.pick + i * 7919) % live.length;
              const [task] = live.splice(index, 1) as [Task];
              // The scheduler's #remove: unblock downstream tasks still pending.
              for (const [slot, uid] of task.down) {
                if (store.uid(slot) === uid && store.state(slot) === BLOCKED) {
                  const target = bySlot.get(slot) as Task;
                  expect(target.uid).toBe(uid);
                  target.pending--;
                  expect(store.upstreamFinished(slot)).toBe(target.pending);
                }
              }
              store.setState(task.slot, FIRST_FINAL);
              if (s.release && i % 3 === 0) {
                store.release(task.slot);
                task.down = [];
                task.released = true;
                released.push(task);
              } else {
                store.free(task.slot);
                bySlot.delete(task.slot);
              }
            }
          } else if (s.op === 'finishReleased') {
            for (const task of released.splice(0)) {
              expect([store.uid(task.slot), store.state(task.slot)]).toEqual([task.uid, FIRST_FINAL]);
              store.free(task.slot);
              bySlot.delete(task.slot);
            }
          } else if (live.length > 0) {
            // Stale edges of every live task: pending exactly when the target is live.
            const task = live[s.pick % live.length] as Task;
            for (let edge = store.downHead(task.slot); edge !== NONE; edge = store.edgeNext(edge)) {
              const slot = store.edgeSlot(edge);
              const uid = store.edgeUid(edge);
              const target = bySlot.get(slot);
              expect(store.isPending(slot, uid)).toBe(target?.uid === uid && !target.released);
            }
          }
          check();
        }
        for (const task of live) {
          expect([store.uid(task.slot), store.priority(task.slot), store.state(task.slot)]).toEqual([
            task.uid,
            task.priority,
            BLOCKED,
          ]);
          expect([store.args(task.slot), store.kwargs(task.slot)]).toEqual([[task.uid], { uid: task.uid }]);
          expect(store.pendingUpstream(task.slot)).toBe(task.pending);
          expect(store.upstreamUids(task.slot)).toEqual(task.up);
          const down: Array<[number, number]> = [];
          for (let edge = store.downHead(task.slot); edge !== NONE; edge = store.edgeNext(edge))
            down.push([store.edgeSlot(edge), store.edgeUid(edge)]);
          expect(down).toEqual(task.down);
        }
      }),
      { numRuns: 10 },
    );
  });
});
