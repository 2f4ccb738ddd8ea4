import { createTestModel, type TestPath } from '@xstate/graph';
import type { AnyStateMachine, EventObject, Snapshot } from 'xstate';
import { afterAll, describe, expect, it } from 'vitest';
import { BackgroundTaskManager, managerMachine, taskMachine, type TaskState } from '../../src/index.js';
import { FakeClock } from '../fake-clock.js';
import { controlled, record, settle, type RecordedEvent } from '../helpers.js';

type AnyPath = TestPath<Snapshot<unknown> & { value: unknown }, EventObject>;

/** Shortest and simple paths, each once. */
function pathsOf(machine: AnyStateMachine): AnyPath[] {
  const model = createTestModel(machine);
  const unique = new Map<string, AnyPath>();
  for (const path of [...model.getShortestPaths(), ...model.getSimplePaths()] as AnyPath[]) {
    unique.set(path.steps.map((step) => `${step.event.type}>${String(step.state.value)}`).join(' '), path);
  }
  return [...unique.values()];
}

/** Every `source --EVENT--> target` the machine defines, and every state. */
function definedTransitions(machine: AnyStateMachine): { states: Set<string>; transitions: Set<string> } {
  const states = new Set<string>();
  const transitions = new Set<string>();
  for (const [name, node] of Object.entries(machine.root.states)) {
    states.add(name);
    for (const [event, candidates] of node.transitions) {
      for (const candidate of candidates) {
        for (const target of candidate.target ?? []) transitions.add(`${name} --${event}--> ${target.key}`);
      }
    }
  }
  return { states, transitions };
}

/** The transitions and states the paths walk. */
function walked(paths: readonly AnyPath[]): { states: Set<string>; transitions: Set<string> } {
  const states = new Set<string>();
  const transitions = new Set<string>();
  for (const path of paths) {
    let source = String(path.steps[0]?.state.value);
    states.add(source);
    for (const step of path.steps.slice(1)) {
      const target = String(step.state.value);
      transitions.add(`${source} --${step.event.type}--> ${target}`);
      states.add(target);
      source = target;
    }
  }
  return { states, transitions };
}

const coverage: string[] = [];
afterAll(() => {
  for (const line of coverage) console.log(line);
});

function expectFullCoverage(name: string, machine: AnyStateMachine, paths: readonly AnyPath[]): void {
  const defined = definedTransitions(machine);
  const reached = walked(paths);
  expect([...defined.transitions].filter((t) => !reached.transitions.has(t))).toEqual([]);
  expect([...defined.states].filter((s) => !reached.states.has(s))).toEqual([]);
  coverage.push(
    `${name}: ${paths.length} paths; transitions covered ${reached.transitions.size}/${defined.transitions.size}; states ${reached.states.size}/${defined.states.size}`,
  );
}

/**
 * Drives one task T of a real manager through its lifecycle with real calls.
 * T has one upstream task U (so it starts blocked) and runs alone (maxThreads 1).
 * On a path that retries, T may run twice (`retry: { attempts: 2 }`): its
 * first failure retries it, its second fails it; otherwise it has no retry.
 */
class TaskDriver {
  readonly clock = new FakeClock();
  readonly manager = new BackgroundTaskManager({ startProcessing: true, maxThreads: 1, clock: this.clock });
  readonly events: RecordedEvent[] = record(this.manager);
  readonly retrying: unknown[][] = [];
  readonly upstream = controlled();
  readonly target = controlled();
  readonly #retries: boolean;
  upstreamUid = -1;
  uid = -1;
  /** The state T was in when the path failed it: `blocked` (its upstream task failed) or `running` (its own). */
  failedFrom: TaskState | undefined;

  constructor(retries: boolean) {
    this.#retries = retries;
    this.manager.on('taskRetrying', (...args) => this.retrying.push(args));
  }

