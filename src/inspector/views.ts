import type { InspectionHub } from './hub.js';
import type { ManagerModel, TaskRecord } from './manager-model.js';
import { addCountsEntry } from '../core/values.js';
import {
  PROTOCOL_VERSION,
  type CountsView,
  type GraphNode,
  type GraphView,
  type ManagerView,
  type StateMessage,
  type TaskDetail,
  type TaskRow,
  type TasksPage,
} from './protocol.js';

/** Nodes the dependency graph shows at most. */
export const GRAPH_CAP = 300;
/** Rows a page of `/api/tasks` has by default, and at most. */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 500;

/** `/api/state`, and each `state` event of the stream. */
export function stateMessage(hub: InspectionHub, controls: boolean): StateMessage {
  return {
    version: PROTOCOL_VERSION,
    controls,
    revision: hub.revision,
    now: Date.now(),
    managers: hub.managers.map(managerView),
  };
}

function managerView(model: ManagerModel): ManagerView {
  const groups: Record<string, CountsView> = {};
  for (const [group, counts] of model.groups) addCountsEntry(groups, String(group), counts);
  return {
    id: model.id,
    label: model.label,
    startedAt: model.startedAt,
    phase: model.phase,
    maxThreads: model.maxThreads,
    busyThreads: model.counts.running,
    counts: { ...model.counts },
    groups,
    waitMs: model.wait.percentiles(),
    runMs: model.run.percentiles(),
    slots: [...model.slots.values()].map((slot) => ({
      id: slot.id,
      label: slot.label,
      kind: slot.kind,
      runs: slot.runs.toArray().map((run) => ({ ...run })),
    })),
    events: model.log.toArray(),
    graph: graphView(model),
  };
}

/** The oldest pending tasks (those running and next), then the most recent finished ones, up to the cap. */
function graphView(model: ManagerModel): GraphView {
  const nodes: GraphNode[] = [];
  const records: TaskRecord[] = [];
  for (const record of model.pending.values()) {
    if (records.length === GRAPH_CAP) break;
    records.push(record);
  }
  for (let i = 0; records.length < GRAPH_CAP && i < model.finished.size; i++) {
    records.push(model.finished.fromNewest(i) as TaskRecord);
  }
  const shown = new Set<number>();
  for (const { context, state } of records) {
    shown.add(context.uid);
    nodes.push({ uid: context.uid, name: context.name, state, group: context.group });
  }
  const edges: [number, number][] = [];
  for (const { context } of records) {
    for (const upstream of context.upstream) if (shown.has(upstream)) edges.push([upstream, context.uid]);
  }
  const truncated = model.pending.size + model.finished.size > GRAPH_CAP;
  return { nodes, edges, truncated, cap: GRAPH_CAP };
}

/** A task as a table row (a field left undefined is left out of the JSON). */
function taskRow(record: TaskRecord): TaskRow {
  const c = record.context;
  return {
    uid: c.uid,
    name: c.name,
    kind: c.kind,
    priority: c.priority,
    state: record.state,
    group: c.group,
    upstream: [...c.upstream],
    addedAt: c.addedAt,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    slot: record.slot?.id,
  };
}

/** What `/api/tasks` filters on, already validated. */
export interface TaskFilter {
  readonly state: string | undefined;
  readonly group: string | undefined;
  readonly q: string | undefined;
  readonly offset: number;
  readonly limit: number;
}

/** Pending and recent finished tasks that match, newest first, one page of them. */
export function tasksPage(model: ManagerModel, filter: TaskFilter): TasksPage {
  const q = filter.q?.toLowerCase();
  const matches = (record: TaskRecord): boolean => {
    const c = record.context;
    if (filter.state !== undefined && record.state !== filter.state) return false;
    if (filter.group !== undefined && String(c.group) !== filter.group) return false;
    if (q === undefined) return true; // an empty q matches every name too
    return String(c.uid) === q || c.name.toLowerCase().includes(q) || String(c.group).toLowerCase().includes(q);
  };
  const found: TaskRecord[] = [];
  for (const record of model.pending.values()) if (matches(record)) found.push(record);
  for (let i = model.finished.size - 1; i >= 0; i--) {
    const record = model.finished.fromNewest(i) as TaskRecord;
    if (matches(record)) found.push(record);
  }
  found.sort((a, b) => b.context.uid - a.context.uid);
  const tasks = found.slice(filter.offset, filter.offset + filter.limit).map(taskRow);
  return { total: found.length, offset: filter.offset, limit: filter.limit, tasks };
}

/** One task in full, its values sanitized; `undefined` if the inspector no longer holds it. */
export function taskDetail(model: ManagerModel, uid: number): TaskDetail | undefined {
  const record = model.task(uid);
  if (record === undefined) return undefined;
  const c = record.context;
  const detail: TaskDetail = {
    ...taskRow(record),
    args: model.sanitize(c.args ?? [], 'args'),
    kwargs: model.sanitize(c.kwargs ?? {}, 'kwargs'),
    downstream: downstreamOf(model, uid),
  };
  if (record.state === 'done') detail.result = model.sanitize(c.result, 'result');
  if (c.error !== undefined) detail.error = model.sanitizeError(c.error);
  return detail;
}

function downstreamOf(model: ManagerModel, uid: number): number[] {
  const out: number[] = [];
  const visit = (record: TaskRecord): void => {
    if (record.context.upstream.includes(uid)) out.push(record.context.uid);
  };
  for (const record of model.pending.values()) visit(record);
  for (let i = 0; i < model.finished.size; i++) visit(model.finished.fromNewest(i) as TaskRecord);
  return out.sort((a, b) => a - b);
}
