import type { AnyActorRef } from 'xstate';
import { LatencyWindow } from '../core/latency-window.js';
import type { InspectedTaskContext, InspectedTaskSnapshot } from '../machines/inspected-task-logic.js';
import type { ManagerInput, ManagerPhase } from '../machines/manager-machine.js';
import type { TaskState } from '../machines/task-logic.js';
import type { CountsView, GroupView, LogEntry, SlotRunView } from './protocol.js';
import type { Sanitizer } from './sanitize.js';
import { SlotModel } from './slot-model.js';
import { Ring } from './task-ring.js';

/** What the inspector knows of one task: its actor's last state and context, and where it ran. */
export interface TaskRecord {
  state: TaskState;
  context: InspectedTaskContext;
  /** The slot it runs or ran on, once known. */
  slot: SlotModel | undefined;
  /** Its main-thread lane while it runs, else -1. */
  lane: number;
  /** Its bar in the task stream. */
  run: SlotRunView | undefined;
}

/** Entries of the event log kept per manager. */
export const LOG_SIZE = 200;
/** Groups whose counts are kept per manager; the first seen longest ago is dropped first. */
const GROUP_LIMIT = 256;
/** Worker-thread slots kept (a replaced thread is a new slot); the oldest is dropped first. */
const WORKER_SLOT_LIMIT = 64;
/** Durations each percentile window holds. */
const WINDOW = 1024;

/** Zeroed counts. */
function zeroCounts(): CountsView {
  return { blocked: 0, queued: 0, running: 0, retrying: 0, done: 0, failed: 0, stopped: 0 };
}

const isFinal = (state: TaskState): boolean => state === 'done' || state === 'failed' || state === 'stopped';

/**
 * One manager as its inspection stream shows it, kept up to date one event
 * at a time in O(1): counts per state and per group, pending tasks, a ring
 * of the last `historyLimit` finished tasks, the event log, the slots of
 * the task stream and wait/run percentiles. Holds references to the tasks'
 * values (args, kwargs, results) only while they are pending or in the ring;
 * they are sanitized when they are sent.
 */
export class ManagerModel {
  readonly id: string;
  readonly label: string;
  readonly actor: AnyActorRef;
  readonly startedAt = Date.now();
  phase: ManagerPhase = 'paused';
  maxThreads = 0;
  readonly counts = zeroCounts();
  readonly groups = new Map<GroupView, CountsView>();
  readonly pending = new Map<number, TaskRecord>();
  readonly finished: Ring<TaskRecord>;
  readonly finishedByUid = new Map<number, TaskRecord>();
  readonly log = new Ring<LogEntry>(LOG_SIZE);
  readonly wait = new LatencyWindow(WINDOW);
  readonly run = new LatencyWindow(WINDOW);
  readonly slots = new Map<string, SlotModel>();
  readonly #lanes: number[] = [];
  readonly #sanitize: Sanitizer;
  #seq = 0;

  constructor(id: string, label: string, actor: AnyActorRef, historyLimit: number, sanitize: Sanitizer) {
    this.id = id;
    this.label = label;
    this.actor = actor;
    this.finished = new Ring(historyLimit);
    this.#sanitize = sanitize;
  }

  /** The task `uid`, pending or among the recent finished. */
  task(uid: number): TaskRecord | undefined {
    return this.pending.get(uid) ?? this.finishedByUid.get(uid);
  }

  /** A snapshot of the manager's own actor; returns whether anything changed. */
  managerSnapshot(snapshot: { value?: unknown; context?: unknown }): boolean {
    const maxThreads = (snapshot.context as ManagerInput | undefined)?.maxThreads ?? this.maxThreads;
    if (snapshot.value === this.phase && maxThreads === this.maxThreads) return false;
    this.phase = snapshot.value as ManagerPhase;
    this.maxThreads = maxThreads;
    return true;
  }

  /** A snapshot of one of its task actors; returns whether anything changed. */
  taskSnapshot(snapshot: InspectedTaskSnapshot): boolean {
    const context = snapshot.context;
    const state = snapshot.value;
    const record = this.pending.get(context.uid);
    if (record === undefined) {
      if (isFinal(state)) return false; // not seen pending: the inspector came later
      this.pending.set(context.uid, { state, context, slot: undefined, lane: -1, run: undefined });
      this.#move(context.group, undefined, state);
      return true;
    }
    const previous = record.state;
    record.context = context;
    record.state = state;
    if (previous !== state) {
      this.#move(context.group, previous, state);
      if (state === 'running') this.#started(record);
      else if (state === 'retrying') this.#attemptFailed(record);
      else if (isFinal(state)) this.#finished(record, previous);
    } else if (state === 'running' && context.thread !== undefined && record.slot === undefined) {
      this.#openRun(record, this.#workerSlot(context.thread));
    }
    return true;
  }

