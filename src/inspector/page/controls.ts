import { ROUTES, type ControlRequest, type GroupView, type ManagerView, type TasksPage } from '../protocol.js';
import type { InspectorClient } from './client.js';
import { byId } from './dom.js';

/** What a control needs to know about the page. */
export interface ControlContext {
  manager(): ManagerView | undefined;
  selectedTask(): number | undefined;
  report(text: string, error?: unknown): void;
}

/**
 * The buttons that change a manager, present only when the inspector was
 * started with `controls: true`: start and pause, stop the selected task
 * (optionally with its upstream and downstream tasks), stop a group. Each
 * posts to `/api/control`; the server calls the manager's public methods.
 */
export class Controls {
  constructor(
    private readonly client: InspectorClient,
    private readonly context: ControlContext,
  ) {
    byId('start').addEventListener('click', () => {
      this.act('start', (manager) => ({ manager, action: 'start' }));
    });
    byId('pause').addEventListener('click', () => {
      this.act('pause', (manager) => ({ manager, action: 'pause' }));
    });
    byId('stop-task').addEventListener('click', () => {
      const uid = context.selectedTask();
      if (uid === undefined) return;
      const stopUpstream = byId('stop-upstream', HTMLInputElement).checked;
      const stopDownstream = byId('stop-downstream', HTMLInputElement).checked;
      this.act(`stop task ${uid}`, (manager) => ({ manager, action: 'stopTask', uid, stopUpstream, stopDownstream }));
    });
  }

  /** Shows or hides the manager-wide buttons for `view`. */
  update(enabled: boolean, view: ManagerView | undefined): void {
    byId('manager-controls').hidden = !enabled || view === undefined;
    if (view === undefined) return;
    const over = view.phase === 'shuttingDown' || view.phase === 'shutDown';
    byId('start', HTMLButtonElement).disabled = over || view.phase === 'processing';
    byId('pause', HTMLButtonElement).disabled = over || view.phase === 'paused';
  }

  /**
   * Stops every pending task of the group listed under `key`. The counts key
   * groups by their text (group 3 and group '3' alike), so a task of the
   * group tells which value the manager knows it by.
   */
  stopGroup(key: string): void {
    const manager = this.context.manager();
    if (manager === undefined) return;
    const typed = this.client
      .get<TasksPage>(ROUTES.tasks, { manager: manager.id, group: key, limit: 1 })
      .then((page): GroupView => page.tasks[0]?.group ?? key);
    this.send(
      `stop group ${key}`,
      manager,
      typed.then((group) => ({ manager: manager.id, action: 'stopGroup', group })),
    );
  }

  private act(what: string, request: (manager: string) => ControlRequest): void {
    const manager = this.context.manager();
    if (manager !== undefined) this.send(what, manager, Promise.resolve(request(manager.id)));
  }

  private send(what: string, manager: ManagerView, request: Promise<ControlRequest>): void {
    request
      .then((body) => this.client.control(body))
      .then(
        () => {
          this.context.report(`${manager.label}: ${what} sent`);
        },
        (error: unknown) => {
          this.context.report(`${manager.label}: ${what} refused`, error);
        },
      );
  }
}
