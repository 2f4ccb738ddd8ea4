/**
 * The inspector's wire protocol: the JSON of every route the inspector
 * server answers, shared by the server and the page. This file imports
 * nothing, so the page can compile against it for the browser.
 *
 * Every route needs the token: `?token=<hex>` or the `X-Inspector-Token`
 * header. Times are milliseconds since the epoch (fractional), durations
 * milliseconds.
 *
 * Changes from the first plan (announced here, newest last):
 * - `LogEntry.kind` has no `'retrying'`: the manager never retries a task.
 * - `StateMessage` carries `revision` (grows with every change the server
 *   saw) and `now` (the server's clock, for the task stream's right edge).
 * - Percentiles are `null` while no task has been measured.
 * - `ManagerView` carries `label` (`manager 1`, `manager 2`, … in the order
 *   the inspector first saw them).
 * - `TaskRow.kind` says what the task runs: `main`, `worker` or `passThrough`.
 * - A manager's phase may be `shuttingDown`: `shutDown()` was called and
 *   worker threads are still exiting.
 * - Slot ids: `main-<lane>` for main-thread tasks (a lane per task running
 *   at once, lowest free lane first) and `worker-<threadId>` for worker
 *   threads; `label` is what the page prints (`main 0`, `worker thread 3`).
 */

/** The protocol version in {@link StateMessage.version}. */
export const PROTOCOL_VERSION = 1;

/** The header that may carry the token instead of `?token=`. */
export const TOKEN_HEADER = 'x-inspector-token';

/** The routes, by what they answer. `assets` is a prefix: `/assets/<file>`. */
export const ROUTES = Object.freeze({
  page: '/',
  assets: '/assets/',
  state: '/api/state',
  tasks: '/api/tasks',
  task: '/api/task',
  machines: '/api/machines',
  stream: '/api/stream',
  control: '/api/control',
} as const);

/** The name of the Server-Sent Event on {@link ROUTES.stream}; its data is a {@link StateMessage}. */
export const STREAM_EVENT = 'state';

/** A manager's phase. */
export type PhaseView = 'paused' | 'processing' | 'shuttingDown' | 'shutDown';

/** A task's lifecycle state. */
export type TaskStateView = 'blocked' | 'queued' | 'running' | 'retrying' | 'done' | 'failed' | 'stopped';

/** A task group as the manager knows it. */
export type GroupView = string | number;

/**
 * Tasks per state: pending ones now (blocked, queued, running, retrying)
 * and finished ones since the manager started (done, failed, stopped).
 */
export interface CountsView {
  blocked: number;
  queued: number;
  running: number;
  retrying: number;
  done: number;
  failed: number;
  stopped: number;
}

