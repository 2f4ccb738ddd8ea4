import { LatencyWindow, type Percentiles } from '../core/latency-window.js';
import { addCountsEntry } from '../core/values.js';
import type { TaskGroup } from '../core/types.js';
import type { ManagerPhase } from '../machines/manager-machine.js';
import { STATE_NAMES, type TaskState } from '../machines/task-logic.js';

/**
 * Tasks per state: pending ones now (blocked, queued, running, retrying)
 * and finished ones since the manager started (done, failed, stopped).
 */
export type TaskCounts = Record<TaskState, number>;

/** What `manager.stats()` returns. */
export interface ManagerStats {
  /** The manager's phase. */
  readonly phase: ManagerPhase;
  /** The most tasks that run at once. */
  readonly maxThreads: number;
  /** Slots taken now: running tasks, and stopped ones whose work has not ended yet. */
  readonly busyThreads: number;
  /** Tasks per state. */
  readonly counts: TaskCounts;
  /** Tasks per state for each of the last {@link GROUP_STATS_LIMIT} groups that had a task added. */
  readonly groups: Record<string, TaskCounts>;
  /** From queued (ready to run) to started, over a sample of recent tasks. */
  readonly waitMs: Percentiles;
  /** From started to finished, over a sample of recent tasks. */
  readonly runMs: Percentiles;
}

/** Groups whose counts are kept; the group that had a task added longest ago is dropped first. */
export const GROUP_STATS_LIMIT = 256;
/** Durations each percentile window holds. */
const WINDOW = 1024;
/** Every task below this uid is timed, then one in 32: a clock read costs about a sixth of a trivial task. */
const TIME_ALL_BELOW = 1024;
const SAMPLE_EVERY_MASK = 31;
/** Cells for marks: as many as tasks timed all; a sampled task waiting longer than 1,024 samples loses its cell. */
const MARK_CELLS = TIME_ALL_BELOW;

/** A group's counts, by state code. */
export type StateCounts = Float64Array;

/**
 * The counters behind `manager.stats()`: counts by state code (the scheduler
 * moves a task from one counter to another as it steps, O(1)), per group,
 * and wait and run times of a sample of tasks. Reading copies the counters.
 */
export class TaskStats {
  readonly counts: StateCounts = new Float64Array(STATE_NAMES.length);
  readonly #groups = new Map<TaskGroup, StateCounts>();
  readonly #wait = new LatencyWindow(WINDOW);
  readonly #run = new LatencyWindow(WINDOW);
  /** Sampled tasks' marks, in cells by uid (a later sampled task takes over a cell; its uid tells whose it is). */
  readonly #markUids = new Float64Array(MARK_CELLS).fill(-1);
  readonly #marks = new Float64Array(MARK_CELLS);

  /** The counters of `group`, created (dropping the oldest group beyond the limit) on first use. */
  countsOf(group: TaskGroup): StateCounts {
    let counts = this.#groups.get(group);
    if (counts !== undefined) return counts;
    counts = new Float64Array(STATE_NAMES.length);
    this.#groups.set(group, counts);
    if (this.#groups.size > GROUP_STATS_LIMIT) this.#groups.delete(this.#groups.keys().next().value as TaskGroup);
    return counts;
  }

  /** The task `uid` was queued: a sampled task starts waiting. */
  queued(uid: number): void {
    if (uid >= TIME_ALL_BELOW && (uid & SAMPLE_EVERY_MASK) !== 0) return;
    const cell = cellOf(uid);
    this.#markUids[cell] = uid;
    this.#marks[cell] = performance.now();
  }

  /** The task `uid` started: its wait ends. */
  started(uid: number): void {
    if (uid >= TIME_ALL_BELOW && (uid & SAMPLE_EVERY_MASK) !== 0) return;
    const cell = cellOf(uid);
    if (this.#markUids[cell] !== uid) return;
    const now = performance.now();
    this.#wait.add(now - (this.#marks[cell] as number));
    this.#marks[cell] = now;
  }

  /** The work of task `uid` ended; `ran` is false when it was stopped while it ran (not timed). */
  ended(uid: number, ran: boolean): void {
    if (uid >= TIME_ALL_BELOW && (uid & SAMPLE_EVERY_MASK) !== 0) return;
    const cell = cellOf(uid);
    if (this.#markUids[cell] !== uid) return;
    if (ran) this.#run.add(performance.now() - (this.#marks[cell] as number));
    this.#markUids[cell] = -1;
  }

  /** A copy of every counter. */
  read(phase: ManagerPhase, maxThreads: number, busyThreads: number): ManagerStats {
    const groups: Record<string, TaskCounts> = {};
    for (const [group, counts] of this.#groups) addCountsEntry(groups, String(group), named(counts));
    return {
      phase,
      maxThreads,
      busyThreads,
      counts: named(this.counts),
      groups,
      waitMs: this.#wait.percentiles(),
      runMs: this.#run.percentiles(),
    };
  }
}

/** The cell of a sampled uid: the first ones by uid, later ones by their sample number. */
function cellOf(uid: number): number {
  // For a uid beyond 2^32, `%` keeps it exact where `&` would wrap.
  return uid < TIME_ALL_BELOW ? uid : Math.floor(uid / (SAMPLE_EVERY_MASK + 1)) % MARK_CELLS;
}

function named(counts: StateCounts): TaskCounts {
  return {
    blocked: counts[0] as number,
    queued: counts[1] as number,
    running: counts[2] as number,
    retrying: counts[3] as number,
    done: counts[4] as number,
    failed: counts[5] as number,
    stopped: counts[6] as number,
  };
}
