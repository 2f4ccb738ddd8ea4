import type { Reporter, TestModule } from 'vitest/node';

/** The parts of vitest's task objects this reporter reads and writes. */
interface Task {
  type: string;
  name: string;
  mode: string;
  result?: { state?: string; errors?: unknown[] };
  file?: Task;
  suite?: Task;
  tasks: Task[];
}

/**
 * Reporter of vitest.mutation.config.ts. A test file that fails to load
 * (a mutant broke a module it imports at load time, such as a machine
 * definition) has no test, and Stryker's vitest runner counts only tests:
 * the mutant would survive with every test file broken. This adds one
 * failing test to each such file, carrying the load error.
 */
export default class LoadFailureReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    for (const testModule of testModules) {
      const file = (testModule as unknown as { task: Task }).task;
      if (file.result?.state !== 'fail' || file.tasks.length > 0) continue;
      file.tasks.push({
        type: 'test',
        name: 'the test file loads',
        mode: 'run',
        result: { state: 'fail', errors: file.result.errors ?? [] },
        file,
        suite: file,
        tasks: [],
      });
    }
  }
}
