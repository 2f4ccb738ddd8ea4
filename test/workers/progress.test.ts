/** `this.reportProgress(value)` in a worker task: throttled, latest value wins, last before the outcome. */
import { describe, expect, it } from 'vitest';
import { workerTask } from '../../src/index.js';
import { managersWith, resultOf } from '../helpers.js';

const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);
const create = managersWith({ startProcessing: true, maxThreads: 2, workerScript });

/** Every taskProgress and taskCompleted event, as [event, uid, value]. */
function events(manager: ReturnType<typeof create>): Array<[string, number, unknown]> {
  const log: Array<[string, number, unknown]> = [];
  manager.on('taskProgress', (uid, _group, value) => log.push(['progress', uid, value]));
  manager.on('taskCompleted', (uid, _group, result) => log.push(['completed', uid, result]));
  return log;
}

describe('taskProgress from a worker task', () => {
  it('gives the worker task its uid and group as `this`, as a main-thread task has', async () => {
    const manager = create();
    const uid = manager.addTask(workerTask('context'), { group: 7 });
    expect(await resultOf(manager, uid)).toEqual({ uid, group: 7, aborted: false });
  });

  it('turns many reports in a row into far fewer events: the first, then the latest, before taskCompleted', async () => {
    const manager = create();
    const log = events(manager);
    const count = 10_000;
    const uid = manager.addTask(workerTask('reportsMany'), { taskArgs: [count] });
    await resultOf(manager, uid);
    // The first report goes at once; the others fall within its 50 ms interval, and the latest of
    // them is sent just before the reply.
    expect(log).toEqual([
      ['progress', uid, 1],
      ['progress', uid, count],
      ['completed', uid, 'reported'],
    ]);
  });

  it('sends the latest held report when the interval ends, while the task still runs', async () => {
    const manager = create();
    const log = events(manager);
    const shared = new Int32Array(new SharedArrayBuffer(4));
    manager.on('taskProgress', (_uid, _group, value) => {
      if (value !== 'held') return;
      Atomics.store(shared, 0, 1);
      Atomics.notify(shared, 0);
    });
    const uid = manager.addTask(workerTask('reportsAcrossAnInterval'), { taskArgs: [shared] });
    await resultOf(manager, uid);
    expect(log).toEqual([
      ['progress', uid, 'first'],
      ['progress', uid, 'held'],
      ['progress', uid, 'last'],
      ['completed', uid, 'ended'],
    ]);
  });

  it('sends nothing when an interval ends with no report held', async () => {
    const manager = create();
    const log = events(manager);
    const uid = manager.addTask(workerTask('reportsOnceThenWaits'), { taskArgs: [3 * 50] });
    await resultOf(manager, uid);
    expect(log).toEqual([
      ['progress', uid, 'once'],
      ['completed', uid, 'waited'],
    ]);
  });

  it('drops what a worker task reports after it has ended: the next task on its thread never gets it', async () => {
    const manager = create({ maxThreads: 1 });
    const log = events(manager);
    const shared = new Int32Array(new SharedArrayBuffer(4));
    const ended = manager.addTask(workerTask('reportsAfterItsEnd'), { taskArgs: [shared] });
    // Runs on the same thread, and ends only once the late report has been made (so before its reply).
    const next = manager.addTask(workerTask('waitsFor'), { taskArgs: [shared] });
    await resultOf(manager, next);
    expect(log).toEqual([
      ['completed', ended, 'ended'],
      ['completed', next, 'waited'],
    ]);
  });

  it('drops what a stopped worker task reports after its stop', async () => {
    const manager = create({ maxThreads: 1 });
    const log = events(manager);
    const uid = manager.addTask(workerTask('reportsWhenAborted'));
    const next = manager.addTask(workerTask('add'), { taskArgs: [1, 1] });
    const running = new Promise<void>((resolve) => {
      manager.on('taskProgress', () => {
        resolve();
      });
    });
    await running;
    manager.stopTask(uid);
    // The one thread runs `next` only after the stopped task's reply, which follows its last report.
    await resultOf(manager, next);
    expect(log).toEqual([
      ['progress', uid, 'running'],
      ['completed', next, 2],
    ]);
  });

  it('throws a WorkerDataCloneError at the call for a value that cannot be cloned, whether sent at once or held', async () => {
    const manager = create();
    const log = events(manager);
    const uid = manager.addTask(workerTask('reportsUncloneable'));
    const refused = (what: string): string =>
      `ERR_WORKER_DATA_CLONE: The progress value of worker task 'reportsUncloneable' cannot be sent to the main thread: ${what}`;
    const results = (await resultOf(manager, uid)) as string[];
    expect(results).toEqual([
      expect.stringMatching(/could not be cloned/) as string,
      'sent',
      expect.stringMatching(/could not be cloned/) as string,
      expect.stringMatching(/could not be cloned/) as string,
      expect.stringMatching(/could not be cloned/) as string,
    ]);
    for (const result of [results[0], results[2], results[3], results[4]]) {
      expect(result?.startsWith(refused(''))).toBe(true);
    }
    expect(log).toEqual([
      ['progress', uid, { fine: true }],
      ['completed', uid, results],
    ]);
  });
});
