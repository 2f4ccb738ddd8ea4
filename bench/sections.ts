/**
 * The sections of `npm run bench`, each a function that measures one
 * workload, writes its rows of the table and returns its raw figures (plain
 * JSON, so that a section can run in a process of its own: see index.ts).
 */
import type { BenchOptions } from './index.js';
import { bytesPerQueuedTask, retainedHeap, type MemoryPeer, type RetainedHeap } from './memory.js';
import {
  bestOf,
  INSPECTION_MODES,
  MAIN_LABELS,
  MAIN_PEERS,
  measureDependencies,
  measureInspection,
  measureMain,
  measureScaling,
  type MainPeer,
} from './measure.js';
import type { InspectionMode } from './inspection.js';
import {
  measureWorkerThroughput,
  POOL_SIZE,
  WORKER_PEERS,
  WORKER_REFERENCES,
  type WorkerReference,
  type WorkerThroughput,
} from './worker-throughput.js';

/** The raw figures of each section. */
export interface SectionResults {
  main: Record<MainPeer, number>;
  scaling: number[];
  dependencies: { micros: number; tasks: number; plainMicros: number; pgraphMicros: number };
  memory: { bytesPerTask: Record<MemoryPeer, number>; retained: RetainedHeap };
  workers: WorkerThroughput;
  inspection: Record<InspectionMode | 'plain', number>;
}

export type SectionName = keyof SectionResults;

/** In the order they run and print. */
export const SECTION_NAMES: readonly SectionName[] = [
  'main',
  'scaling',
  'dependencies',
  'memory',
  'workers',
  'inspection',
];

type Section<Name extends SectionName> = (o: BenchOptions) => Promise<SectionResults[Name]>;

const WIDTHS = [38, 12, 12, 12];

const fmt = (value: number, digits = 2): string => value.toFixed(digits);
const count = (value: number): string =>
  value >= 1_000_000 && value % 1_000_000 === 0
    ? `${value / 1_000_000}M`
    : value >= 1000 && value % 1000 === 0
      ? `${value / 1000}k`
      : String(value);

function row(cells: readonly string[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(WIDTHS[i] ?? 0) : cell.padStart(WIDTHS[i] ?? 0))).join('  ');
}

const main: Section<'main'> = async (o) => {
  o.log(`1. main thread: ${count(o.mainTasks)} trivial async tasks, 8 at a time`);
  o.log(row(['', 'µs/task', 'vs ours', '']));
  const micros = await measureMain(o.mainTasks, o.repeats);
  for (const peer of MAIN_PEERS) {
    o.log(row([MAIN_LABELS[peer], fmt(micros[peer]), `${fmt(micros[peer] / micros.ours)}x`, '']));
  }
  return micros;
};

const scaling: Section<'scaling'> = async (o) => {
  o.log('2. scaling, ours: trivial tasks as in 1., sizes interleaved (under 100k: more runs, up to 10x)');
  o.log(row(['tasks', 'µs/task', 'vs first', '']));
  const micros = await measureScaling(o.scalingSizes, o.repeats);
  o.scalingSizes.forEach((size, index) => {
    const value = micros[index] as number;
    o.log(row([count(size), fmt(value), `${fmt(value / (micros[0] as number))}x`, '']));
  });
  return micros;
};

const dependencies: Section<'dependencies'> = async (o) => {
  const deps = await measureDependencies(o.depsTasks, o.mainTasks, o.repeats, (total) => {
    o.log(
      `3. dependencies, ours: ${count(o.depsTasks)} tasks, 1-3 upstream among the previous 1,000, ` +
        `+ ${total - o.depsTasks} pass-through fan-ins of 100; runs alternate with 1.'s ours and with ` +
        `p-graph on the same graph (concurrency 8, same priorities)`,
    );
    o.log(row(['', 'µs/task', 'vs plain', '']));
  });
  const depsRatio = `${fmt(deps.micros / deps.plainMicros)}x`;
  o.log(row([`ours, dependencies (${deps.tasks} tasks)`, fmt(deps.micros), depsRatio, '']));
  o.log(row([`ours, 1.'s tasks, alternating`, fmt(deps.plainMicros), '1.00x', '']));
  const pgraphRatio = `${fmt(deps.pgraphMicros / deps.plainMicros)}x`;
  o.log(row([`p-graph, the same graph`, fmt(deps.pgraphMicros), pgraphRatio, '']));
  return deps;
};