  async init(): Promise<void> {
    this.upstreamUid = this.manager.addTask(this.upstream.run, { group: 'up' });
    this.uid = this.manager.addTask(this.target.run, {
      group: 't',
      upstreamTaskIds: [this.upstreamUid],
      ...(this.#retries ? { retry: { attempts: 2, delayMs: 10 } } : {}),
    });
    await settle();
    // U runs; pause so that T, once unblocked, waits in the queue for START.
    this.manager.pauseProcessing();
  }

  state(): TaskState | undefined {
    return this.manager.getTaskState(this.uid);
  }

  eventsOfTask(): RecordedEvent[] {
    return this.events.filter((event) => event[0] !== 'taskGroupFinished' && event[1] === this.uid);
  }

  readonly executors = {
    UNBLOCK: async () => {
      this.upstream.resolve(0, { fromUpstream: true });
      await settle();
    },
    START: async () => {
      this.manager.startProcessing();
      await settle();
      expect(this.target.calls.at(-1)).toEqual([{ fromUpstream: true }]);
    },
    COMPLETE: async () => {
      this.target.resolve(this.target.calls.length - 1, 'result');
      await settle();
    },
    FAIL: async () => {
      // From blocked, the failure is the upstream task's, cascading; from running, T's own.
      this.failedFrom = this.state();
      if (this.failedFrom === 'blocked') this.upstream.reject(0, new Error('upstream failed'));
      else this.target.reject(this.target.calls.length - 1, new Error('task failed'));
      await settle();
    },
    RETRY: async () => {
      // Paused, so that T waits in the queue for START once its delay is over.
      this.manager.pauseProcessing();
      this.target.reject(this.target.calls.length - 1, new Error('attempt failed'));
      await settle();
    },
    REQUEUE: async () => {
      this.clock.advance(9);
      await settle();
      expect(this.state()).toBe('retrying');
      this.clock.advance(1);
      await settle();
    },
    STOP: async () => {
      this.manager.stopTask(this.uid, { stopUpstream: false });
      await settle();
    },
  };

  readonly checks: Record<TaskState, () => void> = {
    blocked: () => {
      expect(this.state()).toBe('blocked');
      expect(this.eventsOfTask()).toEqual([]);
    },
    queued: () => {
      expect(this.state()).toBe('queued');
      // Queued first, or again after a failed attempt.
      expect(this.target.calls).toHaveLength(this.retrying.length);
      expect(this.eventsOfTask()).toEqual([]);
    },
    running: () => {
      expect(this.state()).toBe('running');
      expect(this.target.calls).toHaveLength(1 + this.retrying.length);
      expect(this.eventsOfTask()).toEqual([]);
    },
    retrying: () => {
      expect(this.state()).toBe('retrying');
      expect(this.retrying).toEqual([[this.uid, 't', 1, 'attempt failed']]);
      expect(this.manager.stats().busyThreads).toBe(0);
      expect(this.clock.pending).toBe(1);
      expect(this.eventsOfTask()).toEqual([]);
    },
    done: () => {
      expect(this.state()).toBe('done');
      expect(this.eventsOfTask()).toEqual([['taskCompleted', this.uid, 't', 'result']]);
      expect(this.events.at(-1)).toEqual(['taskGroupFinished', 't']);
    },
    failed: () => {
      expect(this.state()).toBe('failed');
      // A cascaded failure never invokes T; its own failure follows exactly one invocation.
      const own = this.failedFrom === 'running';
      expect(this.failedFrom).toMatch(/^(blocked|running)$/);
      expect(this.eventsOfTask()).toEqual([['taskFailed', this.uid, 't', own ? 'task failed' : 'upstream failed']]);
      expect(this.target.calls).toHaveLength(own ? 1 + this.retrying.length : 0);
      expect(this.events.at(-1)).toEqual(['taskGroupFinished', 't']);
    },
    stopped: () => {
      expect(this.state()).toBe('stopped');
      expect(this.clock.pending).toBe(0); // a stop while retrying clears its timer
      expect(this.eventsOfTask()).toEqual([]);
      expect(this.events.filter((event) => event[0] === 'taskGroupFinished' && event[1] === 't')).toEqual([]);
    },
  };
}

describe('task lifecycle machine: every path replayed on a real manager', () => {
  const paths = pathsOf(taskMachine);

  it('covers every state and transition of the machine', () => {
    expectFullCoverage('task machine', taskMachine, paths);
  });

  it.each(paths.map((path) => [path.description, path]))('%s', async (_description, path) => {
    const driver = new TaskDriver(path.steps.some((step) => step.event.type === 'RETRY'));
    await driver.init();
    try {
      await path.test({
        states: Object.fromEntries(
          Object.entries(driver.checks).map(([state, check]) => [
            state,
            () => {
              check();
            },
          ]),
        ),
        events: driver.executors,
      });
    } finally {
      await driver.manager.shutDown();
    }
  });
});

/** Drives the manager through its phases; a probe task tells whether it processes. */
class ManagerDriver {
  readonly manager = new BackgroundTaskManager({ maxThreads: 1 });
  readonly work = controlled();
  /** The promise of `shutDown()`, and the phase the manager was in as the call returned. */
  shuttingDown: Promise<void> | undefined;
  phaseAsShutDownReturned: string | undefined;

  readonly executors = {
    START: async () => {
      this.manager.startProcessing();
      await settle();
    },
    PAUSE: async () => {
      this.manager.pauseProcessing();
      await settle();
    },
    SHUT_DOWN: () => {
      this.shuttingDown = this.manager.shutDown();
      this.phaseAsShutDownReturned = this.manager.phase;
    },
    THREADS_EXITED: async () => {
      await this.shuttingDown;
    },
  };

  async #probe(): Promise<TaskState | undefined> {
    const uid = this.manager.addTask(this.work.run);
    await settle();
    const state = this.manager.getTaskState(uid);
    if (state === 'running') this.work.resolve(this.work.calls.length - 1);
    else this.manager.stopTask(uid);
    await settle();
    return state;
  }

  readonly checks = {
    paused: async () => {
      expect(this.manager.phase).toBe('paused');
      expect(await this.#probe()).toBe('queued');
    },
    processing: async () => {
      expect(this.manager.phase).toBe('processing');
      expect(await this.#probe()).toBe('running');
    },
    shuttingDown: () => {
      // Without worker threads the phase moves on in the next microtask: the phase is read as shutDown() returned.
      expect(this.phaseAsShutDownReturned).toBe('shuttingDown');
      expect(() => this.manager.addTask(() => 1)).toThrow(expect.objectContaining({ code: 'ERR_MANAGER_SHUT_DOWN' }));
      expect(this.manager.pendingCount).toBe(0);
    },
    shutDown: () => {
      expect(this.manager.phase).toBe('shutDown');
      expect(() => this.manager.addTask(() => 1)).toThrow(expect.objectContaining({ code: 'ERR_MANAGER_SHUT_DOWN' }));
      expect(this.manager.pendingCount).toBe(0);
    },
  };
}

describe('manager machine: every path replayed on a real manager', () => {
  const paths = pathsOf(managerMachine);

  it('covers every state and transition of the machine', () => {
    expectFullCoverage('manager machine', managerMachine, paths);
  });

  it.each(paths.map((path) => [path.description, path]))('%s', async (_description, path) => {
    const driver = new ManagerDriver();
    try {
      await path.test({ states: driver.checks, events: driver.executors });
    } finally {
      await driver.manager.shutDown();
    }
  });
});
