import { buildPage } from '../scripts/build-page.js';
import { buildWorkerFixtures } from './build-worker-fixtures.js';

/**
 * Builds the inspector page into dist/inspector/page once, before any test
 * file serves it, and bundles the worker fixtures for the run's threads.
 */
export default async function setup(): Promise<() => void> {
  await buildPage();
  return await buildWorkerFixtures();
}
