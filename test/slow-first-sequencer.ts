import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest, slowest first, as measured on 2 cores (seconds): the README's
 * examples (20), the faults (15), the 2,000-run model test (14), the packed tarball (13), Redis
 * faults (11), the page in Chromium (11), the asset browser (10).
 */
const SLOWEST = [
  'test/readme.test.ts',
  'test/faults/faults.test.ts',
  'test/model/model-based.test.ts',
  'test/package/tarball.test.ts',
  'test/bullmq/remote-faults.test.ts',
  'test/inspector/browser.test.ts',
  'test/examples/asset-browser/asset-browser.test.ts',
];

/**
 * Starts the slowest test files first, so that both workers finish together instead of one
 * running a slow file alone at the end. Vitest's own order does this from the durations it
 * remembers; a fresh clone remembers none, and sorted by size the smallest file, the 2,000-run
 * model test, came last. Remembered durations still come first when there are some.
 */
export class SlowFirstSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cost = new Map(files.map((file) => [file, this.#cost(file)]));
    return Promise.resolve([...files].sort((a, b) => (cost.get(b) ?? 0) - (cost.get(a) ?? 0)));
  }

  #cost(file: TestSpecification): number {
    const path = relative(this.ctx.config.root, file.moduleId);
    const remembered = this.ctx.cache.getFileTestResults(`${file.project.name}:${path}`)?.duration;
    if (remembered !== undefined) return remembered;
    const rank = SLOWEST.indexOf(path);
    // Known slow files by rank, above any size; the rest by size (bytes), as vitest does.
    return rank >= 0 ? 2e9 - rank : (this.ctx.cache.getFileStats(`${file.project.name}:${path}`)?.size ?? 0);
  }
}
