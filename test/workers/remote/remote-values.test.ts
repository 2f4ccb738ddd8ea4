import { describe, expect, it } from 'vitest';
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
    expect([isOutcome({ ok: true }), isOutcome(42), isOutcome(null), isOutcome({ ok: 1 })]).toEqual([
      true,
      false,
      false,
      false,
    ]);
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
