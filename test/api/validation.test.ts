import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager, workerTask } from '../../src/index.js';
import { managersWith, record, settle } from '../helpers.js';

const create = managersWith({});

describe('bad input: a clear error at the call, nothing queued is lost', () => {
  it('rejects maxThreads that is not an integer >= 1 with a RangeError saying what came', () => {
    expect(() => create({ maxThreads: 0 })).toThrow(
      new RangeError('Expected `maxThreads` to be an integer from 1 and up, got 0 (number)'),
    );
    for (const maxThreads of [1.5, -1, Number.NaN, '4']) {
      expect(() => create({ maxThreads: maxThreads as number })).toThrow(RangeError);
    }
    expect(() => create({ finishedTaskHistory: -1 })).toThrow(RangeError);
  });

  it('rejects a killAfterMs that is neither a timer delay nor Infinity with a RangeError saying what came', () => {
    expect(() => create({ killAfterMs: -1 })).toThrow(
      new RangeError('Expected `killAfterMs` to be an integer from 0 to 2147483647 (ms), or Infinity, got -1 (number)'),
    );
    // 2³¹ ms and more would fire at once in Node's timers; NaN and -Infinity are no delays.
    for (const killAfterMs of [2 ** 31, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, '10', null]) {
      expect(() => create({ killAfterMs: killAfterMs as number })).toThrow(RangeError);
    }
    for (const killAfterMs of [0, 2 ** 31 - 1, Number.POSITIVE_INFINITY]) {
      expect(create({ killAfterMs }).pendingCount).toBe(0);
    }
  });

  it('rejects other bad options with a TypeError', () => {
    expect(() => create({ startProcessing: 'yes' as unknown as boolean })).toThrow(TypeError);
    expect(() => create({ workerScript: 42 as unknown as string })).toThrow(TypeError);
    expect(() => create({ workerScript: '/no/such/worker.js' })).toThrow(/existing file/);
    expect(() => new BackgroundTaskManager(null as never)).toThrow(TypeError);
  });

  it('refuses a misspelt event name in on() and off(), naming it and listing the valid ones', () => {
    // As a JavaScript caller sees it: no compiler to catch the name.
    const manager = create({}) as unknown as Record<'on' | 'off', (event: unknown, listener: () => void) => void>;
    const listener = (): void => undefined;
    const valid =
      "Valid: 'taskStarted', 'taskProgress', 'taskCompleted', 'taskFailed', 'taskRetrying', 'taskStopped', 'taskGroupFinished', 'error'.";
    expect(() => {
      manager.on('taskComplete', listener);
    }).toThrow(new TypeError(`Unknown event: 'taskComplete'. Did you mean 'taskCompleted'? ${valid}`));
    expect(() => {
      manager.off('taskfailed', listener);
    }).toThrow(new TypeError(`Unknown event: 'taskfailed'. Did you mean 'taskFailed'? ${valid}`));
    expect(() => {
      manager.on('progress', listener);
    }).toThrow(new TypeError(`Unknown event: 'progress'. ${valid}`));
    expect(() => {
      manager.on(42, listener);
    }).toThrow(new TypeError('Expected an event name, got 42 (number)'));
  });

  it('refuses an unknown option key, naming it and the closest valid one, and keeps what was queued', async () => {
    expect(() => create({ maxThread: 2 } as never)).toThrow(
      new TypeError(
        "Unknown option of new BackgroundTaskManager(): 'maxThread'. Did you mean 'maxThreads'? Valid: " +
          "'startProcessing', 'maxThreads', 'workerScript', 'workerOptions', 'executor', 'killAfterMs', 'finishedTaskHistory', 'inspect', 'taskTimeoutMs', 'retry', 'clock'.",
      ),
    );
    const manager = create({ maxThreads: 1 });
    const events = record(manager);
    const kept = manager.addTask(() => 'kept', { group: 'g' });
    const addTaskKeys =
      "Valid: 'priority', 'group', 'upstreamTaskIds', 'taskArgs', 'taskKwargs', 'timeoutMs', 'retry'.";
    expect(() => manager.addTask(() => 1, { priorty: 5 } as never)).toThrow(
      new TypeError(`Unknown option of addTask(): 'priorty'. Did you mean 'priority'? ${addTaskKeys}`),
    );
    expect(() => manager.addTask(() => 1, { delay: 5 } as never)).toThrow(
      new TypeError(`Unknown option of addTask(): 'delay'. ${addTaskKeys}`),
    );
    expect(() => manager.addPassThroughTask({ upstreamTaskId: [kept] } as never)).toThrow(
      /^Unknown option of addPassThroughTask\(\): 'upstreamTaskId'. Did you mean 'upstreamTaskIds'\?/,
    );
    expect(() => manager.addPassThroughTask({ taskArgs: [1] } as never)).toThrow(
      new TypeError('A pass-through task calls nothing, so it takes no `taskArgs`: pass `taskKwargs` instead.'),
    );
    for (const stop of [
      () => {
        manager.stopTask(kept, { stopDownStream: false } as never);
      },
      () => {
        manager.stopTaskGroup('g', { stopDownStream: false } as never);
      },
    ]) {
      expect(stop).toThrow(
        new TypeError(
          "Unknown option of the stop methods: 'stopDownStream'. Did you mean 'stopDownstream'? Valid: 'stopUpstream', 'stopDownstream'.",
        ),
      );
    }
    expect(manager.pendingCount).toBe(1);
    expect(manager.getTaskState(kept)).toBe('queued');
    manager.startProcessing();
    await manager.onIdle();
    expect(events).toEqual([
      ['taskCompleted', kept, 'g', 'kept'],
      ['taskGroupFinished', 'g'],
    ]);
  });

  it('rejects a NaN group with a TypeError and keeps what was queued', async () => {
    const manager = create({ startProcessing: false });
    manager.addTask(() => 'kept', { group: 0 });
    expect(() => manager.addTask(() => 1, { group: Number.NaN })).toThrow(
      new TypeError('Expected `group` to be a string or a number, got NaN (number)'),
    );
    expect(() => manager.addPassThroughTask({ group: Number.NaN })).toThrow(TypeError);
    expect(manager.pendingCount).toBe(1);
  });

  it('copies taskArgs at the call: later changes to the caller’s array do not reach the task', async () => {
    const manager = create({ startProcessing: false });
    const calls: unknown[][] = [];
    const taskArgs: unknown[] = [1, 'two'];
    manager.addTask((...args: unknown[]) => calls.push(args), { taskArgs });
    taskArgs[0] = 'changed';
    taskArgs.push('appended');
    manager.startProcessing();
    await settle();
    expect(calls).toEqual([[1, 'two', {}]]);
  });

  it('rejects each bad addTask argument with a TypeError and keeps what was queued', async () => {
    const manager = create({ startProcessing: false });
    const events = record(manager);
    const kept = manager.addTask(() => 'kept', { group: 'g' });
    const bad: Array<[() => unknown, RegExp]> = [
      [
        () => manager.addTask('not callable' as never),
        /Expected `cbl` to be a function or a workerTask\(\), got "not callable" \(string\)/,
      ],
      [() => manager.addTask(() => 1, { priority: Number.NaN }), /`priority` to be a finite number, got NaN/],
      [() => manager.addTask(() => 1, { priority: '1' as never }), /`priority` to be a finite number/],
      [() => manager.addTask(() => 1, { upstreamTaskIds: 3 as never }), /`upstreamTaskIds` to be an array/],
      [
        () => manager.addTask(() => 1, { upstreamTaskIds: [1.5] }),
        /every id in `upstreamTaskIds` to be an integer, got 1.5/,
      ],
      [() => manager.addTask(() => 1, { taskArgs: 'x' as never }), /`taskArgs` to be an array/],
      [() => manager.addTask(() => 1, { taskKwargs: [] as never }), /`taskKwargs` to be a plain object/],
      [() => manager.addTask(() => 1, { taskKwargs: new Map() as never }), /`taskKwargs` to be a plain object/],
      [() => manager.addTask(() => 1, { group: {} as never }), /`group` to be a string or a number/],
      [() => manager.addTask(workerTask('thumbnail')), /without `workerScript`/],
      [() => manager.addPassThroughTask({ priority: Infinity }), /finite number/],
      [
        () => {
          manager.stopTask(kept, { stopUpstream: 1 as never });
        },
        /`stopUpstream` to be a boolean/,
      ],
      [() => manager.on('taskCompleted', 'nope' as never), /listener function/],
    ];
    for (const [call, message] of bad) expect(call).toThrow(message);
    for (const [call] of bad.slice(0, 10)) expect(call).toThrow(TypeError);
    expect(() => workerTask('')).toThrow(TypeError);
    expect(manager.pendingCount).toBe(1);
    manager.startProcessing();
    await settle();
    expect(events).toEqual([
      ['taskCompleted', kept, 'g', 'kept'],
      ['taskGroupFinished', 'g'],
    ]);
    // Ids are never skipped by a refused call.
    expect(manager.addTask(() => 1)).toBe(kept + 1);
  });
});

