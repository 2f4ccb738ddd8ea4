/**
 * Runs one of ours' workloads repeatedly, for a CPU profile of the main thread:
 *   node --cpu-prof --cpu-prof-dir=/tmp/btm-prof --import tsx bench/profile.ts plain [tasks] [runs]
 *   node --cpu-prof --cpu-prof-dir=/tmp/btm-prof --import tsx bench/profile.ts deps [tasks] [runs]
 *   node --cpu-prof --cpu-prof-dir=/tmp/btm-prof --import tsx bench/profile.ts worker-noop [tasks] [runs] [pool]
 * (pool: ours, poolifier or piscina; ours by default), then:
 *   node --import tsx bench/profile-summary.ts /tmp/btm-prof/<file>.0.001.cpuprofile
 */
import { startPool, type WorkerPeer } from './worker-throughput.js';
import { planDependencies, runDependencies, runPlain } from './workloads.js';

const [workload = 'plain', tasksArg = '100000', runsArg = '10', peer = 'ours'] = process.argv.slice(2);
const tasks = Number(tasksArg);
const runs = Number(runsArg);
if (!Number.isInteger(tasks) || tasks < 1 || !Number.isInteger(runs) || runs < 1) {
  const got = process.argv.slice(2).join(' ');
  throw new RangeError(`Usage: profile.ts plain|deps|worker-noop [tasks] [runs] [pool], got ${got}`);
}

let run: () => Promise<void>;
let perRun = tasks;
let done = (): Promise<void> => Promise.resolve();
if (workload === 'plain') {
  run = () => runPlain(tasks);
} else if (workload === 'deps') {
  const plan = planDependencies(tasks);
  perRun = plan.tasks.length;
  run = () => runDependencies(plan);
} else if (workload === 'worker-noop') {
  if (peer !== 'ours' && peer !== 'poolifier' && peer !== 'piscina') throw new RangeError(`Unknown pool ${peer}`);
  const pool = startPool(peer satisfies WorkerPeer);
  await pool.run('noop', 200, 1);
  run = () => pool.run('noop', tasks, 1);
  done = () => pool.destroy();
} else {
  throw new RangeError(`Unknown workload ${workload}: plain, deps or worker-noop`);
}
const start = process.hrtime.bigint();
for (let i = 0; i < runs; i++) await run();
const perTask = Number(process.hrtime.bigint() - start) / 1000 / runs / perRun;
const label = workload === 'worker-noop' ? `${workload} (${peer})` : workload;
console.log(`${label}: ${runs} runs of ${perRun} tasks, ${perTask.toFixed(2)} µs/task`);
await done();
