import { describe, expect, it } from 'vitest';
import { FinishedHistory } from '../../src/scheduling/finished-history.js';

describe('FinishedHistory', () => {
  it('keeps the last `capacity` entries and releases older ones', () => {
    const history = new FinishedHistory<string>(2);
    history.remember(1, 'done');
    history.remember(2, 'failed');
    history.remember(3, 'stopped');
    expect([history.get(1), history.get(2), history.get(3)]).toEqual([undefined, 'failed', 'stopped']);
  });

  it('remembers nothing with capacity 0', () => {
    const history = new FinishedHistory<string>(0);
    history.remember(1, 'done');
    expect(history.get(1)).toBeUndefined();
  });
});
