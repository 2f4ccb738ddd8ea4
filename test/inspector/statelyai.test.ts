import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import { startInspector } from '../../src/inspector.js';
import { deferred } from '../helpers.js';

interface TaskSnapshotLike {
  value?: unknown;
  context?: Record<string, unknown>;
}

const snapshotOf = (event: StatelyInspectionEvent): TaskSnapshotLike | undefined =>
  (event as { snapshot?: TaskSnapshotLike }).snapshot;

describe('@statelyai/inspect receives the same stream, with the task metadata', () => {
  it('shows each task’s uid, name, priority, group, upstream ids, times, result, and a failure’s message and traceback', async () => {
    const received: StatelyInspectionEvent[] = [];
    const finished = deferred();
    const shutDown = deferred();
    let finals = 0;
    const stately = createInspector({
      send(event) {
        received.push(event);
        const value = snapshotOf(event)?.value;
        if (event.type === '@xstate.snapshot' && value === 'shutDown') shutDown.resolve(undefined);
        if (event.type === '@xstate.snapshot' && (value === 'done' || value === 'failed') && ++finals === 2) {
          finished.resolve(undefined);
        }
      },
    });
    // Our own inspector watches the same manager at once: one observer fans out to both.
    const ours = await startInspector();
    const manager = new BackgroundTaskManager({
      startProcessing: true,
      inspect: (event) => {
        stately.inspect.next?.(event);
        ours.inspect(event);
      },
    });
    const load = manager.addTask(
      function load() {
        return { rows: 3 };
      },
      { priority: 7, group: 'etl', taskKwargs: { table: 'users' } },
    );
    const parse = manager.addTask(
      function parse() {
        throw new Error('bad row');
      },
      { group: 'etl', upstreamTaskIds: [load] },
    );
    await finished.promise; // @statelyai/inspect delivers from an idle callback
    await manager.shutDown();
    await shutDown.promise;
    await ours.close();

    const lastContext = (name: string) => {
      const actor = received.find((event) => event.type === '@xstate.actor' && event.name === name);
      const snapshots = received.filter(
        (event) => event.type === '@xstate.snapshot' && event.sessionId === actor?.sessionId,
      );
      return {
        values: snapshots.map((event) => snapshotOf(event)?.value),
        context: snapshotOf(snapshots.at(-1) as StatelyInspectionEvent)?.context,
      };
    };
    const first = lastContext(`task-${load}`);
    expect(first.values).toEqual(['blocked', 'queued', 'running', 'done']);
    expect(first.context).toMatchObject({
      uid: load,
      name: 'load',
      kind: 'main',
      priority: 7,
      group: 'etl',
      upstream: [],
      kwargs: { table: 'users' },
      result: { rows: 3 },
    });
    const times = ['addedAt', 'queuedAt', 'startedAt', 'finishedAt'].map((key) => first.context?.[key] as number);
    for (const time of times) expect(time).toEqual(expect.any(Number));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const second = lastContext(`task-${parse}`);
    expect(second.values).toEqual(['blocked', 'queued', 'running', 'failed']);
    expect(second.context).toMatchObject({
      uid: parse,
      name: 'parse',
      upstream: [load],
      kwargs: { rows: 3 },
    });
    const error = second.context?.error as { message: string; traceback: string };
    expect(error.message).toBe('bad row');
    expect(error.traceback).toMatch(/^Error: bad row\n\s+at /);

    const managerActor = received.find(
      (event) => event.type === '@xstate.actor' && event.name === 'backgroundTaskManager',
    );
    const managerSnapshots = received.filter(
      (event) => event.type === '@xstate.snapshot' && event.sessionId === managerActor?.sessionId,
    );
    expect(snapshotOf(managerSnapshots[0] as StatelyInspectionEvent)?.context).toEqual({ maxThreads: 8 });
    const phases = managerSnapshots
      .map((event) => snapshotOf(event)?.value)
      .filter((value, i, all) => value !== all[i - 1]);
    expect(phases).toEqual(['paused', 'processing', 'shuttingDown', 'shutDown']);
  });
});