  #move(group: GroupView | undefined, from: TaskState | undefined, to: TaskState): void {
    if (from !== undefined) this.counts[from]--;
    this.counts[to]++;
    if (group === undefined) return;
    let counts = this.groups.get(group);
    if (counts === undefined) {
      if (from !== undefined) return; // a group dropped beyond the limit: not counted again halfway
      counts = zeroCounts();
      this.groups.set(group, counts);
      if (this.groups.size > GROUP_LIMIT) this.groups.delete(this.groups.keys().next().value as GroupView);
    }
    if (from !== undefined) counts[from]--;
    counts[to]++;
  }

  #started(record: TaskRecord): void {
    const { queuedAt, startedAt, kind, thread } = record.context;
    if (queuedAt !== undefined && startedAt !== undefined) this.wait.add(startedAt - queuedAt);
    if (kind !== 'worker') this.#openRun(record, this.#mainSlot(record));
    else if (thread !== undefined) this.#openRun(record, this.#workerSlot(thread));
  }

  #openRun(record: TaskRecord, slot: SlotModel): void {
    const { uid, name, startedAt } = record.context;
    record.slot = slot;
    record.run = { uid, name, state: 'running', start: startedAt ?? Date.now() };
    slot.runs.push(record.run);
  }

  #mainSlot(record: TaskRecord): SlotModel {
    let lane = this.#lanes.indexOf(-1);
    if (lane < 0) lane = this.#lanes.push(-1) - 1;
    this.#lanes[lane] = record.context.uid;
    record.lane = lane;
    return this.#slot(`main-${lane}`, `main thread ${lane}`, 'main');
  }

  #workerSlot(thread: number): SlotModel {
    return this.#slot(`worker-${thread}`, `worker thread ${thread}`, 'worker');
  }

  #slot(id: string, label: string, kind: 'main' | 'worker'): SlotModel {
    let slot = this.slots.get(id);
    if (slot !== undefined) return slot;
    slot = new SlotModel(id, label, kind);
    this.slots.set(id, slot);
    if (kind === 'worker' && this.slots.size > WORKER_SLOT_LIMIT) {
      for (const [key, other] of this.slots) {
        if (other.kind === 'worker') {
          this.slots.delete(key);
          break;
        }
      }
    }
    return slot;
  }

  /** A failed attempt: its run ends as failed and frees its lane; the task stays pending until it runs again. */
  #attemptFailed(record: TaskRecord): void {
    if (record.lane >= 0) this.#lanes[record.lane] = -1;
    record.lane = -1;
    if (record.run !== undefined) {
      record.run.state = 'failed';
      record.run.end = Date.now();
    }
    record.run = undefined;
    record.slot = undefined;
  }

  #finished(record: TaskRecord, previous: TaskState): void {
    const { uid, group, startedAt, finishedAt } = record.context;
    this.pending.delete(uid);
    if (record.lane >= 0) this.#lanes[record.lane] = -1;
    if (record.run !== undefined) {
      record.run.state = record.state;
      record.run.end = finishedAt ?? Date.now();
    }
    if (previous === 'running' && record.state !== 'stopped' && startedAt !== undefined && finishedAt !== undefined) {
      this.run.add(finishedAt - startedAt);
    }
    const evicted = this.finished.push(record);
    if (evicted !== undefined) this.finishedByUid.delete(evicted.context.uid);
    if (evicted !== record) this.finishedByUid.set(uid, record);
    this.#logFinished(record);
    if (group !== undefined && record.state !== 'stopped') this.#checkGroupFinished(group, finishedAt);
  }

  #logFinished(record: TaskRecord): void {
    const { uid, name, group, finishedAt, error } = record.context;
    const entry: LogEntry = {
      seq: this.#seq++,
      at: finishedAt ?? Date.now(),
      kind: this.#kindOf(record.state),
      uid,
      name,
    };
    if (group !== undefined) entry.group = group;
    if (error !== undefined) Object.assign(entry, this.sanitizeError(error));
    this.log.push(entry);
  }

  #kindOf(state: TaskState): LogEntry['kind'] {
    return state === 'done' ? 'completed' : state === 'failed' ? 'failed' : 'stopped';
  }

  #checkGroupFinished(group: GroupView, at: number | undefined): void {
    const counts = this.groups.get(group);
    if (counts === undefined || counts.blocked + counts.queued + counts.running + counts.retrying > 0) return;
    this.log.push({ seq: this.#seq++, at: at ?? Date.now(), kind: 'groupFinished', group });
  }

  /** A failure, through `sanitize`, as strings. */
  sanitizeError(error: { message: string; traceback: string }): { message: string; traceback: string } {
    const clean = this.sanitize(error, 'error') as { message?: unknown; traceback?: unknown } | null;
    const text = (value: unknown): string => (typeof value === 'string' ? value : '[redacted]');
    return { message: text(clean?.message), traceback: text(clean?.traceback) };
  }

  /** `value` through the `sanitize` option; a sanitizer that throws gives a placeholder, never the value. */
  sanitize(value: unknown, kind: 'args' | 'kwargs' | 'result' | 'error'): unknown {
    try {
      return this.#sanitize(value, kind);
    } catch {
      return '[sanitize failed]';
    }
  }
}
