import type { AnyActorRef, InspectionEvent } from 'xstate';
import { inspectedTaskLogic, type InspectedTaskSnapshot } from '../machines/inspected-task-logic.js';
import { managerMachine } from '../machines/manager-machine.js';
import { ManagerModel } from './manager-model.js';
import type { Sanitizer } from './sanitize.js';

/** Managers kept; beyond this, the oldest one that has shut down (else the oldest) is dropped. */
const MANAGER_LIMIT = 16;

interface ActorInternals {
  readonly logic?: unknown;
  readonly _parent?: unknown;
}

/**
 * Receives the inspection stream of every manager it is given to, and
 * keeps one {@link ManagerModel} per manager (a root actor of
 * `managerMachine`). `inspect` never throws: a fault is counted and
 * the event dropped, so nothing here can break a manager. Every change
 * bumps `revision`, which the stream compares to send only what changed.
 */
export class InspectionHub {
  readonly #byRoot = new Map<string, ManagerModel>();
  readonly #historyLimit: number;
  readonly #sanitize: Sanitizer;
  #nextId = 1;
  #closed = false;
  /** Grows with every change seen. */
  revision = 0;
  /** Events whose handling threw, and the last error. */
  faults = 0;
  lastFault: unknown;

  constructor(historyLimit: number, sanitize: Sanitizer) {
    this.#historyLimit = historyLimit;
    this.#sanitize = sanitize;
  }

  /** The observer to pass as a manager's `inspect` option. */
  readonly inspect = (event: InspectionEvent): void => {
    if (this.#closed) return;
    try {
      if (this.#handle(event)) this.revision++;
    } catch (error) {
      this.faults++;
      this.lastFault = error;
    }
  };

  /** The managers, oldest first. */
  get managers(): ManagerModel[] {
    return [...this.#byRoot.values()];
  }

  /** The manager with this id. */
  manager(id: string): ManagerModel | undefined {
    for (const model of this.#byRoot.values()) if (model.id === id) return model;
    return undefined;
  }

  /**
   * Stops listening; later events are ignored. What it held goes: a
   * manager keeps its `inspect` function, and with it this hub, for life.
   */
  close(): void {
    this.#closed = true;
    this.#byRoot.clear();
  }

  #handle(event: InspectionEvent): boolean {
    if (event.type === '@xstate.snapshot') {
      const model = this.#byRoot.get(event.rootId);
      if (model === undefined) return false;
      const actor = event.actorRef;
      if (actor === model.actor) return model.managerSnapshot(event.snapshot as { value?: unknown });
      if ((actor as ActorInternals).logic !== inspectedTaskLogic) return false;
      return model.taskSnapshot(event.snapshot as InspectedTaskSnapshot);
    }
    if (event.type === '@xstate.actor' && isManagerRoot(event.actorRef)) {
      this.#add(event.rootId, event.actorRef as AnyActorRef);
      return true;
    }
    return false;
  }

  #add(rootId: string, actor: AnyActorRef): void {
    const id = this.#nextId++;
    this.#byRoot.set(rootId, new ManagerModel(`m${id}`, `manager ${id}`, actor, this.#historyLimit, this.#sanitize));
    if (this.#byRoot.size <= MANAGER_LIMIT) return;
    let drop = this.#byRoot.keys().next().value as string;
    for (const [key, model] of this.#byRoot) {
      if (model.phase === 'shutDown') {
        drop = key;
        break;
      }
    }
    this.#byRoot.delete(drop);
  }
}

function isManagerRoot(actor: unknown): boolean {
  const internals = actor as ActorInternals;
  return internals.logic === managerMachine && internals._parent === undefined;
}
