import { buildPage } from '../scripts/build-page.js';

/** Builds the inspector page into dist/inspector/page once, before any test file serves it. */
export default async function setup(): Promise<void> {
  await buildPage();
}
