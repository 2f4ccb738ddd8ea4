import { setup } from 'xstate';

/** Events that switch the manager between its phases. */
export type ManagerEvent = { type: 'START' } | { type: 'PAUSE' } | { type: 'SHUT_DOWN' };

/**
 * The manager's phases. `paused` is where a manager created with
 * `startProcessing: false` (the default) begins; tasks may be added in any
 * phase but `shutDown`, and start only in `processing`. The queue, groups and
 * dependency indexes live beside this machine in plain data structures (an
 * `assign` over a large context would copy it on every change). Events that
 * do not apply (START while processing, anything after shut-down) are
 * ignored, as XState ignores unhandled events.
 */
export const managerMachine = setup({
  types: {
    events: {} as ManagerEvent,
  },
}).createMachine({
  id: 'backgroundTaskManager',
  initial: 'paused',
  states: {
    paused: {
      on: { START: 'processing', SHUT_DOWN: 'shutDown' },
    },
    processing: {
      on: { PAUSE: 'paused', SHUT_DOWN: 'shutDown' },
    },
    shutDown: { type: 'final' },
  },
});

/** A phase of the manager. */
export type ManagerPhase = 'paused' | 'processing' | 'shutDown';