describe('listeners that throw', () => {
  it('do not corrupt the manager: the error goes to `error` listeners and scheduling continues', async () => {
    const manager = create({ startProcessing: true, maxThreads: 1 });
    const errors: unknown[][] = [];
    manager.on('error', (error, event) => errors.push([(error as Error).message, event]));
    const boom = (name: string) => () => {
      throw new Error(`listener ${name}`);
    };
    manager.on('taskCompleted', boom('completed'));
    manager.on('taskFailed', boom('failed'));
    manager.on('taskGroupFinished', boom('group'));
    const events = record(manager);
    manager.addTask(() => 1, { group: 'g' });
    manager.addTask(() => Promise.reject(new Error('task')));
    manager.addTask(() => 3);
    await settle();
    expect(events.map(([name]) => name)).toEqual(['taskCompleted', 'taskGroupFinished', 'taskFailed', 'taskCompleted']);
    expect(errors).toEqual([
      ['listener completed', 'taskCompleted'],
      ['listener group', 'taskGroupFinished'],
      ['listener failed', 'taskFailed'],
      ['listener completed', 'taskCompleted'],
    ]);
  });

  it('are rethrown asynchronously when no `error` listener is set, never swallowed', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `
      import { BackgroundTaskManager } from './src/index.ts';
      const manager = new BackgroundTaskManager({ startProcessing: true });
      process.on('uncaughtException', (error) => { console.log('uncaught:', error.message); });
      manager.on('taskCompleted', () => { throw new Error('from a listener'); });
      manager.on('taskCompleted', (uid) => console.log('next listener ran for', uid));
      manager.addTask(() => 1);
      manager.addTask(() => 2, { upstreamTaskIds: [0] });
      manager.on('taskGroupFinished', () => {});
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim().split('\n')).toEqual([
      'next listener ran for 0',
      'next listener ran for 1',
      'uncaught: from a listener',
      'uncaught: from a listener',
    ]);
  });
});
