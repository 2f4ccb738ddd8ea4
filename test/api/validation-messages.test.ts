/**
 * Every refusal of bad input, word for word: the error a caller reads is
 * the contract (the type, what was expected, and what came), and nothing
 * already queued is lost by a refused call.
 */
import { describe, expect, it, vi } from 'vitest';
import { BackgroundTaskManager, workerTask } from '../../src/index.js';

const MAX = 2 ** 31 - 1;

/** Options that JavaScript callers may pass, whatever their type. */
type Loose = Record<string, unknown>;

function make(options: Loose): BackgroundTaskManager {
  return new BackgroundTaskManager(options);
}

const constructorCases: ReadonlyArray<readonly [Loose | string, Error]> = [
  ['no object', new TypeError('Expected `options` to be an object, got "no object" (string)')],
  [{ maxThreads: 1.5 }, new RangeError('Expected `maxThreads` to be an integer from 1 and up, got 1.5 (number)')],
  [{ maxThreads: '4' }, new RangeError('Expected `maxThreads` to be an integer from 1 and up, got "4" (string)')],
  [
    { finishedTaskHistory: -1 },
    new RangeError('Expected `finishedTaskHistory` to be an integer from 0 and up, got -1 (number)'),
  ],
  [{ startProcessing: 1 }, new TypeError('Expected `startProcessing` to be a boolean, got 1 (number)')],
  [
    { killAfterMs: 2 ** 31 },
    new RangeError(
      `Expected \`killAfterMs\` to be an integer from 0 to ${MAX} (ms), or Infinity, got 2147483648 (number)`,
    ),
  ],
  [
    { killAfterMs: 0.5 },
    new RangeError(`Expected \`killAfterMs\` to be an integer from 0 to ${MAX} (ms), or Infinity, got 0.5 (number)`),
  ],
  [
    { taskTimeoutMs: -Infinity },
    new RangeError(
      `Expected \`taskTimeoutMs\` to be a number of milliseconds above 0, at most ${MAX}, or Infinity, got -Infinity (number)`,
    ),
  ],
  [{ retry: 3 }, new TypeError('Expected `retry` to be an object, got 3 (number)')],
  [{ retry: null }, new TypeError('Expected `retry` to be an object, got null')],
  [{ retry: [] }, new TypeError('Expected `retry` to be an object, got an array')],
  [{ workerOptions: 42 }, new TypeError('Expected `workerOptions` to be an object, got 42 (number)')],
  [
    // The pool's own workerData would silently replace it.
    { workerOptions: { workerData: 1 } },
    new TypeError(
      "Unknown option of `workerOptions`: 'workerData'. Valid: 'resourceLimits', 'execArgv', 'env', 'argv', 'stdout', 'stderr'.",
    ),
  ],
  [
    { retry: { attempts: 0 } },
    new RangeError('Expected `retry.attempts` to be an integer from 1 and up, got 0 (number)'),
  ],
  [
    { retry: { delayMs: -1 } },
    new RangeError(`Expected \`retry.delayMs\` to be a number of milliseconds from 0 to ${MAX}, got -1 (number)`),
  ],
  [
    { retry: { delayMs: MAX + 1 } },
    new RangeError(
      `Expected \`retry.delayMs\` to be a number of milliseconds from 0 to ${MAX}, got 2147483648 (number)`,
    ),
  ],
  [
    { retry: { factor: 0.5 } },
    new RangeError('Expected `retry.factor` to be a finite number from 1 up, got 0.5 (number)'),
  ],
  [
    { retry: { factor: Infinity } },
    new RangeError('Expected `retry.factor` to be a finite number from 1 up, got Infinity (number)'),
  ],
  [
    { retry: { maxDelayMs: Number.NaN } },
    new RangeError(
      'Expected `retry.maxDelayMs` to be a number of milliseconds from 0 up, or Infinity, got NaN (number)',
    ),
  ],
  [
    { retry: { attempt: 2 } },
    new TypeError(
      "Unknown option of `retry`: 'attempt'. Did you mean 'attempts'? Valid: 'attempts', 'delayMs', 'factor', 'maxDelayMs'.",
    ),
  ],
  [
    { clock: null },
    new TypeError('Expected `clock` to be an object with setTimeout and clearTimeout methods, got null'),
  ],
  [{ workerScript: ['a.js'] }, new TypeError('Expected `workerScript` to be a file path or a file: URL, got an array')],
  [
    { executor: { run: 'no' } },
    new TypeError(
      'Expected `executor` to be an object with a `run(job)` method (e.g. a BullMQExecutor), got [object Object] (object)',
    ),
  ],
  [
    { executor: { run: () => undefined, destroy: 1 } },
    new TypeError(
      'Expected `executor` to be an object with a `run(job)` method (e.g. a BullMQExecutor), got [object Object] (object)',
    ),
  ],
  [
    { executor: { run: () => undefined }, killAfterMs: 5 },
    new TypeError('`killAfterMs` is an option of the local worker pool: it cannot be given with `executor`'),
  ],
  [
    { executor: { run: () => undefined }, workerOptions: {} },
    new TypeError('`workerOptions` is an option of the local worker pool: it cannot be given with `executor`'),
  ],
  [
    { executor: 5 },
    new TypeError(
      'Expected `executor` to be an object with a `run(job)` method (e.g. a BullMQExecutor), got 5 (number)',
    ),
  ],
  [{ inspect: 5 }, new TypeError('Expected `inspect` to be an inspection observer or function')],
  [
    { executor: null },
    new TypeError('Expected `executor` to be an object with a `run(job)` method (e.g. a BullMQExecutor), got null'),
  ],
  [
    { clock: { clearTimeout: () => undefined } },
    new TypeError(
      'Expected `clock` to be an object with setTimeout and clearTimeout methods, got [object Object] (object)',
    ),
  ],
  [
    { retry: { delayMs: '5' } },
    new RangeError(`Expected \`retry.delayMs\` to be a number of milliseconds from 0 to ${MAX}, got "5" (string)`),
  ],
  [
    { retry: { factor: '2' } },
    new RangeError('Expected `retry.factor` to be a finite number from 1 up, got "2" (string)'),
  ],
  [
    { retry: { maxDelayMs: '5' } },
    new RangeError(
      'Expected `retry.maxDelayMs` to be a number of milliseconds from 0 up, or Infinity, got "5" (string)',
    ),
  ],
];

