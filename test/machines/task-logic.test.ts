import { createActor, initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  BLOCKED,
  COMPLETE,
  EVENT_NAMES,
  FAIL,
  FIRST_FINAL,
  nextStateCode,
  nextTaskState,
  QUEUED,
  RUNNING,
  START,
  STATE_NAMES,
  STOP,
  taskLogic,
  taskSnapshot,
  TaskStates,
  UNBLOCK,
  type TaskState,
} from '../../src/machines/task-logic.js';
import { taskMachine, type TaskEventType } from '../../src/machines/task-machine.js';

const events: TaskEventType[] = ['UNBLOCK', 'START', 'COMPLETE', 'FAIL', 'STOP'];
const states = Object.keys(TaskStates) as TaskState[];

describe('taskLogic, compiled from taskMachine', () => {
  it('steps by code exactly as by name, and its codes name the states and events they stand for', () => {
    expect([STATE_NAMES[BLOCKED], STATE_NAMES[QUEUED], STATE_NAMES[RUNNING]]).toEqual(['blocked', 'queued', 'running']);
    expect(STATE_NAMES.slice(FIRST_FINAL).every((state) => taskSnapshot(state).status === 'done')).toBe(true);
    expect(STATE_NAMES.slice(0, FIRST_FINAL).every((state) => taskSnapshot(state).status === 'active')).toBe(true);
    expect([UNBLOCK, START, COMPLETE, FAIL, STOP].map((code) => EVENT_NAMES[code])).toEqual(events);
    for (const [code, state] of STATE_NAMES.entries()) {
      for (const [eventCode, type] of EVENT_NAMES.entries()) {
        const next = nextTaskState(state, type);
        expect(nextStateCode(code, eventCode)).toBe(next === undefined ? -1 : STATE_NAMES.indexOf(next));
      }
    }
  });

  it('agrees with XState stepping the machine itself, for every state and event', () => {
    for (const state of states) {
      for (const type of events) {
        const from = taskMachine.resolveState({ value: state, context: undefined });
        const [viaMachine] = transition(taskMachine, from, { type });
        const compiled = nextTaskState(state, type);
        expect({ state, type, next: compiled ?? state }).toEqual({ state, type, next: viaMachine.value });
      }
    }
  });

  it('starts blocked and reports final states with status done', () => {
    expect(initialTransition(taskLogic)[0].value).toBe('blocked');
    expect(states.filter((state) => taskSnapshot(state).status === 'done')).toEqual(['done', 'failed', 'stopped']);
  });

  it('runs as a live actor: blocked → queued → running → done', () => {
    const actor = createActor(taskLogic).start();
    const seen: TaskState[] = [];
    actor.subscribe((snapshot) => seen.push(snapshot.value));
    for (const type of ['UNBLOCK', 'START', 'COMPLETE'] as const) actor.send({ type });
    expect(seen).toEqual(['queued', 'running', 'done']);
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('ignores events that do not apply (a queued task cannot fail)', () => {
    expect(nextTaskState('queued', 'FAIL')).toBeUndefined();
    expect(nextTaskState('done', 'STOP')).toBeUndefined();
  });
});
