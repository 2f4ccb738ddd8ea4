// `--inspect`: the inspector page on a free loopback port, live during the run and until Ctrl-C (or SIGTERM) after it.
import { startInspector, type Inspector } from 'background-task-manager/inspector';
import { SIGNALS } from './session.js';

/** Starts the inspector page on a free loopback port; pass its `inspect` to the manager. */
export function startInspection(): Promise<Inspector> {
  return startInspector({ port: 0 });
}

/** Resolves on the next Ctrl-C or SIGTERM: the page stays open on the finished run until then. */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const interrupted = (): void => {
      for (const signal of SIGNALS) process.off(signal, interrupted);
      resolve();
    };
    for (const signal of SIGNALS) process.on(signal, interrupted);
  });
}
