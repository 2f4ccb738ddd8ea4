import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import { LOG_SIZE } from '../../src/inspector/manager-model.js';
import type { StateMessage } from '../../src/inspector/protocol.js';
import { deferred } from '../helpers.js';
import { rawStreamClient, startTestInspector } from './server-helpers.js';

// Mutation runs use fewer (vitest.mutation.config.ts): still far past every cap, and enough to stall the slow client.
const TASKS = Number(process.env.INSPECTOR_SCALE_TASKS ?? 100_000);
const BOUND = 256 * 1024;

/** A page that asks for the stream and then never reads a byte: the kernel's buffers fill, then the server's. */
function neverReadingClient(port: number, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.pause();
      socket.write(`GET /api/stream?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      resolve(socket);
    });
    socket.once('error', reject);
    socket.on('error', () => {}); // the server drops it: a reset is what it should see
  });
}

describe('inspector at scale', () => {
  // A shared machine under load can take a minute for this under coverage: the time is not what it checks.
  it(`runs ${TASKS.toLocaleString('en')} tasks with a page reading and one that never reads: bounded memory, the slow one dropped`, async () => {
    const inspector = await startTestInspector({}, { streamIntervalMs: 25, maxBufferedBytes: BOUND });
    const port = inspector.server.port;
    const stalled = await neverReadingClient(port, inspector.token);
    // A page that reads every frame; it parses only the last one (the test, not the page, is what must stay light).
    let frames = 0;
    let lastFrame = '';
    const allDone = deferred();
    const reader = await rawStreamClient(port, inspector.token, (frame) => {
      frames++;
      lastFrame = frame;
      if (frame.includes(`"done":${TASKS},`)) allDone.resolve(undefined);
    });
    const manager = new BackgroundTaskManager({ inspect: inspector.inspect, maxThreads: 8, startProcessing: true });
    // Each task ends in a later turn of the event loop, as I/O would: the stream's timer gets its turns meanwhile.
    // An application adds work as it comes: a feeder keeps about 1,000 tasks pending until all are added.
    const task = (i: number) => new Promise((resolve) => setImmediate(resolve, i));
    let added = 0;
    const addOne = (): void => {
      if (added < TASKS) manager.addTask(task, { group: added % 10, priority: added % 5, taskArgs: [added++] });
    };
    manager.on('taskCompleted', addOne);
    for (let i = 0; i < 1000; i++) addOne();
    await allDone.promise;
    await manager.onIdle();

    const stream = inspector.server.stream;
    expect(stream.dropped).toBe(1);
    expect(stream.size).toBe(1);
    // A write is refused once a client has more than BOUND bytes waiting: at most one frame more ever waits.
    const last = JSON.parse(lastFrame) as StateMessage;
    const frameBytes = Buffer.byteLength(lastFrame) + 64;
    expect(stream.maxBuffered).toBeLessThanOrEqual(BOUND + frameBytes);
    // And the dropped client had more than BOUND waiting after its last write: what got it dropped.
    expect(stream.maxBuffered).toBeGreaterThan(BOUND);

    const [model] = inspector.hub.managers;
    expect(model?.pending.size).toBe(0);
    expect(model?.finished.size).toBe(1000);
    expect(model?.finishedByUid.size).toBe(1000);
    expect(model?.log.size).toBe(LOG_SIZE);
    expect(model?.groups.size).toBe(10);
    expect(model?.slots.size).toBeLessThanOrEqual(8);
    for (const slot of model?.slots.values() ?? []) expect(slot.runs.size).toBeLessThanOrEqual(50);
    expect(inspector.hub.faults).toBe(0);

    const view = last.managers[0];
    expect(view?.counts).toEqual({
      blocked: 0,
      queued: 0,
      running: 0,
      retrying: 0,
      done: TASKS,
      failed: 0,
      stopped: 0,
    });
    expect(view?.graph).toMatchObject({ truncated: true, cap: 300 });
    expect(view?.graph.nodes).toHaveLength(300);
    expect(view?.events).toHaveLength(LOG_SIZE);
    expect(Object.values(view?.groups ?? {}).map((counts) => counts.done)).toEqual(Array(10).fill(TASKS / 10));
    expect(manager.stats().counts.done).toBe(TASKS);
    // Far fewer frames than changes: the stream sends at most one per interval, and only when something changed.
    expect(frames).toBeLessThan(inspector.hub.revision / 10);
    reader.destroy();
    stalled.destroy();
    await manager.shutDown();
    await inspector.close();
  }, 180_000);
});
