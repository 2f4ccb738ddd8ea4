/**
 * The benchmark harness: every workload, ours side by side with its peers,
 * in one process (see bench/README.md for the method).
 *   npm run bench                     (full sizes, about a minute on 2 CPUs)
 *   npm run bench -- --quick          (small sizes, a few seconds)
 *   node --expose-gc --import tsx bench/index.ts --main=20000 --repeats=3
 * Prints a table, then as its last line one JSON object of ratios.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { measureBullMQ, type BullMQResult } from './bullmq.js';
import { bytesPerQueuedTask, collectGarbage, nextTurn, retainedHeap, type MemoryPeer } from './memory.js';
import { runFastq, runPQueue } from './peers.js';
import {
  measureWorkerThroughput,
  POOL_SIZE,
  WORKER_PEERS,
  WORKER_REFERENCES,
  type WorkerReference,
} from './worker-throughput.js';
import { openPage, runInspected, type InspectionMode } from './inspection.js';
import { planDependencies, runDependencies, runDependenciesPGraph, runPlain } from './workloads.js';

export interface BenchOptions {
  /** Workload 1: trivial main-thread tasks for ours, p-queue and fastq. */
  readonly mainTasks: number;
  /** Workload 2: four sizes for ours (the keys name them 1k, 10k, 100k, 1m). */
  readonly scalingSizes: readonly [number, number, number, number];
  /** Workload 3: trivial tasks with dependencies (plus one pass-through per 100). */
  readonly depsTasks: number;
  /** Workload 4: tasks held in each paused queue, and run for the retained-heap measure. */
  readonly memoryTasks: number;
  /** Workload 5: no-op worker tasks per run. */
  readonly workerNoopTasks: number;
  /** Workload 5: CPU worker tasks per run. */
  readonly workerSpinTasks: number;
  /** Workload 5: CPU time of each CPU worker task, ms. */
  readonly spinMillis: number;
  /** Timed runs of each main-thread measurement; the best counts. */
  readonly repeats: number;
  /** Timed rounds of each worker measurement; the best counts. */
  readonly workerRepeats: number;
  /** Workload 6: trivial tasks run with inspection off, a no-op observer, and the inspector with a page. */
  readonly inspectedTasks: number;
  /** Receives the table, line by line, as the measurements come in. */
  readonly log: (line: string) => void;
}

export const FULL_SIZES: Omit<BenchOptions, 'log'> = {
  mainTasks: 100_000,
  scalingSizes: [1_000, 10_000, 100_000, 1_000_000],
  depsTasks: 100_000,
  memoryTasks: 100_000,
  workerNoopTasks: 20_000,
  workerSpinTasks: 2_000,
  spinMillis: 1,
  repeats: 5,
  workerRepeats: 5,
  inspectedTasks: 100_000,
};

export const QUICK_SIZES: Omit<BenchOptions, 'log'> = {
  mainTasks: 1_000,
  scalingSizes: [1_000, 2_000, 5_000, 10_000],
  depsTasks: 1_000,
  // Fewer than ~10k tasks drown in the noise of a heap measurement (±100 KB): bytes per task could come out negative.
  memoryTasks: 20_000,
  workerNoopTasks: 200,
  workerSpinTasks: 200,
  spinMillis: 1,
  repeats: 1,
  workerRepeats: 1,
  inspectedTasks: 1_000,
};

/** The last line of the output. Worker keys: ours' tasks/s ÷ the peer's (above 1 favours ours). */
export interface BenchResult {
  pqueue_over_ours_time_100k: number;
  ours_over_fastq_time_100k: number;
  scaling_100k_over_1k: number;
  scaling_1m_over_1k: number;
  deps_over_plain_100k: number;
  pgraph_over_ours_time_dag_100k: number;
  bytes_per_queued_ours: number;
  bytes_per_queued_pqueue: number;
  bytes_per_queued_fastq: number;
  heap_retained_after_ratio: number;
  worker_noop_ours_over_poolifier: number;
  worker_1ms_ours_over_poolifier: number;
  worker_noop_ours_over_piscina: number;
  /** No-op worker tasks: ours ÷ raw threads with one task in flight each, the floor a one-in-flight pool can reach. */
  worker_noop_ours_over_one_in_flight: number;
  inspector_over_noop_observer_100k: number;
  inspection_off_over_plain_100k: number;
}

