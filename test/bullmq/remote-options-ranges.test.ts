import { describe, expect, it } from 'vitest';
import { count, milliseconds } from '../../src/workers/remote/remote-options.js';

// The range checks behind the remote executor's and worker's time options, at their edges: the
// options tests construct executors, which connect, so the edges are checked here directly.
describe('the remote options range checks', () => {
  it('take an integer from the minimum to 2,147,483,647 (the largest timer delay), and Infinity only where allowed', () => {
    expect(milliseconds('killAfterMs', 0, 1000)).toBe(0);
    expect(milliseconds('lostAfterMs', 1, 30_000, 1)).toBe(1);
    expect(milliseconds('killAfterMs', 2 ** 31 - 1, 1000)).toBe(2 ** 31 - 1);
    expect(milliseconds('killAfterMs', undefined, 1000)).toBe(1000);
    expect(milliseconds('killAfterMs', Infinity, 1000, 0, true)).toBe(Infinity);
    const refusal = (name: string, value: string, min = 0, infinite = false): RangeError =>
      new RangeError(
        `Expected \`${name}\` to be an integer from ${min} to 2147483647${infinite ? ' or Infinity' : ''}, got ${value}`,
      );
    expect(() => milliseconds('killAfterMs', 2 ** 31, 1000)).toThrow(refusal('killAfterMs', '2147483648 (number)'));
    expect(() => milliseconds('lostAfterMs', 0, 30_000, 1, true)).toThrow(
      refusal('lostAfterMs', '0 (number)', 1, true),
    );
    expect(() => milliseconds('killAfterMs', Infinity, 1000)).toThrow(refusal('killAfterMs', 'Infinity (number)'));
    expect(() => milliseconds('killAfterMs', '5', 1000)).toThrow(refusal('killAfterMs', '"5" (string)'));
    expect(count('concurrency', 1, 1, 1)).toBe(1);
    expect(() => count('concurrency', 0, 1, 1)).toThrow(
      new RangeError('Expected `concurrency` to be an integer >= 1, got 0 (number)'),
    );
  });
});
