import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskTable } from '../../src/scheduling/task-table.js';

describe('TaskTable', () => {
  it('behaves like a Map of increasing uids, freeing nothing it still holds', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.nat({ max: 200 })), { maxLength: 400 }), (steps) => {
        const table = new TaskTable<string>();
        const model = new Map<number, string>();
        let nextUid = 0;
        for (const [add, pick, gap] of steps) {
          if (add) {
            nextUid += gap; // uids increase, with gaps (pass-through tasks, refused calls never skip, but pages must cope)
            table.set(nextUid, `t${nextUid}`);
            model.set(nextUid, `t${nextUid}`);
            nextUid++;
          } else if (model.size > 0) {
            const uid = [...model.keys()][pick % model.size] as number;
            expect(table.delete(uid)).toBe(true);
            expect(table.delete(uid)).toBe(false);
            model.delete(uid);
          }
          expect(table.size).toBe(model.size);
        }
        for (let uid = 0; uid < nextUid + 70; uid++) expect(table.get(uid)).toBe(model.get(uid));
        expect(table.values()).toEqual([...model.values()]);
        for (const odd of [-1, 1.5, Number.NaN, 2 ** 60]) expect(table.get(odd)).toBeUndefined();
      }),
    );
  });
});
