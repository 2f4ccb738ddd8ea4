import { setup } from 'xstate';

/**
 * Events that switch the manager between its phases. `THREADS_EXITED`
 * follows `SHUT_DOWN` once every worker thread has exited (at once when
 * no thread was started).
 */
export type ManagerEvent = { type: 'START' } | { type: 'PAUSE' } | { type: 'SHUT_DOWN' } | { type: 'THREADS_EXITED' };

/** What the manager machine is started with, and keeps in its context for inspectors. */
export interface ManagerInput {
  /** The most tasks that run at once. */
  readonly maxThreads: number;
}

/**
 * The manager machine's context: `maxThreads` from its input, or the
 * manager's default when there is none (test models create the machine
 * without input). A declared function, so that its name, which
 * `@statelyai/inspect` shows as the context's type, is `context` however
 * the module is compiled or instrumented.
 */
function context({ input }: { input: ManagerInput | undefined }): ManagerInput {
  return { maxThreads: input?.maxThreads ?? 8 };
}

/**
 * The manager's phases. `paused` is where a manager created with
 * `startProcessing: false` (the default) begins; tasks may be added in
 * `paused` and `processing`, and start only in `processing`. `shuttingDown`
 * lasts from `shutDown()` until every worker thread has exited. The queue,
 * groups and dependency indexes live beside this machine in plain data
 * structures (an `assign` over a large context would copy it on every
 * change); its context only names `maxThreads`, for inspectors. Events that
 * do not apply (START while processing, anything after shut-down) are
 * ignored, as XState ignores unhandled events.
 */
export const managerMachine = setup({
  types: {
    events: {} as ManagerEvent,
    input: {} as ManagerInput,
    context: {} as ManagerInput,
  },
}).createMachine({
  id: 'backgroundTaskManager',
  initial: 'paused',
  context,
  states: {
    paused: {
      on: { START: 'processing', SHUT_DOWN: 'shuttingDown' },
    },
    processing: {
      on: { PAUSE: 'paused', SHUT_DOWN: 'shuttingDown' },
    },
    shuttingDown: {
      on: { THREADS_EXITED: 'shutDown' },
    },
    shutDown: { type: 'final' },
  },
});

/** A phase of the manager. */
export type ManagerPhase = 'paused' | 'processing' | 'shuttingDown' | 'shutDown';
