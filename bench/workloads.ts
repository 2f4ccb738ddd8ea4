import { PGraph, type DependencyList, type PGraphNode } from 'p-graph';
import { BackgroundTaskManager, type BackgroundTaskManagerOptions } from '../src/index.js';

/** A trivial asynchronous task, the same for every queue measured. */
export const trivialTask = (): Promise<void> => Promise.resolve();

export const PRIORITIES = 5;
export const GROUPS = 10;

/**
 * Adds `count` trivial main-thread tasks with mixed priorities and groups to
 * a paused manager, starts it and resolves when the last one has finished.
 */
export function runPlain(
  count: number,
  maxThreads = 8,
  inspect?: BackgroundTaskManagerOptions['inspect'],
): Promise<void> {
  const manager = new BackgroundTaskManager({ maxThreads, finishedTaskHistory: 0, ...(inspect && { inspect }) });
  const finished = new Promise<void>((resolve, reject) => {
    let left = count;
    manager.on('taskCompleted', () => {
      if (--left === 0) resolve();
    });
    manager.on('taskFailed', (_uid, _group, message) => {
      reject(new Error(message));
    });
  });
  for (let i = 0; i < count; i++) {
    manager.addTask(trivialTask, { priority: i % PRIORITIES, group: i % GROUPS });
  }
  manager.startProcessing();
  return finished.then(() => manager.shutDown());
}

/** A small seeded PRNG (mulberry32): the same sequence of floats in [0, 1) for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One task of a {@link DependencyPlan}: a trivial task, or a pass-through fan-in. */
export interface PlannedTask {
  readonly passThrough: boolean;
  readonly priority: number;
  readonly group: number;
  /** Positions in the plan, which are also the task ids in a fresh manager. */
  readonly upstream: readonly number[] | undefined;
}

/** The dependency workload, built before the clock starts. */
export interface DependencyPlan {
  readonly tasks: readonly PlannedTask[];
  /** Trivial tasks (the pass-through tasks come on top of these). */
  readonly plainTasks: number;
}

export const DEPENDENCY_WINDOW = 1000;
export const FAN_IN_EVERY = 100;

/**
 * `plainTasks` trivial tasks (mixed priorities and groups as in
 * {@link runPlain}), each with 1–3 upstream tasks drawn from the previous
 * {@link DEPENDENCY_WINDOW} tasks (the first has none), and after every
 * {@link FAN_IN_EVERY} of them a pass-through task whose upstream tasks are
 * those 100. Seeded: the same plan for the same arguments.
 */
export function planDependencies(plainTasks: number, seed = 42): DependencyPlan {
  const random = seededRandom(seed);
  const tasks: PlannedTask[] = [];
  let sinceFanIn: number[] = [];
  for (let i = 0; i < plainTasks; i++) {
    const position = tasks.length;
    let upstream: number[] | undefined;
    if (position > 0) {
      const window = Math.min(DEPENDENCY_WINDOW, position);
      const links = 1 + Math.floor(random() * 3);
      upstream = [];
      for (let k = 0; k < links; k++) upstream.push(position - 1 - Math.floor(random() * window));
    }
    tasks.push({ passThrough: false, priority: i % PRIORITIES, group: i % GROUPS, upstream });
    sinceFanIn.push(position);
    if (sinceFanIn.length === FAN_IN_EVERY) {
      tasks.push({ passThrough: true, priority: i % PRIORITIES, group: i % GROUPS, upstream: sinceFanIn });
      sinceFanIn = [];
    }
  }
  return { tasks, plainTasks };
}

/**
 * Adds the planned tasks to a paused manager, starts it and resolves when
 * every task has completed (pass-through tasks included).
 */
export function runDependencies(plan: DependencyPlan, maxThreads = 8): Promise<void> {
  const manager = new BackgroundTaskManager({ maxThreads, finishedTaskHistory: 0 });
  const count = plan.tasks.length;
  const finished = new Promise<void>((resolve, reject) => {
    let left = count;
    manager.on('taskCompleted', () => {
      if (--left === 0) resolve();
    });
    manager.on('taskFailed', (_uid, _group, message) => {
      reject(new Error(message));
    });
  });
  const tasks = plan.tasks;
  for (let position = 0; position < count; position++) {
    const task = tasks[position] as PlannedTask;
    const options = { priority: task.priority, group: task.group, upstreamTaskIds: task.upstream };
    const uid = task.passThrough ? manager.addPassThroughTask(options) : manager.addTask(trivialTask, options);
    if (uid !== position) throw new Error(`Expected task id ${position}, got ${uid}`);
  }
  manager.startProcessing();
  return finished.then(() => manager.shutDown());
}

/**
 * The same plan on p-graph (`concurrency` 8, the same priorities; a
 * pass-through task is a trivial task, since p-graph passes no results):
 * building the graph and running it, as adding the tasks and running them
 * is for ours.
 */
export function runDependenciesPGraph(plan: DependencyPlan, concurrency = 8): Promise<void> {
  const nodes = new Map<string, PGraphNode>();
  const dependencies: DependencyList = [];
  plan.tasks.forEach((task, position) => {
    const id = String(position);
    nodes.set(id, { run: trivialTask, priority: task.priority });
    for (const upstream of task.upstream ?? []) dependencies.push([String(upstream), id]);
  });
  return new PGraph(nodes, dependencies).run({ concurrency });
}
