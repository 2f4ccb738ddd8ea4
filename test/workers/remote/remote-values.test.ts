import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonTravelProblem } from '../../../src/workers/remote/json-travel.js';
import { failure, isOutcome, remoteError, success } from '../../../src/workers/remote/outcome.js';
import { RemoteJob } from '../../../src/workers/remote/remote-job.js';
import { cancelChannel, parseCancel } from '../../../src/workers/remote/protocol.js';
import { connection, count, milliseconds, queueName } from '../../../src/workers/remote/remote-options.js';
import { TaskStoppedError } from '../../../src/index.js';

describe('jsonTravelProblem', () => {
  it('passes what JSON carries unchanged', () => {
    for (const value of [null, 'a', true, 0, -1.5, [], {}, [1, ['x', { y: null }]], Object.create(null) as object]) {
      expect(jsonTravelProblem(value)).toBeUndefined();
    }
  });

  it('names what JSON would change, and where', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    class Point {}
    const anonymous = new (class {})();
    const cases: Array<[unknown, string]> = [
      [undefined, '$ is undefined'],
      [1n, '$ is a bigint'],
      [Number.POSITIVE_INFINITY, '$ is Infinity'],
      [() => 1, '$ is a function'],
      [Symbol('s'), '$ is a symbol'],
      [{ a: [0, new Map()] }, '$.a[1] is a Map'],
      [new Point(), '$ is a Point'],
      [anonymous, '$ is not a plain object'],
      [{ [Symbol('k')]: 1 }, '$ has symbol keys'],
      [[1, , 3], '$[1] is a hole'], // eslint-disable-line no-sparse-arrays
      [cycle, '$.self refers back to an object that contains it'],
      [{ a: undefined }, '$.a is undefined'],
    ];
    for (const [value, problem] of cases) expect(jsonTravelProblem(value)).toBe(problem);
    const shared = { n: 1 };
    expect(jsonTravelProblem([shared, shared])).toBeUndefined(); // shared, not circular
    expect(jsonTravelProblem([1n], 'taskArgs')).toBe('taskArgs[0] is a bigint');
  });
});

