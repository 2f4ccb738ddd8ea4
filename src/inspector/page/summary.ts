import type { CountsView, ManagerView, PercentilesView, TaskStateView } from '../protocol.js';
import { byId, h, morphChildren, setText } from './dom.js';
import { count, duration } from './format.js';

/** The seven states in lifecycle order. */
const STATES: readonly TaskStateView[] = ['blocked', 'queued', 'running', 'retrying', 'done', 'failed', 'stopped'];

/** Groups listed at most; the search narrows the list. */
const GROUP_ROWS = 12;

/** What the summary asks of the rest of the page. */
export interface SummaryHandlers {
  /** Filter the table to one state (or all). */
  onState(state: TaskStateView | undefined): void;
  /** Filter the table to one group (or all). */
  onGroup(group: string | undefined): void;
  /** Stop a group (shown only with controls on). */
  onStopGroup(group: string): void;
}

function pending(counts: CountsView): number {
  return counts.blocked + counts.queued + counts.running;
}

function percentiles(p: PercentilesView): string {
  return `p50 ${duration(p.p50)} · p95 ${duration(p.p95)} · p99 ${duration(p.p99)}`;
}

/**
 * Counts per state (overall and per group), busy threads and the wait and
 * run percentiles. A state's count filters the table to that state; a
 * group's row filters it to that group.
 */
export class SummaryView {
  private readonly chips = new Map<TaskStateView, HTMLButtonElement>();

  constructor(private readonly handlers: SummaryHandlers) {
    const row = byId('counts');
    for (const state of STATES) {
      const chip = h(
        'button',
        { type: 'button', class: `count state-${state}`, 'data-state': state, 'aria-pressed': 'false' },
        h('span', { class: 'n', 'data-count': state }, '0'),
        h('span', { class: 'label' }, state),
      );
      chip.addEventListener('click', () => {
        handlers.onState(chip.getAttribute('aria-pressed') === 'true' ? undefined : state);
      });
      this.chips.set(state, chip);
      row.append(chip);
    }
    byId('groups').addEventListener('click', (event) => {
      const target = event.target as Element;
      const stop = target.closest('button[data-stop-group]');
      if (stop !== null) handlers.onStopGroup(stop.getAttribute('data-stop-group') ?? '');
      else {
        const row = target.closest('tr[data-group]');
        if (row !== null) handlers.onGroup(row.getAttribute('data-group') ?? undefined);
      }
    });
  }

  /** Shows `view`; `state`, `group` and `query` are the table's current filter. */
  update(
    view: ManagerView,
    controls: boolean,
    state: TaskStateView | undefined,
    group: string | undefined,
    query: string,
  ): void {
    for (const [name, chip] of this.chips) {
      setText(chip.querySelector('.n') as Element, count(view.counts[name]));
      chip.setAttribute('aria-pressed', String(name === state));
    }
    const meter = byId('threads-meter', HTMLMeterElement);
    meter.max = view.maxThreads;
    meter.value = view.busyThreads;
    setText(byId('threads'), `${view.busyThreads} of ${view.maxThreads} busy`);
    setText(byId('wait'), percentiles(view.waitMs));
    setText(byId('run'), percentiles(view.runMs));
    this.groups(view.groups, controls, group, query.trim().toLowerCase());
  }

  private groups(
    groups: Readonly<Record<string, CountsView>>,
    controls: boolean,
    selected: string | undefined,
    query: string,
  ): void {
    const all = Object.entries(groups).filter(([key]) => query === '' || key.toLowerCase().includes(query));
    all.sort(([a, x], [b, y]) => pending(y) - pending(x) || a.localeCompare(b, 'en', { numeric: true }));
    const rows = all
      .slice(0, GROUP_ROWS)
      .map(([key, counts]) =>
        h(
          'tr',
          { 'data-group': key, class: key === selected ? 'selected' : undefined, tabindex: 0 },
          h('th', { scope: 'row' }, key),
          ...STATES.map((state) => h('td', { class: `num state-text-${state}` }, count(counts[state]))),
          controls &&
            h(
              'td',
              {},
              pending(counts) > 0 &&
                h('button', { type: 'button', class: 'danger small', 'data-stop-group': key }, 'Stop'),
            ),
        ),
      );
    morphChildren(byId('groups-body'), rows);
    byId('groups-stop-head').hidden = !controls;
    const more = all.length - rows.length;
    setText(
      byId('groups-note'),
      all.length === 0 ? 'No groups.' : more > 0 ? `and ${count(more)} more groups (search to narrow)` : '',
    );
  }
}
