import type { SlotRunView } from './protocol.js';
import { Ring } from './task-ring.js';

/** Runs kept per slot for the task stream. */
const RUNS_PER_SLOT = 50;

/** A row of the task stream: a main-thread lane or a worker thread, with its last runs. */
export class SlotModel {
  readonly id: string;
  readonly label: string;
  readonly kind: 'main' | 'worker';
  readonly runs = new Ring<SlotRunView>(RUNS_PER_SLOT);

  constructor(id: string, label: string, kind: 'main' | 'worker') {
    this.id = id;
    this.label = label;
    this.kind = kind;
  }
}
