import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GroupIndex } from '../../src/scheduling/group-index.js';
import { storeWithTasks } from './store-fixture.js';

describe('GroupIndex', () => {
  it('keeps each group’s members in join order and reports the leave that empties a group', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 0), fc.boolean(), fc.nat()), { maxLength: 200, size: 'max' }),
        (steps) => {
          const { store, add } = storeWithTasks();
          const index = new GroupIndex(store);
          const model = new Map<string | number, number[]>();
          let nextUid = 0;
          for (const [group, join, pick] of steps) {
            const members = model.get(group) ?? [];
            if (join || members.length === 0) {
              const slot = add(nextUid++);
              index.join(slot, group);
              model.set(group, [...members, slot]);
            } else {
              const [leaving] = members.splice(pick % members.length, 1) as [number];
              expect(index.leave(leaving)).toBe(members.length === 0);
              expect(index.leave(leaving)).toBe(false);
              store.free(leaving); // its slot may be reused by a later member
              if (members.length === 0) model.delete(group);
            }
            for (const key of ['a', 'b', 0]) {
              const members = model.get(key) ?? [];
              expect(index.members(key)).toEqual(members);
              for (const slot of members) expect(store.group(slot)).toBe(key);
            }
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reports nothing and changes nothing for a slot that never joined a group', () => {
    const { store, add } = storeWithTasks();
    const index = new GroupIndex(store);
    const member = add(0);
    index.join(member, 'g');
    const loner = add(1);
    expect(index.leave(loner)).toBe(false);
    expect(index.members('g')).toEqual([member]);
    expect(index.leave(member)).toBe(true);
    expect(index.has('g')).toBe(false);
  });
});
