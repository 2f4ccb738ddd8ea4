import { describe, expect, it } from 'vitest';
import { defaultSanitize, SANITIZE_LIMITS } from '../../src/inspector/sanitize.js';

describe('defaultSanitize', () => {
  it('passes small JSON values through unchanged', () => {
    const value = { a: [1, 'two', true, null], b: { c: -0.5 } };
    expect(defaultSanitize(value)).toEqual(value);
  });

  it('caps depth, string length, entries and total size', () => {
    const deep = { l1: { l2: { l3: { l4: { l5: 1 } } } }, list: [[[[[1]]]]] };
    expect(defaultSanitize(deep)).toEqual({ l1: { l2: { l3: { l4: '[Object]' } } }, list: [[['[Array(1)]']]] });
    const long = 'x'.repeat(SANITIZE_LIMITS.stringLength + 10);
    expect(defaultSanitize(long)).toBe(`${'x'.repeat(SANITIZE_LIMITS.stringLength)}… (10 more characters)`);
    const many = Array.from({ length: 60 }, (_, i) => i);
    expect(defaultSanitize(many)).toEqual([...many.slice(0, 50), '[… 10 more]']);
    const keys = Object.fromEntries(many.map((i) => [`k${i}`, i]));
    expect(Object.keys(defaultSanitize(keys) as object)).toHaveLength(51);
    const wide = Array.from({ length: 50 }, () => Array.from({ length: 50 }, () => 1));
    expect(JSON.stringify(defaultSanitize(wide))).toContain('[…]');
  });

  it('describes what JSON cannot hold, cuts cycles, and never throws', () => {
    class Point {
      x = 1;
    }
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const hostile = {
      get boom(): never {
        throw new Error('getter');
      },
    };
    expect(
      defaultSanitize({
        fn: function named() {},
        arrow: (
          () => () =>
            1
        )(),
        big: 12n,
        sym: Symbol('s'),
        undef: undefined,
        nan: Number.NaN,
        date: new Date(0),
        error: new TypeError('bad'),
        map: new Map([[1, 2]]),
        bytes: new Uint8Array(3),
        point: new Point(),
        cycle,
        hostile,
      }),
    ).toMatchObject({
      fn: '[Function named]',
      arrow: '[Function anonymous]',
      big: '12n',
      sym: 'Symbol(s)',
      undef: '[undefined]',
      nan: 'NaN',
      date: '1970-01-01T00:00:00.000Z',
      error: { name: 'TypeError', message: 'bad', stack: expect.stringContaining('TypeError: bad') as unknown },
      map: '[Map(1)]',
      bytes: '[Uint8Array 3 bytes]',
      point: { '[class]': 'Point', x: 1 },
      cycle: { name: 'loop', self: '[Circular]' },
      hostile: { boom: '[unreadable]' },
    });
    const masked = Object.defineProperty(new Point(), 'constructor', {
      get(): never {
        throw new Error('no constructor');
      },
    });
    expect(defaultSanitize(masked)).toEqual({ '[class]': 'Object', x: 1 });
    const stackless = Object.assign(new Error('quiet'), { stack: undefined });
    expect(defaultSanitize([stackless, new Date(Number.NaN), new (class {})()])).toEqual([
      { name: 'Error', message: 'quiet', stack: '' },
      '[Invalid Date]',
      { '[class]': 'Object' },
    ]);
    const shared = { n: 1 };
    expect(defaultSanitize([shared, shared])).toEqual([{ n: 1 }, { n: 1 }]);
    // An array entry whose getter throws, and an error whose fields are not strings or throw.
    const entries: unknown[] = [1, 2];
    Object.defineProperty(entries, 0, {
      get(): never {
        throw new Error('unreadable');
      },
    });
    const odd = Object.defineProperty(Object.assign(new Error('x'), { message: 42 }), 'stack', {
      get(): never {
        throw new Error('no stack');
      },
    });
    expect(defaultSanitize({ entries, odd })).toEqual({
      entries: ['[unreadable]', 2],
      odd: { name: 'Error', message: '42', stack: '[unreadable]' },
    });
  });

  it('keeps what is exactly at a limit, and says how much it cut beyond one', () => {
    const atLimit = 'x'.repeat(SANITIZE_LIMITS.stringLength);
    expect(defaultSanitize(atLimit)).toBe(atLimit);
    const keys = Object.fromEntries(Array.from({ length: 53 }, (_, i) => [`k${i}`, i]));
    expect((defaultSanitize(keys) as Record<string, unknown>)['[…]']).toBe('3 more keys');
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(defaultSanitize(bare)).toStrictEqual({ a: 1 });
    expect(defaultSanitize(new (class {})())).toStrictEqual({ '[class]': 'Object' });
    // The root array, 20 rows and their numbers: 1 + 19 × 50 + 49 = 1,000 values, the budget; then one more.
    expect(SANITIZE_LIMITS.nodes).toBe(1000);
    const row = (length: number): number[] => Array.from({ length }, () => 1);
    const rows = Array.from({ length: 19 }, () => row(49));
    expect(JSON.stringify(defaultSanitize([...rows, row(48)]))).not.toContain('[…]');
    expect(JSON.stringify(defaultSanitize([...rows, row(49)]))).toContain('[…]');
  });
});
