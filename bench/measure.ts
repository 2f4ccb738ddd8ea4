/**
 * The timed measurements of the main-thread workloads (1, 2, 3 and 6): each
 * peer or mode run in rounds whose order rotates, best µs per task kept
 * (see README.md, "Method").
 */
import { collectGarbage, nextTurn } from './memory.js';
import { runFastq, runPQueue } from './peers.js';
import { openPage, runInspected, type InspectionMode } from './inspection.js';
import { planDependencies, runDependencies, runDependenciesPGraph, runPlain } from './workloads.js';

export type MainPeer = 'ours' | 'p-queue' | 'fastq';
export const MAIN_PEERS: readonly MainPeer[] = ['ours', 'p-queue', 'fastq'];
export const MAIN_LABELS: Readonly<Record<MainPeer, string>> = {
  ours: 'ours (5 priorities, 10 groups)',
  'p-queue': 'p-queue (5 priorities)',
  fastq: 'fastq (FIFO)',
};
const MAIN_RUNNERS: Readonly<Record<MainPeer, (count: number) => Promise<void>>> = {
  ours: (count) => runPlain(count),
  'p-queue': (count) => runPQueue(count),
  fastq: (count) => runFastq(count),
};

/**
 * Microseconds per task of one run. No GC is forced here: a full GC just
 * before a run shrinks the young generation and slows a 1k run down 2x
 * (measured), so each series starts with {@link freshSeries} instead and its
 * runs follow one another, each collecting its predecessors' garbage as an
 * application's queue would.
 */
async function timeRun(run: (count: number) => Promise<void>, count: number, perTask = count): Promise<number> {
  await nextTurn();
  const start = process.hrtime.bigint();
  await run(count);
  return Number(process.hrtime.bigint() - start) / 1000 / perTask;
}

/** Starts a series of timed runs: earlier garbage collected, then one untimed warm-up run. */
async function freshSeries(warmUp: () => Promise<void>): Promise<void> {
  await nextTurn();
  collectGarbage();
  await warmUp();
}

/**
 * Workload 1: each peer warmed with one run of up to 10k tasks, then
 * `repeats` rounds, the order of the peers rotating each round; best µs/task.
 */
export async function measureMain(count: number, repeats: number): Promise<Record<MainPeer, number>> {
  await freshSeries(async () => {
    for (const peer of MAIN_PEERS) await MAIN_RUNNERS[peer](Math.min(count, 10_000));
  });
  const best: Record<MainPeer, number> = { ours: Infinity, 'p-queue': Infinity, fastq: Infinity };
  for (let round = 0; round < repeats; round++) {
    for (let k = 0; k < MAIN_PEERS.length; k++) {
      const peer = MAIN_PEERS[(round + k) % MAIN_PEERS.length] as MainPeer;
      best[peer] = Math.min(best[peer], await timeRun(MAIN_RUNNERS[peer], count));
    }
  }
  return best;
}

export const INSPECTION_MODES: readonly (InspectionMode | 'plain')[] = ['plain', 'off', 'noop', 'inspector'];

/**
 * Workload 6: workload 1's `ours` run (plain), the same with the manager
 * built through the inspection code path but no observer (off), with a
 * no-op observer, and with the inspector and a page reading its stream;
 * modes rotate each round, best µs/task of each. The inspector and its
 * page stay up for all rounds, as they would in an application.
 */
export async function measureInspection(
  count: number,
  repeats: number,
): Promise<Record<InspectionMode | 'plain', number>> {
  const page = await openPage();
  const run = (mode: InspectionMode | 'plain') =>
    mode === 'plain' ? runPlain(count) : runInspected(count, mode, page);
  const best: Record<InspectionMode | 'plain', number> = {
    plain: Infinity,
    off: Infinity,
    noop: Infinity,
    inspector: Infinity,
  };
  try {
    await freshSeries(async () => {
      for (const mode of INSPECTION_MODES) await run(mode);
    });
    for (let round = 0; round < repeats; round++) {
      for (let k = 0; k < INSPECTION_MODES.length; k++) {
        const mode = INSPECTION_MODES[(round + k) % INSPECTION_MODES.length] as InspectionMode | 'plain';
        best[mode] = Math.min(best[mode], await timeRun(() => run(mode), count));
      }
    }
  } finally {
    await page.close();
  }
  return best;
}

/**
 * Workload 3, best µs per task (pass-through tasks counted), interleaved
 * with workload 1's `ours` run (so that the ratio compares runs from the
 * same minutes of a shared machine) and with p-graph on the same graph,
 * after a warm-up of each on a smaller plan. The plan is built before any
 * clock starts, and is garbage once this returns (so it does not weigh on
 * the memory workload).
 */
export async function measureDependencies(
  plainTasks: number,
  mainTasks: number,
  repeats: number,
  header: (tasks: number) => void,
): Promise<{ micros: number; tasks: number; plainMicros: number; pgraphMicros: number }> {
  const plan = planDependencies(plainTasks);
  const tasks = plan.tasks.length;
  header(tasks);
  const warmUpPlan = planDependencies(Math.min(plainTasks, 10_000), 7);
  await freshSeries(async () => {
    await runDependencies(warmUpPlan);
    await runDependenciesPGraph(warmUpPlan);
  });
  const runs = {
    deps: () => timeRun(() => runDependencies(plan), tasks),
    plain: () => timeRun(runPlain, mainTasks),
    pgraph: () => timeRun(() => runDependenciesPGraph(plan), tasks),
  };
  const best = { deps: Infinity, plain: Infinity, pgraph: Infinity };
  const order = ['deps', 'plain', 'pgraph'] as const;
  for (let round = 0; round < repeats; round++) {
    // The order rotates each round, so no runner always follows the same one.
    for (let k = 0; k < order.length; k++) {
      const name = order[(round + k) % order.length] as (typeof order)[number];
      best[name] = Math.min(best[name], await runs[name]());
    }
  }
  return { micros: best.deps, tasks, plainMicros: best.plain, pgraphMicros: best.pgraph };
}

/**
 * Workload 2, µs per task of ours at each size: `rounds` rounds, each
 * running every size (the first size rotating) `repeatsFor(size) / rounds`
 * times, so that a change of load on the machine hits every size alike;
 * best µs/task per size. Each size is warmed up first.
 */
export async function measureScaling(sizes: readonly number[], rounds: number): Promise<number[]> {
  await freshSeries(async () => {
    for (const size of sizes) await runPlain(Math.min(size, 100_000));
  });
  const best = sizes.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < sizes.length; k++) {
      const index = (round + k) % sizes.length;
      const size = sizes[index] as number;
      const runs = Math.ceil(repeatsFor(size, rounds) / rounds);
      for (let i = 0; i < runs; i++) best[index] = Math.min(best[index] as number, await timeRun(runPlain, size));
    }
  }
  return best;
}

export async function bestOf(repeats: number, run: () => Promise<number>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) best = Math.min(best, await run());
  return best;
}

/** Small sizes are noisier: up to 10x the repeats, about as many tasks in all as `repeats` runs of 100k. */
function repeatsFor(size: number, repeats: number): number {
  return Math.max(repeats, Math.min(10 * repeats, Math.ceil((repeats * 100_000) / size)));
}
