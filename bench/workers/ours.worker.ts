// The worker module of the background-task-manager benchmark: the shared work as worker tasks.
import { defineWorkerTasks } from '../../src/worker.js';
import { noop, spin } from './work.mjs';

export default defineWorkerTasks({
  noop: () => {
    noop();
  },
  spin: (ms: number) => {
    spin(ms);
  },
});
