import type { ControlRequest, ManagerView } from '../protocol.js';
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
      this.send('start', (manager) => ({ manager, action: 'start' }));
    });
    byId('pause').addEventListener('click', () => {
      this.send('pause', (manager) => ({ manager, action: 'pause' }));
    });
    byId('stop-task').addEventListener('click', () => {
      const uid = context.selectedTask();
      if (uid === undefined) return;
      const stopUpstream = byId('stop-upstream', HTMLInputElement).checked;
      const stopDownstream = byId('stop-downstream', HTMLInputElement).checked;
      this.send(`stop task ${uid}`, (manager) => ({ manager, action: 'stopTask', uid, stopUpstream, stopDownstream }));
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

  /** Stops every pending task of `group` (the key as the summary lists it). */
  stopGroup(group: string): void {
    this.send(`stop group ${group}`, (manager) => ({ manager, action: 'stopGroup', group }));
  }

  private send(what: string, request: (manager: string) => ControlRequest): void {
    const manager = this.context.manager();
    if (manager === undefined) return;
    this.client.control(request(manager.id)).then(
      () => {
        this.context.report(`${manager.label}: ${what} sent`);
      },
      (error: unknown) => {
        this.context.report(`${manager.label}: ${what} refused`, error);
      },
    );
  }
}
