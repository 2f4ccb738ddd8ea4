import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { describe, expect, it } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import { deferred } from '../helpers.js';

/** The contract's task lifecycle: each state's events and the state each leads to. */
const taskLifecycle = {
  blocked: { UNBLOCK: 'queued', FAIL: 'failed', STOP: 'stopped' },
  queued: { START: 'running', STOP: 'stopped' },
  running: { COMPLETE: 'done', FAIL: 'failed', RETRY: 'retrying', STOP: 'stopped' },
  retrying: { REQUEUE: 'queued', STOP: 'stopped' },
  done: {},
  failed: {},
  stopped: {},
};

interface StateNodeJson {
  readonly id: string;
  readonly type: string;
  readonly on: Record<string, Array<{ target: string[] }>>;
  readonly states: Record<string, StateNodeJson>;
  readonly initial: { target: string[] };
}

/** The machine definitions an inspector receives for the manager and for its first task. */
async function inspectedDefinitions(): Promise<{ manager: unknown; task: StateNodeJson }> {
  const definitions = new Map<string, string>();
  const both = deferred();
  const inspector = createInspector({
    send(event: StatelyInspectionEvent) {
      if (event.type === '@xstate.actor' && event.definition !== undefined)
        definitions.set(event.name, event.definition);
      if (definitions.has('backgroundTaskManager') && definitions.has('task-0')) both.resolve(undefined);
    },
  });
  const manager = new BackgroundTaskManager({ startProcessing: true, inspect: inspector.inspect });
  manager.addTask(() => 'ok');
  await both.promise; // @statelyai/inspect delivers from an idle callback
  await manager.shutDown();
  return {
    manager: JSON.parse(definitions.get('backgroundTaskManager') as string) as unknown,
    task: JSON.parse(definitions.get('task-0') as string) as StateNodeJson,
  };
}

describe('the machines an inspector shows', () => {
  it('are the manager’s four phases and the task lifecycle of the contract, by name', async () => {
    const { manager, task } = await inspectedDefinitions();
    expect(manager).toEqual({
      id: 'backgroundTaskManager',
      initial: 'paused',
      context: { type: 'context' },
      states: {
        paused: { on: { START: 'processing', SHUT_DOWN: 'shuttingDown' } },
        processing: { on: { PAUSE: 'paused', SHUT_DOWN: 'shuttingDown' } },
        shuttingDown: { on: { THREADS_EXITED: 'shutDown' } },
        shutDown: { type: 'final' },
      },
    });
    expect(task.id).toBe('task');
    expect(task.initial.target).toEqual(['#task.blocked']);
    const shown = Object.fromEntries(
      Object.entries(task.states).map(([name, node]) => [
        name,
        Object.fromEntries(Object.entries(node.on).map(([event, [transition]]) => [event, transition?.target])),
      ]),
    );
    const expected = Object.fromEntries(
      Object.entries(taskLifecycle).map(([name, on]) => [
        name,
        Object.fromEntries(Object.entries(on).map(([event, target]) => [event, [`#task.${target}`]])),
      ]),
    );
    expect(shown).toEqual(expected);
    const finals = Object.entries(task.states).filter(([, node]) => node.type === 'final');
    expect(finals.map(([name]) => name)).toEqual(['done', 'failed', 'stopped']);
  });
});
