import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RemoteJob } from '../../../src/workers/remote/remote-job.js';
import { OutcomeAudit } from '../../../src/workers/remote/outcome-audit.js';

/** A job in flight, as the audit reads it. */
function job(id: string, fields: Partial<Pick<RemoteJob, 'done' | 'watched'>> = {}): RemoteJob {
  const fake: Pick<RemoteJob, 'id' | 'added' | 'done' | 'watched'> = {
    id,
    added: Promise.resolve(),
    done: false,
    watched: false,
    ...fields,
  };
  return fake as unknown as RemoteJob;
}

/** Runs one look: the interval's tick, then the round trips it waits for. */
async function look(): Promise<void> {
  vi.advanceTimersByTime(100);
  await vi.runAllTicks();
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the outcome audit', () => {
  it('fails a job Redis no longer holds at two looks in a row, and only that one', async () => {
    vi.useFakeTimers();
    const gone = job('gone');
    const back = job('back');
    const held = job('held');
    const settled = job('settled');
    const watched = job('watched', { watched: true });
    const jobs = [gone, back, held, settled, watched];
    const states = new Map([
      ['gone', ['unknown', 'unknown']],
      ['back', ['unknown', 'active']],
      ['held', ['waiting', 'active']],
      ['settled', ['unknown', 'unknown']],
      ['watched', ['unknown', 'unknown']],
    ]);
    const lost: string[] = [];
    const audit = new OutcomeAudit(
      100,
      () => jobs,
      (id) => Promise.resolve(states.get(id)?.shift() ?? 'unknown'),
      (lostJob) => lost.push(lostJob.id),
    );
    audit.start();
    await look();
    expect(lost).toEqual([]);
    (settled as { done: boolean }).done = true; // its outcome came between the looks
    await look();
    expect(lost).toEqual(['gone']);
    audit.stop();
  });

  it('stops looking once no job is in flight, and asks Redis nothing then', async () => {
    vi.useFakeTimers();
    const asked: string[] = [];
    const audit = new OutcomeAudit(
      100,
      () => [],
      (id) => {
        asked.push(id);
        return Promise.resolve('unknown');
      },
      () => undefined,
    );
    audit.start();
    await look();
    expect([asked, vi.getTimerCount()]).toEqual([[], 0]);
  });
});
