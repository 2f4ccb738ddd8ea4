// The work every worker-thread benchmark runs, shared verbatim by the three pools' worker modules.
import { performance } from 'node:perf_hooks';

/** Does nothing: measures the cost of a round trip through a pool. */
export function noop() {
  return undefined;
}

/** Burns `ms` milliseconds of CPU on the worker thread (a busy loop on `performance.now()`). */
export function spin(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
  return undefined;
}
