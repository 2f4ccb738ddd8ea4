/**
 * The inspector page: loads the machine definitions and the state, then
 * follows the event stream, drawing each message at most once per animation
 * frame (a burst of messages costs one render).
 */
import { ROUTES, type MachinesView, type ManagerView, type StateMessage } from '../protocol.js';
import { InspectorClient } from './client.js';
import { Controls } from './controls.js';
import { DependencyGraphView } from './dependency-graph.js';
import { byId, h, setText } from './dom.js';
import { EventLogView } from './event-log.js';
import { MachineDiagramView } from './machine-diagram.js';
import { SummaryView } from './summary.js';
import { TaskDetailView } from './task-detail.js';
import { TaskStreamView } from './task-stream.js';
import { TaskTableView } from './task-table.js';

class InspectorPage {
  private latest: StateMessage | undefined;
  private drawnRevision = -1;
  private frame = 0;
  private managerId: string | undefined;
  private selected: number | undefined;
  private readonly managerDiagram: MachineDiagramView;
  private readonly summary: SummaryView;
  private readonly table: TaskTableView;
  private readonly detail: TaskDetailView;
  private readonly graph: DependencyGraphView;
  private readonly stream: TaskStreamView;
  private readonly log: EventLogView;
  private readonly controls: Controls;

  constructor(client: InspectorClient, machines: MachinesView) {
    const select = (uid: number): void => {
      this.select(uid);
    };
    const report = (error: unknown): void => {
      this.report('Request failed', error);
    };
    this.managerDiagram = new MachineDiagramView(machines.manager, 'Manager phase');
    byId('manager-machine').append(this.managerDiagram.element);
    this.controls = new Controls(client, {
      manager: () => this.view(),
      selectedTask: () => this.selected,
      report: (text, error) => {
        this.report(text, error);
      },
    });
    this.table = new TaskTableView(
      client,
      select,
      () => {
        this.schedule(true);
      },
      report,
    );
    this.summary = new SummaryView({
      onState: (state) => {
        this.table.setFilter({ state });
      },
      onGroup: (group) => {
        this.table.setFilter({ group: group === this.table.filter.group ? undefined : group });
      },
      onStopGroup: (group) => {
        this.controls.stopGroup(group);
      },
    });
    this.detail = new TaskDetailView(client, new MachineDiagramView(machines.task, 'Task lifecycle'), select, report);
    this.graph = new DependencyGraphView(byId('graph'), byId('graph-note'), select);
    this.stream = new TaskStreamView(byId('stream'), byId('stream-note'), select);
    this.log = new EventLogView(byId('log', HTMLOListElement), select);
    byId('manager-select', HTMLSelectElement).addEventListener('change', (event) => {
      this.managerId = (event.target as HTMLSelectElement).value;
      this.selected = undefined;
      this.schedule(true);
    });
  }

  /** Takes a state message; draws it on the next frame. */
  receive(message: StateMessage): void {
    this.latest = message;
    this.schedule(false);
  }

  /** Shows whether the stream is connected. */
  live(connected: boolean): void {
    const badge = byId('live');
    setText(badge, connected ? 'live' : 'reconnecting…');
    badge.classList.toggle('offline', !connected);
  }

  private schedule(force: boolean): void {
    if (force) this.drawnRevision = -1;
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private view(): ManagerView | undefined {
    const managers = this.latest?.managers ?? [];
    return managers.find((manager) => manager.id === this.managerId) ?? managers[0];
  }

  private draw(): void {
    const message = this.latest;
    if (message === undefined || message.revision === this.drawnRevision) return;
    this.drawnRevision = message.revision;
    this.managers(message.managers);
    const view = this.view();
    this.controls.update(message.controls, view);
    byId('main').hidden = view === undefined;
    byId('empty').hidden = view !== undefined;
    if (view === undefined) return;
    this.managerId = view.id;
    setText(byId('phase'), view.phase);
    byId('phase').className = `phase phase-${view.phase}`;
    this.managerDiagram.highlight(view.phase);
    const { state, group, q } = this.table.filter;
    this.summary.update(view, message.controls, state, group, q);
    this.stream.update(view.slots, message.now);
    this.graph.update(view.graph);
    this.log.update(view.id, view.events);
    this.table.setManager(view.id);
    this.table.refresh();
    this.detail.show(view.id, this.selected);
    this.detail.refresh(message.controls);
  }

  private managers(managers: readonly ManagerView[]): void {
    const select = byId('manager-select', HTMLSelectElement);
    const key = managers.map((manager) => `${manager.id}\n${manager.label}`).join('\n');
    if (select.dataset.key !== key) {
      select.dataset.key = key;
      select.replaceChildren(...managers.map((manager) => h('option', { value: manager.id }, manager.label)));
    }
    select.value = this.view()?.id ?? '';
    byId('manager-picker').hidden = managers.length < 2;
  }

  private select(uid: number): void {
    this.selected = uid;
    this.table.select(uid);
    this.graph.select(uid);
    const view = this.view();
    if (view !== undefined) this.detail.show(view.id, uid);
  }

  private report(text: string, error?: unknown): void {
    const line = byId('status-line');
    const reason = error instanceof Error ? `: ${error.message}` : '';
    setText(line, `${text}${reason}`);
    line.classList.toggle('error', error !== undefined);
  }
}

async function start(): Promise<void> {
  const client = InspectorClient.fromLocation(location);
  const machines = await client.get<MachinesView>(ROUTES.machines);
  const page = new InspectorPage(client, machines);
  page.receive(await client.get<StateMessage>(ROUTES.state));
  client.stream(
    (message) => {
      page.receive(message);
    },
    (connected) => {
      page.live(connected);
    },
  );
}

start().catch((error: unknown) => {
  const line = byId('status-line');
  line.classList.add('error');
  setText(line, `The inspector page could not start: ${error instanceof Error ? error.message : String(error)}`);
});
