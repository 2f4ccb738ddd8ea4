import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager, workerTask, type WorkerExecutor } from '../../src/index.js';
import { deferred, managersWith, record, settle } from '../helpers.js';

const create = managersWith({ startProcessing: true });

/** What user code can throw at the manager (results, errors, executors, inputs): it never stops the manager. */
describe('the manager against hostile user code and input', () => {
  it('fails a task whose result has a `then` getter that throws, as `await` would, and keeps dispatching', async () => {
    const manager = create({ maxThreads: 1 });
    const bad = manager.addTask(() => ({
      get then(): unknown {
        throw new Error('then getter');
      },
    }));
    const next = manager.addTask(() => 'next');
    const failures: string[] = [];
    manager.on('taskFailed', (_uid, _group, message) => failures.push(message));
    await settle();
    // The getter's throw must not escape the dispatch job (an uncaught exception, the task running for good).
    expect([manager.getTaskState(bad), manager.getTaskState(next), failures]).toEqual([
      'failed',
      'done',
      ['then getter'],
    ]);
  });

  it('settles a task once when its native promise has an own `then` that calls back twice', async () => {
    const manager = create({ maxThreads: 1 });
    const running = { now: 0, most: 0 };
    const gate = deferred();
    manager.addTask(() => {
      const promise = Promise.resolve('twice');
      Reflect.defineProperty(promise, 'then', {
        value(onFulfilled: (value: unknown) => void) {
          onFulfilled('twice');
          onFulfilled('twice');
        },
      });
      return promise;
    });
    for (let i = 0; i < 2; i++) {
      manager.addTask(() => {
        running.now++;
        running.most = Math.max(running.most, running.now);
        return gate.promise.then(() => running.now--);
      });
    }
    await settle();
    gate.resolve(undefined);
    await manager.onIdle();
    expect([running.most, manager.stats().busyThreads]).toEqual([1, 0]);
  });

  it('reports an Error made in another realm (node:vm) by its message and stack, as F2 says for an Error', async () => {
    const manager = create();
    const events = record(manager);
    const tracebacks: string[] = [];
    manager.on('taskFailed', (_uid, _group, _message, traceback) => tracebacks.push(traceback));
    manager.addTask(() => {
      throw runInNewContext('new Error("from vm")') as Error;
    });
    await manager.onIdle();
    expect(events).toEqual([['taskFailed', 0, undefined, 'from vm']]);
    expect(tracebacks[0]).toMatch(/^Error: from vm\n\s+at /);
  });

  it('lists a group named "__proto__" in stats().groups as an own entry', () => {
    const manager = create({ startProcessing: false });
    manager.addTask(() => 1, { group: '__proto__' });
    const groups = manager.stats().groups;
    // An assignment would set the record's prototype instead: the entry would be invisible to keys and JSON.
    expect([Object.keys(groups), Object.getPrototypeOf(groups)]).toEqual([['__proto__'], Object.prototype]);
  });

  it('calls a retried task with its taskKwargs and upstream data, not with what its failed run did to them', async () => {
    const manager = create({ retry: { attempts: 2, delayMs: 0 } });
    const seen: unknown[] = [];
    const up = manager.addTask(() => ({ fromUpstream: 1 }));
    const task = manager.addTask(
      (kwargs: Record<string, unknown>) => {
        seen.push({ ...kwargs });
        if (seen.length === 1) {
          // The first run consumes its kwargs, as a callable may, then fails.
          delete kwargs.own;
          kwargs.fromUpstream = 'changed by run 1';
          throw new Error('first run fails');
        }
        return 'ok';
      },
      { upstreamTaskIds: [up], taskKwargs: { own: 'mine' } },
    );
    expect(await manager.result(task)).toBe('ok');
    // §7: kwargs is the task's taskKwargs plus merged upstream data, for every call (the original's `**kwargs`).
    expect(seen).toEqual([
      { own: 'mine', fromUpstream: 1 },
      { own: 'mine', fromUpstream: 1 },
    ]);
  });

  it('refuses a task id that is not an integer, and a missing group, at stopTask and stopTaskGroup as at result()', () => {
    const manager = create({ startProcessing: false });
    const uid = manager.addTask(() => 1, { group: 'g' });
    // result(), setPriority() and whenGroupFinished() throw a TypeError for these: so do the stops.
    expect(() => manager.result(String(uid) as never)).toThrow(TypeError);
    expect(() => manager.whenGroupFinished(undefined as never)).toThrow(TypeError);
    expect(() => {
      manager.stopTask(String(uid) as never);
    }).toThrow(TypeError);
    expect(() => {
      manager.stopTaskGroup(undefined as never);
    }).toThrow(TypeError);
  });

  it('fails a task whose thrown Error has a message getter that throws, and keeps the manager running', async () => {
    const manager = create({ maxThreads: 1 });
    const odd = manager.addTask(() => {
      throw Object.defineProperty(new Error('hidden'), 'message', {
        get(): string {
          throw new Error('message getter');
        },
      });
    });
    const next = manager.addTask(() => 'next');
    await settle();
    // Reading the failure must not escape the settle job (an uncaught exception, the task running for good).
    expect([manager.getTaskState(odd), manager.getTaskState(next)]).toEqual(['failed', 'done']);
  });

  it('does not leave a task running for good when its plain-object result has a getter that throws at the merge', async () => {
    const manager = create({ maxThreads: 1 });
    const source = manager.addTask(() => ({
      get lazy(): number {
        throw new Error('lazy getter');
      },
    }));
    const downstream = manager.addTask(() => 'downstream', { upstreamTaskIds: [source] });
    const other = manager.addTask(() => 'other');
    await settle();
    // A result whose keys cannot be read cannot be passed on: the task fails, its downstream by cascade,
    // and the manager goes on (no uncaught exception, no slot taken for good).
    expect([manager.getTaskState(source), manager.getTaskState(downstream)]).toEqual(['failed', 'failed']);
    expect(manager.getTaskState(other)).toBe('done');
  });

  it('fails a worker task whose executor throws in run(), and keeps dispatching', async () => {
    const executor: WorkerExecutor = {
      run() {
        throw new Error('queue unreachable');
      },
    };
    const manager = create({ executor, maxThreads: 1 });
    const remote = manager.addTask(workerTask('anything'));
    const local = manager.addTask(() => 'local');
    await settle();
    // The throw must not escape the dispatch job (an uncaught exception, the task running for good on its slot).
    expect([manager.getTaskState(remote), manager.getTaskState(local)]).toEqual(['failed', 'done']);
  });

  it("settles shutDown() when the executor's destroy() throws instead of returning a promise", async () => {
    const executor = {
      run: () => ({ cancel: () => undefined }),
      destroy(): Promise<void> {
        throw new Error('destroy failed');
      },
    } satisfies WorkerExecutor;
    // Not from create(): its afterEach would wait on the shut-down that never settles.
    const manager = new BackgroundTaskManager({ executor });
    // Every promise settles: a destroy() that throws must not leave the phase at shuttingDown, with the
    // promise the first call made never settled.
    const first = Promise.resolve().then(() => manager.shutDown());
    await first.catch(() => undefined);
    const second = await Promise.race([
      manager.shutDown().then(
        () => 'settled',
        () => 'settled',
      ),
      settle().then(() => 'pending'),
    ]);
    expect([second, manager.phase]).toEqual(['settled', 'shutDown']);
  });
});
