import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IndexedHeap } from '../../src/scheduling/indexed-heap.js';

interface Item {
  heapIndex: number;
  priority: number;
  seq: number;
}
const before = (a: Item, b: Item): boolean => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);
const order = (a: Item, b: Item): number => (before(a, b) ? -1 : before(b, a) ? 1 : 0);

describe('IndexedHeap', () => {
  it('pops in (priority desc, seq asc) order after any pushes and removals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -3, max: 3 }), fc.boolean()), { maxLength: 200, size: 'max' }),
        (specs) => {
          const heap = new IndexedHeap<Item>(before);
          const items = specs.map(([priority], seq) => ({ heapIndex: -1, priority, seq }));
          for (const item of items) heap.push(item);
          const kept = items.filter((_, i) => !(specs[i] as [number, boolean])[1]);
          for (const [i, item] of items.entries())
            if ((specs[i] as [number, boolean])[1]) expect(heap.remove(item)).toBe(true);
          const popped: Item[] = [];
          for (let item = heap.pop(); item !== undefined; item = heap.pop()) popped.push(item);
          expect(popped).toEqual([...kept].sort(order));
          expect(popped.every((item) => item.heapIndex === -1)).toBe(true);
        },
      ),
    );
  });

  it('refuses to remove an item it does not hold', () => {
    const heap = new IndexedHeap<Item>(before);
    const inside = { heapIndex: -1, priority: 0, seq: 0 };
    heap.push(inside);
    expect(heap.remove({ heapIndex: 0, priority: 0, seq: 1 })).toBe(false);
    expect(heap.size).toBe(1);
    heap.clear();
    expect([heap.size, inside.heapIndex]).toEqual([0, -1]);
  });

  it('works on after a large heap drains (its array is then replaced)', () => {
    const heap = new IndexedHeap<Item>(before);
    const many = Array.from({ length: 1100 }, (_, seq) => ({ heapIndex: -1, priority: seq % 7, seq }));
    for (const item of many) heap.push(item);
    const drained = many.map(() => heap.pop());
    // In heap order to the last item: the array is replaced only once the heap is empty.
    expect(drained).toEqual([...many].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)));
    expect([heap.size, heap.peek()]).toEqual([0, undefined]);
    const again = [1, 3, 2].map((priority, seq) => ({ heapIndex: -1, priority, seq }));
    for (const item of again) heap.push(item);
    expect([heap.pop()?.priority, heap.pop()?.priority, heap.pop()?.priority, heap.pop()]).toEqual([
      3,
      2,
      1,
      undefined,
    ]);
  });
});