type MainPeer = 'ours' | 'p-queue' | 'fastq';
const MAIN_PEERS: readonly MainPeer[] = ['ours', 'p-queue', 'fastq'];
const MAIN_LABELS: Readonly<Record<MainPeer, string>> = {
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
async function measureMain(count: number, repeats: number): Promise<Record<MainPeer, number>> {
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

const INSPECTION_MODES: readonly (InspectionMode | 'plain')[] = ['plain', 'off', 'noop', 'inspector'];

/**
 * Workload 6: workload 1's `ours` run (plain), the same with the manager
 * built through the inspection code path but no observer (off), with a
 * no-op observer, and with the inspector and a page reading its stream;
 * modes rotate each round, best µs/task of each. The inspector and its
 * page stay up for all rounds, as they would in an application.
 */
async function measureInspection(count: number, repeats: number): Promise<Record<InspectionMode | 'plain', number>> {
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
async function measureDependencies(
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
 * Workload 2: `rounds` rounds, each running every size (the first size
 * rotating) `repeatsFor(size) / rounds` times, so that a change of load on
 * the machine hits every size alike; best µs/task per size. Each size is
 * warmed up first.
 */
/** µs per task of ours at each size: sizes interleaved, small sizes run more often, best run kept. */
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

async function bestOf(repeats: number, run: () => Promise<number>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) best = Math.min(best, await run());
  return best;
}

/** Small sizes are noisier: up to 10x the repeats, about as many tasks in all as `repeats` runs of 100k. */
function repeatsFor(size: number, repeats: number): number {
  return Math.max(repeats, Math.min(10 * repeats, Math.ceil((repeats * 100_000) / size)));
}

const fmt = (value: number, digits = 2): string => value.toFixed(digits);
const count = (value: number): string =>
  value >= 1_000_000 && value % 1_000_000 === 0
    ? `${value / 1_000_000}M`
    : value >= 1000 && value % 1000 === 0
      ? `${value / 1000}k`
      : String(value);

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
}

/**
 * Runs every workload and returns the ratios (the JSON of the last line).
 * Every pool and manager it starts is shut down before it resolves.
 */
export async function runBench(options: Partial<BenchOptions> & { quick?: boolean } = {}): Promise<BenchResult> {
  const o: BenchOptions = { ...(options.quick === true ? QUICK_SIZES : FULL_SIZES), log: () => {}, ...options };
  const log = o.log;
  const widths = [38, 12, 12, 12];
  log(
    `background-task-manager bench: node ${process.version}, ${process.platform}/${process.arch}, ` +
      `${availableParallelism()} CPUs, load average ${loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')}; ` +
      `best of ${o.repeats} (worker: best of ${o.workerRepeats})`,
  );

  // 1. Main-thread throughput.
  log('');
  log(`1. main thread: ${count(o.mainTasks)} trivial async tasks, 8 at a time`);
  log(row(['', 'µs/task', 'vs ours', ''], widths));
  const main = await measureMain(o.mainTasks, o.repeats);
  for (const peer of MAIN_PEERS) {
    const label = MAIN_LABELS[peer];
    log(row([label, fmt(main[peer]), `${fmt(main[peer] / main.ours)}x`, ''], widths));
  }

  // 2. Scaling.
  log('');
  log('2. scaling, ours: trivial tasks as in 1., sizes interleaved (under 100k: more runs, up to 10x)');
  log(row(['tasks', 'µs/task', 'vs first', ''], widths));
  const scaling = await measureScaling(o.scalingSizes, o.repeats);
  o.scalingSizes.forEach((size, index) => {
    const micros = scaling[index] as number;
    log(row([count(size), fmt(micros), `${fmt(micros / (scaling[0] as number))}x`, ''], widths));
  });

  // 3. Dependencies.
  log('');
  const deps = await measureDependencies(o.depsTasks, o.mainTasks, o.repeats, (total) => {
    log(
      `3. dependencies, ours: ${count(o.depsTasks)} tasks, 1-3 upstream among the previous 1,000, ` +
        `+ ${total - o.depsTasks} pass-through fan-ins of 100; runs alternate with 1.'s ours and with ` +
        `p-graph on the same graph (concurrency 8, same priorities)`,
    );
    log(row(['', 'µs/task', 'vs plain', ''], widths));
  });
  const depsRatio = `${fmt(deps.micros / deps.plainMicros)}x`;
  log(row([`ours, dependencies (${deps.tasks} tasks)`, fmt(deps.micros), depsRatio, ''], widths));
  log(row([`ours, 1.'s tasks, alternating`, fmt(deps.plainMicros), '1.00x', ''], widths));
  log(
    row(
      [`p-graph, the same graph`, fmt(deps.pgraphMicros), `${fmt(deps.pgraphMicros / deps.plainMicros)}x`, ''],
      widths,
    ),
  );

  // 4. Memory.
  log('');
  log(`4. memory: ${count(o.memoryTasks)} tasks queued in a paused queue (heapUsed + arrayBuffers after GC)`);
  log(row(['', 'bytes/task', 'vs ours', ''], widths));
  const memory: Record<MemoryPeer, number> = { ours: 0, 'p-queue': 0, fastq: 0 };
  for (const peer of ['ours', 'p-queue', 'fastq'] as const) {
    // Best (lowest) of a few: a measurement can only be inflated by garbage a GC did not reach.
    memory[peer] = await bestOf(Math.min(o.repeats, 3), () => bytesPerQueuedTask(peer, o.memoryTasks));
  }
  for (const peer of ['ours', 'p-queue', 'fastq'] as const) {
    log(row([peer, fmt(memory[peer], 0), `${fmt(memory[peer] / memory.ours)}x`, ''], widths));
  }
  await retainedHeap(Math.min(o.memoryTasks, 10_000)); // warm-up: the code paths compiled before the baseline
  const retained = await retainedHeap(o.memoryTasks);
  log(
    row(
      [
        'ours, heap after all ran / before',
        fmt(retained.ratio, 3),
        `${fmt(retained.baselineBytes / 2 ** 20, 1)} MB`,
        `${fmt(retained.afterBytes / 2 ** 20, 1)} MB`,
      ],
      widths,
    ),
  );

  // 5. Worker threads.
  log('');
  log(
    `5. worker threads, pool of 2: ${count(o.workerNoopTasks)} no-op tasks, ` +
      `${count(o.workerSpinTasks)} tasks of ${o.spinMillis} ms CPU`,
  );
  const workers = await measureWorkerThroughput({
    noopTasks: o.workerNoopTasks,
    spinTasks: o.workerSpinTasks,
    spinMillis: o.spinMillis,
    repeats: o.workerRepeats,
  });
  log(row(['', 'no-op/s', `${o.spinMillis} ms/s`, 'ours/peer'], widths));
  for (const peer of WORKER_PEERS) {
    const ratios = `${fmt(workers.noop.ours / workers.noop[peer])} / ${fmt(workers.spin.ours / workers.spin[peer])}`;
    log(row([peer, fmt(workers.noop[peer], 0), fmt(workers.spin[peer], 0), ratios], widths));
  }
  const references: Readonly<Record<WorkerReference, string>> = {
    boundedPoolifier: `poolifier, <= ${POOL_SIZE} in flight (reference)`,
    rawOneInFlight: 'no pool: 1 in flight a thread',
    rawPipelined: 'no pool: all sent at once',
  };
  for (const reference of WORKER_REFERENCES) {
    const ratios = `${fmt(workers.noop.ours / workers.noop[reference])} / ${fmt(workers.spin.ours / workers.spin[reference])}`;
    log(row([references[reference], fmt(workers.noop[reference], 0), fmt(workers.spin[reference], 0), ratios], widths));
  }

  // 6. Inspection.
  log('');
  log(`6. inspection: ${count(o.inspectedTasks)} tasks as in 1., rounds rotate the modes; the page reads the stream`);
  log(row(['', 'µs/task', 'vs off', 'vs no-op'], widths));
  const inspection = await measureInspection(o.inspectedTasks, Math.min(o.repeats, 3));
  const inspectionLabels: Readonly<Record<InspectionMode | 'plain', string>> = {
    plain: "ours, 1.'s run",
    off: 'inspection off (no observer)',
    noop: 'no-op observer',
    inspector: 'inspector, page connected',
  };
  for (const mode of INSPECTION_MODES) {
    const micros = inspection[mode];
    const vsNoop = mode === 'inspector' ? `${fmt(micros / inspection.noop)}x` : '';
    log(row([inspectionLabels[mode], fmt(micros), `${fmt(micros / inspection.off)}x`, vsNoop], widths));
  }

  log('');
  const loadAtEnd = loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
  log(`load average at the end: ${loadAtEnd} (other processes on the machine skew every ratio)`);

  const round = (value: number, digits = 3): number => Number(value.toFixed(digits));
  return {
    pqueue_over_ours_time_100k: round(main['p-queue'] / main.ours),
    ours_over_fastq_time_100k: round(main.ours / main.fastq),
    scaling_100k_over_1k: round((scaling[2] as number) / (scaling[0] as number)),
    scaling_1m_over_1k: round((scaling[3] as number) / (scaling[0] as number)),
    deps_over_plain_100k: round(deps.micros / deps.plainMicros),
    pgraph_over_ours_time_dag_100k: round(deps.pgraphMicros / deps.micros),
    bytes_per_queued_ours: round(memory.ours, 1),
    bytes_per_queued_pqueue: round(memory['p-queue'], 1),
    bytes_per_queued_fastq: round(memory.fastq, 1),
    heap_retained_after_ratio: round(retained.ratio, 4),
    worker_noop_ours_over_poolifier: round(workers.noop.ours / workers.noop.poolifier),
    worker_1ms_ours_over_poolifier: round(workers.spin.ours / workers.spin.poolifier),
    worker_noop_ours_over_piscina: round(workers.noop.ours / workers.noop.piscina),
    worker_noop_ours_over_one_in_flight: round(workers.noop.ours / workers.noop.rawOneInFlight),
    inspector_over_noop_observer_100k: round(inspection.inspector / inspection.noop),
    inspection_off_over_plain_100k: round(inspection.off / inspection.plain),
  };
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new RangeError(`--${name} expects a positive integer, got ${value}`);
  }
  return parsed;
}

/** Options from the command line: `--quick`, then any size overridden. */
export function optionsFromArgs(args: readonly string[]): Omit<BenchOptions, 'log'> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: 'boolean', default: false },
      main: { type: 'string' },
      scaling: { type: 'string' },
      deps: { type: 'string' },
      memory: { type: 'string' },
      'worker-noop': { type: 'string' },
      'worker-cpu': { type: 'string' },
      'spin-ms': { type: 'string' },
      repeats: { type: 'string' },
      'worker-repeats': { type: 'string' },
      inspected: { type: 'string' },
    },
    strict: true,
  });
  const base = values.quick ? QUICK_SIZES : FULL_SIZES;
  let scalingSizes = base.scalingSizes;
  if (values.scaling !== undefined) {
    const sizes = values.scaling.split(',').map((size) => positiveInteger('scaling', size, 0));
    if (sizes.length !== 4) throw new RangeError(`--scaling expects four sizes, got ${values.scaling}`);
    scalingSizes = sizes as unknown as BenchOptions['scalingSizes'];
  }
  return {
    mainTasks: positiveInteger('main', values.main, base.mainTasks),
    scalingSizes,
    depsTasks: positiveInteger('deps', values.deps, base.depsTasks),
    memoryTasks: positiveInteger('memory', values.memory, base.memoryTasks),
    workerNoopTasks: positiveInteger('worker-noop', values['worker-noop'], base.workerNoopTasks),
    workerSpinTasks: positiveInteger('worker-cpu', values['worker-cpu'], base.workerSpinTasks),
    spinMillis: positiveInteger('spin-ms', values['spin-ms'], base.spinMillis),
    repeats: positiveInteger('repeats', values.repeats, base.repeats),
    workerRepeats: positiveInteger('worker-repeats', values['worker-repeats'], base.workerRepeats),
    inspectedTasks: positiveInteger('inspected', values.inspected, base.inspectedTasks),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runBench({
    ...optionsFromArgs(process.argv.slice(2)),
    log: (line) => {
      console.log(line);
    },
  });
  console.log('');
  // 7. Remote workers, when this machine has a redis-server to start (bench/bullmq.ts).
  let remote: BullMQResult | undefined;
  if (process.argv.includes('--quick')) {
    console.log('7. remote workers: left out of --quick');
  } else if (commandExists('redis-server')) {
    console.log('7. remote workers through BullMQ: 1 ms CPU tasks');
    remote = await measureBullMQ({ tasks: 2000, repeats: 3 }, (line) => {
      console.log(line);
    });
  } else {
    console.log('7. remote workers: skipped, no redis-server on the PATH (apt-get install redis-server)');
  }
  console.log('');
  console.log(JSON.stringify({ ...result, ...remote }));
}

/** Whether `name` runs (found on the PATH). */
function commandExists(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}
