// BullMQ used directly, the reference of bench/bullmq.ts: one Worker whose processor runs the shared work.
import { Worker } from 'bullmq';
import { spin } from './work.mjs';

const [port, queue] = process.argv.slice(2);
const worker = new Worker(
  queue ?? 'direct',
  async (job: { data: { ms: number } }) => {
    spin(job.data.ms);
    return null;
  },
  { connection: { host: '127.0.0.1', port: Number(port) }, concurrency: 1 },
);
await worker.waitUntilReady();
console.log('ready');
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