describe('refusals, word for word', () => {
  it.each(constructorCases)('new BackgroundTaskManager(%o)', (options, error) => {
    expect(() => make(options as Loose)).toThrow(error);
    expect(() => make(options as Loose)).toThrow(error.constructor);
  });

  it('after shut-down, names the call it refuses, and a pause does nothing and says nothing', async () => {
    const manager = make({});
    await manager.shutDown();
    expect(() => manager.addPassThroughTask()).toThrow(
      /^Cannot call addPassThroughTask\(\): the manager has been shut down$/,
    );
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    manager.pauseProcessing();
    expect(manager.phase).toBe('shutDown');
    expect(warned).not.toHaveBeenCalled();
    warned.mockRestore();
  });

  it('names the call in the message for a `taskArgs` it does not take', () => {
    expect(() => make({ taskArgs: [] })).toThrow(/^Unknown option of new BackgroundTaskManager\(\): 'taskArgs'\./);
  });

  it('takes the edges of each range', () => {
    const edges: Loose[] = [
      { maxThreads: 1, finishedTaskHistory: 0, killAfterMs: 0, taskTimeoutMs: MAX },
      { killAfterMs: MAX, taskTimeoutMs: 0.5 },
      { retry: { attempts: 1, delayMs: 0, factor: 1, maxDelayMs: 0 } },
      { retry: { delayMs: MAX, maxDelayMs: Infinity } },
      { retry: {} },
      { executor: { run: () => undefined, destroy: () => undefined } },
    ];
    for (const options of edges) expect(make(options).pendingCount).toBe(0);
    // Keyword arguments without a prototype are a plain object too.
    const bare = Object.assign(Object.create(null) as object, { k: 1 });
    expect(make({}).addTask(() => 1, { taskKwargs: bare })).toBe(0);
  });

  it('refuses bad arguments of each call with the error it names, and keeps the queue as it was', () => {
    const manager = make({});
    const kept = manager.addTask(() => 'kept', { group: 'g' });
    const cases: ReadonlyArray<readonly [() => unknown, Error]> = [
      [
        () => manager.addTask(() => 1, 'x' as never),
        new TypeError('Expected `options` to be an object, got "x" (string)'),
      ],
      [
        () => manager.addTask(() => 1, { priority: Number.NaN }),
        new TypeError('Expected `priority` to be a finite number, got NaN (number)'),
      ],
      [
        () => manager.addTask(() => 1, { group: Number.NaN }),
        new TypeError('Expected `group` to be a string or a number, got NaN (number)'),
      ],
      [
        () => manager.addTask(() => 1, { group: true as never }),
        new TypeError('Expected `group` to be a string or a number, got true (boolean)'),
      ],
      [
        () => manager.addTask(() => 1, { upstreamTaskIds: 3 as never }),
        new TypeError('Expected `upstreamTaskIds` to be an array of task ids, got 3 (number)'),
      ],
      [
        () => manager.addTask(() => 1, { upstreamTaskIds: [kept, 1.5] }),
        new TypeError('Expected every id in `upstreamTaskIds` to be an integer, got 1.5 (number)'),
      ],
      [
        () => manager.addTask(() => 1, { taskArgs: 'a' as never }),
        new TypeError('Expected `taskArgs` to be an array, got "a" (string)'),
      ],
      [
        () => manager.addTask(() => 1, { taskKwargs: [1] as never }),
        new TypeError('Expected `taskKwargs` to be a plain object, got an array'),
      ],
      [
        () => manager.addTask(() => 1, { taskKwargs: new Map() as never }),
        new TypeError('Expected `taskKwargs` to be a plain object, got [object Map] (object)'),
      ],
      [
        () => manager.addTask(() => 1, { taskKwargs: 'k' as never }),
        new TypeError('Expected `taskKwargs` to be a plain object, got "k" (string)'),
      ],
      [
        () => manager.addTask(() => 1, { taskKwargs: null as never }),
        new TypeError('Expected `taskKwargs` to be a plain object, got null'),
      ],
      [
        () => manager.addTask(workerTask(5 as never)),
        new TypeError('Expected a worker task name to be a non-empty string, got 5 (number)'),
      ],
      [
        () => manager.addTask(workerTask('')),
        new TypeError('Expected a worker task name to be a non-empty string, got "" (string)'),
      ],
      [() => manager.addTask(() => 1, null as never), new TypeError('Expected `options` to be an object, got null')],
      [() => manager.addTask(() => 1, [] as never), new TypeError('Expected `options` to be an object, got an array')],
      [
        () => {
          manager.stopTask(kept, [] as never);
        },
        new TypeError('Expected stop options to be an object, got an array'),
      ],
      [
        () => {
          manager.stopTask(kept, null as never);
        },
        new TypeError('Expected stop options to be an object, got null'),
      ],
      [
        () => manager.addPassThroughTask('all' as never),
        new TypeError('Expected `options` to be an object, got "all" (string)'),
      ],
      [
        () => manager.addTask(() => 1, { timeoutMs: MAX + 1 }),
        new RangeError(
          `Expected \`timeoutMs\` to be a number of milliseconds above 0, at most ${MAX}, or Infinity, got 2147483648 (number)`,
        ),
      ],
      [
        () => manager.addPassThroughTask({ taskArgs: [1] } as never),
        new TypeError('A pass-through task calls nothing, so it takes no `taskArgs`: pass `taskKwargs` instead.'),
      ],
      [
        () => manager.addPassThroughTask({ timeoutMs: 1 } as never),
        new TypeError(
          "Unknown option of addPassThroughTask(): 'timeoutMs'. Valid: 'priority', 'group', 'upstreamTaskIds', 'taskKwargs'.",
        ),
      ],
      [
        () => {
          manager.stopTask(kept, 'all' as never);
        },
        new TypeError('Expected stop options to be an object, got "all" (string)'),
      ],
      [
        () => {
          manager.stopTaskGroup('g', { stopUpstream: 'no' } as never);
        },
        new TypeError('Expected `stopUpstream` to be a boolean, got "no" (string)'),
      ],
      [
        () => {
          manager.stopTask(kept, { stopDownstream: 0 } as never);
        },
        new TypeError('Expected `stopDownstream` to be a boolean, got 0 (number)'),
      ],
      [
        () => {
          manager.stopTask(kept, { stopDownstrem: false } as never);
        },
        new TypeError(
          "Unknown option of the stop methods: 'stopDownstrem'. Did you mean 'stopDownstream'? Valid: 'stopUpstream', 'stopDownstream'.",
        ),
      ],
      [
        () => manager.result('1' as never),
        new TypeError('Expected `taskId` to be an integer task id, got "1" (string)'),
      ],
      [
        () => manager.whenGroupFinished(undefined as never),
        new TypeError('Expected `group` to be a string or a number, got undefined'),
      ],
      [
        () => manager.setPriority(kept, undefined as never),
        new TypeError('Expected `priority` to be a finite number, got undefined'),
      ],
      [
        () => manager.setPriority(kept, Infinity),
        new TypeError('Expected `priority` to be a finite number, got Infinity (number)'),
      ],
    ];
    for (const [call, error] of cases) {
      expect(call).toThrow(error);
      expect(call).toThrow(error.constructor);
    }
    expect([manager.pendingCount, manager.getTaskState(kept)]).toEqual([1, 'queued']);
  });
});
