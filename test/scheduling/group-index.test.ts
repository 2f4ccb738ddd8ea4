import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GroupIndex } from '../../src/scheduling/group-index.js';

interface Member {
  readonly id: number;
  readonly group: string | number | undefined;
  groupPrev: Member | undefined;
  groupNext: Member | undefined;
}

describe('GroupIndex', () => {
  it('keeps each group’s members in join order and reports the leave that empties a group', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 0), fc.boolean(), fc.nat()), { maxLength: 200 }),
        (steps) => {
          const index = new GroupIndex<Member>();
          const model = new Map<string | number, Member[]>();
          let nextId = 0;
          for (const [group, join, pick] of steps) {
            const members = model.get(group) ?? [];
            if (join || members.length === 0) {
              const member: Member = { id: nextId++, group, groupPrev: undefined, groupNext: undefined };
              index.join(member, group);
              model.set(group, [...members, member]);
            } else {
              const [leaving] = members.splice(pick % members.length, 1) as [Member];
              expect(index.leave(leaving)).toBe(members.length === 0);
              expect(index.leave(leaving)).toBe(false);
              if (members.length === 0) model.delete(group);
            }
            for (const key of ['a', 'b', 0]) expect(index.members(key)).toEqual(model.get(key) ?? []);
          }
        },
      ),
    );
  });
});
