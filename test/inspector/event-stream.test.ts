import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventStream } from '../../src/inspector/event-stream.js';

/** A client of the stream that keeps the revision of each frame written to it. */
class FakeClient extends EventEmitter {
  readonly revisions: number[] = [];
  writableLength = 0;
  writeHead(): this {
    return this;
  }
  write(frame: string): boolean {
    this.revisions.push(Number(/data: (\d+)/.exec(frame)?.[1]));
    return true;
  }
  destroy(): void {
    this.emit('close');
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the event stream', () => {
  it('brings every client a change made before another client connected, at the next tick', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let revision = 1;
    const stream = new EventStream(
      { intervalMs: 100, maxBufferedBytes: 1e6 },
      () => revision,
      () => String(revision),
    );
    const [first, second] = [new FakeClient(), new FakeClient()];
    stream.add(first as unknown as ServerResponse);
    revision = 2; // a change, before the tick
    stream.add(second as unknown as ServerResponse); // it sees the change at once: the first page has not
    vi.advanceTimersByTime(100);
    expect([first.revisions, second.revisions.at(-1)]).toEqual([[1, 2], 2]);
    vi.advanceTimersByTime(100); // nothing changed since: nothing sent
    expect(first.revisions).toEqual([1, 2]);
    stream.close();
  });
});
