import { ROUTES, type TaskDetail } from '../protocol.js';
import { InspectorRequestError, type InspectorClient } from './client.js';
import { byId, h, morphChildren, type Child } from './dom.js';
import { taskLink } from './event-log.js';
import { clock, duration, value } from './format.js';
import type { MachineDiagramView } from './machine-diagram.js';
import { Refresher } from './refresher.js';

const FINAL = new Set(['done', 'failed', 'stopped']);

function links(uids: readonly number[]): Child {
  return uids.length === 0
    ? h('span', { class: 'muted' }, 'none')
    : h('span', { class: 'links' }, ...uids.map((uid) => taskLink(uid)));
}

function fields(task: TaskDetail): HTMLDListElement {
  const since = (from: number | undefined, to: number | undefined): string =>
    from === undefined || to === undefined ? '–' : duration(to - from);
  const pairs: [string, Child][] = [
    ['kind', task.kind],
    ['priority', String(task.priority)],
    ['group', task.group === undefined ? '–' : String(task.group)],
    ['slot', task.slot ?? '–'],
    ['added', clock(task.addedAt)],
    ['started', clock(task.startedAt) || '–'],
    ['finished', clock(task.finishedAt) || '–'],
    ['waited', since(task.addedAt, task.startedAt)],
    ['ran', since(task.startedAt, task.finishedAt)],
    ['upstream', links(task.upstream)],
    ['downstream', links(task.downstream)],
  ];
  return h(
    'dl',
    { class: 'fields' },
    ...pairs.flatMap(([name, content]) => [h('dt', {}, name), h('dd', { 'data-field': name }, content)]),
  );
}

function outcome(task: TaskDetail): HTMLElement[] {
  if (task.error !== undefined) {
    return [
      h('h4', {}, 'Error'),
      h('p', { class: 'error-message' }, task.error.message),
      h('pre', { class: 'traceback' }, task.error.traceback),
    ];
  }
  if (task.state === 'done') return [h('h4', {}, 'Result'), h('pre', { class: 'result' }, value(task.result))];
  return [];
}

/**
 * A task's detail: its fields, upstream and downstream tasks (each a link),
 * its arguments, its result or error with the traceback, and the task
 * lifecycle diagram with its state highlighted. While the task is pending,
 * each stream message reloads it; the view is rebuilt only when it changed.
 */
export class TaskDetailView {
  private manager: string | undefined;
  private uid: number | undefined;
  private shown = '';
  private task: TaskDetail | undefined;
  private controls = false;
  private readonly refresher: Refresher;
  private readonly body = byId('detail-body');

  constructor(
    private readonly client: InspectorClient,
    private readonly lifecycle: MachineDiagramView,
    onSelect: (uid: number) => void,
    onError: (error: unknown) => void,
  ) {
    this.refresher = new Refresher(() => this.load(), onError);
    byId('lifecycle').append(lifecycle.element);
    this.body.addEventListener('click', (event) => {
      const link = (event.target as Element).closest('button[data-uid]');
      if (link !== null) onSelect(Number(link.getAttribute('data-uid')));
    });
  }

  /** The task shown, if any. */
  get current(): TaskDetail | undefined {
    return this.task;
  }

  /** Shows task `uid` of `manager` (or nothing). */
  show(manager: string, uid: number | undefined): void {
    if (manager === this.manager && uid === this.uid) return;
    this.manager = manager;
    this.uid = uid;
    this.task = undefined;
    this.shown = '';
    this.render();
    this.refresher.request();
  }

  /** Reloads the task unless it has finished (a finished task does not change). */
  refresh(controls: boolean): void {
    if (controls !== this.controls) {
      this.controls = controls;
      this.renderControls();
    }
    if (this.uid !== undefined && (this.task === undefined || !FINAL.has(this.task.state))) this.refresher.request();
  }

  private async load(): Promise<void> {
    const { manager, uid } = this;
    if (manager === undefined || uid === undefined) return;
    let task: TaskDetail | undefined;
    try {
      task = await this.client.get<TaskDetail>(ROUTES.task, { manager, uid });
    } catch (error) {
      if (!(error instanceof InspectorRequestError && error.status === 404)) throw error;
    }
    if (manager !== this.manager || uid !== this.uid) return;
    const text = JSON.stringify(task ?? null);
    if (text === this.shown) return;
    this.shown = text;
    this.task = task;
    this.render(
      task === undefined
        ? `Task ${uid} is no longer known to the inspector: it left the ring of recent tasks.`
        : undefined,
    );
  }

  private render(missing?: string): void {
    const task = this.task;
    this.lifecycle.highlight(task?.state);
    byId('detail').dataset.uid = this.uid === undefined ? '' : String(this.uid);
    if (task === undefined) {
      const text =
        missing ??
        (this.uid === undefined ? 'Click a task in the table, graph, stream or log.' : `Loading task ${this.uid}…`);
      morphChildren(this.body, [h('p', { class: 'muted' }, text)]);
    } else {
      morphChildren(this.body, [
        h(
          'h3',
          {},
          `Task ${task.uid} `,
          h('span', { class: 'name' }, task.name),
          ' ',
          h('span', { class: `badge state-${task.state}` }, task.state),
        ),
        fields(task),
        h('h4', {}, 'Arguments'),
        h('pre', { class: 'args' }, value(task.args)),
        h('h4', {}, 'Keyword arguments'),
        h('pre', { class: 'kwargs' }, value(task.kwargs)),
        ...outcome(task),
      ]);
    }
    this.renderControls();
  }

  private renderControls(): void {
    const task = this.task;
    byId('task-controls').hidden = !this.controls || task === undefined || FINAL.has(task.state);
  }
}
