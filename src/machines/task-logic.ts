import type { ActorLogic, Snapshot } from 'xstate';
import { taskMachine, type TaskEvent, type TaskEventType } from './task-machine.js';

/** The seven lifecycle states of a task; the first four are pending, the last three final. */
export const TaskStates = Object.freeze({
  blocked: 'blocked',
  queued: 'queued',
  running: 'running',
  retrying: 'retrying',
  done: 'done',
  failed: 'failed',
  stopped: 'stopped',
} as const);

/** A task's lifecycle state, as `getTaskState` reports it. */
export type TaskState = keyof typeof TaskStates;

/** The snapshot of a task actor: XState's snapshot plus the state value. */
export type TaskSnapshot = Snapshot<undefined> & { readonly value: TaskState };

type TransitionTable = Readonly<Record<TaskState, Readonly<Partial<Record<TaskEventType, TaskState>>>>>;

/**
 * Reads the transition table out of `taskMachine`'s definition, so the
 * machine stays the single source of truth. Throws at load time if the
 * machine ever grows something this flat table cannot express.
 */
function compileTransitions(): TransitionTable {
  const table: Partial<Record<TaskState, Partial<Record<TaskEventType, TaskState>>>> = {};
  for (const [name, node] of Object.entries(taskMachine.root.states)) {
    const row: Partial<Record<TaskEventType, TaskState>> = {};
    for (const [eventType, transitions] of node.transitions) {
      const target = transitions.length === 1 ? transitions[0]?.target : undefined;
      const key = target?.length === 1 ? target[0]?.key : undefined;
      if (key === undefined || transitions[0]?.guard !== undefined) {
        throw new Error(`taskMachine: '${name}' on '${eventType}' must have one unguarded target`);
      }
      row[eventType as TaskEventType] = key as TaskState;
    }
    table[name as TaskState] = Object.freeze(row);
  }
  return Object.freeze(table as Record<TaskState, Partial<Record<TaskEventType, TaskState>>>);
}

const transitions = compileTransitions();

function isFinal(state: TaskState): boolean {
  return taskMachine.root.states[state]?.type === 'final';
}

// One shared, frozen snapshot per state: stepping a task allocates nothing.
const snapshots = Object.freeze(
  Object.fromEntries(
    Object.keys(TaskStates).map((state) => [
      state,
      Object.freeze({
        status: isFinal(state as TaskState) ? 'done' : 'active',
        value: state,
        output: undefined,
        error: undefined,
      }),
    ]),
  ),
) as Readonly<Record<TaskState, TaskSnapshot>>;

/** The state a task moves to on `eventType`, or `undefined` if the event does not apply. */
export function nextTaskState(state: TaskState, eventType: TaskEventType): TaskState | undefined {
  return transitions[state][eventType];
}

/** Task states as small integers, in {@link TaskStates} order: the scheduler keeps a task's state as one byte. */
export const STATE_NAMES = Object.freeze(Object.keys(TaskStates) as TaskState[]);
export const BLOCKED = 0;
export const QUEUED = 1;
export const RUNNING = 2;
/** Codes below this one are the pending states (blocked, queued, running, retrying). */
export const FIRST_FINAL = 4;

/** Task events as small integers, in the order of this list. */
export const EVENT_NAMES = Object.freeze([
  'UNBLOCK',
  'START',
  'COMPLETE',
  'FAIL',
  'STOP',
  'RETRY',
  'REQUEUE',
] as const satisfies readonly TaskEventType[]);
export const UNBLOCK = 0;
export const START = 1;
export const COMPLETE = 2;
export const FAIL = 3;
export const STOP = 4;
export const RETRY = 5;
export const REQUEUE = 6;

/** `transitions` by code: `codeTable[state * events + event]` is the next state's code, or -1. */
const codeTable = Int8Array.from(
  STATE_NAMES.flatMap((state) =>
    EVENT_NAMES.map((event) => {
      const next = transitions[state][event];
      return next === undefined ? -1 : STATE_NAMES.indexOf(next);
    }),
  ),
);

/** {@link nextTaskState} by code: the next state's code, or -1 if the event does not apply. */
export function nextStateCode(state: number, event: number): number {
  return codeTable[state * EVENT_NAMES.length + event] as number;
}

/** The (shared, frozen) snapshot of a task actor in `state`. */
export function taskSnapshot(state: TaskState): TaskSnapshot {
  return snapshots[state];
}

/**
 * The actor logic every task runs: `taskMachine` compiled to a transition
 * table. A task actor is usually kept as its persisted snapshot (its state,
 * as a code in the scheduler's task store) and stepped with this logic's pure `transition`; when the manager is
 * inspected, each task is also a live actor of this logic, so the inspector
 * sees every event and snapshot.
 */
export const taskLogic: ActorLogic<TaskSnapshot, TaskEvent, undefined> = {
  config: taskMachine,
  transition(snapshot: TaskSnapshot, event: TaskEvent) {
    const next = transitions[snapshot.value][event.type];
    return next === undefined ? snapshot : snapshots[next];
  },
  getInitialSnapshot() {
    return snapshots.blocked;
  },
  getPersistedSnapshot(snapshot: TaskSnapshot) {
    return snapshot;
  },
  restoreSnapshot(snapshot) {
    return snapshots[(snapshot as TaskSnapshot).value];
  },
};
