// The entry of every worker thread a manager starts (src/workers/worker-pool.ts). It loads the
// worker module, then says when the module has run to its end without defineWorkerTasks(...):
// otherwise a module that defines no task but keeps its thread alive (a timer, a socket) could
// not be told from one still loading, and its tasks would wait for good. A module that throws
// while it loads throws here, and its thread dies with that error, as it would as the entry.
// Plain JavaScript, not TypeScript: a worker thread on Node 20 runs without the parent's loaders.
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

// The keys of src/workers/messages.ts: WORKER_DATA_KEY, WORKER_PORT_KEY.
const ours = workerData.backgroundTaskManager;
// The module sees the process.argv it would see as the entry: argv[1] names it, not this file.
process.argv[1] = fileURLToPath(ours.script);
await import(ours.script);
if (ours.defined !== true) parentPort.postMessage({ backgroundTaskManagerPort: null });
