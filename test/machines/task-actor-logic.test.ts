import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { taskLogic, taskSnapshot } from '../../src/machines/task-logic.js';

// The actor logic as XState drives it for a live task actor (an inspected manager): events that do
// not apply, and a snapshot persisted and restored.
describe('taskLogic as a live actor', () => {
  it('keeps its snapshot when an event does not apply (a queued task cannot fail)', () => {
    const actor = createActor(taskLogic).start();
    actor.send({ type: 'UNBLOCK' });
    const queued = actor.getSnapshot();
    actor.send({ type: 'FAIL' });
    actor.send({ type: 'COMPLETE' });
    expect(actor.getSnapshot()).toBe(queued);
    expect(actor.getSnapshot().value).toBe('queued');
    actor.stop();
  });

  it('persists its snapshot and restores it, to the shared snapshot of that state', () => {
    const actor = createActor(taskLogic).start();
    actor.send({ type: 'UNBLOCK' });
    actor.send({ type: 'START' });
    const persisted = actor.getPersistedSnapshot();
    expect(persisted).toEqual(taskSnapshot('running'));
    actor.stop();
    const restored = createActor(taskLogic, { snapshot: { ...persisted } as never }).start();
    expect(restored.getSnapshot()).toBe(taskSnapshot('running'));
    restored.send({ type: 'COMPLETE' });
    expect(restored.getSnapshot().value).toBe('done');
  });
});
