/**
 * What dependencies cost, and how much of it is the order tasks unblock in:
 * the same links per task, once to fixed earlier tasks (tasks unblock in uid
 * order) and once to random ones among the previous 1,000 (tasks start far
 * from uid order); one link per task, then 1–3 as in workload 3 (without its
 * fan-ins). Prints the run phase (start to last completion) in µs per task,
 * best of 5:
 *   node --expose-gc --import tsx bench/link-order.ts [tasks]
 */
import { BackgroundTaskManager } from '../src/index.js';
import { GROUPS, PRIORITIES, seededRandom, trivialTask } from './workloads.js';

const tasks = Number(process.argv[2] ?? 100_000);
if (!Number.isInteger(tasks) || tasks < 1000)
  throw new RangeError(`Expected at least 1000 tasks, got ${process.argv[2]}`);

async function runPhase(upstream: ReadonlyArray<readonly number[] | undefined>): Promise<number> {
  const manager = new BackgroundTaskManager({ maxThreads: 8, finishedTaskHistory: 0 });
  let left = upstream.length;
  const finished = new Promise<void>((resolve) =>
    manager.on('taskCompleted', () => {
      if (--left === 0) resolve();
    }),
  );
  for (const [i, upstreamTaskIds] of upstream.entries()) {
    manager.addTask(trivialTask, { priority: i % PRIORITIES, group: i % GROUPS, upstreamTaskIds });
  }
  const start = performance.now();
  manager.startProcessing();
  await finished;
  const perTask = ((performance.now() - start) * 1000) / upstream.length;
  await manager.shutDown();
  return perTask;
}

const random = seededRandom(1);
const plans = {
  'no link': Array.from({ length: tasks }, () => undefined),
  'one link, to the task 1,000 before': Array.from({ length: tasks }, (_, i) => (i >= 1000 ? [i - 1000] : undefined)),
  'one link, random among the previous 1,000': Array.from({ length: tasks }, (_, i) =>
    i > 0 ? [i - 1 - Math.floor(random() * Math.min(1000, i))] : undefined,
  ),
  '1-3 links, to the tasks 1,000 before': Array.from({ length: tasks }, (_, i) =>
    i >= 1000 ? [i - 1000, i - 999, i - 998].slice(0, 1 + Math.floor(random() * 3)) : undefined,
  ),
  '1-3 links, random among the previous 1,000': Array.from({ length: tasks }, (_, i) =>
    i > 0
      ? Array.from({ length: 1 + Math.floor(random() * 3) }, () => i - 1 - Math.floor(random() * Math.min(1000, i)))
      : undefined,
  ),
};
for (const [name, plan] of Object.entries(plans)) {
  await runPhase(plan);
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) best = Math.min(best, await runPhase(plan));
  console.log(`${name.padEnd(44)} ${best.toFixed(2)} µs/task (run phase)`);
}
