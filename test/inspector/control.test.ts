import { afterEach, describe, expect, it } from 'vitest';
import { BackgroundTaskManager } from '../../src/index.js';
import { ControlRefused, applyControl } from '../../src/inspector/control.js';
import type { InspectorParts } from '../../src/inspector/start-inspector.js';
import { controlled, settle } from '../helpers.js';
import { startTestInspector } from './server-helpers.js';

// The control requests as the server hands them over, parsed: each refusal with its status and the
// message the page shows, and each action with the stop flags' defaults. The HTTP side (methods,
// Origin, content type, size) is in server-safety.test.ts.

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

async function controlledManager(): Promise<{ inspector: InspectorParts; manager: BackgroundTaskManager }> {
  const inspector = await startTestInspector({ controls: true });
  const manager = new BackgroundTaskManager({ inspect: inspector.inspect });
  open.push(inspector, { close: () => manager.shutDown() });
  return { inspector, manager };
}

function refusal(inspector: InspectorParts, body: unknown): unknown {
  try {
    applyControl(inspector.hub, body);
  } catch (error) {
    return error;
  }
  return 'carried out';
}

const OBJECT = 'expected a JSON object';
const UID = 'expected `uid` to be an integer >= 0';
const GROUP = 'expected `group` to be a string or a number';

describe('applyControl', () => {
  it('refuses a malformed request with a 400 that says what is wrong, and a manager it does not know with a 404', async () => {
    const { inspector, manager } = await controlledManager();
    const uid = manager.addTask(controlled().run, { group: 'g' });
    const start = { manager: 'm1', action: 'start' };
    const cases: Array<[unknown, number, string]> = [
      ['m1', 400, OBJECT],
      [7, 400, OBJECT],
      [null, 400, OBJECT],
      [[start], 400, OBJECT],
      [{ ...start, extra: 1 }, 400, "unknown field 'extra'"],
      [{ action: 'start' }, 400, 'expected `manager` to be a string'],
      [{ manager: 1, action: 'start' }, 400, 'expected `manager` to be a string'],
      [{ manager: 'm1' }, 400, 'unknown `action`'],
      [{ manager: 'm1', action: 'constructor' }, 400, 'unknown `action`'],
      [{ manager: 'm1', action: 1 }, 400, 'unknown `action`'],
      [{ ...start, stopUpstream: 'no' }, 400, 'expected `stopUpstream` to be a boolean'],
      [{ ...start, stopDownstream: 0 }, 400, 'expected `stopDownstream` to be a boolean'],
      [{ manager: 'm1', action: 'stopTask' }, 400, UID],
      [{ manager: 'm1', action: 'stopTask', uid: String(uid) }, 400, UID],
      [{ manager: 'm1', action: 'stopTask', uid: -1 }, 400, UID],
      [{ manager: 'm1', action: 'stopTask', uid: 0.5 }, 400, UID],
      [{ manager: 'm1', action: 'stopTask', uid: 2 ** 53 }, 400, UID],
      [{ manager: 'm1', action: 'stopGroup' }, 400, GROUP],
      [{ manager: 'm1', action: 'stopGroup', group: null }, 400, GROUP],
      [{ manager: 'm1', action: 'stopGroup', group: ['g'] }, 400, GROUP],
      [{ manager: 'm1', action: 'stopGroup', group: Number.NaN }, 400, GROUP],
      [{ manager: 'm1', action: 'stopGroup', group: Number.POSITIVE_INFINITY }, 400, GROUP],
      [{ manager: 'm9', action: 'start' }, 404, "no manager 'm9'"],
    ];
    for (const [body, status, message] of cases) {
      const error = refusal(inspector, body);
      expect(error, JSON.stringify(body)).toBeInstanceOf(ControlRefused);
      expect(error, JSON.stringify(body)).toMatchObject({ name: 'ControlRefused', status, message });
    }
    expect(manager.phase).toBe('paused');
    expect(manager.getTaskState(uid)).toBe('queued');
    expect(uid).toBe(0); // the lowest id there is, accepted
    applyControl(inspector.hub, { manager: 'm1', action: 'stopTask', uid });
    expect(manager.getTaskState(uid)).toBe('stopped');
  });

  it('stops a task with everything connected to it by default, and leaves a side out when its flag is false', async () => {
    const { inspector, manager } = await controlledManager();
    const chain = (): number[] => {
      const first = manager.addTask(controlled().run);
      const middle = manager.addTask(controlled().run, { upstreamTaskIds: [first] });
      return [first, middle, manager.addTask(controlled().run, { upstreamTaskIds: [middle] })];
    };
    const states = (uids: number[]): Array<string | undefined> => uids.map((uid) => manager.getTaskState(uid));
    const cases: Array<[Record<string, boolean>, string[]]> = [
      [{}, ['stopped', 'stopped', 'stopped']],
      [{ stopUpstream: false }, ['queued', 'stopped', 'stopped']],
      [{ stopDownstream: false }, ['stopped', 'stopped', 'queued']],
      [{ stopUpstream: true, stopDownstream: true }, ['stopped', 'stopped', 'stopped']],
    ];
    for (const [flags, expected] of cases) {
      const uids = chain();
      applyControl(inspector.hub, { manager: 'm1', action: 'stopTask', uid: uids[1], ...flags });
      expect(states(uids), JSON.stringify(flags)).toEqual(expected);
    }
    // A group, by name or number, with the same flags.
    const upstream = manager.addTask(controlled().run);
    const named = manager.addTask(controlled().run, { group: 'g', upstreamTaskIds: [upstream] });
    const numbered = manager.addTask(controlled().run, { group: 7, upstreamTaskIds: [upstream] });
    applyControl(inspector.hub, { manager: 'm1', action: 'stopGroup', group: 'g', stopUpstream: false });
    expect(states([upstream, named, numbered])).toEqual(['queued', 'stopped', 'blocked']);
    applyControl(inspector.hub, { manager: 'm1', action: 'stopGroup', group: 7 });
    expect(states([upstream, numbered])).toEqual(['stopped', 'stopped']);
  });

  it('starts a paused manager, changes nothing when it runs or has shut down, and pauses it', async () => {
    const { inspector, manager } = await controlledManager();
    const start = { manager: 'm1', action: 'start' };
    applyControl(inspector.hub, start);
    expect(manager.phase).toBe('processing');
    applyControl(inspector.hub, start);
    expect(manager.phase).toBe('processing');
    applyControl(inspector.hub, { manager: 'm1', action: 'pause' });
    expect(manager.phase).toBe('paused');
    const work = controlled();
    manager.addTask(work.run);
    applyControl(inspector.hub, start);
    await settle();
    const shutDown = manager.shutDown();
    expect(manager.phase).toBe('shuttingDown');
    applyControl(inspector.hub, start);
    expect(manager.phase).toBe('shuttingDown');
    work.resolve(0, 'done');
    await shutDown;
    applyControl(inspector.hub, start);
    expect(manager.phase).toBe('shutDown');
  });
});
