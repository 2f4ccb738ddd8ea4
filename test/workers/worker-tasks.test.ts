import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId as mainThreadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { TaskFailedError, WorkerDataCloneError, WorkerExitedError, workerTask } from '../../src/index.js';
import { failureOf, managersWith, record, resultOf, settle, waitWhileEqual } from '../helpers.js';

const workerScript = new URL('../fixtures/tasks.worker.mjs', import.meta.url);
const create = managersWith({ startProcessing: true, maxThreads: 2, workerScript });

describe('worker tasks on a real pool', () => {
  it('run on another thread, with args, kwargs and upstream results cloned across', async () => {
    const manager = create();
    expect(manager.threadsStarted).toBe(false);
    const tid = manager.addTask(workerTask('threadId'));
    const up = manager.addTask(() => ({ fromMain: true }));
    const kw = manager.addTask(workerTask('kwargs'), { upstreamTaskIds: [up], taskKwargs: { own: 1 } });
    const sum = manager.addTask(workerTask('add'), { taskArgs: [2, 3] });
    const [threadId, kwargs, total] = await Promise.all([
      resultOf(manager, tid),
      resultOf(manager, kw),
      resultOf(manager, sum),
    ]);
    expect(manager.threadsStarted).toBe(true);
    expect(typeof threadId).toBe('number');
    expect(threadId).not.toBe(mainThreadId);
    expect(kwargs).toEqual({ own: 1, fromMain: true });
    expect(total).toBe(5);
  });

  it('never run more than maxThreads at once, in priority order', async () => {
    const manager = create({ maxThreads: 2 });
    const shared = new Int32Array(new SharedArrayBuffer(4 * 10));
    const firstCell = 2;
    const uids = Array.from({ length: 6 }, (_, i) =>
      manager.addTask(workerTask('gate'), { taskArgs: [shared, firstCell + i], priority: -i }),
    );
    const threadIds: unknown[] = [];
    manager.on('taskCompleted', (_uid, _group, result) => threadIds.push(result));
    for (let round = 0; round < 3; round++) {
      // Wait (on the workers' notify, no timer) until two tasks are inside their gates.
      while (Atomics.load(shared, 0) < 2) await waitWhileEqual(shared, 0, Atomics.load(shared, 0));
      const states = uids.map((uid) => manager.getTaskState(uid));
      expect(states.filter((state) => state === 'running')).toHaveLength(2);
      expect(states.slice(2 * round, 2 * round + 2)).toEqual(['running', 'running']);
      const finished = Promise.all(
        [uids[2 * round], uids[2 * round + 1]].map((uid) => resultOf(manager, uid as number)),
      );
      for (const i of [2 * round, 2 * round + 1]) {
        Atomics.store(shared, firstCell + i, 1);
        Atomics.notify(shared, firstCell + i);
      }
      await finished;
    }
    expect(Atomics.load(shared, 1)).toBe(2);
    expect(new Set(threadIds).size).toBe(2);
  });

  it('fail just the crashed task when a worker calls process.exit, and the pool goes on', async () => {
    const manager = create({ maxThreads: 2 });
    const events = record(manager);
    const crash = manager.addTask(workerTask('exits'), { taskArgs: [3] });
    const downstream = manager.addTask(workerTask('add'), { taskArgs: [1, 1], upstreamTaskIds: [crash] });
    expect(await failureOf(manager, downstream)).toBe(
      "Worker thread exited with code 3 while running worker task 'exits'",
    );
    const after = manager.addTask(workerTask('add'), { taskArgs: [1, 2] });
    expect(await resultOf(manager, after)).toBe(3);
    expect(events.filter(([name]) => name === 'taskFailed').map(([, uid]) => uid)).toEqual([crash, downstream]);
  });

  it('fail just the crashed task on an uncaught asynchronous throw, naming the error', async () => {
    const manager = create();
    const events = record(manager);
    const healthy = resultOf(manager, manager.addTask(workerTask('add'), { taskArgs: [2, 2] }));
    const crash = manager.addTask(workerTask('throwsUncaught'));
    expect(await failureOf(manager, crash)).toBe(
      "Worker thread exited with code 1 while running worker task 'throwsUncaught': uncaught in a worker",
    );
    expect(await healthy).toBe(4);
    expect(events.filter(([name]) => name === 'taskFailed')).toHaveLength(1);
  });

  it('run from a workerScript given as a path relative to the working directory, without ./', async () => {
    const relativePath = relative(process.cwd(), fileURLToPath(workerScript));
    expect(relativePath.startsWith('.')).toBe(false);
    const manager = create({ workerScript: relativePath });
    await expect(manager.result(manager.addTask(workerTask('add'), { taskArgs: [1, 2] }))).resolves.toBe(3);
  });

  it('fail a task that exceeds the resourceLimits heap cap', async () => {
    const manager = create({ workerOptions: { resourceLimits: { maxOldGenerationSizeMb: 24 } } });
    const uid = manager.addTask(workerTask('exhaustsHeap'));
    expect(await failureOf(manager, uid)).toMatch(
      /exited with code 1 while running worker task 'exhaustsHeap': .*memory limit/,
    );
    expect(await resultOf(manager, manager.addTask(workerTask('add'), { taskArgs: [4, 4] }))).toBe(8);
  });

  it('report errors thrown in a worker task, Error or not, with the worker stack', async () => {
    const manager = create();
    const tracebacks: string[] = [];
    manager.on('taskFailed', (_uid, _group, _message, traceback) => tracebacks.push(traceback));
    const typed = manager.addTask(workerTask('throws'), { taskArgs: ['bad size'] });
    expect(await failureOf(manager, typed)).toBe('bad size');
    expect(tracebacks[0]).toMatch(/^TypeError: bad size\n.*tasks\.worker/);
    expect(await failureOf(manager, manager.addTask(workerTask('throwsString')))).toBe('a plain string');
  });

  it('fail a task whose name the worker module does not define, or whose data cannot be cloned', async () => {
    const manager = create();
    expect(await failureOf(manager, manager.addTask(workerTask('nope')))).toMatch(
      /^The worker module defines no worker task 'nope' \(it defines: 'echo', 'threadId'/,
    );
    expect(await failureOf(manager, manager.addTask(workerTask('echo'), { taskArgs: [() => 1] }))).toMatch(
      /^The arguments of worker task 'echo' cannot be sent to a worker thread: .*could not be cloned/,
    );
    expect(await failureOf(manager, manager.addTask(workerTask('returnsFunction')))).toMatch(
      /^The result of worker task 'returnsFunction' cannot be sent back to the main thread: .*could not be cloned/,
    );
    expect(await resultOf(manager, manager.addTask(workerTask('add'), { taskArgs: [1, 1] }))).toBe(2);
  });

  it("reject result() with the library's own error as cause when this thread made it, with none from the worker", async () => {
    const manager = create();
    const causeOf = (uid: number): Promise<unknown> =>
      manager.result(uid).then(
        () => 'completed',
        (error: unknown) => (error as TaskFailedError).cause,
      );
    const crash = manager.addTask(workerTask('exits'), { taskArgs: [3] });
    const downstream = manager.addTask(workerTask('add'), { taskArgs: [1, 1], upstreamTaskIds: [crash] });
    const [crashCause, downstreamCause] = await Promise.all([causeOf(crash), causeOf(downstream)]);
    expect(crashCause).toBeInstanceOf(WorkerExitedError);
    expect(downstreamCause).toBe(crashCause);
    expect(await causeOf(manager.addTask(workerTask('echo'), { taskArgs: [() => 1] }))).toBeInstanceOf(
      WorkerDataCloneError,
    );
    // Made in the worker's thread: a throw, an unknown task name, a result that cannot be sent back.
    for (const uid of [
      manager.addTask(workerTask('throws'), { taskArgs: ['bad size'] }),
      manager.addTask(workerTask('nope')),
      manager.addTask(workerTask('returnsFunction')),
    ]) {
      expect(await causeOf(uid)).toBeUndefined();
    }
  });

  it('fail every worker task with the load error when the worker module cannot load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btm-'));
    const broken = join(dir, 'broken.worker.mjs');
    writeFileSync(broken, "throw new Error('cannot load this module');\n");
    const manager = create({ workerScript: broken });
    const first = manager.addTask(workerTask('any'));
    expect(await failureOf(manager, first)).toMatch(/exited with code 1 before it was ready: cannot load this module/);
    expect(await failureOf(manager, manager.addTask(workerTask('any')))).toMatch(/before it was ready/);
    expect(
      await resultOf(
        manager,
        manager.addTask(() => 'main thread still works'),
      ),
    ).toBe('main thread still works');
  });

  it('fail every worker task with the load error when the module throws after defineWorkerTasks', async () => {
    const manager = create({ workerScript: new URL('../fixtures/throws-after-define.worker.mjs', import.meta.url) });
    const uids = [manager.addTask(workerTask('add'), { taskArgs: [1, 2] }), manager.addTask(workerTask('add'))];
    for (const result of uids.map((uid) => manager.result(uid))) {
      await expect(result).rejects.toMatchObject({
        message: expect.stringMatching(/before it was ready: configuration missing$/) as unknown,
        cause: { code: 'ERR_WORKER_STARTUP' },
      });
    }
  });

  it('fail every worker task, not hang, when the worker module is not made with defineWorkerTasks', async () => {
    const manager = create({ workerScript: new URL('../fixtures/foreign.worker.mjs', import.meta.url) });
    const first = manager.addTask(workerTask('add'), { taskArgs: [1, 2] });
    expect(await failureOf(manager, first)).toMatch(
      /foreign\.worker\.mjs loads, but does not define its tasks with defineWorkerTasks/,
    );
    expect(await failureOf(manager, manager.addTask(workerTask('add')))).toMatch(
      /does not define its tasks with defineWorkerTasks/,
    );
    expect(
      await resultOf(
        manager,
        manager.addTask(() => 'main thread still works'),
      ),
    ).toBe('main thread still works');
  });

  it('fail every worker task, not hang, when the worker module defines no task and keeps its thread alive', async () => {
    const manager = create({ workerScript: new URL('../fixtures/lingers.worker.mjs', import.meta.url) });
    const uids = [manager.addTask(workerTask('add'), { taskArgs: [1, 2] }), manager.addTask(workerTask('add'))];
    for (const result of uids.map((uid) => manager.result(uid))) {
      await expect(result).rejects.toMatchObject({
        message: expect.stringMatching(/lingers\.worker\.mjs loads, but does not define its tasks/) as unknown,
        cause: { code: 'ERR_WORKER_STARTUP' },
      });
    }
    await manager.shutDown();
  });

  it('fail the task, not hang, when the pool cannot even be created (worker module removed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btm-'));
    const script = join(dir, 'gone.worker.mjs');
    writeFileSync(script, 'export default 1;\n');
    const manager = create({ workerScript: script });
    rmSync(script);
    const uid = manager.addTask(workerTask('any'));
    expect(await failureOf(manager, uid)).toMatch(/gone\.worker\.mjs/);
    expect(manager.threadsStarted).toBe(false);
  });

  it('stop a never-ending worker task, then shut down: the promise resolves', async () => {
    const manager = create();
    const hang = manager.addTask(workerTask('never'));
    await settle();
    while (manager.getTaskState(hang) !== 'running') await settle();
    manager.stopTask(hang);
    await manager.shutDown();
    expect(manager.getTaskState(hang)).toBe('stopped');
  });

  it('leave no thread and no open handle after shutDown: the process exits by itself', async () => {
    const script = new URL('../fixtures/shut-down-and-exit.ts', import.meta.url);
    const child = spawn(process.execPath, ['--import', 'tsx', script.pathname]);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exitCode = await new Promise((resolve) => child.on('exit', resolve));
    expect(output.trim().split('\n')).toEqual(['completed 42', 'shut down']);
    expect(exitCode).toBe(0);
  });
});
