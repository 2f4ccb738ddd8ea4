import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`,
 * after vitest's own summary. A file that failed to load, and a suite whose
 * hook failed (its tests then count as skipped), each count as one failure.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) counts[test.result().state]++;
    }
    const brokenSuites = testModules
      .flatMap((testModule) => [...testModule.children.allSuites()])
      .filter(
        (suite) =>
          suite.state() === 'failed' &&
          ![...suite.children.allTests()].some((test) => test.result().state === 'failed'),
      ).length;
    const failed =
      counts.failed +
      brokenSuites +
      testModules.filter((testModule) => testModule.state() === 'failed' && !testModule.children.size).length;
    console.log(`tests: ${counts.passed} passed, ${failed} failed, ${counts.skipped + counts.pending} skipped`);
  }
}
