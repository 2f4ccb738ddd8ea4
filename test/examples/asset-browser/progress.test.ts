import { describe, expect, it } from 'vitest';
import { progressLine, progressTable, type ProgressSnapshot } from '../../../examples/asset-browser/progress.js';

const snapshot: ProgressSnapshot = {
  groups: [
    { label: 'thumbnails', total: 240, done: 100, failed: 4, stopped: 6, startedAt: 1000, finishedAt: undefined },
    { label: 'metadata', total: 240, done: 236, failed: 4, stopped: 0, startedAt: 1000, finishedAt: 3000 },
  ],
  busyThreads: 2,
  maxThreads: 2,
};

describe('the progress display', () => {
  it('shows a table per group: done, failed, stopped, pending and images per second', () => {
    // At 5 s: thumbnails 104 accounted for in 4 s; metadata finished at 3 s, 240 in 2 s.
    expect(progressTable(snapshot, 5000).split('\n')).toEqual([
      'group       images  done  failed  stopped  pending  images/s',
      'thumbnails     240   100       4        6      130      26.0',
      'metadata       240   236       4        0        0     120.0',
      'busy threads 2/2',
    ]);
  });

  it('shows one plain line when the output is not a terminal', () => {
    expect(progressLine(snapshot, 4, 5000)).toBe(
      '[4.0s] thumbnails 110/240 (4 failed, 6 stopped, 26.0/s) | metadata 240/240 (4 failed, 0 stopped, 120.0/s) | busy threads 2/2',
    );
  });
});
