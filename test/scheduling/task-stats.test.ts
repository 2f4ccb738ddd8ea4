import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TaskStats } from '../../src/scheduling/task-stats.js';

/** `performance.now()` as the test sets it. */
let now = 0;

beforeEach(() => {
  now = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** One task's whole life, alone: it waits `waitMs` once queued and runs `runMs`. */
function live(stats: TaskStats, uid: number, waitMs: number, runMs: number): void {
  stats.queued(uid);
  now += waitMs;
  stats.started(uid);
  now += runMs;
  stats.ended(uid, true);
}

/** The wait and run medians and 99th percentiles. */
function read(stats: TaskStats): (number | null)[] {
  const { waitMs, runMs } = stats.read('processing', 1, 0);
  return [waitMs.p50, waitMs.p99, runMs.p50, runMs.p99];
}

describe('TaskStats timing', () => {
  it('times every task below uid 1024, then exactly those whose uid is a multiple of 32', () => {
    const stats = new TaskStats();
    for (let uid = 0; uid < 1024; uid++) live(stats, uid, 5, 1);
    expect(read(stats)).toEqual([5, 5, 1, 1]);
    // Past 1024 a sampled task waits 7 and runs 2; any other task 1,000 and 1,000. The window keeps the last 1,024
    // timed, so once 1,024 sampled tasks have passed it must hold theirs alone.
    for (let uid = 1024; uid < 1024 + 32 * 1024; uid++) {
      if (uid % 32 === 0) live(stats, uid, 7, 2);
      else live(stats, uid, 1000, 1000);
    }
    expect(read(stats)).toEqual([7, 7, 2, 2]);
  });

  it('times uid 1024, the first task that is sampled', () => {
    const stats = new TaskStats();
    live(stats, 1024, 3, 4);
    expect(read(stats)).toEqual([3, 3, 4, 4]);
  });

  it('keeps the marks of 1,024 sampled tasks pending at once apart, from each other and from the unsampled', () => {
    const stats = new TaskStats();
    for (let uid = 0; uid < 1024; uid++) live(stats, uid, 50, 10);
    // 32 × 1,024 tasks pending at once, 1,024 of them sampled.
    const uids = Array.from({ length: 32 * 1024 }, (_, k) => 1024 + k);
    for (const uid of uids) stats.queued(uid);
    now += 7;
    for (const uid of uids) stats.started(uid);
    now += 2;
    for (const uid of uids) stats.ended(uid, true);
    // Had a sampled task shared its cell with another task, it would go untimed and leave a sample of the first
    // tasks at the top.
    expect(read(stats)).toEqual([7, 7, 2, 2]);
  });

  it('does not time a sampled task whose mark a later task has taken: it waited past 1,024 samples', () => {
    const stats = new TaskStats();
    const early = 1024;
    const late = early + 32 * 1024; // the same cell
    stats.queued(early);
    now = 100;
    stats.queued(late);
    now = 130;
    stats.started(early);
    now = 150;
    stats.started(late);
    now = 155;
    stats.ended(early, true);
    now = 160;
    stats.ended(late, true);
    expect(read(stats)).toEqual([50, 50, 10, 10]);
  });

  it('times no start or end that has no mark: a task stopped while it ran, an end told twice, a start never queued', () => {
    const stats = new TaskStats();
    now = 2;
    stats.started(1); // never queued
    stats.ended(1, true);
    expect(read(stats)).toEqual([null, null, null, null]);
    stats.queued(1);
    now = 6;
    stats.started(1);
    now = 10;
    stats.ended(1, false); // stopped while it ran
    expect(read(stats)).toEqual([4, 4, null, null]);
    now = 20;
    stats.ended(1, true); // the end of the same run, told again
    stats.started(1);
    expect(read(stats)).toEqual([4, 4, null, null]);
  });
});
