// The floor under every pool: worker_threads messages and nothing else. Each message is one task
// ({ job: 'noop' | 'spin', ms }); the answer is an empty message once it has run.
import { parentPort } from 'node:worker_threads';
import { noop, spin } from './work.mjs';

parentPort.on('message', (task) => {
  if (task.job === 'spin') spin(task.ms);
  else noop();
  parentPort.postMessage(undefined);
});
