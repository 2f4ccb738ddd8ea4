import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIRST_FINAL, QUEUED } from '../../src/machines/task-logic.js';
import { NONE, TaskStore } from '../../src/scheduling/task-store.js';
import { withoutMemory } from './store-fixture.js';

const work = (): void => undefined;

function list(store: TaskStore, head: number): Array<[number, number]> {
  const edges: Array<[number, number]> = [];
  for (let edge = head; edge !== NONE; edge = store.edgeNext(edge))
    edges.push([store.edgeSlot(edge), store.edgeUid(edge)]);
  return edges;
}

describe('TaskStore', () => {
  it('keeps every live task’s fields and links apart, while slots and edges are freed and reused', () => {
    type Step = { op: 'add'; links: number[]; priority: number } | { op: 'free'; pick: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          op: fc.constant('add' as const),
          links: fc.array(fc.nat(), { maxLength: 7 }),
          priority: fc.double({ noNaN: true, noDefaultInfinity: true }),
        }),
      },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300, size: 'max' }), (steps) => {
        const store = new TaskStore();
        interface Task {
          uid: number;
          slot: number;
          priority: number;
          up: Array<[number, number]>;
          down: Array<[number, number]>;
        }
        const live: Task[] = [];
        let nextUid = 0;
        for (const s of steps) {
          if (s.op === 'add') {
            const uid = nextUid++;
            const slot = store.allocate(uid, work, s.priority, [uid], { uid });
            store.setGroupEntry(slot, { group: uid % 3 });
            expect(live.some((task) => task.slot === slot)).toBe(false);
            const task: Task = { uid, slot, priority: s.priority, up: [], down: [] };
            for (const pick of s.links) {
              if (live.length === 0) break;
              const upstream = live[pick % live.length] as Task;
              if (store.lastDownstreamIs(upstream.slot, slot, uid)) continue;
              store.appendDownstream(upstream.slot, slot, uid);
              upstream.down.push([slot, uid]);
              store.addUpstream(slot, upstream.uid);
              task.up.push([upstream.slot, upstream.uid]);
              store.upstreamAdded(slot);
            }
            live.push(task);
          } else if (live.length > 0) {
            const [task] = live.splice(s.pick % live.length, 1) as [Task];
            store.free(task.slot);
            expect(store.isPending(task.slot, task.uid)).toBe(false);
          }
          expect(store.live).toBe(live.length);
          // Every edge is in exactly one live list: freeing a task returns its list.
          expect(store.edgesInUse).toBe(live.reduce((sum, task) => sum + task.down.length, 0));
        }
        for (const task of live) {
          expect([store.uid(task.slot), store.priority(task.slot), store.group(task.slot)]).toEqual([
            task.uid,
            task.priority,
            task.uid % 3,
          ]);
          expect([store.args(task.slot), store.kwargs(task.slot), store.work(task.slot)]).toEqual([
            [task.uid],
            { uid: task.uid },
            work,
          ]);
          expect(store.pendingUpstream(task.slot)).toBe(task.up.length);
          expect(store.upstreamUids(task.slot)).toEqual(task.up.map(([, uid]) => uid));
          expect(list(store, store.downHead(task.slot))).toEqual(task.down);
          // An edge is live exactly when the task it names still holds its slot.
          for (const [slot, uid] of [...task.up, ...task.down]) {
            expect(store.isPending(slot, uid)).toBe(live.some((other) => other.slot === slot && other.uid === uid));
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('keeps up to four upstream uids in the slot and the rest, or any too far below, apart, in link order', () => {
    const store = new TaskStore();
    const far = 2 ** 33;
    const slot = store.allocate(far + 10, work, 0, undefined, undefined);
    const uids = [far + 9, far + 3, far + 1, far, 5, far + 2];
    for (const [index, uid] of uids.entries()) {
      store.addUpstream(slot, uid);
      expect(store.upstreamUids(slot)).toEqual(uids.slice(0, index + 1));
    }
    const near = store.allocate(far + 11, work, 0, undefined, undefined);
    store.addUpstream(near, 0); // a distance past int32 alone goes apart too
    store.addUpstream(near, far + 10);
    expect(store.upstreamUids(near)).toEqual([0, far + 10]);
    store.free(slot);
    store.free(near);
    const reused = store.allocate(far + 12, work, 0, undefined, undefined);
    expect(store.upstreamUids(reused)).toEqual([]);
  });

  it('knows a finished task from a pending one, and a released slot keeps its uid and state until freed', () => {
    const store = new TaskStore();
    const slot = store.allocate(7, work, 0, undefined, undefined);
    store.setGroupEntry(slot, { group: 'g' });
    store.setState(slot, QUEUED);
    expect(store.isPending(slot, 7)).toBe(true);
    store.setState(slot, FIRST_FINAL);
    expect(store.isPending(slot, 7)).toBe(false);
    store.release(slot);
    expect([store.uid(slot), store.state(slot), store.group(slot), store.work(slot)]).toEqual([
      7,
      FIRST_FINAL,
      undefined,
      undefined,
    ]);
    store.free(slot);
    expect(store.uid(slot)).toBe(-1);
  });

  it('grows past many thousands of tasks and links, and returns to a small size once empty', () => {
    const store = new TaskStore();
    const slots: number[] = [];
    for (let uid = 0; uid < 20_000; uid++) {
      const slot = store.allocate(uid, work, uid % 5, undefined, undefined);
      if (uid > 0) {
        const upstream = slots[uid - 1] as number;
        store.appendDownstream(upstream, slot, uid);
        store.addUpstream(slot, uid - 1);
      }
      slots.push(slot);
    }
    expect(new Set(slots).size).toBe(20_000);
    for (const [uid, slot] of slots.entries()) {
      expect(store.uid(slot)).toBe(uid);
      if (uid > 0) expect(store.upstreamUids(slot)).toEqual([uid - 1]);
    }
    for (const slot of slots) store.free(slot);
    expect(store.live).toBe(0);
    // After the reset the store starts over from its first slot, with fresh edges.
    const first = store.allocate(20_000, work, 0, undefined, undefined);
    expect(first).toBe(0);
    expect([store.upstreamUids(first), store.downHead(first), store.pendingUpstream(first)]).toEqual([[], NONE, 0]);
  });

  it('grows by buffers of 64 KB at most, and copies only while its first chunk is small', () => {
    // One buffer for the whole store doubled and was copied at each growth, each time on fresh pages
    // from the kernel; its page faults were most of a large graph's run (bench/README.md).
    const sizes: number[] = [];
    const Original = globalThis.ArrayBuffer;
    globalThis.ArrayBuffer = class extends Original {
      constructor(bytes: number) {
        super(bytes);
        sizes.push(bytes);
      }
    } as ArrayBufferConstructor;
    const store = new TaskStore();
    const tasks = 50_000;
    try {
      for (let uid = 0; uid < tasks; uid++) {
        const slot = store.allocate(uid, work, 0, undefined, undefined);
        if (uid > 0) store.appendDownstream(slot - 1, slot, uid);
      }
    } finally {
      globalThis.ArrayBuffer = Original;
    }
    expect(Math.max(...sizes)).toBe(64 * 1024);
    // 64 bytes a slot and 16 an edge, plus what the first chunks' doublings made (under 64 KB each)
    // and the last chunks' unused part (under 64 KB each).
    const total = sizes.reduce((sum, bytes) => sum + bytes, 0);
    expect(total).toBeLessThan(tasks * (64 + 16) + 4 * 64 * 1024);
    expect(store.uid(tasks - 1)).toBe(tasks - 1);
    expect(list(store, store.downHead(tasks - 2))).toEqual([[tasks - 1, tasks - 1]]);
  });
  it('answers for a slot held from before it emptied and reset: that task is not pending', () => {
    // A walk's worklist, or a look at the pending table (whose deletion is lazy), may hold such a slot.
    const store = new TaskStore();
    const slots: number[] = [];
    for (let uid = 0; uid < 4097; uid++) slots.push(store.allocate(uid, work, 0, undefined, undefined));
    for (const slot of slots) store.free(slot); // the last free resets the store
    expect(store.isPending(4096, 4096)).toBe(false);
    expect(store.isPending(0, 0)).toBe(false);
    expect(store.allocate(4097, work, 0, undefined, undefined)).toBe(0);
  });
});

describe('TaskStore out of memory', () => {
  function fullStore(): TaskStore {
    const store = new TaskStore();
    // Fill the initial slots, so that the next allocation must grow.
    for (let uid = 0; ; uid++) {
      const before = store.live;
      let grew = false as boolean; // set inside the callback
      withoutMemory(() => {
        try {
          store.allocate(uid, work, 0, undefined, undefined);
        } catch {
          grew = true;
        }
      });
      if (grew) {
        expect(store.live).toBe(before);
        return store;
      }
    }
  }

  it('grows in reserve, so that an add cannot fail between its steps', () => {
    const store = fullStore();
    const upstream = 0;
    store.reserve(500);
    withoutMemory(() => {
      const slot = store.allocate(999_999, work, 0, undefined, undefined);
      for (let i = 0; i < 500; i++) {
        store.appendDownstream(upstream, slot, 999_999);
        store.addUpstream(slot, store.uid(upstream));
      }
    });
    expect(store.edgesInUse).toBe(500);
    expect(store.upstreamUids(store.live - 1)).toHaveLength(500);
  });

  it('returns every edge of a freed task to the pool: linking and freeing again needs no new memory', () => {
    const store = new TaskStore();
    const cycle = (): void => {
      const upstream = [0, 1, 2].map((uid) => store.allocate(uid, work, 0, undefined, undefined));
      const downstream = [3, 4, 5, 6].map((uid) => store.allocate(uid, work, 0, undefined, undefined));
      store.reserve(12); // counts what its frees gave back: it must find room without growing
      for (const [index, slot] of downstream.entries()) {
        for (const from of upstream) {
          store.appendDownstream(from, slot, index + 3);
          store.addUpstream(slot, store.uid(from));
        }
      }
      for (const slot of [...upstream, ...downstream]) store.free(slot);
    };
    cycle(); // 12 edges, within the pool it starts with
    withoutMemory(() => {
      for (let round = 0; round < 100; round++) cycle();
    });
    expect([store.live, store.edgesInUse]).toEqual([0, 0]);
  });

  it('reserves exactly enough edges, through frees, releases before frees and a reset', () => {
    // If the store counted more free edges of a kind than it has, a reserve would skip a growth the
    // links then need, and a link made without memory would throw.
    type Step =
      | { op: 'link'; from: number; links: number }
      | { op: 'free'; pick: number; releaseFirst: boolean }
      | { op: 'reset' };
    const links = fc.integer({ min: 1, max: 90 });
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ op: fc.constant('link' as const), from: fc.nat(), links }) },
      {
        weight: 3,
        arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat(), releaseFirst: fc.boolean() }),
      },
      { weight: 1, arbitrary: fc.constant({ op: 'reset' as const }) },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40, size: 'max' }), (steps) => {
        const store = new TaskStore();
        let nextUid = 0;
        let live: number[] = [];
        const allocate = (): number => store.allocate(nextUid++, work, 0, undefined, undefined);
        for (const s of steps) {
          if (s.op === 'link') {
            if (live.length === 0) live.push(allocate());
            const from = live[s.from % live.length] as number;
            store.reserve(s.links);
            withoutMemory(() => {
              const to = allocate(); // the slots never run short here: at most 41 tasks live
              for (let i = 0; i < s.links; i++) {
                store.appendDownstream(from, to, store.uid(to));
                store.addUpstream(to, store.uid(from));
              }
              live.push(to);
            });
          } else if (s.op === 'free' && live.length > 0) {
            const [slot] = live.splice(s.pick % live.length, 1) as [number];
            if (s.releaseFirst) store.release(slot); // stopped while running: the slot is freed later
            store.free(slot);
          } else if (s.op === 'reset') {
            // Grow past the size the store shrinks back from, then empty it: it starts over.
            for (let i = 0; i < 5000; i++) live.push(allocate());
            for (const slot of live) store.free(slot);
            live = [];
          }
        }
        for (const slot of live) store.free(slot);
        expect([store.live, store.edgesInUse]).toEqual([0, 0]);
      }),
      { numRuns: 60 },
    );
  });
  it('empties and resets without asking for memory, so a last free cannot fail', () => {
    const store = new TaskStore();
    const slots: number[] = [];
    for (let uid = 0; uid < 4097; uid++) slots.push(store.allocate(uid, work, 0, undefined, undefined));
    for (const slot of slots.slice(0, -1)) store.free(slot);
    withoutMemory(() => {
      store.free(slots.at(-1) as number);
    });
    expect(store.live).toBe(0);
    expect(store.allocate(4097, work, 0, undefined, undefined)).toBe(0);
  });
});