const memory: Section<'memory'> = async (o) => {
  o.log(`4. memory: ${count(o.memoryTasks)} tasks queued in a paused queue (heapUsed + arrayBuffers after GC)`);
  o.log(row(['', 'bytes/task', 'vs ours', '']));
  const bytesPerTask: Record<MemoryPeer, number> = { ours: 0, 'p-queue': 0, fastq: 0 };
  for (const peer of ['ours', 'p-queue', 'fastq'] as const) {
    // Best (lowest) of a few: a measurement can only be inflated by garbage a GC did not reach.
    bytesPerTask[peer] = await bestOf(Math.min(o.repeats, 3), () => bytesPerQueuedTask(peer, o.memoryTasks));
  }
  for (const peer of ['ours', 'p-queue', 'fastq'] as const) {
    o.log(row([peer, fmt(bytesPerTask[peer], 0), `${fmt(bytesPerTask[peer] / bytesPerTask.ours)}x`, '']));
  }
  await retainedHeap(Math.min(o.memoryTasks, 10_000)); // warm-up: the code paths compiled before the baseline
  const retained = await retainedHeap(o.memoryTasks);
  const mb = (bytes: number): string => `${fmt(bytes / 2 ** 20, 1)} MB`;
  o.log(
    row([
      'ours, heap after all ran / before',
      fmt(retained.ratio, 3),
      mb(retained.baselineBytes),
      mb(retained.afterBytes),
    ]),
  );
  return { bytesPerTask, retained };
};

const REFERENCE_LABELS: Readonly<Record<WorkerReference, string>> = {
  boundedPoolifier: `poolifier, <= ${POOL_SIZE} in flight (reference)`,
  rawOneInFlight: 'no pool: 1 in flight a thread',
  rawPipelined: 'no pool: all sent at once',
};

const workers: Section<'workers'> = async (o) => {
  o.log(
    `5. worker threads, pool of 2: ${count(o.workerNoopTasks)} no-op tasks, ` +
      `${count(o.workerSpinTasks)} tasks of ${o.spinMillis} ms CPU`,
  );
  const rates = await measureWorkerThroughput({
    noopTasks: o.workerNoopTasks,
    spinTasks: o.workerSpinTasks,
    spinMillis: o.spinMillis,
    repeats: o.workerRepeats,
  });
  o.log(row(['', 'no-op/s', `${o.spinMillis} ms/s`, 'ours/peer']));
  for (const peer of [...WORKER_PEERS, ...WORKER_REFERENCES]) {
    const ratios = `${fmt(rates.noop.ours / rates.noop[peer])} / ${fmt(rates.spin.ours / rates.spin[peer])}`;
    const label = peer in REFERENCE_LABELS ? REFERENCE_LABELS[peer as WorkerReference] : peer;
    o.log(row([label, fmt(rates.noop[peer], 0), fmt(rates.spin[peer], 0), ratios]));
  }
  return rates;
};

const INSPECTION_LABELS: Readonly<Record<InspectionMode | 'plain', string>> = {
  plain: "ours, 1.'s run",
  off: 'inspection off (no observer)',
  noop: 'no-op observer',
  inspector: 'inspector, page connected',
};

const inspection: Section<'inspection'> = async (o) => {
  o.log(`6. inspection: ${count(o.inspectedTasks)} tasks as in 1., rounds rotate the modes; the page reads the stream`);
  o.log(row(['', 'µs/task', 'vs off', 'vs no-op']));
  const micros = await measureInspection(o.inspectedTasks, Math.min(o.repeats, 3));
  for (const mode of INSPECTION_MODES) {
    const vsNoop = mode === 'inspector' ? `${fmt(micros[mode] / micros.noop)}x` : '';
    o.log(row([INSPECTION_LABELS[mode], fmt(micros[mode]), `${fmt(micros[mode] / micros.off)}x`, vsNoop]));
  }
  return micros;
};

/** Every section by name. */
export const SECTIONS: { readonly [Name in SectionName]: Section<Name> } = {
  main,
  scaling,
  dependencies,
  memory,
  workers,
  inspection,
};
