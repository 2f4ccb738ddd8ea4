import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The environment variable through which the fixtures' `.mjs` entries find their bundles. */
export const BUILT_FIXTURES = 'BTM_BUILT_WORKER_FIXTURES';

/** The TypeScript worker fixtures that test threads load, each behind a `.mjs` entry of the same name. */
const FIXTURES = ['tasks', 'edge-cases', 'held', 'no-tasks', 'chatty', 'throws-after-define'];

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Bundles the worker fixtures with the library's source into plain
 * JavaScript, for the suite's run only: a worker thread that registers tsx
 * and compiles the fixture costs about 0.25 s of CPU, one that loads the
 * bundle a sixth of that, and the suite starts some hundred threads. The
 * bundles go under the project's `node_modules` (so that they find its
 * packages) and are named to every process and thread of the run by
 * {@link BUILT_FIXTURES}; without it (a fixture loaded outside the suite, or
 * the mutation run, whose instrumented source tsx must compile) each entry
 * compiles its fixture with tsx. Returns the function that removes them.
 */
export async function buildWorkerFixtures(): Promise<() => void> {
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
  const outdir = mkdtempSync(join(root, 'node_modules/.cache/worker-fixtures-'));
  await build({
    entryPoints: FIXTURES.map((name) => join(root, `test/fixtures/${name}.worker.ts`)),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Stacks name the fixture's and the library's own files (the entries turn source maps on).
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  process.env[BUILT_FIXTURES] = outdir;
  return () => {
    rmSync(outdir, { recursive: true, force: true });
  };
}