/** Percentiles in milliseconds over a bounded window of recent tasks; `null` before the first. */
export interface PercentilesView {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Exactly what `manager.stats()` returns. */
export interface StatsView {
  phase: PhaseView;
  maxThreads: number;
  /** Tasks running now, each holding one of the `maxThreads` slots. */
  busyThreads: number;
  counts: CountsView;
  /** Counts per group, keyed by the group (a numeric group's key is its decimal string). */
  groups: Record<string, CountsView>;
  /** From added (or unblocked, for a task with upstream tasks) to started. */
  waitMs: PercentilesView;
  /** From started to finished. */
  runMs: PercentilesView;
}

/** One run of a task on a slot: a bar of the task stream. */
export interface SlotRunView {
  uid: number;
  name: string;
  state: TaskStateView;
  start: number;
  /** Absent while it runs. */
  end?: number;
}

/** A row of the task stream: a main-thread lane or a worker thread, with its recent runs. */
export interface SlotView {
  /** `main-<lane>` or `worker-<threadId>`. */
  id: string;
  label: string;
  kind: 'main' | 'worker';
  /** Oldest first, a bounded window. */
  runs: SlotRunView[];
}

/** An entry of the event log. */
export interface LogEntry {
  /** Grows by one per entry of this manager. */
  seq: number;
  at: number;
  kind: 'completed' | 'failed' | 'groupFinished' | 'stopped';
  uid?: number;
  name?: string;
  group?: GroupView;
  /** A failure's message. */
  message?: string;
  /** A failure's traceback. */
  traceback?: string;
}

/** A node of the dependency graph. */
export interface GraphNode {
  uid: number;
  name: string;
  state: TaskStateView;
  group?: GroupView;
}

/** The dependency graph of pending and recent tasks, up to `cap` nodes. */
export interface GraphView {
  nodes: GraphNode[];
  /** `[upstream uid, downstream uid]`, both among `nodes`. */
  edges: [number, number][];
  /** True when there were more than `cap` tasks to show: the most recent `cap` are. */
  truncated: boolean;
  cap: number;
}

/** One manager, as `/api/state` and the stream show it. */
export interface ManagerView extends StatsView {
  /** The id to pass as `manager=` to the other routes. */
  id: string;
  label: string;
  startedAt: number;
  slots: SlotView[];
  /** The last ~200 entries, oldest first. */
  events: LogEntry[];
  graph: GraphView;
}

/** `GET /api/state`, and the data of every `state` event of `/api/stream`. */
export interface StateMessage {
  version: typeof PROTOCOL_VERSION;
  /** Whether `POST /api/control` is allowed. */
  controls: boolean;
  revision: number;
  now: number;
  managers: ManagerView[];
}

/** A row of the task table. */
export interface TaskRow {
  uid: number;
  /** The function's name, the worker task's name, or `pass-through`; `anonymous` for a nameless function. */
  name: string;
  kind: 'main' | 'worker' | 'passThrough';
  priority: number;
  group?: GroupView;
  state: TaskStateView;
  upstream: number[];
  addedAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** The {@link SlotView.id} it ran on. */
  slot?: string;
}

/**
 * Query of `GET /api/tasks`: `manager` (required), `state` (one state; `failed`
 * is the page's filter), `group`, `q` (searches uid, name or group),
 * `offset` (default 0), `limit` (default 50, at most 500). Newest first.
 */
export interface TasksQuery {
  manager: string;
  state?: TaskStateView;
  group?: string;
  q?: string;
  offset?: number;
  limit?: number;
}

/** `GET /api/tasks`: pending tasks and the ring of recent finished ones that match. */
export interface TasksPage {
  total: number;
  offset: number;
  limit: number;
  tasks: TaskRow[];
}

/** A failure as the task reported it. */
export interface ErrorView {
  message: string;
  traceback: string;
}

/**
 * `GET /api/task?manager=ID&uid=N`. Values are already sanitized (size and
 * depth capped; the `sanitize` option may redact them).
 */
export interface TaskDetail extends TaskRow {
  args: unknown;
  kwargs: unknown;
  result?: unknown;
  error?: ErrorView;
  /** Downstream tasks the inspector still knows of. */
  downstream: number[];
}

/** A transition of a machine diagram. */
export interface TransitionView {
  from: string;
  event: string;
  to: string;
}

/** A machine's definition, for drawing. */
export interface MachineDiagram {
  id: string;
  initial: string;
  states: string[];
  finals: string[];
  transitions: TransitionView[];
}

/** `GET /api/machines`. */
export interface MachinesView {
  task: MachineDiagram;
  manager: MachineDiagram;
}

/** How far a stop reaches. */
export interface StopFlags {
  stopUpstream?: boolean;
  stopDownstream?: boolean;
}

/**
 * `POST /api/control` (only with `controls: true`), with
 * `Content-Type: application/json` and the page's own `Origin`.
 */
export type ControlRequest =
  | { manager: string; action: 'start' }
  | { manager: string; action: 'pause' }
  | ({ manager: string; action: 'stopTask'; uid: number } & StopFlags)
  | ({ manager: string; action: 'stopGroup'; group: GroupView } & StopFlags);

/** The answer to a control request that was carried out. */
export interface ControlResponse {
  ok: true;
}

/** The body of every 4xx/5xx answer. */
export interface ErrorResponse {
  error: string;
}
