import { afterEach, describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../src/core/events.js';
import { BackgroundTaskManager, ManagerShutDownError } from '../../src/index.js';

// The process-level behaviour (an uncaught exception) is checked in a child process by
// test/faults/faults.test.ts; here the same paths run in-process, with the timer that
// rethrows under a fake clock, so that a mutation run (whose mutants are active only in
// this process) sees them too.
describe('TypedEmitter, a listener that throws', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('without an error listener: the error is rethrown later, from a timer, and the other listeners still run', () => {
    vi.useFakeTimers();
    const emitter = new TypedEmitter();
    const seen: number[] = [];
    const boom = new Error('boom');
    emitter.on('taskCompleted', () => {
      throw boom;
    });
    emitter.on('taskCompleted', (uid) => seen.push(uid));
    expect(() => {
      emitter.emit('taskCompleted', 1, undefined, 'r');
    }).not.toThrow();
    expect(seen).toEqual([1]);
    expect(() => vi.runAllTimers()).toThrow(boom);
  });

  it('with an error listener that throws too: that error is rethrown later', () => {
    vi.useFakeTimers();
    const emitter = new TypedEmitter();
    const second = new Error('second');
    const reported: unknown[] = [];
    emitter.on('taskFailed', () => {
      throw new Error('first');
    });
    emitter.on('error', (error, event) => {
      reported.push([(error as Error).message, event]);
      throw second;
    });
    emitter.emit('taskFailed', 2, 'g', 'm', 't');
    expect(reported).toEqual([['first', 'taskFailed']]);
    expect(() => vi.runAllTimers()).toThrow(second);
  });
});

describe('TypedEmitter, off()', () => {
  it('removes the last registration of the listener only, and nothing for one never added', () => {
    const emitter = new TypedEmitter();
    const calls: string[] = [];
    const a = (): void => void calls.push('a');
    const b = (): void => void calls.push('b');
    const emitted = (): string[] => {
      calls.length = 0;
      emitter.emit('taskCompleted', 1, undefined, 'r');
      return [...calls];
    };
    emitter.on('taskCompleted', a);
    emitter.on('taskCompleted', b);
    emitter.on('taskCompleted', a);
    emitter.off('taskCompleted', () => undefined);
    expect(emitted()).toEqual(['a', 'b', 'a']);
    emitter.off('taskCompleted', a);
    expect(emitted()).toEqual(['a', 'b']);
    emitter.off('taskCompleted', a);
    expect(emitted()).toEqual(['b']);
    emitter.off('taskCompleted', b);
    expect([emitted(), emitter.listens('taskCompleted')]).toEqual([[], false]);
  });
});

describe('ManagerShutDownError', () => {
  it('names the call that came after shut-down', async () => {
    const manager = new BackgroundTaskManager();
    await manager.shutDown();
    expect(() => manager.addTask(() => 1)).toThrow(ManagerShutDownError);
    expect(() => manager.addTask(() => 1)).toThrow('Cannot call addTask(): the manager has been shut down');
  });
});
