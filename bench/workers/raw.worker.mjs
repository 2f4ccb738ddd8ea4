// The floor under every pool: a worker thread, a MessageChannel and nothing else. The thread posts
// its end of the channel to its parent, then runs each message as one task ({ job: 'noop' | 'spin',
// ms }) and answers with an empty message once it has run.
import { MessageChannel, parentPort } from 'node:worker_threads';
import { noop, spin } from './work.mjs';

const { port1, port2 } = new MessageChannel();
port1.on('message', (task) => {
  if (task.job === 'spin') spin(task.ms);
  else noop();
  port1.postMessage(undefined);
});
parentPort.postMessage(port2, [port2]);
