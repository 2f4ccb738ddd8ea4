import { describe, expect, it } from 'vitest';
import { LatencyWindow } from '../../src/core/latency-window.js';

describe('LatencyWindow', () => {
  it('has no percentiles before the first sample', () => {
    expect(new LatencyWindow(4).percentiles()).toEqual({ p50: null, p95: null, p99: null });
  });

  it('gives nearest-rank percentiles of the samples in the window', () => {
    const window = new LatencyWindow(100);
    for (let ms = 100; ms >= 1; ms--) window.add(ms);
    expect(window.percentiles()).toEqual({ p50: 50, p95: 95, p99: 99 });
  });

  it('forgets the oldest samples once full, and recomputes after a change only', () => {
    const window = new LatencyWindow(3);
    for (const ms of [1000, 1000, 1, 2, 3]) window.add(ms);
    const first = window.percentiles();
    expect(first).toEqual({ p50: 2, p95: 3, p99: 3 });
    expect(window.percentiles()).toBe(first);
    window.add(0.0004);
    expect(window.percentiles()).toEqual({ p50: 2, p95: 3, p99: 3 });
    window.add(0.0004);
    expect(window.percentiles()).toEqual({ p50: 0, p95: 3, p99: 3 });
  });
});
