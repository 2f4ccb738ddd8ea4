import { ROUTES, type TaskRow, type TasksPage, type TaskStateView } from '../protocol.js';
import type { InspectorClient } from './client.js';
import { byId, h, morphChildren, setText } from './dom.js';
import { clock, count, duration } from './format.js';
import { Refresher } from './refresher.js';

/** Rows per page. */
const LIMIT = 25;

/** What the table shows: one state or all, one group or all, a search, a page. */
export interface TableFilter {
  state?: TaskStateView;
  group?: string;
  q: string;
  offset: number;
}

/**
 * The task table: pending tasks and the server's ring of recent finished
 * ones, newest first, one page at a time (the server filters and pages, so
 * the page holds `LIMIT` rows whatever the number of tasks).
 */
export class TaskTableView {
  /** The current filter; change it through {@link setFilter}. */
  filter: TableFilter = { q: '', offset: 0 };
  private manager: string | undefined;
  private selected: number | undefined;
  private readonly refresher: Refresher;
  private readonly body = byId('tasks-body', HTMLTableSectionElement);

  constructor(
    private readonly client: InspectorClient,
    private readonly onSelect: (uid: number) => void,
    private readonly onFilter: (filter: TableFilter) => void,
    onError: (error: unknown) => void,
  ) {
    this.refresher = new Refresher(() => this.load(), onError);
    const search = byId('search', HTMLInputElement);
    search.addEventListener('input', () => {
      this.setFilter({ q: search.value });
    });
    const failedOnly = byId('failed-only', HTMLInputElement);
    failedOnly.addEventListener('change', () => {
      this.setFilter({ state: failedOnly.checked ? 'failed' : undefined });
    });
    byId('clear-filter').addEventListener('click', () => {
      search.value = '';
      this.setFilter({ state: undefined, group: undefined, q: '' });
    });
    byId('prev-page').addEventListener('click', () => {
      this.setFilter({ offset: Math.max(0, this.filter.offset - LIMIT) }, false);
    });
    byId('next-page').addEventListener('click', () => {
      this.setFilter({ offset: this.filter.offset + LIMIT }, false);
    });
    this.body.addEventListener('click', (event) => {
      const row = (event.target as Element).closest('tr[data-uid]');
      if (row !== null) onSelect(Number(row.getAttribute('data-uid')));
    });
    this.body.addEventListener('keydown', (event) => {
      const row = (event.target as Element).closest('tr[data-uid]');
      if (row !== null && event.key === 'Enter') onSelect(Number(row.getAttribute('data-uid')));
    });
  }

  /** Shows another manager's tasks, from the first page, unfiltered. */
  setManager(manager: string): void {
    if (manager === this.manager) return;
    this.manager = manager;
    this.filter = { q: '', offset: 0 };
    byId('search', HTMLInputElement).value = '';
    this.setFilter({});
  }

  /** Changes the filter (back to the first page unless `resetPage` is false) and reloads. */
  setFilter(change: Partial<TableFilter>, resetPage = true): void {
    this.filter = { ...this.filter, ...change, ...(resetPage ? { offset: change.offset ?? 0 } : {}) };
    byId('failed-only', HTMLInputElement).checked = this.filter.state === 'failed';
    const parts = [
      this.filter.state && `state ${this.filter.state}`,
      this.filter.group !== undefined && `group ${this.filter.group}`,
      this.filter.q !== '' && `“${this.filter.q}”`,
    ].filter(Boolean);
    setText(byId('filter-note'), parts.length === 0 ? 'All tasks' : `Only ${parts.join(', ')}`);
    byId('clear-filter').hidden = parts.length === 0;
    this.onFilter(this.filter);
    this.refresh();
  }

  /** Reloads the current page (at most one request in flight). */
  refresh(): void {
    if (this.manager !== undefined) this.refresher.request();
  }

  /** Marks the selected task's row. */
  select(uid: number | undefined): void {
    this.selected = uid;
    for (const row of this.body.rows) row.classList.toggle('selected', row.dataset.uid === String(uid));
  }

  private async load(): Promise<void> {
    const manager = this.manager as string;
    const { state, group, q, offset } = this.filter;
    const page = await this.client.get<TasksPage>(ROUTES.tasks, { manager, state, group, q, offset, limit: LIMIT });
    if (manager !== this.manager) return;
    if (page.total > 0 && offset >= page.total) {
      this.filter.offset = Math.floor((page.total - 1) / LIMIT) * LIMIT;
      this.refresher.request();
      return;
    }
    morphChildren(
      this.body,
      page.tasks.map((task) => this.row(task)),
    );
    const last = Math.min(page.total, offset + page.tasks.length);
    setText(
      byId('page-range'),
      page.total === 0 ? 'No matching task' : `${count(offset + 1)}–${count(last)} of ${count(page.total)}`,
    );
    byId('prev-page', HTMLButtonElement).disabled = offset === 0;
    byId('next-page', HTMLButtonElement).disabled = last >= page.total;
  }

  private row(task: TaskRow): HTMLTableRowElement {
    const ran =
      task.startedAt !== undefined && task.finishedAt !== undefined ? task.finishedAt - task.startedAt : undefined;
    return h(
      'tr',
      {
        'data-uid': task.uid,
        'data-state': task.state,
        tabindex: 0,
        class: task.uid === this.selected ? 'selected' : undefined,
      },
      h('td', { class: 'num' }, task.uid),
      h('td', {}, h('span', { class: `badge state-${task.state}` }, task.state)),
      h('td', { class: 'name', title: task.kind }, task.name),
      h('td', { class: 'num' }, task.priority),
      h('td', {}, task.group === undefined ? '' : String(task.group)),
      h('td', { class: 'time' }, clock(task.addedAt)),
      h('td', { class: 'time' }, clock(task.startedAt)),
      h('td', { class: 'num' }, ran === undefined ? '' : duration(ran)),
    );
  }
}
