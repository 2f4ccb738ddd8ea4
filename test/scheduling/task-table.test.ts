import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskTable } from '../../src/scheduling/task-table.js';

describe('TaskTable', () => {
  it('answers for every uid it holds, counts them, and drops a page once all its uids are deleted', () => {
    // Gaps between uids: mostly small, some over the 16k uids of the page cache.
    const gaps = fc.oneof(fc.nat({ max: 200 }), fc.nat({ max: 40_000 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(), gaps), { maxLength: 400, size: 'max' }), (steps) => {
        const table = new TaskTable<string>();
        const model = new Map<number, string>();
        const deleted = new Set<number>();
        let nextUid = 0;
        for (const [add, pick, gap] of steps) {
          if (add) {
            nextUid += gap; // uids increase, with gaps (pages, and pages that share a cache entry, must cope)
            table.set(nextUid, `t${nextUid}`);
            model.set(nextUid, `t${nextUid}`);
            nextUid++;
          } else if (model.size > 0) {
            const uid = [...model.keys()][pick % model.size] as number;
            table.delete(uid);
            model.delete(uid);
            deleted.add(uid);
          }
          expect(table.size).toBe(model.size);
        }
        const pageOf = (uid: number): number => Math.floor(uid / 64);
        const livePages = new Set([...model.keys()].map(pageOf));
        // Every uid held or deleted, its neighbours, and uids of pages that share its cache entry.
        const probes = new Set<number>();
        for (const uid of [...model.keys(), ...deleted, nextUid]) {
          for (const near of [uid - 1, uid, uid + 1, uid + 64, uid - 256 * 64, uid + 256 * 64]) {
            if (near >= 0) probes.add(near);
          }
        }
        for (const uid of probes) {
          if (model.has(uid)) expect(table.get(uid)).toBe(model.get(uid));
          // A deleted uid may still answer while its page is in use (deletion is lazy), never once the page is gone.
          else if (deleted.has(uid) && livePages.has(pageOf(uid)))
            expect([undefined, `t${uid}`]).toContain(table.get(uid));
          else expect(table.get(uid)).toBeUndefined();
        }
        const { uids, values } = table.entries();
        expect(uids).toEqual([...uids].sort((a, b) => a - b));
        expect(uids.filter((uid) => model.has(uid))).toEqual([...model.keys()]);
        expect(uids.every((uid) => model.has(uid) || deleted.has(uid))).toBe(true);
        expect(values).toEqual(uids.map((uid) => `t${uid}`));
        for (const odd of [-1, 1.5, Number.NaN, 2 ** 60]) expect(table.get(odd)).toBeUndefined();
      }),
      { numRuns: 25 },
    );
  });

  it('tells apart pages that share a cache entry', () => {
    const table = new TaskTable<string>();
    const far = 256 * 64; // the uid of the page that evicts page 0 from its cache entry
    table.set(0, 'a');
    table.set(far, 'b');
    table.set(2 * far, 'c');
    expect([table.get(0), table.get(far), table.get(2 * far)]).toEqual(['a', 'b', 'c']);
    expect([table.get(1), table.get(far + 1)]).toEqual([undefined, undefined]);
    table.delete(far); // its page empties and goes, while it may be the cached one
    expect([table.get(0), table.get(far), table.get(2 * far), table.size]).toEqual(['a', undefined, 'c', 2]);
    table.set(far + 5, 'd'); // a new page under the same key
    expect([table.get(far + 5), table.get(0), table.get(2 * far)]).toEqual(['d', 'a', 'c']);
  });

  it('finds a page again once the page that took its cache entry is gone, whichever entry they share', () => {
    const far = 256 * 64;
    for (let key = 0; key < 4; key++) {
      const table = new TaskTable<string>();
      const uid = key * 64;
      table.set(uid, 'kept');
      table.set(uid + far, 'gone'); // the same cache entry: it takes it
      table.delete(uid + far);
      expect([table.get(uid), table.get(uid + far), table.size]).toEqual(['kept', undefined, 1]);
    }
  });

  it('answers undefined for a uid that is not a whole number of 0 or more', () => {
    const table = new TaskTable<string>();
    for (let uid = 0; uid < 3; uid++) table.set(uid, `t${uid}`);
    for (const uid of [1.5, -1, -64, Number.NaN, Infinity, 2 ** 53]) expect(table.get(uid)).toBeUndefined();
    expect(table.get(1)).toBe('t1');
  });

  it('tells apart pages of uids past 2^31 that share a cache entry', () => {
    const table = new TaskTable<string>();
    const big = 2 ** 40;
    table.set(big, 'a');
    table.set(big + 256 * 64, 'b');
    table.set(2 ** 52 + 5, 'c');
    expect([table.get(big), table.get(big + 256 * 64), table.get(2 ** 52 + 5)]).toEqual(['a', 'b', 'c']);
    expect(table.get(big + 1)).toBeUndefined();
    table.delete(big);
    expect([table.get(big), table.get(big + 256 * 64), table.size]).toEqual([undefined, 'b', 2]);
  });

  it('forgets everything on clear, its page cache included', () => {
    const table = new TaskTable<string>();
    table.set(0, 'a');
    table.set(1, 'b');
    table.clear();
    table.set(2, 'c'); // a new page under the key of the cleared one
    expect([table.get(0), table.get(1), table.get(2), table.size]).toEqual([undefined, undefined, 'c', 1]);
    expect(table.entries()).toEqual({ uids: [2], values: ['c'] });
  });
});
