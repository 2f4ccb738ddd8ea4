import type { Reporter, TestModule } from 'vitest/node';

/** Prints one plain closing line, `tests: N passed, N failed, N skipped`, after vitest's own summary. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) counts[test.result().state]++;
    }
    const failed =
      counts.failed +
      testModules.filter((testModule) => testModule.state() === 'failed' && !testModule.children.size).length;
    console.log(`tests: ${counts.passed} passed, ${failed} failed, ${counts.skipped + counts.pending} skipped`);
  }
}