describe('remote outcomes', () => {
  it('carries a thrown value that is not an Error as its text', () => {
    expect(failure('plain')).toEqual({ ok: false, name: 'Error', message: 'plain', traceback: 'plain' });
    expect(success('t', undefined)).toEqual({ ok: true });
    const error = remoteError({ ok: false, name: 'RangeError', message: 'm', traceback: 'RangeError: m\n    at x' });
    expect([error.name, error.message, error.stack]).toEqual(['RangeError', 'm', 'RangeError: m\n    at x']);
    expect([undefined, null, 42, 'ok', { ok: 1 }, { ok: true }, { ok: false }].map(isOutcome)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it('carries an Error with its stack as the traceback, or its message when it has no stack', () => {
    const thrown = new RangeError('out');
    expect(failure(thrown)).toEqual({ ok: false, name: 'RangeError', message: 'out', traceback: thrown.stack });
    const stackless = new Error('bare');
    Object.defineProperty(stackless, 'stack', { value: 42 });
    expect(failure(stackless)).toEqual({ ok: false, name: 'Error', message: 'bare', traceback: 'bare' });
  });
});

describe('RemoteJob', () => {
  it('settles once; a stop, a watch or a kill after that does nothing', async () => {
    const settled: unknown[][] = [];
    const cancels: unknown[] = [];
    const job = new RemoteJob(
      {
        uid: 1,
        group: 'g',
        name: 'n',
        args: [1],
        kwargs: { k: 2 },
        settle: (...outcome) => settled.push(outcome),
        progress: () => undefined,
        onThread: undefined,
      },
      'id-1',
      (_job, reason) => cancels.push(reason),
    );
    expect(job.toAdd()).toEqual({
      name: 'n',
      data: { uid: 1, group: 'g', name: 'n', args: [1], kwargs: { k: 2 } },
      opts: { jobId: 'id-1', removeOnComplete: true, removeOnFail: true },
    });
    const done = job.whenDone();
    const reason = new TaskStoppedError(1);
    job.cancel(reason);
    job.cancel(reason);
    expect(cancels).toEqual([reason]);
    job.watch(Number.POSITIVE_INFINITY, () => settled.push(['lost']));
    expect(job.watched).toBe(false);
    job.settle(true, 3);
    job.settle(false, 'again');
    await done;
    await job.whenDone();
    job.watch(1, () => settled.push(['lost']));
    job.killAfter(1, () => settled.push(['killed']));
    expect(job.watched).toBe(false);
    expect(settled).toEqual([[true, 3]]);
  });
});

describe('RemoteJob timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function remoteJob(settled: unknown[][]): RemoteJob {
    const settle = (...outcome: unknown[]): void => void settled.push(outcome);
    const spec = { uid: 1, group: undefined, name: 'n', args: [], kwargs: {}, settle, progress: () => undefined };
    return new RemoteJob({ ...spec, onThread: undefined }, 'id-1', () => undefined);
  }

  it('watches once: found() stops the one timer, and a second watch starts none', () => {
    vi.useFakeTimers();
    const calls: unknown[][] = [];
    const job = remoteJob(calls);
    job.watch(10, () => calls.push(['lost 1']));
    job.watch(10, () => calls.push(['lost 2']));
    expect(job.watched).toBe(true);
    job.found();
    expect(job.watched).toBe(false);
    vi.advanceTimersByTime(100);
    expect(calls).toEqual([]);
    job.watch(10, () => calls.push(['lost 3']));
    vi.advanceTimersByTime(10);
    expect(calls).toEqual([['lost 3']]);
  });

  it('kills after its time, never for Infinity, and not once it has settled', () => {
    vi.useFakeTimers();
    const calls: unknown[][] = [];
    const job = remoteJob(calls);
    job.killAfter(Number.POSITIVE_INFINITY, () => calls.push(['killed at Infinity']));
    job.killAfter(10, () => calls.push(['killed']));
    vi.advanceTimersByTime(9);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([['killed']]);
    const settledFirst = remoteJob(calls);
    settledFirst.killAfter(10, () => calls.push(['killed after settling']));
    expect(settledFirst.done).toBe(false);
    settledFirst.settle(true, 'value');
    expect(settledFirst.done).toBe(true);
    vi.advanceTimersByTime(100);
    expect(calls).toEqual([['killed'], [true, 'value']]);
  });
});

describe('the stop channel', () => {
  it("reads only the manager's stops, named per queue", () => {
    expect(cancelChannel('bull:thumbs')).toBe('bull:thumbs:backgroundTaskManager:cancel');
    const cancel = { jobId: 'j-1', code: 'ERR_TASK_TIMEOUT', message: 'Task 3 timed out after 5 ms' };
    expect(parseCancel(JSON.stringify(cancel))).toEqual(cancel);
    for (const text of [
      '',
      'null',
      '42',
      '{"jobId":"j"}',
      '{"jobId":1,"code":"c","message":"m"}',
      '{"jobId":"j","code":"c"}',
      '{"jobId":"j","message":"m"}',
      '{"code":"c","message":"m"}',
      'not JSON',
    ]) {
      expect(parseCancel(text)).toBeUndefined();
    }
  });
});

describe('remote option checks', () => {
  it('take undefined as the default and say what they expected', () => {
    expect(milliseconds('x', undefined, 7)).toBe(7);
    expect(() => milliseconds('x', Number.POSITIVE_INFINITY, 7)).toThrow(
      'Expected `x` to be an integer from 0 to 2147483647, got',
    );
    expect(() => milliseconds('x', 1.5, 7)).toThrow(RangeError);
    expect(count('n', undefined, 1, 1)).toBe(1);
    expect(() => count('n', '2', 1, 1)).toThrow('Expected `n` to be an integer >= 1, got "2" (string)');
    expect(queueName(undefined, 'q')).toBe('q');
    expect(() => queueName('', 'q')).toThrow(TypeError);
    expect(() => connection(null)).toThrow(TypeError);
  });
});
