/** Does nothing: measures the cost of a round trip through a pool. */
export declare function noop(): undefined;
/** Burns `ms` milliseconds of CPU on the worker thread (a busy loop on `performance.now()`). */
export declare function spin(ms: number): undefined;
