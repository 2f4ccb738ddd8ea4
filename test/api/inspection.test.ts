import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import { controlled, deferred, settle } from '../helpers.js';

const actorId = (event: InspectionEvent): string | undefined => (event.actorRef as { id?: string }).id;
const snapshotValue = (event: InspectionEvent): unknown =>
  event.type === '@xstate.snapshot' ? (event.snapshot as { value?: unknown }).value : undefined;

describe('inspection: every task is a live actor of the manager’s system', () => {
  it('shows each task actor and its lifecycle to an XState inspect observer', async () => {
    const events: InspectionEvent[] = [];
    const manager = new BackgroundTaskManager({ startProcessing: true, inspect: (event) => events.push(event) });
    const work = controlled();
    const up = manager.addTask(work.run);
    const down = manager.addTask(work.run, { upstreamTaskIds: [up] });
    await settle();
    work.resolve(0, { a: 1 });
    await settle();
    manager.stopTask(down);
    await manager.shutDown();

    const actorIds = events.filter((event) => event.type === '@xstate.actor').map(actorId);
    expect(actorIds).toEqual(expect.arrayContaining(['backgroundTaskManager', `task-${up}`, `task-${down}`]));
    const statesOf = (id: string) =>
      events.filter((event) => event.type === '@xstate.snapshot' && actorId(event) === id).map(snapshotValue);
    expect(statesOf(`task-${up}`)).toEqual(['blocked', 'queued', 'running', 'done']);
    expect(statesOf(`task-${down}`)).toEqual(['blocked', 'queued', 'running', 'stopped']);
    const managerRoot = events.find((event) => actorId(event) === 'backgroundTaskManager')?.rootId;
    expect(new Set(events.map((event) => event.rootId))).toEqual(new Set([managerRoot]));
    // Task actors report done to the manager (xstate.done.actor.*), which re-emits its snapshot.
    const phases = statesOf('backgroundTaskManager').filter((value, i, all) => value !== all[i - 1]);
    expect(phases).toEqual(['paused', 'processing', 'shuttingDown', 'shutDown']);
  });

  it('works with @statelyai/inspect (here with an in-memory adapter, no network)', async () => {
    const received: StatelyInspectionEvent[] = [];
    const taskDone = deferred();
    const inspector = createInspector({
      send(event) {
        received.push(event);
        const snapshot = (event as { snapshot?: { value?: unknown } }).snapshot;
        if (event.type === '@xstate.snapshot' && snapshot?.value === 'done') taskDone.resolve(undefined);
      },
    });
    const manager = new BackgroundTaskManager({ startProcessing: true, inspect: inspector.inspect });
    manager.addTask(() => 'ok');
    await taskDone.promise; // @statelyai/inspect delivers from an idle callback
    await manager.shutDown();
    const taskActor = received.find((event) => event.type === '@xstate.actor' && event.name === 'task-0');
    expect(taskActor?.type === '@xstate.actor' && taskActor.definition).toContain('"running"');
    const values = received
      .filter((event) => event.type === '@xstate.snapshot' && event.sessionId === taskActor?.sessionId)
      .map((event) => (event as { snapshot: { value: unknown } }).snapshot.value);
    expect(values).toEqual(['blocked', 'queued', 'running', 'done']);
  });
});
