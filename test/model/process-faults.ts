/**
 * While a run lasts, errors that reach the process (a rejection nobody
 * handles, an exception thrown in a microtask) are recorded instead of
 * going to the test runner's own handlers, so that the comparison after
 * the command that caused them fails, with fast-check's seed and shrunk
 * commands. `restore` puts the runner's handlers back.
 */
export function captureProcessFaults(): { readonly errors: readonly string[]; restore(): void } {
  const errors: string[] = [];
  const record = (error: unknown): void => {
    errors.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  };
  const rejections = process.listeners('unhandledRejection');
  const exceptions = process.listeners('uncaughtException');
  process.removeAllListeners('unhandledRejection').on('unhandledRejection', record);
  process.removeAllListeners('uncaughtException').on('uncaughtException', record);
  return {
    errors,
    restore(): void {
      process.off('unhandledRejection', record).off('uncaughtException', record);
      for (const listener of rejections) process.on('unhandledRejection', listener);
      for (const listener of exceptions) process.on('uncaughtException', listener);
    },
  };
}
