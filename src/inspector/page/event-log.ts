import type { LogEntry } from '../protocol.js';
import { h, type Child } from './dom.js';
import { clock } from './format.js';

/** Entries kept on the page; older ones are removed as new ones come. */
const KEEP = 200;

const VERBS: Readonly<Record<LogEntry['kind'], string>> = {
  completed: 'completed',
  failed: 'failed',
  groupFinished: 'finished',
  stopped: 'stopped',
};

/** A button that selects task `uid` (delegated click handler on the list). */
export function taskLink(uid: number, name?: string): HTMLButtonElement {
  return h(
    'button',
    { type: 'button', class: 'link', 'data-uid': uid },
    `task ${uid}${name === undefined ? '' : ` ${name}`}`,
  );
}

/**
 * The event log, newest first: tasks completed, failed (the traceback folds
 * out), stopped, and groups finished. Only entries newer than the last one
 * shown are added, so a message costs as much as what is new in it.
 */
export class EventLogView {
  private manager: string | undefined;
  private lastSeq = -1;

  constructor(
    private readonly list: HTMLOListElement,
    onSelect: (uid: number) => void,
  ) {
    list.addEventListener('click', (event) => {
      const link = (event.target as Element).closest('button[data-uid]');
      if (link !== null) onSelect(Number(link.getAttribute('data-uid')));
    });
  }

  /** Shows the entries of `manager` not shown yet. */
  update(manager: string, events: readonly LogEntry[]): void {
    const newest = events[events.length - 1]?.seq ?? -1;
    if (manager !== this.manager || newest < this.lastSeq) {
      this.manager = manager;
      this.lastSeq = -1;
      this.list.replaceChildren();
    }
    const fresh = events.filter((entry) => entry.seq > this.lastSeq);
    if (fresh.length === 0) return;
    this.lastSeq = newest;
    this.list.prepend(
      ...fresh
        .slice(-KEEP)
        .reverse()
        .map((entry) => this.item(entry)),
    );
    while (this.list.childElementCount > KEEP) this.list.lastElementChild?.remove();
  }

  private item(entry: LogEntry): HTMLLIElement {
    const subject: Child[] =
      entry.kind === 'groupFinished'
        ? [`group ${entry.group}`]
        : [entry.uid === undefined ? 'a task' : taskLink(entry.uid, entry.name)];
    const group =
      entry.kind !== 'groupFinished' && entry.group !== undefined
        ? h('span', { class: 'muted' }, ` group ${entry.group}`)
        : null;
    const head: Child[] = [
      h('time', {}, clock(entry.at)),
      h('span', { class: `kind kind-${entry.kind}` }, VERBS[entry.kind]),
      ...subject,
      group,
    ];
    if (entry.kind !== 'failed') return h('li', { 'data-kind': entry.kind, 'data-seq': entry.seq }, ...head);
    return h(
      'li',
      { 'data-kind': entry.kind, 'data-seq': entry.seq },
      h(
        'details',
        {},
        h('summary', {}, ...head, h('span', { class: 'message' }, `: ${entry.message ?? ''}`)),
        h('pre', { class: 'traceback' }, entry.traceback ?? entry.message ?? ''),
      ),
    );
  }
}