describe('BackgroundTaskManager out of memory', () => {
  it('refuses the add that cannot grow the store, skips no id and keeps what is queued', async () => {
    const { BackgroundTaskManager } = await import('../../src/index.js');
    const manager = new BackgroundTaskManager({ finishedTaskHistory: 0 });
    const original = globalThis.ArrayBuffer;
    let refused: unknown;
    let added = 0;
    try {
      for (; added < 100_000; added++) {
        if (added > 0 && added % 256 === 0) {
          globalThis.ArrayBuffer = class {
            constructor() {
              throw new RangeError('Array buffer allocation failed');
            }
          } as unknown as ArrayBufferConstructor;
        }
        try {
          manager.addTask(() => undefined, { upstreamTaskIds: added > 0 ? [added - 1] : undefined });
        } catch (error) {
          refused = error;
          break;
        } finally {
          globalThis.ArrayBuffer = original;
        }
      }
    } finally {
      globalThis.ArrayBuffer = original;
    }
    expect(refused).toBeInstanceOf(RangeError);
    expect(manager.pendingCount).toBe(added);
    expect(manager.addTask(() => undefined)).toBe(added);
    expect(manager.getTaskState(added - 1)).toBe('blocked');
    await manager.shutDown();
  });

  it('refuses an add whose links alone need the store to grow, and skips no id', async () => {
    const { BackgroundTaskManager } = await import('../../src/index.js');
    const manager = new BackgroundTaskManager({ finishedTaskHistory: 0 });
    const upstream = Array.from({ length: 100 }, () => manager.addTask(() => undefined));
    let refused: unknown;
    withoutMemory(() => {
      try {
        // 100 links: more edges than the store starts with.
        manager.addTask(() => undefined, { upstreamTaskIds: upstream });
      } catch (error) {
        refused = error;
      }
    });
    expect(refused).toBeInstanceOf(RangeError);
    expect(manager.pendingCount).toBe(100);
    const next = manager.addTask(() => undefined, { upstreamTaskIds: upstream });
    expect(next).toBe(100);
    expect(manager.getTaskState(next)).toBe('blocked');
    manager.startProcessing();
    await manager.onIdle();
    await manager.shutDown();
  });
});
