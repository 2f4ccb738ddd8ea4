/**
 * The benchmark harness: every workload, ours side by side with its peers,
 * each workload in a fresh process of its own (see bench/README.md for the
 * method and for why).
 *   npm run bench                     (full sizes, about three minutes on 2 CPUs)
 *   npm run bench -- --quick          (small sizes, a few seconds)
 *   npm run bench -- --in-process     (every workload in this one process, one after another)
 *   node --expose-gc --import tsx bench/index.ts --main=20000 --repeats=3
 * Prints a table, then as its last line one JSON object of ratios.
 */
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { measureBullMQ, type BullMQResult } from './bullmq.js';
import { SECTION_NAMES, SECTIONS, type SectionName, type SectionResults } from './sections.js';

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

/** How {@link runBench} runs: `inProcess` runs every section in this process, one after another. */
export interface BenchRun extends Partial<BenchOptions> {
  readonly quick?: boolean;
  readonly inProcess?: boolean;
}

/**
 * Runs every workload and returns the ratios (the JSON of the last line).
 * Each section runs in a fresh process of its own unless `inProcess`.
 * Every pool and manager it starts is shut down before it resolves.
 */
export async function runBench(options: BenchRun = {}): Promise<BenchResult> {
  const { quick, inProcess, ...given } = options;
  const o: BenchOptions = { ...(quick === true ? QUICK_SIZES : FULL_SIZES), log: () => {}, ...given };
  const load = (): string =>
    loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');
  o.log(
    `background-task-manager bench: node ${process.version}, ${process.platform}/${process.arch}, ` +
      `${availableParallelism()} CPUs, load average ${load()}; best of ${o.repeats} (worker: best of ${o.workerRepeats}); ` +
      (inProcess === true ? 'every section in this process' : 'each section in a fresh process'),
  );
  const results: Partial<SectionResults> = {};
  for (const name of SECTION_NAMES) {
    o.log('');
    const result = inProcess === true ? await SECTIONS[name](o) : await runSectionInChild(name, o);
    Object.assign(results, { [name]: result });
  }
  o.log('');
  o.log(`load average at the end: ${load()} (other processes on the machine skew every ratio)`);
  return ratios(results as SectionResults);
}

function ratios({ main, scaling, dependencies: deps, memory, workers, inspection }: SectionResults): BenchResult {
  const round = (value: number, digits = 3): number => Number(value.toFixed(digits));
  return {
    pqueue_over_ours_time_100k: round(main['p-queue'] / main.ours),
    ours_over_fastq_time_100k: round(main.ours / main.fastq),
    scaling_100k_over_1k: round((scaling[2] as number) / (scaling[0] as number)),
    scaling_1m_over_1k: round((scaling[3] as number) / (scaling[0] as number)),
    deps_over_plain_100k: round(deps.micros / deps.plainMicros),
    pgraph_over_ours_time_dag_100k: round(deps.pgraphMicros / deps.micros),
    bytes_per_queued_ours: round(memory.bytesPerTask.ours, 1),
    bytes_per_queued_pqueue: round(memory.bytesPerTask['p-queue'], 1),
    bytes_per_queued_fastq: round(memory.bytesPerTask.fastq, 1),
    heap_retained_after_ratio: round(memory.retained.ratio, 4),
    worker_noop_ours_over_poolifier: round(workers.noop.ours / workers.noop.poolifier),
    worker_1ms_ours_over_poolifier: round(workers.spin.ours / workers.spin.poolifier),
    worker_noop_ours_over_piscina: round(workers.noop.ours / workers.noop.piscina),
    worker_noop_ours_over_one_in_flight: round(workers.noop.ours / workers.noop.rawOneInFlight),
    inspector_over_noop_observer_100k: round(inspection.inspector / inspection.noop),
    inspection_off_over_plain_100k: round(inspection.off / inspection.plain),
  };
}

/** Marks the line on which a section run by {@link runSectionInChild} reports its figures. */
const RESULT_MARK = '@@bench-section-result ';
const HERE = fileURLToPath(import.meta.url);

/**
 * Runs one section in a fresh Node process (this file with `--section`),
 * passing its rows to `o.log` as they come; resolves with its figures,
 * rejects if the process fails or ends without them, with what it wrote
 * to stderr (passed on to this process's stderr when it succeeds).
 */
export function runSectionInChild<Name extends SectionName>(
  name: Name,
  o: BenchOptions,
): Promise<SectionResults[Name]> {
  const { log, ...sizes } = o;
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', HERE, `--section=${name}`, `--sizes=${JSON.stringify(sizes)}`],
    { cwd: dirname(dirname(HERE)), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let result: SectionResults[Name] | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith(RESULT_MARK)) result = JSON.parse(line.slice(RESULT_MARK.length)) as SectionResults[Name];
    else log(line);
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0 && result !== undefined) {
        process.stderr.write(stderr);
        resolve(result);
        return;
      }
      const said = stderr.trim() === '' ? '' : `:\n${stderr.trim()}`;
      reject(new Error(`bench section ${name} failed (exit code ${code}, signal ${signal}) before reporting${said}`));
    });
  });
}

/** In the process {@link runSectionInChild} starts: runs the one section and reports. */
async function runSectionHere(name: string, sizesJson: string): Promise<void> {
  if (!(SECTION_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`--section expects one of ${SECTION_NAMES.join(', ')}, got ${name}`);
  }
  const sizes = JSON.parse(sizesJson) as Omit<BenchOptions, 'log'>;
  const result = await SECTIONS[name as SectionName]({
    ...sizes,
    log: (line) => {
      console.log(line);
    },
  });
  console.log(RESULT_MARK + JSON.stringify(result));
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new RangeError(`--${name} expects a positive integer, got ${value}`);
  }
  return parsed;
}

/** Options from the command line: `--quick`, then any size overridden; `--in-process`. */
export function optionsFromArgs(args: readonly string[]): Omit<BenchOptions, 'log'> & { inProcess: boolean } {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: 'boolean', default: false },
      'in-process': { type: 'boolean', default: false },
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
    inProcess: values['in-process'],
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

const isEntry = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
const section = isEntry ? sectionArgs(process.argv.slice(2)) : undefined;
if (section !== undefined) {
  await runSectionHere(section.name, section.sizes);
} else if (isEntry) {
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

/** `--section=NAME --sizes=JSON`, the arguments {@link runSectionInChild} gives; `undefined` without them. */
function sectionArgs(args: readonly string[]): { name: string; sizes: string } | undefined {
  const { values } = parseArgs({
    args: [...args],
    options: { section: { type: 'string' }, sizes: { type: 'string' } },
    strict: false,
  });
  if (typeof values.section !== 'string') return undefined;
  if (typeof values.sizes !== 'string') throw new RangeError('--section needs --sizes');
  return { name: values.section, sizes: values.sizes };
}

/** Whether `name` runs (found on the PATH). */
function commandExists(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}
